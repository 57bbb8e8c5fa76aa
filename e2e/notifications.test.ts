/**
 * Notifications end to end: agent A mentions agent B in a private note (picked from the @ list), B's bell
 * counts it at once, and clicking it opens the conversation at that note, far up a longer thread. Then A
 * asks B to review a draft; B approves it from the note card and the customer's widget shows it as A's
 * reply, while A's bell tells of the approval.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, Notification } from '@parley/shared';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { inboxMembers } from '../apps/server/src/db/schema.ts';
import { addMember, upsertUser } from '../apps/server/src/modules/accounts/commands.ts';
import { loginAs, makeAccount, PASSWORD, type TestAccount } from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let host: { origin: string; close: () => Promise<void> };
let browser: Browser;
let account: TestAccount;
let admin: HttpClient;
let conversationId = '';
let noteSeq = 0;

type Agent = { userId: string; email: string; name: string; page: Page; problems: string[] };
let ana: Agent;
let bruno: Agent;
let widget: { page: Page; frame: FrameLocator; problems: string[] };

const base = () => `/api/accounts/${account.accountId}`;

async function eventually<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function agent(email: string, name: string): Promise<Agent> {
  const db = server.ctx.database.db;
  const user = await upsertUser(db, { email, name, password: PASSWORD });
  await addMember(db, account.accountId, user.id, 'agent');
  await db.insert(inboxMembers).values({ inboxId: account.inboxId, userId: user.id });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/inbox/all`);
  await signIn(page, email, PASSWORD);
  return { userId: user.id, email, name, page, problems };
}

async function openConversation(page: Page): Promise<void> {
  await page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
  await page.locator(`[data-testid=conversation-pane][data-conversation-id="${conversationId}"]`).waitFor();
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid=composer-input]') as HTMLTextAreaElement | null)?.disabled,
  );
}

const bellCount = (page: Page) => page.getByTestId('notification-count').getAttribute('data-count');

async function waitForBell(page: Page, count: number): Promise<void> {
  await page.locator(`[data-testid=notification-count][data-count="${count}"]`).waitFor();
}

before(async () => {
  server = await startE2EServer();
  const pages: Record<string, string> = {};
  host = await startHostSite(pages);
  account = await makeAccount(server, { inboxSettings: { allowedOrigins: [host.origin] } });
  pages['/'] = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
<script src="${server.publicUrl}/widget.js" data-inbox="${account.inboxId}" async></script></body></html>`;
  admin = await loginAs(server, account.admin.email);
  browser = await launchBrowser();
  ana = await agent('ana@acme.test', 'Ana Agent');
  bruno = await agent('bruno@acme.test', 'Bruno Reviewer');
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('notifications', () => {
  test('the customer writes from the widget', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${host.origin}/`);
    const launcher = page.locator('[data-parley] button[aria-haspopup]');
    await launcher.waitFor({ state: 'visible', timeout: 10_000 });
    await launcher.click();
    const frame = page.frameLocator('[data-parley] iframe');
    await frame.locator('.pw-header').waitFor({ state: 'visible' });
    await frame.locator('#pw-input').fill('My refund has not arrived');
    await frame.locator('#pw-input').press('Enter');
    widget = { page, frame, problems };
    conversationId = await eventually(async () => {
      const res = await admin.get(`${base()}/conversations?limit=10`);
      return (res.body.conversations as Array<{ id: string }>)[0]?.id ?? null;
    }, 'the conversation');
  });

  test('A mentions B with the @ list; B’s bell counts it live; clicking opens the thread at the note', async () => {
    await bruno.page.goto(`${server.publicUrl}/inbox/all`);
    await bruno.page.getByTestId('notification-bell').waitFor();
    assert.equal(await bellCount(bruno.page), '0');

    await openConversation(ana.page);
    const composer = ana.page.getByTestId('composer-input');
    await ana.page.getByTestId('composer-mode').getByText('Private note').click();
    await composer.click();
    await composer.pressSequentially('Can you check the refund, @bru');
    const popover = ana.page.getByTestId('mention-popover');
    await popover.waitFor();
    const options = popover.getByTestId('mention-option');
    // Only colleagues who see the conversation, never oneself; filtered by what was typed.
    assert.deepEqual(await options.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-user-id'))), [
      bruno.userId,
    ]);
    await screenshot(ana.page, 'notifications-01-mention-autocomplete');
    await composer.press('Enter');
    assert.equal(await composer.inputValue(), 'Can you check the refund, @Bruno Reviewer ');
    await composer.pressSequentially('please?');
    await composer.press('Enter');
    const note = ana.page.locator('.msg[data-kind="note"]').filter({ hasText: 'Can you check the refund' });
    await note.getByTestId('mention').filter({ hasText: '@Bruno Reviewer' }).waitFor();

    const stored = await eventually(async () => {
      const res = await admin.get(`${base()}/conversations/${conversationId}/messages?limit=100`);
      return (res.body.messages as Message[]).find((m) => m.kind === 'note') ?? null;
    }, 'the note');
    assert.deepEqual(stored.attributes.mentions, [bruno.userId]);
    noteSeq = stored.seq;

    // B's bell shows it without a reload.
    await waitForBell(bruno.page, 1);

    // The thread grows well past one screen after the note.
    for (let i = 0; i < 30; i++) {
      const res = await admin.post(`${base()}/conversations/${conversationId}/messages`, {
        clientMsgId: `filler-${i}`,
        body: `Update ${i + 1}: still looking into it, thank you for waiting.`,
      });
      assert.equal(res.status, 201, res.text);
    }

    await bruno.page.getByTestId('notification-bell').click();
    const drawer = bruno.page.getByTestId('notification-drawer');
    const item = drawer.getByTestId('notification-item').first();
    await item.getByText('Ana Agent mentioned you').waitFor();
    await item.getByText('Can you check the refund, @Bruno Reviewer please?').waitFor();
    await screenshot(bruno.page, 'notifications-02-bell-drawer');
    await item.getByText('Ana Agent mentioned you').click();

    await bruno.page
      .locator(`[data-testid=conversation-pane][data-conversation-id="${conversationId}"]`)
      .waitFor();
    const target = bruno.page.locator(`.msg[data-seq="${noteSeq}"]`);
    await target.waitFor();
    // In view, with the newest message out of it: the thread opened at the note, not at the end.
    await bruno.page.waitForFunction((seq) => {
      const row = document.querySelector(`.msg[data-seq="${seq}"]`);
      const scroller = document.querySelector('[data-testid=message-scroll]');
      if (!row || !scroller) return false;
      const r = row.getBoundingClientRect();
      const s = scroller.getBoundingClientRect();
      return r.top >= s.top && r.bottom <= s.bottom;
    }, noteSeq);
    const newestVisible = await bruno.page.evaluate(() => {
      const scroller = document.querySelector('[data-testid=message-scroll]') as HTMLElement;
      return scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
    });
    assert.equal(newestVisible, false);
    assert.equal(await target.getByTestId('mention').getAttribute('data-me'), 'true');
    await screenshot(bruno.page, 'notifications-03-opened-at-note');
    // Opening it read it; the address no longer carries the seq.
    await waitForBell(bruno.page, 0);
    assert.doesNotMatch(bruno.page.url(), /seq=/);
  });

  test('A asks B for a review; B approves from the note card; the widget shows it as A’s reply', async () => {
    const draft = 'Good news: your refund was sent today and arrives within 3 days.';
    await openConversation(ana.page);
    const composer = ana.page.getByTestId('composer-input');
    await ana.page.getByTestId('composer-mode').getByText('Private note').click();
    await composer.fill(draft);
    await ana.page.getByTestId('review-ask').click();
    await ana.page.getByTestId('review-reviewer').click();
    await ana.page.getByRole('option', { name: 'Bruno Reviewer' }).click();
    await screenshot(ana.page, 'notifications-04-ask-review');
    await ana.page.getByTestId('review-send').click();
    await ana.page.locator('[data-testid=review-card][data-status="pending"]').waitFor();
    assert.equal(await composer.inputValue(), '');

    await waitForBell(bruno.page, 1);
    await bruno.page.getByTestId('notification-bell').click();
    await bruno.page.getByText('Ana Agent asks you to review a reply').click();
    const card = bruno.page.locator('[data-testid=review-card][data-status="pending"]');
    await card.waitFor();
    await screenshot(bruno.page, 'notifications-05-review-card');
    await card.getByTestId('review-approve').click();
    await bruno.page.locator('[data-testid=review-card][data-status="approved"]').waitFor();

    // The customer sees it once, from A.
    const bubble = widget.frame.locator('.pw-bubble', { hasText: draft });
    await bubble.first().waitFor({ timeout: 10_000 });
    assert.equal(await bubble.count(), 1);
    const stored = await eventually(async () => {
      const res = await admin.get(`${base()}/conversations/${conversationId}/messages?limit=100`);
      return (res.body.messages as Message[]).find((m) => !m.private && m.body === draft) ?? null;
    }, 'the reply');
    assert.equal(stored.senderId, ana.userId);
    await screenshot(widget.page, 'notifications-06-widget-reply');

    // A hears of it.
    await waitForBell(ana.page, 1);
    const mine = (await ana.page.evaluate(
      (url) => fetch(url).then((r) => r.json()),
      `${base()}/notifications`,
    )) as { notifications: Notification[] };
    assert.equal(mine.notifications[0]?.type, 'review_result');
    assert.equal(mine.notifications[0]?.payload.decision, 'approved');
    await ana.page.locator('[data-testid=review-card][data-status="approved"]').waitFor();

    for (const who of [ana, bruno]) assert.deepEqual(who.problems, []);
    assert.deepEqual(widget.problems, []);
  });

  test('preferences: the table in the profile saves a switch', async () => {
    const page = bruno.page;
    await page.goto(`${server.publicUrl}/settings/profile`);
    const table = page.getByTestId('notification-preferences');
    await table.waitFor();
    const box = table.getByTestId('pref-new_conversation-inApp');
    assert.equal(await box.isChecked(), false);
    await box.check();
    await eventually(async () => {
      const res = await (await loginAs(server, bruno.email)).get('/api/me/notification-preferences');
      return (res.body.new_conversation as { inApp: boolean }).inApp ? true : null;
    }, 'the saved preference');
    await screenshot(page, 'notifications-07-preferences');
  });
});
