/**
 * The composer's text tools end to end: a canned reply created in settings, inserted with `#shortcut`
 * and the keyboard, its variables filled in for a contact with and without a name, sent and shown
 * formatted in the dashboard and the widget; hostile canned replies and messages render as text; the
 * formatting buttons, Ctrl+B and the emoji picker edit at the caret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CannedReply, Message } from '@parley/shared';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import {
  loginAs,
  makeAccount,
  PASSWORD,
  type TestAccount,
  visitorOf,
} from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let host: { origin: string; close: () => Promise<void> };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let account: TestAccount;
let api: HttpClient;

const GREETING =
  'Hi {{contact.first_name}}, I am {{agent.first_name}} from **{{inbox.name}}**. About conversation {{conversation.number}}: how can I help?';
const HOSTILE_CANNED =
  '<img src=x onerror=alert(1)><script>alert(2)</script> [click](javascript:alert(3)) **safe**';
const HOSTILE_MESSAGE = '<img src=x onerror=alert(4)> [x](javascript:alert(5)) <b>bold?</b> *hi*';

const base = () => `/api/accounts/${account.accountId}`;

async function messagesOf(conversationId: string): Promise<Message[]> {
  const res = await api.get(`${base()}/conversations/${conversationId}/messages?limit=100`);
  assert.equal(res.status, 200, res.text);
  return res.body.messages as Message[];
}

async function eventually<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const composer = () => page.getByTestId('composer-input');
const popover = () => page.getByTestId('canned-popover');

async function openConversation(conversationId: string): Promise<void> {
  await page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
  await page.locator(`[data-testid=conversation-pane][data-conversation-id="${conversationId}"]`).waitFor();
  await composer().waitFor();
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid=composer-input]') as HTMLTextAreaElement | null)?.disabled,
  );
}

/** The widget on the customer's site, opened; the visitor has no name. */
async function openWidget(): Promise<{ page: Page; frame: FrameLocator; problems: string[] }> {
  const visitorContext = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
  });
  const visitorPage = await visitorContext.newPage();
  const visitorProblems = watchForScriptErrors(visitorPage);
  await visitorPage.goto(`${host.origin}/`);
  const launcher = visitorPage.locator('[data-parley] button[aria-haspopup]');
  await launcher.waitFor({ state: 'visible', timeout: 10_000 });
  await launcher.click();
  const frame = visitorPage.frameLocator('[data-parley] iframe');
  await frame.locator('.pw-header').waitFor({ state: 'visible' });
  return { page: visitorPage, frame, problems: visitorProblems };
}

before(async () => {
  server = await startE2EServer();
  // The site's page names the inbox, which needs the site's origin first: the page is added after.
  const pages: Record<string, string> = {};
  host = await startHostSite(pages);
  account = await makeAccount(server, {
    inboxSettings: { allowedOrigins: [host.origin], style: 'live_chat' },
  });
  pages['/'] = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
<script src="${server.publicUrl}/widget.js" data-inbox="${account.inboxId}" async></script></body></html>`;
  api = await loginAs(server, account.admin.email);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/settings/canned`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('canned replies and composer tools', () => {
  test('a canned reply is created in settings', async () => {
    await page.goto(`${server.publicUrl}/settings/canned`);
    await page.getByText('No canned replies yet').waitFor();
    await page.getByTestId('canned-new').click();
    const form = page.getByTestId('canned-form');
    await form.locator('input[name=shortcut]').fill('#greet');
    await form.locator('textarea[name=body]').fill(GREETING);
    await form.getByTestId('canned-preview').locator('strong').waitFor();
    await screenshot(page, 'canned-01-settings-form');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const row = page.getByTestId('canned-row').filter({ hasText: '#greet' });
    await row.waitFor();
    assert.equal(await row.getByTestId('canned-scope').textContent(), 'Everyone');

    // Two more, through the API: one that also starts with "g", and a hostile one.
    for (const [shortcut, body] of [
      ['gratitude', 'Thank you for your patience, {{contact.name}}!'],
      ['xss', HOSTILE_CANNED],
    ]) {
      const res = await api.post(`${base()}/canned-replies`, { shortcut, body, scope: 'account' });
      assert.equal(res.status, 201, res.text);
    }
    // The same shortcut again is refused with a clear message.
    await page.getByTestId('canned-new').click();
    await form.locator('input[name=shortcut]').fill('GREET');
    await form.locator('textarea[name=body]').fill('again');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('This shortcut is already used in this scope.').waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.reload();
    await page.getByTestId('canned-row').nth(2).waitFor();
    assert.equal(await page.getByTestId('canned-row').count(), 3);
    // The hostile reply is listed as text.
    await page.getByTestId('canned-row').filter({ hasText: '<img src=x onerror=alert(1)>' }).waitFor();
    assert.equal(await page.locator('.canned-list img, .canned-list script').count(), 0);
    await screenshot(page, 'canned-02-settings-list');

    const list = await api.get(`${base()}/canned-replies`);
    const greet = (list.body.cannedReplies as CannedReply[]).find((r) => r.shortcut === 'greet');
    assert.equal(greet?.body, GREETING);
  });

  test('#shortcut, arrow keys and Enter insert a reply with the named contact filled in; it is sent', async () => {
    const visitor = await visitorOf(server, account.inboxId, { name: 'Ana Souza', email: 'ana@example.com' });
    const started = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: 'ana-1', body: 'Hello, my order is late' },
    });
    assert.equal(started.status, 201, started.text);
    const { id } = started.body.conversation as { id: string };
    const conversation = (await api.get(`${base()}/conversations/${id}`)).body.conversation as {
      id: string;
      number: number;
    };
    await openConversation(conversation.id);

    await composer().click();
    await composer().pressSequentially('#g');
    await popover().waitFor();
    const options = popover().getByTestId('canned-option');
    assert.deepEqual(
      await options.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-shortcut'))),
      // The text of #xss has a "g" in it: text matches come after shortcut matches.
      ['gratitude', 'greet', 'xss'],
    );
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
    await composer().press('ArrowDown');
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    await screenshot(page, 'canned-03-composer-popover');
    // Typing narrows the list; Escape closes it and leaves the text alone.
    await composer().pressSequentially('re');
    assert.deepEqual(
      await options.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-shortcut'))),
      ['greet'],
    );
    await composer().press('Escape');
    await popover().waitFor({ state: 'detached' });
    assert.equal(await composer().inputValue(), '#gre');
    // It stays closed while that # is typed on; a new # opens it again.
    await composer().pressSequentially('e');
    assert.equal(await popover().count(), 0);
    await composer().fill('');
    await composer().pressSequentially('#g');
    await popover().waitFor();
    await composer().press('ArrowDown');
    await composer().press('Enter');
    await popover().waitFor({ state: 'detached' });
    const expected = `Hi Ana, I am Admin from **Website**. About conversation ${conversation.number}: how can I help?`;
    assert.equal(await composer().inputValue(), expected);

    await composer().press('Enter');
    const sent = await eventually(
      async () => (await messagesOf(conversation.id)).find((m) => m.senderKind === 'agent') ?? null,
      'the agent reply',
    );
    assert.equal(sent.body, expected);
    const bubble = page.getByTestId('message-bubble').filter({ hasText: 'Hi Ana' });
    await bubble.waitFor();
    assert.equal(await bubble.locator('strong').textContent(), 'Website');
    assert.equal(await composer().inputValue(), '');
  });

  test('without a name the fallback reads "there"; the widget shows the reply formatted and hostile text as text', async () => {
    const widget = await openWidget();
    const input = widget.frame.locator('#pw-input');
    await input.fill(HOSTILE_MESSAGE);
    await input.press('Enter');
    const conversationId = await eventually(async () => {
      const res = await api.get(`${base()}/conversations?inboxId=${account.inboxId}&limit=50`);
      const found = (res.body.conversations as Array<{ id: string; contactName: string | null }>).find(
        (c) => c.contactName === null,
      );
      return found?.id ?? null;
    }, 'the widget conversation');
    await openConversation(conversationId);

    // The customer's hostile message is text in the dashboard: no element was injected.
    const customer = page.getByTestId('message-bubble').filter({ hasText: '<img src=x onerror=alert(4)>' });
    await customer.waitFor();
    assert.equal(await customer.locator('img, b, script').count(), 0);
    assert.equal(await customer.locator('a').count(), 0, 'a javascript: link is no link');
    assert.equal(await customer.locator('em').textContent(), 'hi');

    await composer().click();
    await composer().pressSequentially('#greet');
    await popover().getByTestId('canned-option').first().waitFor();
    await composer().press('Enter');
    const number = (
      (await api.get(`${base()}/conversations/${conversationId}`)).body.conversation as { number: number }
    ).number;
    const expected = `Hi there, I am Admin from **Website**. About conversation ${number}: how can I help?`;
    assert.equal(await composer().inputValue(), expected);
    await composer().press('Enter');

    // The hostile canned reply, picked with the mouse this time.
    await composer().pressSequentially('#xs');
    await popover().getByTestId('canned-option').first().click();
    assert.equal(await composer().inputValue(), HOSTILE_CANNED);
    await composer().press('Enter');
    const hostile = page.getByTestId('message-bubble').filter({ hasText: '<script>alert(2)</script>' });
    await hostile.waitFor();
    assert.equal(await hostile.locator('img, script').count(), 0);
    assert.equal(await hostile.locator('a').count(), 0);
    assert.equal(await hostile.locator('strong').textContent(), 'safe');
    await eventually(
      async () =>
        (await messagesOf(conversationId)).filter((m) => m.senderKind === 'agent').length === 2 ? true : null,
      'both replies stored',
    );

    // In the widget: the greeting formatted, the hostile reply as text.
    const greeting = widget.frame.locator('.pw-bubble', { hasText: 'Hi there, I am Admin' }).first();
    await greeting.waitFor({ timeout: 10_000 });
    assert.equal(await greeting.locator('strong').textContent(), 'Website');
    const hostileInWidget = widget.frame
      .locator('.pw-bubble', { hasText: '<script>alert(2)</script>' })
      .first();
    await hostileInWidget.waitFor();
    assert.equal(await hostileInWidget.locator('img, script, a').count(), 0);
    assert.equal(await hostileInWidget.locator('strong').textContent(), 'safe');
    const mine = widget.frame.locator('.pw-bubble', { hasText: '<img src=x onerror=alert(4)>' }).first();
    assert.equal(await mine.locator('img, b, a').count(), 0);
    await screenshot(widget.page, 'canned-04-widget');
    await widget.page.close();
    assert.deepEqual(widget.problems, []);
  });

  test('formatting buttons, Ctrl+B and the emoji picker edit at the caret', async () => {
    await composer().fill('please be quick');
    // Select "quick" and make it bold with the keyboard, then italic with the button.
    await composer().evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(10, 15));
    await composer().press('Control+b');
    assert.equal(await composer().inputValue(), 'please be **quick**');
    await composer().evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(0, 6));
    await page.getByTestId('composer-format-italic').click();
    assert.equal(await composer().inputValue(), '*please* be **quick**');
    await composer().evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(14, 19));
    await composer().press('Control+b');
    assert.equal(await composer().inputValue(), '*please* be quick', 'Ctrl+B again takes bold off');
    // An emoji goes where the caret was.
    await composer().evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(8, 8));
    await page.getByTestId('composer-emoji').click();
    const picker = page.getByTestId('emoji-picker');
    await picker.getByLabel('Search emoji').fill('thumbs up');
    await screenshot(page, 'canned-05-emoji-picker');
    await picker.getByRole('button', { name: 'thumbs up' }).click();
    assert.equal(await composer().inputValue(), '*please*👍 be quick');
    await composer().fill('');
    assert.deepEqual(problems, []);
  });
});
