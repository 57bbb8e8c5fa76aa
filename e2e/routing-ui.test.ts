/**
 * Routing and the bot phase in the agent dashboard, in real Chromium: a transfer with a handoff note that
 * the receiving agent reads first, an agent taking a conversation over from the bot and resolving it
 * (the bot has it again), and the top bar that tells agents a customer is asking for a person.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Conversation } from '@parley/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  loginAs,
  makeAccount,
  makeMember,
  PASSWORD,
  type TestAccount,
  visitorWithConversation,
} from '../apps/server/test/factories.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let account: TestAccount;
let admin: HttpClient;
let agentB: { userId: string; email: string; name: string };

const HANDOFF = 'Refund approved <b>already</b> — only the shipping label is missing.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => null);
    if (value) return value;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const api = (path: string) => `/api/accounts/${account.accountId}${path}`;

async function conversation(id: string): Promise<Conversation> {
  const res = await admin.get(api(`/conversations/${id}`));
  assert.equal(res.status, 200, res.text);
  return res.body.conversation as Conversation;
}

async function openAs(email: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/inbox/all`);
  await signIn(page, email, PASSWORD);
  return { context, page, problems };
}

async function askForHuman(visitor: HttpClient, conversationId: string): Promise<void> {
  const res = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
    clientMsgId: randomUUID(),
    body: 'Talk to a human',
    attributes: { buttonId: 'human' },
  });
  assert.equal(res.status, 201, res.text);
}

before(async () => {
  server = await startE2EServer();
  account = await makeAccount(server, {
    inboxSettings: {
      bot: { enabled: true, name: 'Acme Bot', greeting: 'Hi! I am the Acme bot.', humanButton: true },
    },
  });
  admin = await loginAs(server, account.admin.email);
  agentB = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('routing and the bot phase in the dashboard', () => {
  test('an agent takes over from the bot, resolves, and the bot has the conversation again', async () => {
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'Where is my order?');
    assert.equal((await conversation(conversationId)).botPhase, 'bot');
    const { context, page, problems } = await openAs(account.admin.email);
    await page.goto(`${server.publicUrl}/inbox/bot/${conversationId}`);
    const badge = page.getByTestId('bot-phase');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-phase'), 'bot');
    // The Bot view lists it.
    await page.locator(`.list [data-conversation-id="${conversationId}"]`).waitFor();
    const takeOver = page.getByTestId('bot-accept');
    assert.equal(await takeOver.textContent(), 'Take over');
    await screenshot(page, 'routing-01-bot-holds');
    await takeOver.click();
    await page.locator('[data-testid="bot-phase"][data-phase="accepted"]').waitFor();
    assert.equal(await page.getByTestId('bot-accept').count(), 0);
    assert.equal((await conversation(conversationId)).botPhase, 'accepted');
    await screenshot(page, 'routing-02-accepted');
    await page.getByTestId('resolve').click();
    await page.locator('[data-testid="bot-phase"][data-phase="bot"]').waitFor();
    const after = await conversation(conversationId);
    assert.equal(after.status, 'solved');
    assert.equal(after.botPhase, 'bot');
    await page.getByText('The bot has the conversation again').waitFor();
    await screenshot(page, 'routing-03-resolved-bot-back');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the Requested bar appears when a visitor asks for a person and opens that view', async () => {
    const { context, page, problems } = await openAs(account.admin.email);
    await page.goto(`${server.publicUrl}/inbox/all`);
    assert.equal(await page.getByTestId('requested-bar').count(), 0);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'Hello?');
    await askForHuman(visitor, conversationId);
    await eventually(async () => (await conversation(conversationId)).botPhase === 'requested', 'requested');
    const bar = page.getByTestId('requested-bar');
    await bar.waitFor({ timeout: 15_000 });
    assert.match((await bar.textContent()) ?? '', /1 customers are asking for a person/);
    assert.equal(
      await page.locator('[data-view="requested"] .mantine-Badge-root').textContent(),
      '1',
      'the sidebar counts the Requested view',
    );
    await screenshot(page, 'routing-04-requested-bar');
    await page.getByTestId('requested-open').click();
    await page.waitForURL(/\/inbox\/requested$/);
    await page.locator(`.list [data-conversation-id="${conversationId}"]`).click();
    const accept = page.getByTestId('bot-accept');
    assert.equal(await accept.textContent(), 'Accept');
    await accept.click();
    await page.locator('[data-testid="bot-phase"][data-phase="accepted"]').waitFor();
    // Nobody is waiting any more: the bar goes away everywhere.
    await page.goto(`${server.publicUrl}/inbox/all`);
    await page.getByTestId('user-menu').waitFor();
    await sleep(500);
    assert.equal(await page.getByTestId('requested-bar').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a transfer with a handoff note: the receiving agent reads the note first', async () => {
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'My refund?');
    void visitor;
    const sender = await openAs(account.admin.email);
    await sender.page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    await sender.page.getByTestId('conversation-actions').click();
    await sender.page.getByTestId('transfer').click();
    await sender.page.getByTestId('transfer-target').click();
    await sender.page.getByRole('option', { name: agentB.name }).click();
    await sender.page.getByTestId('transfer-note').fill(HANDOFF);
    await screenshot(sender.page, 'routing-05-transfer-dialog');
    await sender.page.getByTestId('transfer-submit').click();
    await sender.page.getByText('Conversation transferred').waitFor();
    const moved = await conversation(conversationId);
    assert.equal(moved.assigneeId, agentB.userId);
    assert.equal(moved.handoffNote, HANDOFF);

    const receiver = await openAs(agentB.email);
    await receiver.page.goto(`${server.publicUrl}/inbox/mine`);
    await receiver.page.locator(`.list [data-conversation-id="${conversationId}"]`).click();
    const note = receiver.page.getByTestId('handoff-note');
    await note.waitFor();
    // Shown as text (the markup is not rendered) and above the thread.
    assert.match((await note.textContent()) ?? '', /Refund approved <b>already<\/b>/);
    assert.equal(await note.locator('b').count(), 0);
    const noteBox = await note.boundingBox();
    const firstMessage = await receiver.page.getByText('My refund?').first().boundingBox();
    assert.ok(noteBox && firstMessage && noteBox.y < firstMessage.y, 'the note is above the thread');
    await screenshot(receiver.page, 'routing-06-handoff-note');
    assert.deepEqual(sender.problems, []);
    assert.deepEqual(receiver.problems, []);
    await sender.context.close();
    await receiver.context.close();
  });

  test('a refused transfer (the agent is at capacity) shows a clear toast; the menu offers only allowed statuses', async () => {
    const full = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const limited = await admin.request('PATCH', api(`/routing/agents/${full.userId}`), { capacity: 0 });
    assert.equal(limited.status, 200, limited.text);
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'Anyone there?');
    const { context, page, problems } = await openAs(account.admin.email);
    await page.goto(`${server.publicUrl}/inbox/all/${conversationId}`);
    await page.getByTestId('conversation-actions').click();
    await page.getByTestId('transfer').click();
    await page.getByTestId('transfer-target').click();
    // Each agent shows their availability and open conversations against their capacity.
    const fullOption = page.getByRole('option', { name: full.name });
    assert.match((await fullOption.textContent()) ?? '', /Offline.*Full · 0\/0/);
    assert.match((await page.getByRole('option', { name: agentB.name }).textContent()) ?? '', /\d+\/10 open/);
    await screenshot(page, 'routing-07a-transfer-load');
    await fullOption.click();
    await page.getByTestId('transfer-submit').click();
    await page.getByText('This agent has reached their conversation limit.').waitFor();
    await screenshot(page, 'routing-07-capacity-toast');
    assert.equal((await conversation(conversationId)).assigneeId, null);
    await page.keyboard.press('Escape');

    // Solved: only reopening is offered, never pending or on hold.
    await page.getByTestId('resolve').click();
    await page.getByTestId('reopen').waitFor();
    await page.getByTestId('conversation-actions').click();
    await page.getByTestId('snooze').waitFor();
    assert.equal(await page.getByTestId('status-to-on_hold').count(), 0);
    assert.equal(await page.getByTestId('status-to-open').count(), 1);
    await page.getByTestId('status-to-open').click();
    await page.getByTestId('resolve').waitFor();
    assert.equal((await conversation(conversationId)).status, 'open');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
