import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Message, ServerFrame } from '@parley/shared';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { conversations, messages } from '../apps/server/src/db/schema.ts';
import { HttpClient } from '../apps/server/test/http-client.ts';
import { RealtimeClient } from '../apps/server/test/realtime-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

/**
 * The agent dashboard end to end, in order, on one fresh server: first run, inboxes, invitations, a live
 * conversation with a visitor (over the Client API), hostile input, reloads and a 10,000-message thread.
 */
let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let admin: { context: BrowserContext; page: Page; problems: string[] };
const ADMIN = {
  accountName: 'Acme Support',
  name: 'Maria Admin',
  email: 'maria@acme.test',
  password: 'correct horse battery',
};
let inboxId = '';
let accountId = '';

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchForScriptErrors(page);
  return { context, page, problems };
}

before(async () => {
  server = await startE2EServer();
  browser = await launchBrowser();
  admin = await newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('dashboard', () => {
  test('first run: the setup screen creates the account and opens the dashboard', async () => {
    const { page } = admin;
    await page.goto(server.publicUrl);
    await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor();
    await screenshot(page, 'dashboard-01-setup');
    await page.getByLabel('Company or team name').fill(ADMIN.accountName);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.locator('input[name=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('Get Parley talking').waitFor();
    assert.match(page.url(), /\/inbox\/all$/);
    await screenshot(page, 'dashboard-02-getting-started');
    const session = await page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    accountId = (session as { memberships: Array<{ accountId: string }> }).memberships[0]?.accountId ?? '';
    assert.ok(accountId);
  });

  test('creates a web inbox and shows its embed snippet; origins and theme are saved', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Create a web inbox' }).first().click();
    await page.getByLabel('Name').fill('Website');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const snippet = page.getByTestId('embed-snippet');
    await snippet.waitFor();
    inboxId = page.url().match(/inboxes\/([0-9a-f-]{36})/)?.[1] ?? '';
    assert.ok(inboxId);
    assert.equal(
      await snippet.textContent(),
      `<script src="${server.publicUrl}/widget.js" data-inbox="${inboxId}" async></script>`,
    );
    const origins = page.getByTestId('allowed-origins');
    await origins.fill('https://shop.example');
    await origins.press('Enter');
    await page.getByLabel('Greeting').fill('Hi! How can we help?');
    await page.getByTestId('save-inbox').click();
    await page.getByText('Saved').first().waitFor();
    await screenshot(page, 'dashboard-03-inbox-settings');
    const saved = await page.evaluate(
      (url) => fetch(url).then((r) => r.json()),
      `/api/accounts/${accountId}/inboxes/${inboxId}`,
    );
    const settings = (saved as { inbox: { settings: { allowedOrigins: string[]; greeting: string } } }).inbox
      .settings;
    assert.deepEqual(settings.allowedOrigins, ['https://shop.example']);
    assert.equal(settings.greeting, 'Hi! How can we help?');
  });

  test('signs out and in again; a wrong password is refused', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all`);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await page.locator('input[name=email]').fill(ADMIN.email);
    await page.locator('input[name=password]').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong e-mail or password').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-04-login-error');
    await page.locator('input[name=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-menu').waitFor();
  });

  test('invites an agent, who accepts in another browser and is signed in', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/agents`);
    await page.getByTestId('invite-agent').click();
    await page.locator('input[name=inviteEmail]').fill('joao@acme.test');
    await page.locator('input[name=inviteName]').fill('João Agent');
    await page.getByRole('button', { name: 'Invite agent' }).last().click();
    const link = page.getByTestId('invite-link');
    await link.waitFor();
    const url = (await link.textContent()) ?? '';
    assert.match(url, new RegExp(`^${server.publicUrl}/invite/[A-Za-z0-9_-]{40,}$`));
    await screenshot(page, 'dashboard-05-invite-link');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Pending invitations').waitFor();

    const agent = await newPage();
    await agent.page.goto(url);
    await agent.page.getByRole('heading', { name: `Join ${ADMIN.accountName}` }).waitFor();
    await agent.page.locator('input[name=name]').fill('João Agent');
    await agent.page.locator('input[name=password]').fill('another long password');
    await screenshot(agent.page, 'dashboard-06-accept-invite');
    await agent.page.getByRole('button', { name: 'Join and sign in' }).click();
    await agent.page.getByTestId('user-menu').waitFor();
    assert.match(agent.page.url(), /\/inbox\/all$/);
    // The link is spent.
    const again = await new HttpClient(server.publicUrl).get(`/api/invitations/${url.split('/invite/')[1]}`);
    assert.equal(again.status, 410);
    // An agent sees the team but cannot invite.
    await agent.page.goto(`${server.publicUrl}/settings/agents`);
    await agent.page.getByText('Maria Admin').waitFor();
    assert.equal(await agent.page.getByTestId('invite-agent').count(), 0);
    assert.deepEqual(agent.problems, []);
    await agent.context.close();
    await page.reload();
    await page.locator('[data-member-email="joao@acme.test"]').waitFor();
  });

  let conversationId = '';
  let visitor: HttpClient;
  let visitorSocket: RealtimeClient;
  const REPLY = 'Hello Ana! Let me check that for you.';
  const NOTE = 'VIP customer: refund if the parcel is lost';

  test('a visitor starts a conversation: it appears live with a toast and the contact panel', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all`);
    await page.getByText('No conversations here').waitFor();
    visitor = new HttpClient(server.publicUrl);
    const session = await visitor.post(`/api/client/inboxes/${inboxId}/sessions`, {
      name: 'Ana Souza',
      email: 'ana@example.test',
    });
    assert.equal(session.status, 201);
    visitor.bearer = session.body.token as string;
    await visitor.post('/api/client/context', { url: 'https://shop.example/orders/42', title: 'Order #42' });
    const started = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: 'v-1', body: 'Hi, my order has not arrived yet' },
    });
    conversationId = (started.body.conversation as { id: string }).id;

    const row = page.locator(`a.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    await page.getByText('New conversation').first().waitFor();
    await page.waitForTimeout(500);
    assert.match((await row.textContent()) ?? '', /Ana Souza.*Hi, my order has not arrived yet/s);
    await screenshot(page, 'dashboard-07-new-conversation-toast');

    visitorSocket = await RealtimeClient.connect(server.url);
    await visitorSocket.auth(visitor.bearer ?? '');
    await visitorSocket.subscribeConversation(conversationId, 0);

    await row.click();
    await page.getByTestId('conversation-pane').waitFor();
    await page.getByTestId('message-bubble').getByText('Hi, my order has not arrived yet').waitFor();
    const panel = page.getByTestId('contact-panel');
    await panel.getByTestId('contact-email').getByText('ana@example.test').waitFor();
    await panel.getByTestId('contact-page').getByText('Order #42').waitFor();
  });

  test('the agent replies over the socket and the visitor receives it; typing shows both ways', async () => {
    const { page } = admin;
    await visitor.post(`/api/client/conversations/${conversationId}/typing`, { typing: true });
    await page.getByTestId('typing-indicator').getByText('Ana Souza is typing…').waitFor();
    await screenshot(page, 'dashboard-08-visitor-typing');

    const input = page.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('Hello', { delay: 10 });
    await visitorSocket.waitFor((f) => f.type === 'typing' && f.actor.kind === 'agent' && f.typing);
    await input.fill(REPLY);
    await input.press('Shift+Enter');
    await input.press('Backspace');
    await input.press('Enter');
    const frame = await visitorSocket.waitFor<Extract<ServerFrame, { type: 'message' }>>(
      (f) => f.type === 'message' && f.message.body === REPLY,
    );
    assert.equal(frame.message.senderKind, 'agent');
    assert.equal(frame.message.senderName, ADMIN.name);
    await page.getByTestId('message-bubble').getByText(REPLY).waitFor();
    await page.getByText('Sending…').waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), '');
  });

  test('a private note is shown as a note and never reaches the visitor', async () => {
    const { page } = admin;
    await page.getByTestId('composer-mode').getByText('Private note').click();
    const input = page.getByTestId('composer-input');
    await input.fill(NOTE);
    await input.press('Enter');
    const note = page.getByTestId('note-bubble').filter({ hasText: NOTE });
    await note.waitFor();
    const label = page.locator('.msg[data-kind="note"]').filter({ hasText: NOTE }).getByText('Private note');
    assert.equal(await label.count(), 1);
    const background = await note.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, 'rgb(255, 248, 219)', 'notes are yellow');

    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'v-2',
      body: 'Thank you!',
    });
    await visitorSocket.waitFor((f) => f.type === 'message' && f.message.body === 'Thank you!');
    await page.getByTestId('message-bubble').getByText('Thank you!').waitFor();
    const bodies = visitorSocket.messagesOf(conversationId).map((f) => f.message.body);
    assert.deepEqual(bodies, ['Hi, my order has not arrived yet', REPLY, 'Thank you!']);
    const rest = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.ok(!rest.text.includes(NOTE));
    await screenshot(page, 'dashboard-09-conversation');
  });

  test('resolves and reopens the conversation', async () => {
    const { page } = admin;
    await page.getByTestId('resolve').click();
    await page.getByTestId('reopen').waitFor();
    await page.locator('.activity').getByText('You changed the status to Solved').waitFor();
    const row = page.locator(`a.row[data-conversation-id="${conversationId}"]`);
    await row.locator('[data-status="solved"]').waitFor();
    await page.getByTestId('reopen').click();
    await page.getByTestId('resolve').waitFor();
    await row.locator('[data-status="open"]').waitFor();
  });

  test('takes the conversation; it then shows under Mine', async () => {
    const { page } = admin;
    await page.getByTestId('assignee').click();
    await page.getByTestId('assign-me').click();
    await page.locator('.activity').getByText('You took the conversation').waitFor();
    await page.getByRole('button', { name: 'Assignee: You' }).waitFor();
    await page.locator('[data-view="mine"]').click();
    await page.locator(`a.row[data-conversation-id="${conversationId}"]`).waitFor();
    await page.locator('[data-view="unassigned"]').click();
    await page.getByText('No conversations here').waitFor();
    await page.locator('[data-view="all"]').click();
    await page.locator(`a.row[data-conversation-id="${conversationId}"]`).click();
  });

  test('availability: going online in the user menu is saved and shown on the avatar', async () => {
    const { page } = admin;
    await page.getByTestId('user-menu').click();
    await page.getByTestId('availability-online').click();
    await page.locator('[data-availability="online"]').waitFor();
    const members = await page.evaluate(
      (url) => fetch(url).then((r) => r.json()),
      `/api/accounts/${accountId}/agents`,
    );
    const me = (members as { members: Array<{ email: string; availability: string }> }).members.find(
      (m) => m.email === ADMIN.email,
    );
    assert.equal(me?.availability, 'online');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('availability-offline').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-21-user-menu');
    await page.getByTestId('availability-offline').click();
    await page.locator('[data-availability="offline"]').waitFor();
  });

  test('hostile visitor input is shown as text and runs nothing', async () => {
    const { page, problems } = admin;
    const xss = new HttpClient(server.publicUrl);
    const name = '<img src=x onerror=alert(1)>';
    const session = await xss.post(`/api/client/inboxes/${inboxId}/sessions`, { name });
    xss.bearer = session.body.token as string;
    await xss.post('/api/client/context', { url: 'https://shop.example/"><script>alert(5)</script>' });
    const body =
      '<script>alert(2)</script><img src=x onerror=alert(3)> [x](javascript:alert(4)) javascript:alert(6)';
    const started = await xss.post('/api/client/conversations', { message: { clientMsgId: 'x-1', body } });
    const id = (started.body.conversation as { id: string }).id;
    const row = page.locator(`a.row[data-conversation-id="${id}"]`);
    await row.waitFor();
    await row.click();
    await page.getByTestId('message-bubble').getByText(body).waitFor();
    assert.equal(await page.getByTestId('conversation-title').textContent(), name);
    assert.equal(await page.locator('.thread img, .row img, .contact img').count(), 0);
    assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-10-xss-as-text');
    assert.deepEqual(problems, []);
  });

  test('after reloading, the agent and the visitor both see the full history', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    for (const text of ['Hi, my order has not arrived yet', REPLY, 'Thank you!']) {
      await page.getByTestId('message-bubble').getByText(text).waitFor();
    }
    await page.getByTestId('note-bubble').getByText(NOTE).waitFor();
    const history = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    const texts = (history.body.messages as Message[])
      .filter((m) => m.kind !== 'activity')
      .map((m) => m.body);
    assert.deepEqual(texts, ['Hi, my order has not arrived yet', REPLY, 'Thank you!']);
    await visitorSocket.close();
  });

  test('the socket drops and comes back: thread and list catch up in order, with no duplicates', async () => {
    const net = await newPage();
    let blocked = false;
    const sockets: WebSocketRoute[] = [];
    await net.page.routeWebSocket(/\/realtime$/, async (ws) => {
      if (blocked) {
        await ws.close({ code: 4000, reason: 'network down' });
        return;
      }
      ws.connectToServer();
      sockets.push(ws);
    });
    await net.page.goto(server.publicUrl);
    await signIn(net.page, ADMIN.email, ADMIN.password);
    await net.page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    await net.page.getByTestId('message-bubble').getByText(REPLY).waitFor();
    await net.page.waitForTimeout(300);

    blocked = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 4000, reason: 'network down' });
    await net.page.getByRole('status').getByText('Reconnecting…').waitFor();
    for (const n of [1, 2, 3]) {
      await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `away-${n}`,
        body: `while you were away ${n}`,
      });
    }
    blocked = false;
    await net.page
      .getByTestId('message-bubble')
      .getByText('while you were away 3')
      .waitFor({ timeout: 20_000 });
    await net.page.getByRole('status').waitFor({ state: 'detached' });
    const seqs = await net.page.evaluate(() =>
      [1, 2, 3].map((n) =>
        [...document.querySelectorAll('.msg[data-seq]')]
          .filter((el) => el.textContent?.includes(`while you were away ${n}`))
          .map((el) => Number(el.getAttribute('data-seq'))),
      ),
    );
    assert.equal(seqs.flat().length, 3, 'each message exactly once');
    const [a, b, c] = seqs.map((s) => s[0] ?? 0);
    assert.ok((a ?? 0) < (b ?? 0) && (b ?? 0) < (c ?? 0), 'in order');
    const row = net.page.locator(`a.row[data-conversation-id="${conversationId}"]`);
    await row.getByText('while you were away 3').waitFor();
    assert.deepEqual(net.problems, []);
    await net.context.close();
  });

  test('a conversation with 10,000 messages opens at the newest and scrolls back through history', async () => {
    const { page, problems } = admin;
    const big = new HttpClient(server.publicUrl);
    const session = await big.post(`/api/client/inboxes/${inboxId}/sessions`, { name: 'Long Thread' });
    big.bearer = session.body.token as string;
    const started = await big.post('/api/client/conversations', {
      message: { clientMsgId: 'b-1', body: 'message 1' },
    });
    const id = (started.body.conversation as { id: string }).id;
    await seedMessages(id, 10_000);

    const opened = Date.now();
    await page.goto(`${server.publicUrl}/inbox/all/${id}`);
    await page.getByTestId('message-bubble').getByText('message 10000', { exact: true }).waitFor();
    const openMs = Date.now() - opened;
    const rendered = await page.locator('.thread__row').count();
    assert.ok(rendered < 60, `only the visible rows are in the DOM (${rendered})`);
    await screenshot(page, 'dashboard-11-long-thread');

    // Scroll to the top repeatedly: older pages load above without losing the place.
    const scroller = page.getByTestId('message-scroll');
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 6; i++) {
      await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
      await page.waitForFunction(
        (before) => {
          const seqs = [...document.querySelectorAll('.msg[data-seq]')].map((n) =>
            Number(n.getAttribute('data-seq')),
          );
          return seqs.length > 0 && Math.min(...seqs) < before;
        },
        lowest,
        { timeout: 10_000 },
      );
      lowest = await page.evaluate(() =>
        Math.min(
          ...[...document.querySelectorAll('.msg[data-seq]')].map((n) => Number(n.getAttribute('data-seq'))),
        ),
      );
    }
    assert.ok(lowest < 10_000 - 500, `scrolled back past seq ${lowest}`);
    assert.ok((await page.locator('.thread__row').count()) < 60);
    const frame = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const el = document.querySelector('[data-testid="message-scroll"]') as HTMLElement;
          const start = performance.now();
          let frames = 0;
          const step = () => {
            el.scrollTop += 400;
            frames += 1;
            if (frames < 30) requestAnimationFrame(step);
            else resolve((performance.now() - start) / frames);
          };
          requestAnimationFrame(step);
        }),
    );
    assert.ok(frame < 100, `scrolling stays smooth (${frame.toFixed(1)} ms per frame)`);
    assert.ok(openMs < 10_000, `opens quickly (${openMs} ms)`);
    assert.deepEqual(problems, []);
  });

  test('teams: create, rename, add and remove a member', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/teams`);
    await page.getByText('No teams yet').waitFor();
    await page.getByTestId('new-team').first().click();
    await page.locator('input[name=teamName]').fill('Billing');
    await page.getByRole('button', { name: 'Save' }).click();
    const card = page.locator('[data-team="Billing"]');
    await card.waitFor();
    await card.getByPlaceholder('Add a member').click();
    await page.getByRole('option', { name: 'João Agent' }).click();
    await card.getByText('João Agent').waitFor();
    await card.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await page.locator('input[name=teamName]').fill('Billing & refunds');
    await page.getByRole('button', { name: 'Save' }).click();
    const renamed = page.locator('[data-team="Billing & refunds"]');
    await renamed.waitFor();
    await screenshot(page, 'dashboard-12-teams');
    await renamed.getByRole('button', { name: 'Remove' }).click();
    await renamed.getByText('No members yet.').waitFor();
  });

  test('keyboard: j and k move through the list, ? shows the shortcuts, Ctrl+K opens the palette', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all`);
    const rows = page.locator('a.row');
    await rows.first().waitFor();
    await page.keyboard.press('j');
    await page.waitForURL(/\/inbox\/all\/[0-9a-f-]{36}$/);
    const first = page.url();
    await page.locator('body').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('j');
    await page.waitForURL((url) => url.toString() !== first);
    await page.keyboard.press('k');
    await page.waitForURL(first);
    await page.keyboard.press('Shift+?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.waitForTimeout(400);
    await screenshot(page, 'dashboard-13-shortcuts');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    const search = page.getByPlaceholder('Search conversations or type a command…');
    await search.waitFor();
    await search.fill('Ana');
    await page.getByText('Ana Souza · #1').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-14-palette');
    await page.getByText('Ana Souza · #1').click();
    await page.waitForURL(new RegExp(`${conversationId}$`));
    await page.getByPlaceholder('Search conversations or type a command…').waitFor({ state: 'detached' });
    await page.keyboard.press('n');
    await page.getByPlaceholder('Write a note only your team can see…').waitFor();
  });

  test('language: the user menu switches to Português and Русский, remembered across sessions', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('language-menu').click();
    await page.locator('[data-locale="pt-BR"]').click();
    await page.getByRole('button', { name: 'Resolver' }).waitFor();
    await screenshot(page, 'dashboard-15-pt-br');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('language-menu').click();
    await page.locator('[data-locale="ru"]').click();
    await page.getByRole('button', { name: 'Решить' }).waitFor();
    await screenshot(page, 'dashboard-16-ru');
    const prefs = await page.evaluate(() => fetch('/api/me/preferences').then((r) => r.json()));
    assert.equal((prefs as { locale: string }).locale, 'ru');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('language-menu').click();
    await page.locator('[data-locale="en"]').click();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
  });

  test('sound can be muted, and the choice is kept on the server', async () => {
    const { page } = admin;
    await page.getByTestId('user-menu').click();
    await page.getByTestId('toggle-sound').click();
    await page.waitForFunction(() =>
      fetch('/api/me/preferences')
        .then((r) => r.json())
        .then((p: { soundMuted: boolean }) => p.soundMuted),
    );
    await page.getByTestId('user-menu').click();
    await page.getByTestId('toggle-sound').getByText('Unmute sounds').waitFor();
    await page.getByTestId('toggle-sound').click();
    await page.goto(`${server.publicUrl}/settings/profile`);
    await page.getByTestId('sound-switch').waitFor();
    assert.equal(await page.getByTestId('sound-switch').isChecked(), true);
    await screenshot(page, 'dashboard-19-profile');
    await page.goto(`${server.publicUrl}/settings/inboxes`);
    await page.locator(`[data-inbox-id="${inboxId}"]`).waitFor();
    await screenshot(page, 'dashboard-20-inboxes');
  });

  test('on a phone the list and the conversation are separate screens', async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await phone.page.goto(server.publicUrl);
    await phone.page.locator('input[name=email]').fill(ADMIN.email);
    await phone.page.locator('input[name=password]').fill(ADMIN.password);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    const row = phone.page.locator(`a.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    assert.equal(await phone.page.getByTestId('conversation-pane').count(), 0);
    await screenshot(phone.page, 'dashboard-17-phone-list');
    await row.click();
    await phone.page.getByTestId('conversation-pane').waitFor();
    assert.equal(await phone.page.locator('a.row').count(), 0);
    await phone.page.getByTestId('message-bubble').getByText(REPLY).waitFor();
    await screenshot(phone.page, 'dashboard-18-phone-conversation');
    await phone.page.getByRole('button', { name: 'Back' }).click();
    await row.waitFor();
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });

  test('in a background tab, new conversations and customer messages raise a system notification and a chime', async () => {
    const bg = await newPage();
    await bg.context.addInitScript(() => {
      const w = window as unknown as {
        notified: Array<{ title: string; body: string }>;
        chimes: number;
        background: boolean;
      };
      w.notified = [];
      w.chimes = 0;
      w.background = false;
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options: { body: string }) {
          w.notified.push({ title, body: options.body });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification });
      Document.prototype.hasFocus = () => !w.background;
      const create = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.chimes += 1;
        return create.call(this);
      };
    });
    await bg.page.goto(server.publicUrl);
    await signIn(bg.page, ADMIN.email, ADMIN.password);
    await bg.page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    await bg.page.getByTestId('message-bubble').getByText(REPLY).waitFor();
    await bg.page.mouse.click(700, 400);
    await bg.page.evaluate(() => {
      (window as unknown as { background: boolean }).background = true;
    });

    const stranger = new HttpClient(server.publicUrl);
    const session = await stranger.post(`/api/client/inboxes/${inboxId}/sessions`, { name: 'Bruno' });
    stranger.bearer = session.body.token as string;
    await stranger.post('/api/client/conversations', {
      message: { clientMsgId: 'n-1', body: 'Is anyone there?' },
    });
    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'v-3',
      body: 'Any news about my order?',
    });
    await bg.page.waitForFunction(
      () => (window as unknown as { notified: unknown[] }).notified.length >= 2,
      undefined,
      { timeout: 10_000 },
    );
    const { notified, chimes } = await bg.page.evaluate(() => {
      const w = window as unknown as { notified: Array<{ title: string; body: string }>; chimes: number };
      return { notified: w.notified, chimes: w.chimes };
    });
    assert.deepEqual(notified, [
      { title: 'New conversation', body: 'Bruno: Is anyone there?' },
      { title: 'New message from Ana Souza', body: 'Ana Souza: Any news about my order?' },
    ]);
    assert.ok(chimes >= 2, `a chime for each (${chimes} oscillators)`);
    assert.deepEqual(bg.problems, []);
    await bg.context.close();
  });

  test('changing the password signs out the other sessions, which land on the sign-in screen', async () => {
    const other = await newPage();
    await other.page.goto(server.publicUrl);
    await signIn(other.page, ADMIN.email, ADMIN.password);

    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/profile`);
    await page.locator('input[name=currentPassword]').fill('wrong password here');
    await page.locator('input[name=newPassword]').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is wrong').waitFor();
    await page.locator('input[name=currentPassword]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions were signed out.').waitFor();

    await other.page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor({ timeout: 15_000 });
    await page.reload();
    await page.getByTestId('user-menu').waitFor();
    assert.deepEqual(other.problems, []);
    await other.context.close();
  });
});

/** Appends messages 2..count+1 straight into the tables (the API would take minutes for 10,000). */
async function seedMessages(conversationId: string, count: number): Promise<void> {
  const db = server.ctx.database.db;
  const [conversation] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!conversation) throw new Error('conversation missing');
  const start = conversation.lastSeq;
  const base = Date.now() - count * 1000;
  for (let offset = 0; offset < count; offset += 1000) {
    const rows = [];
    for (let i = offset; i < Math.min(count, offset + 1000); i++) {
      const seq = start + i + 1;
      const fromContact = seq % 3 !== 0;
      rows.push({
        id: randomUUID(),
        conversationId,
        accountId: conversation.accountId,
        seq,
        kind: 'text' as const,
        senderKind: fromContact ? ('contact' as const) : ('agent' as const),
        senderId: fromContact ? conversation.contactId : null,
        senderName: fromContact ? 'Long Thread' : 'Maria Admin',
        body: `message ${seq}`,
        createdAt: new Date(base + i * 1000),
      });
    }
    await db.insert(messages).values(rows);
  }
  await db
    .update(conversations)
    .set({ lastSeq: start + count, lastMessagePreview: `message ${start + count}` })
    .where(eq(conversations.id, conversationId));
}
