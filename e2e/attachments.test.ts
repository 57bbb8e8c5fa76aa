/**
 * Attachments end to end: a visitor attaches and pastes images in the widget and the agent sees them in
 * the dashboard; the agent picks and drops files and the visitor sees them; files over the limit are
 * refused with the limit shown on both sides; an HTML page renamed `.png` is never rendered as HTML
 * (a download card on screen, an opaque download when opened).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@parley/shared';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { attachments } from '../apps/server/src/db/schema.ts';
import {
  hostileHtml,
  samplePhoto,
  tinyPdf,
  tinyPng,
} from '../apps/server/src/modules/attachments/test-files.ts';
import { loginAs, makeAccount, PASSWORD, type TestAccount } from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

const LIMIT = 100 * 1024;

let server: TestServer & { publicUrl: string };
let host: { origin: string; close: () => Promise<void> };
let browser: Browser;
let account: TestAccount;
let api: HttpClient;
let agent: { context: BrowserContext; page: Page; problems: string[] };
let visitor: { context: BrowserContext; page: Page; frame: FrameLocator; problems: string[] };
let conversationId = '';

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const found = await probe().catch(() => null);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function messagesOf(id: string): Promise<Message[]> {
  const res = await api.get(`/api/accounts/${account.accountId}/conversations/${id}/messages?limit=100`);
  assert.equal(res.status, 200, res.text);
  return res.body.messages as Message[];
}

/** True once the image has really been decoded (a broken or blocked image has no natural size). */
async function decoded(image: Locator): Promise<boolean> {
  await image.waitFor({ state: 'visible' });
  return eventually(
    () => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    'the image to load',
  );
}

before(async () => {
  server = await startE2EServer({ ATTACHMENT_MAX_BYTES: String(LIMIT) });
  const pages: Record<string, string> = {};
  host = await startHostSite(pages);
  account = await makeAccount(server, {
    inboxSettings: { allowedOrigins: [host.origin], title: 'Acme Support', color: '#0f766e' },
  });
  pages['/'] = `<!doctype html><html><head><meta charset="utf-8"><title>Acme Outdoor</title></head>
<body style="font:16px system-ui;margin:40px"><h1>Acme Outdoor</h1><p>Tents and boots.</p>
<script src="${server.publicUrl}/widget.js" data-inbox="${account.inboxId}" async></script></body></html>`;
  api = await loginAs(server, account.admin.email);
  browser = await launchBrowser();

  const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const agentPage = await agentContext.newPage();
  agentPage.setDefaultTimeout(10_000);
  agent = { context: agentContext, page: agentPage, problems: watchForScriptErrors(agentPage) };
  await agentPage.goto(`${server.publicUrl}/inbox/all`);
  await signIn(agentPage, account.admin.email, PASSWORD);

  const visitorContext = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
  });
  const visitorPage = await visitorContext.newPage();
  visitorPage.setDefaultTimeout(10_000);
  const problems = watchForScriptErrors(visitorPage);
  await visitorPage.goto(`${host.origin}/`);
  const launcher = visitorPage.locator('[data-parley] button[aria-haspopup]');
  await launcher.waitFor({ state: 'visible' });
  await launcher.click();
  const frame = visitorPage.frameLocator('[data-parley] iframe');
  await frame.locator('.pw-header').waitFor({ state: 'visible' });
  visitor = { context: visitorContext, page: visitorPage, frame, problems };
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

async function openInDashboard(id: string): Promise<void> {
  const page = agent.page;
  await page.goto(`${server.publicUrl}/inbox/all/${id}`);
  await page.locator(`[data-testid=conversation-pane][data-conversation-id="${id}"]`).waitFor();
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid=composer-input]') as HTMLTextAreaElement | null)?.disabled,
  );
}

describe('attachments', () => {
  test('a visitor attaches and pastes images in the widget; the agent sees them in the dashboard', async () => {
    const { frame } = visitor;
    // Files go to an open conversation: the first message starts it.
    assert.equal(await frame.locator('.pw-attach').isVisible(), false);
    await frame.locator('#pw-input').fill('Hello! The zip of my tent broke, photo below.');
    await frame.locator('#pw-input').press('Enter');
    await frame.locator('.pw-attach').waitFor({ state: 'visible' });
    conversationId = await eventually(async () => {
      const res = await api.get(`/api/accounts/${account.accountId}/conversations?limit=10`);
      return (res.body.conversations as Array<{ id: string }>)[0]?.id;
    }, 'the conversation');

    await frame.locator('.pw-file-input').setInputFiles({
      name: 'broken-zip.png',
      mimeType: 'image/png',
      buffer: samplePhoto(360, 240, [180, 60, 40]),
    });
    assert.ok(await decoded(frame.locator('.pw-att-img').first()));

    // A screenshot pasted into the composer is sent too.
    await frame.locator('#pw-input').evaluate(
      (input, bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
        input.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      },
      [...tinyPng(40, [37, 99, 235])],
    );
    await eventually(async () => (await frame.locator('.pw-att-img').count()) === 2, 'the pasted image');
    assert.ok(await decoded(frame.locator('.pw-att-img').nth(1)));

    const sent = (await messagesOf(conversationId)).filter((m) => m.kind === 'attachment');
    assert.deepEqual(
      sent.map((m) => (m.attributes.attachments as Array<{ fileName: string }>)[0]?.fileName),
      ['broken-zip.png', 'pasted.png'],
    );

    await openInDashboard(conversationId);
    const images = agent.page.locator('[data-testid=attachment-image] img');
    await eventually(async () => (await images.count()) === 2, 'both images in the dashboard');
    assert.ok(await decoded(images.first()));
    assert.ok(await decoded(images.nth(1)));
    assert.equal(await images.first().getAttribute('alt'), 'broken-zip.png');
    await visitor.page.waitForTimeout(200);
    await screenshot(visitor.page, 'attachments-01-widget-visitor-images');
    await screenshot(agent.page, 'attachments-02-dashboard-visitor-images');
  });

  test('the agent picks and drops files in the dashboard; the visitor sees them in the widget', async () => {
    const page = agent.page;
    await page.getByTestId('attach-input').setInputFiles([
      { name: 'replacement-zip.png', mimeType: 'image/png', buffer: samplePhoto(320, 200) },
      { name: 'Return label №42.pdf', mimeType: 'application/pdf', buffer: tinyPdf() },
    ]);
    // Dropped on the conversation pane.
    await page.getByTestId('conversation-pane').evaluate(
      (pane, bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'size-chart.png', { type: 'image/png' }));
        const target = pane.querySelector('.thread') ?? pane;
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
        }
      },
      [...tinyPng(56, [234, 179, 8])],
    );

    await eventually(
      async () => (await messagesOf(conversationId)).filter((m) => m.senderKind === 'agent').length === 3,
      'three attachment messages from the agent',
    );
    const card = page.getByTestId('attachment-file').filter({ hasText: 'Return label №42.pdf' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /Return label №42\.pdf/);
    await eventually(
      async () => (await page.locator('[data-testid=attachment-image] img').count()) === 4,
      '4 images',
    );

    const { frame } = visitor;
    await eventually(
      async () => (await frame.locator('.pw-att-img').count()) === 4,
      'the agent images in the widget',
    );
    for (let i = 2; i < 4; i += 1) assert.ok(await decoded(frame.locator('.pw-att-img').nth(i)));
    const pdf = frame.locator('.pw-att-file', { hasText: 'Return label №42.pdf' });
    await pdf.waitFor();
    await eventually(
      async () => ((await pdf.getAttribute('href')) ?? '').includes('/api/files/'),
      'a signed address',
    );
    // The card downloads the file from its signed address, as a file.
    const href = (await pdf.getAttribute('href')) ?? '';
    const response = await fetch(href);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment;/);
    await frame.locator('.pw-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await visitor.page.waitForTimeout(300);
    await screenshot(visitor.page, 'attachments-03-widget-agent-files');
    await screenshot(page, 'attachments-04-dashboard-agent-files');
  });

  test('a file over the limit is refused on both sides with the limit shown, and nothing is stored', async () => {
    const before = await server.ctx.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.conversationId, conversationId));
    const tooBig = Buffer.alloc(LIMIT + 5_000, 1);

    await agent.page.getByTestId('attach-input').setInputFiles({
      name: 'holiday-video.mov',
      mimeType: 'video/quicktime',
      buffer: tooBig,
    });
    const agentError = agent.page.getByTestId('upload-error');
    await agentError.waitFor();
    assert.equal(await agentError.textContent(), 'Too large: files can be up to 100 kB.');
    await screenshot(agent.page, 'attachments-05-dashboard-too-large');

    await visitor.frame.locator('.pw-file-input').setInputFiles({
      name: 'scan.tiff',
      mimeType: 'image/tiff',
      buffer: tooBig,
    });
    const visitorError = visitor.frame.locator('.pw-upload-error');
    await visitorError.waitFor();
    assert.equal(await visitorError.textContent(), 'Too large: files can be up to 100 kB.');
    await screenshot(visitor.page, 'attachments-06-widget-too-large');

    // The server refuses it as well when a client does not check first.
    const direct = await agent.page.evaluate(
      async ({ url, size }) => {
        const csrf = ((await (await fetch('/api/auth/session')).json()) as { csrfToken: string }).csrfToken;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf },
          body: new Uint8Array(size),
        });
        return { status: res.status, body: await res.json() };
      },
      {
        url: `/api/accounts/${account.accountId}/conversations/${conversationId}/attachments?name=big.bin`,
        size: LIMIT + 1,
      },
    );
    assert.equal(direct.status, 413);
    assert.equal((direct.body as { error: { code: string } }).error.code, 'attachment_too_large');
    const afterRows = await server.ctx.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.conversationId, conversationId));
    assert.equal(afterRows.length, before.length);

    await agent.page.getByRole('button', { name: 'Dismiss' }).click();
    await visitor.frame.locator('.pw-upload-x').click();
  });

  test('an HTML page renamed .png is a download card, and opening it downloads instead of rendering', async () => {
    await visitor.frame.locator('.pw-file-input').setInputFiles({
      name: 'cute-cat.png',
      mimeType: 'image/png',
      buffer: hostileHtml,
    });
    const widgetCard = visitor.frame.locator('.pw-att-file', { hasText: 'cute-cat.png' });
    await widgetCard.waitFor();

    const page = agent.page;
    const card = page.getByTestId('attachment-file').filter({ hasText: 'cute-cat.png' });
    await card.waitFor();
    assert.equal(await page.locator('[data-testid=attachment-image] img[alt="cute-cat.png"]').count(), 0);
    const href = (await card.getByTestId('attachment-download').getAttribute('href')) ?? '';
    assert.match(href, /\/api\/accounts\/[0-9a-f-]+\/attachments\/[0-9a-f-]+\?download=1$/);
    const headers = await page.evaluate(async (url) => {
      const res = await fetch(url.replace('?download=1', ''));
      return Object.fromEntries(res.headers.entries());
    }, href);
    assert.equal(headers['content-type'], 'application/octet-stream');
    assert.match(headers['content-disposition'] ?? '', /^attachment; filename="cute-cat.png"/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['content-security-policy'], "default-src 'none'; sandbox");

    // Opened directly, even without ?download=1, the browser saves it: nothing is rendered, no script runs.
    const tab = await agent.context.newPage();
    const download = tab.waitForEvent('download');
    await tab.goto(`${server.publicUrl}${href.replace('?download=1', '')}`).catch(() => undefined);
    assert.equal((await download).suggestedFilename(), 'cute-cat.png');
    assert.notEqual(await tab.title(), 'pwned');
    assert.equal(await tab.locator('#pwned').count(), 0);
    await tab.close();

    await screenshot(page, 'attachments-07-dashboard-html-as-file');
    await screenshot(visitor.page, 'attachments-08-widget-html-as-file');
    assert.deepEqual(agent.problems, []);
    assert.deepEqual(visitor.problems, []);
  });
});
