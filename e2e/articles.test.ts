/**
 * The knowledge base end to end: an admin writes an article in the dashboard, sends it into a live
 * conversation, the customer sees the card in the widget and its link opens the public page. An article
 * full of XSS payloads stays inert on the public page, in the editor's preview and in both cards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Article, Message } from '@parley/shared';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { loginAs, makeAccount, PASSWORD, type TestAccount } from '../apps/server/test/factories.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let host: { origin: string; close: () => Promise<void> };
const hostPages: Record<string, string> = {};
let account: TestAccount;
let api: HttpClient;
let agent: { context: BrowserContext; page: Page; problems: string[] };
let visitor: { context: BrowserContext; page: Page; problems: string[]; frame: FrameLocator };
let conversationId = '';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const accountApi = (path: string) => `/api/accounts/${account.accountId}${path}`;

/** Every kind of script injection we know, each of which would open a dialog if it ever ran. */
const HOSTILE_TITLE = 'Billing <img src=x onerror=alert("title")> "quotes" & <script>alert("t")</script>';
const HOSTILE_BODY = [
  '# Payloads <script>alert("h1")</script>',
  '<script>alert("script")</script>',
  '<img src=x onerror=alert("img")>',
  '<svg onload=alert("svg")></svg>',
  '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  '<div>\n\n**html block**\n\n</div>',
  '[javascript link](javascript:alert("link"))',
  '[entity link](&#106;avascript:alert("entity"))',
  '[tab link](java\tscript:alert("tab"))',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgiZGF0YSIpPC9zY3JpcHQ+)',
  '<javascript:alert("autolink")>',
  '[reference][evil]',
  '',
  '[evil]: javascript:alert("reference")',
  '',
  '![image](javascript:alert("image"))',
  '![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoJ3N2ZycpPjwvc3ZnPg==)',
  '[quote break](https://ok.example/"onmouseover="alert(\'attr\'))',
  '`<script>alert("code")</script>`',
  'A [safe link](https://parley.example/docs) stays a link.',
].join('\n');

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchForScriptErrors(page);
  return { context, page, problems };
}

function customerPage(inboxId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Outdoor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1f2937;background:#f9fafb}
header{background:#fff;border-bottom:1px solid #e5e7eb;padding:18px 40px;font-weight:700;font-size:20px}
main{padding:48px 40px;max-width:720px}h1{font-size:40px;margin:0 0 12px}</style></head>
<body><header>Acme Outdoor</header><main><h1>Gear for every trail</h1><p>Free returns for 60 days.</p></main>
<script src="${server.publicUrl}/widget.js" data-inbox="${inboxId}" async></script>
</body></html>`;
}

/** What a page holds that could run script: script elements, handler attributes, scripted URLs. */
async function scriptSurface(page: Page | ReturnType<Page['frames']>[number], selector: string) {
  return page.evaluate((root) => {
    const scope = document.querySelector(root);
    if (!scope) return null;
    const all = [...scope.querySelectorAll('*')];
    return {
      scripts: scope.querySelectorAll('script, iframe, object, embed, svg').length,
      handlers: all.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on')))
        .length,
      scriptedUrls: all.filter((el) =>
        ['href', 'src'].some((name) => /^\s*(javascript|data|vbscript):/i.test(el.getAttribute(name) ?? '')),
      ).length,
      text: scope.textContent ?? '',
    };
  }, selector);
}

async function openAgentConversation(): Promise<void> {
  await agent.page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
  await agent.page.getByTestId('composer-input').waitFor();
}

async function insertArticle(search: string, title: string, shot?: string): Promise<void> {
  await agent.page.getByTestId('insert-article').click();
  await agent.page.getByTestId('article-picker-search').fill(search);
  const item = agent.page.getByTestId('article-picker-item').filter({ hasText: title }).first();
  await item.waitFor();
  if (shot) await screenshot(agent.page, shot);
  await item.click();
}

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(hostPages);
  account = await makeAccount(server, {
    inboxSettings: { allowedOrigins: [host.origin], color: '#0f766e', title: 'Acme Support' },
  });
  hostPages['/'] = customerPage(account.inboxId);
  api = await loginAs(server, account.admin.email);
  browser = await launchBrowser();
  agent = await newPage();
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('knowledge base', () => {
  test('an admin writes and publishes an article in the dashboard, with a live preview', async () => {
    const { page } = agent;
    await page.goto(server.publicUrl);
    await signIn(page, account.admin.email, PASSWORD);

    await page.getByRole('link', { name: 'Knowledge base' }).click();
    await page.getByText('No articles yet').waitFor();
    await page.getByTestId('new-article').click();
    await page.getByTestId('article-title').fill('How to track your order');
    await page.getByTestId('article-category').fill('Orders');
    await page
      .getByTestId('article-body')
      .fill(
        [
          'Every parcel gets a **tracking number** as soon as it leaves our warehouse.',
          '',
          '## Where to find it',
          '',
          '1. Open the e-mail *Your order is on its way*.',
          '2. Copy the number that starts with `AC`.',
          '3. Paste it on the [carrier’s site](https://carrier.example/track).',
          '',
          '> Parcels usually arrive within 3 working days.',
        ].join('\n'),
      );
    await page.getByTestId('article-status').getByText('Published').click();
    const preview = page.getByTestId('article-preview');
    await preview.locator('h2', { hasText: 'Where to find it' }).waitFor();
    assert.equal(
      await preview.locator('a[href="https://carrier.example/track"][rel~="noopener"]').count(),
      1,
    );
    await page.getByTestId('save-article').click();
    await page.getByText('Article created').waitFor();
    await page.waitForURL(/\/articles\/[0-9a-f-]{36}$/);
    await page.getByTestId('article-item').filter({ hasText: 'How to track your order' }).waitFor();
    await sleep(300);
    await screenshot(page, 'articles-01-editor');

    // On a phone the list and the article take turns.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('article-title').waitFor();
    await screenshot(page, 'articles-01b-editor-phone');
    await page.getByRole('button', { name: 'All articles' }).click();
    await page.getByTestId('article-item').first().waitFor();
    await screenshot(page, 'articles-01c-list-phone');
    await page.setViewportSize({ width: 1440, height: 900 });

    const list = await api.get(accountApi('/articles'));
    const saved = (list.body.articles as Article[])[0];
    assert.equal(saved?.slug, 'how-to-track-your-order');
    assert.equal(saved?.status, 'published');
    assert.equal(saved?.category, 'Orders');
  });

  test('the agent sends it in a conversation; the card shows in the dashboard and the widget, its link opens the public page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${host.origin}/`);
    const launcher = page.locator('[data-parley] button[aria-haspopup]');
    await launcher.waitFor({ state: 'visible', timeout: 10_000 });
    await launcher.click();
    const frame = page.frameLocator('[data-parley] iframe');
    visitor = { context, page, problems, frame };
    // A first-time visitor lands on a new conversation's composer.
    await frame.locator('#pw-input').fill('Where is my parcel?');
    await frame.locator('#pw-input').press('Enter');

    const deadline = Date.now() + 10_000;
    while (!conversationId && Date.now() < deadline) {
      const res = await api.get(accountApi('/conversations?limit=10'));
      conversationId = (res.body.conversations as Array<{ id: string }>)[0]?.id ?? '';
      if (!conversationId) await sleep(200);
    }
    assert.ok(conversationId, 'the conversation exists');

    await openAgentConversation();
    await insertArticle('track', 'How to track your order', 'articles-02a-picker');
    const dashboardCard = agent.page
      .getByTestId('article-card')
      .filter({ hasText: 'How to track your order' });
    await dashboardCard.waitFor();
    assert.match((await dashboardCard.textContent()) ?? '', /Every parcel gets a tracking number/);
    await sleep(300);
    await screenshot(agent.page, 'articles-02-dashboard-card');

    const widgetCard = frame.locator('.pw-article', { hasText: 'How to track your order' });
    await widgetCard.waitFor();
    assert.match((await widgetCard.locator('.pw-article-excerpt').textContent()) ?? '', /^Every parcel gets/);
    const link = widgetCard.locator('a.pw-article-link');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match((await link.getAttribute('rel')) ?? '', /noopener/);
    await sleep(300);
    await screenshot(page, 'articles-03-widget-card');

    const messages = await api.get(accountApi(`/conversations/${conversationId}/messages`));
    const card = (messages.body.messages as Message[]).find((m) => m.kind === 'article');
    assert.equal(await link.getAttribute('href'), card?.attributes.url);

    const [publicPage] = await Promise.all([context.waitForEvent('page'), link.click()]);
    const publicProblems = watchForScriptErrors(publicPage);
    await publicPage.waitForLoadState('domcontentloaded');
    assert.equal(publicPage.url(), card?.attributes.url);
    await publicPage.getByRole('heading', { level: 1, name: 'How to track your order' }).waitFor();
    await publicPage.getByRole('heading', { level: 2, name: 'Where to find it' }).waitFor();
    assert.equal(await publicPage.locator('.category').textContent(), 'Orders');
    // The page cannot see the chat that opened it.
    assert.equal(await publicPage.evaluate(() => window.opener), null);
    await screenshot(publicPage, 'articles-04-public-page');
    await publicPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(publicPage, 'articles-05-public-page-phone');
    await publicPage.goto(`${server.publicUrl}/help/${account.accountId}`);
    await publicPage.getByRole('heading', { level: 2, name: 'Orders' }).waitFor();
    await screenshot(publicPage, 'articles-06-help-index');
    await publicPage.close();
    assert.deepEqual(publicProblems, []);
    assert.deepEqual(problems, []);
    assert.deepEqual(agent.problems, []);
  });

  test('an article full of XSS payloads is inert on the public page, in the preview and in both cards', async () => {
    const created = await api.post(accountApi('/articles'), {
      title: HOSTILE_TITLE,
      body: HOSTILE_BODY,
      category: '<b onmouseover=alert("category")>Hostile</b>',
      status: 'published',
    });
    assert.equal(created.status, 201, created.text);
    const article = created.body.article as Article;

    // The public page: no script anywhere, the payloads shown as text.
    const reader = await newPage({ width: 1280, height: 900 });
    const response = await reader.page.goto(article.url);
    assert.equal(response?.status(), 200);
    assert.match((await response?.headerValue('content-security-policy')) ?? '', /default-src 'none'/);
    const onPage = await scriptSurface(reader.page, 'body');
    assert.deepEqual(
      { ...onPage, text: undefined },
      { scripts: 0, handlers: 0, scriptedUrls: 0, text: undefined },
    );
    assert.ok(onPage?.text.includes('<script>alert("script")</script>'), 'raw HTML is visible as text');
    assert.ok(onPage?.text.includes('<img src=x onerror=alert("title")>'));
    assert.equal(await reader.page.locator('h1.title').textContent(), HOSTILE_TITLE);
    assert.equal(await reader.page.locator('a[href="https://parley.example/docs"]').count(), 1);
    // Hovering and clicking the refused links does nothing either.
    await reader.page.locator('article.body p').first().hover();
    await sleep(300);
    await screenshot(reader.page, 'articles-07-xss-public-page');
    assert.deepEqual(reader.problems, []);
    await reader.context.close();

    // The editor's preview.
    await agent.page.goto(`${server.publicUrl}/articles/${article.id}`);
    const preview = agent.page.getByTestId('article-preview');
    await preview.locator('h1').waitFor();
    const inPreview = await scriptSurface(agent.page, '[data-testid="article-preview"]');
    assert.deepEqual(
      { ...inPreview, text: undefined },
      { scripts: 0, handlers: 0, scriptedUrls: 0, text: undefined },
    );
    assert.ok(inPreview?.text.includes('<svg onload=alert("svg")></svg>'));
    await sleep(300);
    await screenshot(agent.page, 'articles-08-xss-preview');

    // Both cards.
    await openAgentConversation();
    await insertArticle('Billing', 'Billing');
    const dashboardCard = agent.page.getByTestId('article-card').filter({ hasText: '"quotes"' });
    await dashboardCard.waitFor();
    assert.ok(((await dashboardCard.textContent()) ?? '').includes(HOSTILE_TITLE));
    const cardSurface = await agent.page.evaluate(() => {
      const cards = [...document.querySelectorAll('[data-testid="article-card"]')];
      return cards.map((card) => ({
        elements: card.querySelectorAll('script, img, iframe, svg:not([class*="tabler"])').length,
        handlers: [...card.querySelectorAll('*')].filter((el) =>
          [...el.attributes].some((a) => a.name.startsWith('on')),
        ).length,
      }));
    });
    assert.ok(
      cardSurface.every((c) => c.elements === 0 && c.handlers === 0),
      JSON.stringify(cardSurface),
    );

    const widgetCard = visitor.frame.locator('.pw-article', { hasText: '"quotes"' });
    await widgetCard.waitFor();
    assert.equal(await widgetCard.locator('.pw-article-title').textContent(), HOSTILE_TITLE);
    const widgetFrame = visitor.page.frames().find((f) => f.url().includes('/widget/frame'));
    assert.ok(widgetFrame);
    const inWidget = await scriptSurface(widgetFrame, '.pw-messages');
    assert.deepEqual(
      { ...inWidget, text: undefined },
      { scripts: 0, handlers: 0, scriptedUrls: 0, text: undefined },
    );
    await sleep(1000);
    await screenshot(visitor.page, 'articles-09-xss-widget-card');
    await screenshot(agent.page, 'articles-10-xss-dashboard-card');

    assert.deepEqual(agent.problems, []);
    assert.deepEqual(visitor.problems, []);
  });
});
