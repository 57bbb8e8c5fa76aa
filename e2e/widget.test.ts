/**
 * The chat widget in real Chromium: a customer's site on another origin embeds the loader, a visitor
 * chats with an agent (REST and WebSocket on the agent side), and the widget survives reloads, being
 * offline, two tabs, hostile message text and sites that are not allowed to embed it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@parley/shared';
import { and, count, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { contactIdentities, contacts, conversations, messages } from '../apps/server/src/db/schema.ts';
import { hmacHex } from '../apps/server/src/lib/crypto.ts';
import { postMessage } from '../apps/server/src/modules/messages/commands.ts';
import { loginAs, makeAccount, type TestAccount } from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { RealtimeClient } from '../apps/server/test/realtime-client.ts';
import { launchBrowser, screenshot, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let host: { origin: string; close: () => Promise<void> };
let stranger: { origin: string; close: () => Promise<void> };
const hostPages: Record<string, string> = {};
const strangerPages: Record<string, string> = {};
let account: TestAccount;
let prechatInboxId: string;
let agent: HttpClient;
let counter = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A customer page: the documented snippet, with the command queue used before the script loads. */
function customerPage(inboxId: string, extra = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Outdoor — tents and boots</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1f2937;background:#f9fafb}
header{background:#fff;border-bottom:1px solid #e5e7eb;padding:18px 40px;font-weight:700;font-size:20px}
main{padding:48px 40px;max-width:720px}h1{font-size:40px;margin:0 0 12px;letter-spacing:-.02em}p{color:#4b5563}</style></head>
<body><header>Acme Outdoor</header><main><h1>Gear for every trail</h1>
<p>Tents, boots and jackets tested in the mountains. Free returns for 60 days.</p></main>
<script>
window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments); };
window.hostEvents = [];
Parley('on', 'message', function (m) { hostEvents.push({ type: 'message', body: m.body }); });
Parley('on', 'unread', function (n) { hostEvents.push({ type: 'unread', count: n }); });
Parley('on', 'open', function () { hostEvents.push({ type: 'open' }); });
${extra}
</script>
<script src="${server.publicUrl}/widget.js" data-inbox="${inboxId}" async></script>
</body></html>`;
}

/** A message bubble (the live region repeats new messages for screen readers, so text alone is ambiguous). */
const bubble = (frame: FrameLocator, text: string) => frame.locator('.pw-bubble', { hasText: text }).first();
const launcher = (page: Page) => page.locator('[data-parley] button[aria-haspopup]');
const frameOf = (page: Page): FrameLocator => page.frameLocator('[data-parley] iframe');

async function openWidget(page: Page): Promise<FrameLocator> {
  await launcher(page).waitFor({ state: 'visible', timeout: 10_000 });
  await launcher(page).click();
  const frame = frameOf(page);
  await frame.locator('.pw-header').waitFor({ state: 'visible' });
  return frame;
}

async function sendFromWidget(frame: FrameLocator, text: string): Promise<void> {
  const input = frame.locator('#pw-input');
  await input.fill(text);
  await input.press('Enter');
}

async function newVisitor(
  options: { path?: string; viewport?: { width: number; height: number }; locale?: string } = {},
) {
  const context: BrowserContext = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const page = await context.newPage();
  const problems = watchForScriptErrors(page);
  await page.goto(`${host.origin}${options.path ?? '/'}`);
  return { context, page, problems };
}

const agentApi = (path: string) => `/api/accounts/${account.accountId}${path}`;

async function agentConversations(
  inboxId = account.inboxId,
): Promise<Array<{ id: string; lastSeq: number }>> {
  const res = await agent.get(agentApi(`/conversations?inboxId=${inboxId}&limit=100`));
  assert.equal(res.status, 200, res.text);
  return res.body.conversations as Array<{ id: string; lastSeq: number }>;
}

async function agentMessages(conversationId: string): Promise<Message[]> {
  const res = await agent.get(agentApi(`/conversations/${conversationId}/messages?limit=200`));
  assert.equal(res.status, 200, res.text);
  return res.body.messages as Message[];
}

/** Finds the conversation (among those not seen before) whose messages include `text`. */
async function conversationWith(text: string, inboxId = account.inboxId): Promise<string> {
  return eventually(async () => {
    for (const c of await agentConversations(inboxId)) {
      if ((await agentMessages(c.id)).some((m) => m.body === text)) return c.id;
    }
    return null;
  }, `a conversation with "${text}"`);
}

async function agentReply(conversationId: string, body: string, isPrivate = false): Promise<Message> {
  counter += 1;
  const res = await agent.post(agentApi(`/conversations/${conversationId}/messages`), {
    clientMsgId: `agent-${Date.now()}-${counter}`,
    body,
    private: isPrivate,
  });
  assert.equal(res.status, 201, res.text);
  return res.body.message as Message;
}

async function contactCount(inboxId: string): Promise<number> {
  const [row] = await server.ctx.database.db
    .select({ n: count() })
    .from(contactIdentities)
    .where(eq(contactIdentities.inboxId, inboxId));
  return Number(row?.n ?? 0);
}

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(hostPages);
  stranger = await startHostSite(strangerPages);
  account = await makeAccount(server, {
    inboxSettings: {
      allowedOrigins: [host.origin],
      color: '#0f766e',
      title: 'Acme Support',
      greeting: 'Hi there! Ask us anything about your order, sizes or returns.',
    },
  });
  const prechat = await agentInboxCreate({
    name: 'Pre-chat',
    settings: {
      allowedOrigins: [host.origin],
      color: '#7c3aed',
      title: 'Talk to sales',
      greeting: 'Planning a big trip? Our team can help you pick the right gear.',
      preChatForm: {
        enabled: true,
        fields: [
          { key: 'name', label: '', type: 'text', required: true },
          { key: 'email', label: '', type: 'email', required: true },
          { key: 'company', label: 'Company', type: 'text', required: false },
        ],
      },
    },
  });
  prechatInboxId = prechat;
  hostPages['/'] = customerPage(account.inboxId);
  hostPages['/prechat'] = customerPage(prechatInboxId);
  hostPages['/pt'] = customerPage(account.inboxId, "Parley('locale', 'pt-BR'); Parley('open');");
  strangerPages['/'] = customerPage(account.inboxId);
  // A page that frames the chat itself and claims to be the allowed site.
  strangerPages['/forged'] =
    `<!doctype html><html><body><iframe id="forged" src="${server.publicUrl}/widget/frame?inbox=${account.inboxId}&origin=${encodeURIComponent(host.origin)}"></iframe></body></html>`;
  browser = await launchBrowser();
});

async function agentInboxCreate(body: Record<string, unknown>): Promise<string> {
  agent ??= await loginAs(server, account.admin.email);
  const res = await agent.post(agentApi('/inboxes'), body);
  assert.equal(res.status, 201, res.text);
  return (res.body.inbox as { id: string } | undefined)?.id ?? (res.body.id as string);
}

after(async () => {
  await browser?.close();
  await host?.close();
  await stranger?.close();
  await server?.close();
});

describe('chat widget', () => {
  test('the server serves the loader, the frame with frame-ancestors, and its assets', async () => {
    const loader = await fetch(`${server.url}/widget.js`);
    assert.equal(loader.status, 200);
    assert.match(loader.headers.get('content-type') ?? '', /javascript/);
    assert.match(loader.headers.get('cache-control') ?? '', /max-age=300/);
    const etag = loader.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);

    const frame = await fetch(
      `${server.url}/widget/frame?inbox=${account.inboxId}&origin=${encodeURIComponent(host.origin)}`,
    );
    assert.equal(frame.status, 200);
    const csp = frame.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`frame-ancestors 'self' .*${host.origin.replace(/[.:/]/g, '\\$&')}`));
    assert.ok(!csp.includes(stranger.origin));
    assert.match(csp, /script-src 'self'/);
    assert.equal(frame.headers.get('x-frame-options'), null, 'X-Frame-Options would block every embedding');
    const html = await frame.text();
    const asset = /src="assets\/([^"]+)"/.exec(html)?.[1];
    assert.ok(asset);
    const js = await fetch(`${server.url}/widget/assets/${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${server.url}/widget/assets/nope.js`)).status, 404);

    const refused = await fetch(
      `${server.url}/widget/frame?inbox=${account.inboxId}&origin=${encodeURIComponent(stranger.origin)}`,
    );
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'origin_not_allowed');
    assert.equal(refused.headers.get('x-frame-options'), 'DENY');
    const unknown = await fetch(`${server.url}/widget/frame?inbox=00000000-0000-4000-8000-000000000000`);
    assert.equal(unknown.status, 404);
    assert.equal((await fetch(`${server.url}/widget/frame?inbox=not-a-uuid`)).status, 400);
  });

  test('a visitor on another site writes, an agent answers, the visitor sees it live; reload keeps it', async () => {
    const { context, page, problems } = await newVisitor();
    await launcher(page).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await contactCount(account.inboxId), 0, 'no session before the visitor writes');
    await screenshot(page, 'widget-closed');

    const frame = await openWidget(page);
    await bubble(frame, 'Ask us anything about your order').waitFor();
    await sendFromWidget(frame, 'Hello! Where is my order #1042?');
    const conversationId = await conversationWith('Hello! Where is my order #1042?');
    await frame.locator('.pw-msg--me .pw-bubble', { hasText: 'Where is my order' }).waitFor();
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });

    await agentReply(
      conversationId,
      'Hi! It left our warehouse this morning. Tracking: https://track.example.com/1042',
    );
    await bubble(frame, 'It left our warehouse this morning').waitFor({ timeout: 5_000 });
    const link = frame.locator('.pw-msg--them a');
    assert.equal(await link.getAttribute('href'), 'https://track.example.com/1042');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    await sendFromWidget(frame, 'Great, thank you!');
    await bubble(frame, 'Great, thank you!').waitFor();
    await eventually(
      async () => (await agentMessages(conversationId)).some((m) => m.body === 'Great, thank you!'),
      'the second visitor message',
    );
    await sleep(300);
    await screenshot(page, 'widget-conversation');
    const events = (await page.evaluate('window.hostEvents')) as Array<{ type: string; body?: string }>;
    assert.ok(events.some((e) => e.type === 'open'));
    assert.ok(events.some((e) => e.type === 'message' && e.body?.includes('warehouse')));

    await page.reload();
    const after = await openWidget(page);
    await after.locator('.pw-conv').first().waitFor();
    await sleep(300);
    await screenshot(page, 'widget-home');
    await after.locator('.pw-conv').first().click();
    await bubble(after, 'Where is my order #1042?').waitFor();
    await bubble(after, 'It left our warehouse this morning').waitFor();
    await bubble(after, 'Great, thank you!').waitFor();
    assert.equal(await contactCount(account.inboxId), 1, 'the reload kept the same visitor session');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('agent replies raise the unread badge while the widget is closed', async () => {
    const { context, page } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Badge check');
    const conversationId = await conversationWith('Badge check');
    await launcher(page).click();
    await agentReply(conversationId, 'First answer');
    await agentReply(conversationId, 'Second answer');
    const badge = launcher(page).locator('span');
    await eventually(async () => (await badge.textContent()) === '2' && (await badge.isVisible()), 'badge 2');
    assert.match((await launcher(page).getAttribute('aria-label')) ?? '', /2 unread/);
    // A returning visitor sees the count before opening anything.
    await page.reload();
    await eventually(
      async () => (await badge.textContent()) === '2' && (await badge.isVisible()),
      'badge after reload',
    );
    await launcher(page).click();
    const again = frameOf(page);
    await again.locator('.pw-conv--unread').click();
    await bubble(again, 'Second answer').waitFor();
    await eventually(async () => !(await badge.isVisible()), 'badge cleared');
    await launcher(page).click();
    await page.reload();
    await launcher(page).waitFor({ state: 'visible' });
    await sleep(500);
    assert.equal(await badge.isVisible(), false, 'what was read stays read');
    await context.close();
  });

  test('private notes never reach the widget and hostile text renders as text', async () => {
    const { context, page, problems } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Can you check my account?');
    const conversationId = await conversationWith('Can you check my account?');
    await agentReply(conversationId, 'INTERNAL: VIP customer, refund approved', true);
    await agentReply(conversationId, '<img src=x onerror=alert(1)> and <script>alert(2)</script>');
    await agentReply(
      conversationId,
      'Click javascript:alert(3) or [here](javascript:alert(4)) or <a href="javascript:alert(5)">me</a>',
    );
    await agentReply(conversationId, 'All done, nothing else to see.');
    await bubble(frame, 'All done, nothing else to see.').waitFor();
    await bubble(frame, '<img src=x onerror=alert(1)> and <script>alert(2)</script>').waitFor();
    assert.equal(await frame.locator('.pw-messages img, .pw-messages script').count(), 0);
    const hrefs = await frame
      .locator('.pw-messages a')
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, [], 'no link was made of javascript: text');
    assert.equal(await frame.getByText('INTERNAL').count(), 0);
    await page.reload();
    const again = await openWidget(page);
    await again.locator('.pw-conv').first().click();
    await bubble(again, 'All done, nothing else to see.').waitFor();
    assert.equal(await again.getByText('INTERNAL').count(), 0, 'nor through the REST history');
    await sleep(300);
    assert.deepEqual(problems, [], 'no script ran and no dialog opened');
    await context.close();
  });

  test('offline: three messages wait, then reach the agent exactly once and in order', async () => {
    const { context, page } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Before going offline');
    const conversationId = await conversationWith('Before going offline');
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });

    await context.setOffline(true);
    for (const n of [1, 2, 3]) await sendFromWidget(frame, `Offline message ${n}`);
    await eventually(
      async () => (await frame.locator('.pw-msg--pending').count()) === 3,
      'three pending bubbles',
    );
    await frame.getByText('You are offline').waitFor();
    await sleep(500);
    assert.equal(
      (await agentMessages(conversationId)).filter((m) => m.body.startsWith('Offline message')).length,
      0,
    );

    await context.setOffline(false);
    const bodies = await eventually(
      async () => {
        const found = (await agentMessages(conversationId)).filter((m) =>
          m.body.startsWith('Offline message'),
        );
        return found.length >= 3 ? found : null;
      },
      'the queued messages',
      20_000,
    );
    await sleep(1_000);
    const final = (await agentMessages(conversationId)).filter((m) => m.body.startsWith('Offline message'));
    assert.deepEqual(
      final.map((m) => m.body),
      ['Offline message 1', 'Offline message 2', 'Offline message 3'],
    );
    assert.ok(bodies.every((m, i) => i === 0 || m.seq > (bodies[i - 1] as Message).seq));
    await frame.locator('.pw-msg--pending').first().waitFor({ state: 'detached', timeout: 10_000 });
    await context.close();
  });

  test('two tabs of one visitor stay in sync and send each message once', async () => {
    const contactsBefore = await contactCount(account.inboxId);
    const { context, page } = await newVisitor();
    const posts: string[] = [];
    context.on('request', (request) => {
      if (request.method() === 'POST' && /\/api\/client\/conversations/.test(request.url())) {
        posts.push(request.postData() ?? '');
      }
    });
    const first = await openWidget(page);
    await sendFromWidget(first, 'Hello from tab one');
    const conversationId = await conversationWith('Hello from tab one');

    const second = await context.newPage();
    await second.goto(`${host.origin}/`);
    const other = await openWidget(second);
    await other.locator('.pw-conv').first().click();
    await bubble(other, 'Hello from tab one').waitFor();

    await agentReply(conversationId, 'Both tabs should see this');
    await bubble(first, 'Both tabs should see this').waitFor();
    await bubble(other, 'Both tabs should see this').waitFor();

    await sendFromWidget(other, 'And this comes from tab two');
    await bubble(first, 'And this comes from tab two').waitFor();

    // A conversation started in one tab shows up in the other's list.
    await other.getByRole('button', { name: 'Back to conversations' }).click();
    await other.locator('.pw-start').click();
    await sendFromWidget(other, 'A second topic, from tab two');
    await conversationWith('A second topic, from tab two');
    await first.getByRole('button', { name: 'Back to conversations' }).click();
    await eventually(
      async () => (await first.locator('.pw-conv').count()) === 2,
      'two conversations in tab one',
    );

    await sleep(800);
    const bodies = (await agentMessages(conversationId)).map((m) => m.body);
    assert.equal(bodies.filter((b) => b === 'And this comes from tab two').length, 1);
    assert.equal(bodies.filter((b) => b === 'Hello from tab one').length, 1);
    for (const text of [
      'Hello from tab one',
      'And this comes from tab two',
      'A second topic, from tab two',
    ]) {
      assert.equal(posts.filter((p) => p.includes(text)).length, 1, `"${text}" was sent by one tab, once`);
    }
    assert.equal(
      await contactCount(account.inboxId),
      contactsBefore + 1,
      'both tabs share one visitor session',
    );
    await context.close();
  });

  test('writing into a conversation closed meanwhile starts a new one', async () => {
    const { context, page } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'My first question');
    const conversationId = await conversationWith('My first question');
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });
    for (const status of ['solved', 'closed']) {
      const res = await agent.post(agentApi(`/conversations/${conversationId}/status`), { status });
      assert.equal(res.status, 200, res.text);
    }
    await sendFromWidget(frame, 'One more thing');
    const next = await conversationWith('One more thing');
    assert.notEqual(next, conversationId);
    await bubble(frame, 'One more thing').waitFor();
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });
    assert.equal(
      (await agentMessages(conversationId)).filter((m) => m.body === 'One more thing').length,
      0,
      'nothing was added to the closed conversation',
    );
    await context.close();
  });

  test('typing indicators and read receipts go both ways over the WebSocket', async () => {
    const { context, page } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Are you there?');
    const conversationId = await conversationWith('Are you there?');
    const socket = await RealtimeClient.connect(server.url, {
      cookie: agent.cookie ?? '',
      origin: server.publicUrl,
    });
    try {
      await socket.waitFor((f) => f.type === 'ready');
      await socket.subscribeConversation(conversationId, 0);
      socket.send({ type: 'typing', conversationId, typing: true });
      await frame.locator('.pw-typing').waitFor();
      await frame.getByText('Admin is typing…').first().waitFor();

      await frame.locator('#pw-input').pressSequentially('I am wri', { delay: 20 });
      await socket.waitFor((f) => f.type === 'typing' && f.actor.kind === 'contact' && f.typing);
      await frame.locator('#pw-input').fill('');

      const lastSeq = (await agentMessages(conversationId)).at(-1)?.seq ?? 0;
      socket.send({ type: 'read', conversationId, seq: lastSeq });
      await frame.locator('.pw-meta', { hasText: 'Seen' }).waitFor();

      await agentReply(conversationId, 'Yes, reading now');
      await bubble(frame, 'Yes, reading now').waitFor();
      await frame.locator('.pw-typing').waitFor({ state: 'detached' });
      await socket.waitFor((f) => f.type === 'read' && f.reader.kind === 'contact' && f.seq >= lastSeq + 1);
    } finally {
      await socket.close();
    }
    await context.close();
  });

  test('the pre-chat form asks for name, e-mail and the inbox’s own fields', async () => {
    const { context, page } = await newVisitor({ path: '/prechat' });
    const frame = await openWidget(page);
    await frame.locator('.pw-prechat').waitFor();
    await sleep(300);
    await screenshot(page, 'widget-prechat');
    await frame.getByRole('button', { name: 'Start the conversation' }).click();
    await frame.getByText('This field is required').first().waitFor();
    assert.equal(await contactCount(prechatInboxId), 0);
    await frame.getByLabel('Name').fill('Marta Ribeiro');
    await frame.getByLabel('E-mail').fill('not-an-email');
    await frame.getByLabel('Company').fill('Trail Co');
    await frame.getByRole('button', { name: 'Start the conversation' }).click();
    await frame.getByText('Enter a valid e-mail address').waitFor();
    await frame.getByLabel('E-mail').fill('marta@example.com');
    await frame.getByRole('button', { name: 'Start the conversation' }).click();
    await frame.locator('#pw-input').waitFor();
    await sendFromWidget(frame, 'We are 12 people hiking in June');
    await conversationWith('We are 12 people hiking in June', prechatInboxId);
    const [contact] = await server.ctx.database.db
      .select()
      .from(contacts)
      .innerJoin(contactIdentities, eq(contactIdentities.contactId, contacts.id))
      .where(and(eq(contactIdentities.inboxId, prechatInboxId), eq(contacts.email, 'marta@example.com')));
    assert.ok(contact, 'the contact has the pre-chat name and e-mail');
    assert.equal(contact.contacts.name, 'Marta Ribeiro');
    assert.deepEqual((contact.contacts.attributes as { preChat?: unknown }).preChat, {
      company: 'Trail Co',
    });
    await context.close();
  });

  test('keyboard: Enter opens with focus in the composer, Escape closes and returns focus', async () => {
    const { context, page } = await newVisitor();
    await launcher(page).waitFor({ state: 'visible' });
    await launcher(page).focus();
    await page.keyboard.press('Enter');
    const frame = frameOf(page);
    await eventually(
      async () => await frame.locator('#pw-input').evaluate((el) => el === el.ownerDocument.activeElement),
      'focus in composer',
    );
    assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
    assert.ok(await frame.locator('[aria-live="polite"]').count());
    await page.keyboard.press('Escape');
    await eventually(async () => (await launcher(page).getAttribute('aria-expanded')) === 'false', 'closed');
    assert.ok(
      await launcher(page).evaluate(
        (el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el,
      ),
    );
    await context.close();
  });

  test('languages: from the browser, and Parley("locale") overrides it', async () => {
    const russian = await newVisitor({ locale: 'ru-RU' });
    const ru = await openWidget(russian.page);
    assert.equal(await ru.locator('#pw-input').getAttribute('placeholder'), 'Напишите сообщение…');
    assert.equal(await launcher(russian.page).getAttribute('aria-label'), 'Закрыть чат');
    await russian.context.close();

    // This page also calls Parley('open') before the script has loaded.
    const portuguese = await newVisitor({ path: '/pt', locale: 'en-US' });
    await eventually(
      async () => (await launcher(portuguese.page).getAttribute('aria-label')) === 'Fechar chat',
      'opened, with pt-BR labels',
    );
    const pt = frameOf(portuguese.page);
    assert.equal(await pt.locator('#pw-input').getAttribute('placeholder'), 'Escreva uma mensagem…');
    await portuguese.context.close();
  });

  test('phones get a full-screen chat', async () => {
    const { context, page } = await newVisitor({ viewport: { width: 390, height: 760 } });
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Do you have these boots in size 44?');
    const conversationId = await conversationWith('Do you have these boots in size 44?');
    await agentReply(conversationId, 'We do! Size 44 ships tomorrow.');
    await bubble(frame, 'Size 44 ships tomorrow').waitFor();
    const box = await page.locator('[data-parley] iframe').boundingBox();
    assert.deepEqual(box, { x: 0, y: 0, width: 390, height: 760 });
    assert.equal(await launcher(page).isVisible(), false, 'the frame has its own close button');
    await sleep(300);
    await screenshot(page, 'widget-mobile');
    await frame.getByRole('button', { name: 'Minimize chat' }).click();
    await launcher(page).waitFor({ state: 'visible' });
    await context.close();
  });

  test('every message kind renders, unknown kinds as plain text', async () => {
    const { context, page, problems } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Show me everything');
    const conversationId = await conversationWith('Show me everything');
    const actor = {
      kind: 'agent' as const,
      userId: account.admin.userId,
      name: 'Admin',
      accountId: account.accountId,
      role: 'admin' as const,
    };
    const kinds: Array<[string, string]> = [
      ['activity', 'Admin assigned this conversation to the returns team'],
      ['attachment', 'invoice-1042.pdf https://files.example.com/invoice-1042.pdf'],
      ['article', 'How to return an item'],
      ['flow', 'Pick your boot size'],
      ['call', 'Voice call, 3 minutes'],
      ['survey', 'How did we do?'],
      ['poll', 'A kind this widget does not know yet'],
    ];
    for (const [kind, body] of kinds) {
      counter += 1;
      await postMessage(server.ctx, {
        actor,
        conversationId,
        author: { kind: 'agent', id: actor.userId, name: 'Admin' },
        kind: kind as never,
        body,
        private: false,
        clientMsgId: `kind-${counter}`,
      });
    }
    await bubble(frame, 'A kind this widget does not know yet').waitFor();
    await frame.locator('.pw-activity', { hasText: 'assigned this conversation' }).waitFor();
    assert.deepEqual(await frame.locator('.pw-card-kind').allTextContents(), [
      'Attachment',
      'Article',
      'Form',
      'Call',
      'Survey',
    ]);
    assert.equal(
      await frame.locator('.pw-bubble--card a').getAttribute('href'),
      'https://files.example.com/invoice-1042.pdf',
    );
    await sleep(300);
    await screenshot(page, 'widget-message-kinds');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a dropped socket resumes from its cursor and misses nothing', async () => {
    const { context, page } = await newVisitor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Stay with me');
    const conversationId = await conversationWith('Stay with me');
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });
    await agentReply(conversationId, 'Before the drop');
    await bubble(frame, 'Before the drop').waitFor();
    // Cut every socket on the server side (as a crashed proxy would), then reply while the visitor is away.
    const clients = (server.gateway as unknown as { clients: Set<{ ws: { terminate(): void } }> }).clients;
    for (const client of clients) client.ws.terminate();
    await agentReply(conversationId, 'Sent while you were disconnected');
    await agentReply(conversationId, 'And one more');
    await bubble(frame, 'And one more').waitFor({ timeout: 10_000 });
    const texts = await frame.locator('.pw-msg--them .pw-bubble').allTextContents();
    assert.deepEqual(
      texts.filter((t) =>
        ['Before the drop', 'Sent while you were disconnected', 'And one more'].includes(t),
      ),
      ['Before the drop', 'Sent while you were disconnected', 'And one more'],
      'each once, in order',
    );
    await context.close();
  });

  test('a signed-in customer (identify) finds the same conversations on another device', async () => {
    const timestamp = Date.now();
    const signature = hmacHex(account.identitySecret, `user-77.${timestamp}`);
    hostPages['/account'] = customerPage(
      account.inboxId,
      `Parley('identify', { id: 'user-77', name: 'Dana Scully', email: 'dana@example.com', timestamp: ${timestamp}, signature: '${signature}' });`,
    );
    const laptop = await newVisitor({ path: '/account' });
    const frame = await openWidget(laptop.page);
    await sendFromWidget(frame, 'Written on my laptop');
    await conversationWith('Written on my laptop');
    const [contact] = await server.ctx.database.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, account.accountId), eq(contacts.externalId, 'user-77')));
    assert.equal(contact?.name, 'Dana Scully');
    assert.equal(contact?.email, 'dana@example.com');

    const phone = await newVisitor({ path: '/account', viewport: { width: 390, height: 760 } });
    const other = await openWidget(phone.page);
    await other.locator('.pw-conv').first().click();
    await bubble(other, 'Written on my laptop').waitFor();

    // A forged signature is refused: no session, the visitor's words stay queued.
    hostPages['/forged-identity'] = customerPage(
      account.inboxId,
      `Parley('identify', { id: 'user-77', timestamp: ${timestamp}, signature: '${'0'.repeat(64)}' });`,
    );
    const forger = await newVisitor({ path: '/forged-identity' });
    const forged = await openWidget(forger.page);
    assert.equal(await forged.locator('.pw-conv').count(), 0, 'no history for a forged identity');
    await laptop.context.close();
    await phone.context.close();
    await forger.context.close();
  });

  test('the demo page embeds the demo inbox’s widget', async () => {
    const { seedDemo } = await import('../apps/server/src/modules/demo/seed.ts');
    const { inboxId } = await seedDemo(server.ctx);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${server.publicUrl}/demo`);
    await page.getByRole('heading', { name: /Coffee roasted on Monday/ }).waitFor();
    const frame = await openWidget(page);
    await sendFromWidget(frame, 'Which roast suits a moka pot?');
    await bubble(frame, 'Which roast suits a moka pot?').waitFor();
    const conversationId = await eventually(async () => {
      const [row] = await server.ctx.database.db
        .select({ id: conversations.id })
        .from(conversations)
        .innerJoin(messages, eq(messages.conversationId, conversations.id))
        .where(and(eq(conversations.inboxId, inboxId), eq(messages.body, 'Which roast suits a moka pot?')));
      return row?.id;
    }, 'the demo conversation');
    assert.ok(conversationId);
    await frame.locator('.pw-msg--pending').waitFor({ state: 'detached' });
    await sleep(400);
    await screenshot(page, 'demo-page');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a site the inbox does not allow gets no chat and creates no session', async () => {
    const before = await contactCount(account.inboxId);
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${stranger.origin}/`);
    await sleep(2_500);
    assert.equal(await launcher(page).isVisible(), false, 'no launcher on a refused site');
    const frame = page.frames().find((f) => f.url().includes('/widget/frame'));
    assert.equal(frame ? await frame.locator('#app').count() : 0, 0, 'the frame did not load the app');

    // Claiming to be the allowed site does not help: the browser enforces frame-ancestors.
    await page.goto(`${stranger.origin}/forged`);
    await sleep(1_500);
    const forged = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(forged);
    assert.equal(await forged.locator('#app').count(), 0, 'the forged frame is blocked');
    assert.equal(await contactCount(account.inboxId), before, 'no visitor session was created');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
