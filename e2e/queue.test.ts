/**
 * The customer's place in the routing queue, live in the widget: with the only agent at capacity, a
 * second customer sees that they are first in line, and the widget says they are connected the moment
 * the agent frees a slot and routing hands them the conversation. Also in Portuguese and Russian.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { makeAccount, type TestAccount } from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import { type Agent, customerWrites, onlineAgent } from '../apps/server/test/routing-fixtures.ts';
import { launchBrowser, screenshot, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let host: { origin: string; close: () => Promise<void> };
const pages: Record<string, string> = {};
let account: TestAccount;
let agent: Agent;

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(pages);
  account = await makeAccount(server, {
    inboxSettings: { allowedOrigins: [host.origin], title: 'Acme Support', autoAssign: true },
  });
  agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
  pages['/'] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>
<body><h1>Acme Outdoor</h1>
<script src="${server.publicUrl}/widget.js" data-inbox="${account.inboxId}" async></script></body></html>`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

async function openWidget(page: Page): Promise<FrameLocator> {
  const launcher = page.locator('[data-parley] button[aria-haspopup]');
  await launcher.waitFor({ state: 'visible', timeout: 10_000 });
  await launcher.click();
  const frame = page.frameLocator('[data-parley] iframe');
  await frame.locator('.pw-header').waitFor({ state: 'visible' });
  return frame;
}

async function write(frame: FrameLocator, text: string): Promise<void> {
  const input = frame.locator('#pw-input');
  await input.fill(text);
  await input.press('Enter');
}

async function assigneeOf(conversationId: string): Promise<string | null> {
  const rows = await server.ctx.database.rows<{ assignee_id: string | null }>(
    sql`select assignee_id from conversations where id = ${conversationId}`,
  );
  return rows[0]?.assignee_id ?? null;
}

async function conversationOf(body: string): Promise<string> {
  const rows = await server.ctx.database.rows<{ conversation_id: string }>(
    sql`select conversation_id from messages where body = ${body} limit 1`,
  );
  const id = rows[0]?.conversation_id;
  assert.ok(id, `a conversation with "${body}"`);
  return id;
}

describe('queue position in the widget', () => {
  test('the second customer sees position 1, then that they are connected when the agent frees capacity', async () => {
    // The only agent takes the first customer and is full.
    const first = await customerWrites(server, account.inboxId, 'First customer here');
    assert.equal(await assigneeOf(first.conversationId), agent.userId);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${host.origin}/`);
    const frame = await openWidget(page);
    await write(frame, 'Second customer waiting');
    const line = frame.locator('.pw-queue');
    await line.getByText('You are number 1 in the queue.').waitFor({ timeout: 15_000 });
    assert.equal(await line.getAttribute('role'), 'status');
    await screenshot(page, 'queue-01-position-1');
    const second = await conversationOf('Second customer waiting');
    assert.equal(await assigneeOf(second), null);

    // Solving the first conversation frees the slot: routing gives the waiting one to the agent and the
    // widget hears it over its socket without reloading.
    const solved = await agent.client.post(
      `/api/accounts/${account.accountId}/conversations/${first.conversationId}/status`,
      { status: 'solved' },
    );
    assert.equal(solved.status, 200, solved.text);
    await line.getByText('You are connected. An agent will reply here shortly.').waitFor({ timeout: 15_000 });
    assert.equal(await assigneeOf(second), agent.userId);
    await screenshot(page, 'queue-02-connected');

    // The agent's first reply replaces the note with the conversation itself.
    const reply = await agent.client.post(
      `/api/accounts/${account.accountId}/conversations/${second}/messages`,
      { body: 'Hi, I am here to help.', clientMsgId: 'queue-e2e-reply' },
    );
    assert.ok(reply.status === 201 || reply.status === 200, reply.text);
    await frame.locator('.pw-bubble', { hasText: 'Hi, I am here to help.' }).waitFor();
    assert.equal(await line.isVisible(), false);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the place is shown in Portuguese and Russian, and again after a reload', async () => {
    // The agent is still full with the previous customer, so these customers wait (one behind the other).
    for (const [locale, expected] of [
      ['pt-BR', /Você é o número \d+ na fila\./],
      ['ru-RU', /Вы \d+-й в очереди\./],
    ] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
      const page = await context.newPage();
      const problems = watchForScriptErrors(page);
      await page.goto(`${host.origin}/`);
      let frame = await openWidget(page);
      await write(frame, `Waiting in ${locale}`);
      const line = frame.locator('.pw-queue');
      await line.getByText(expected).waitFor({ timeout: 15_000 });
      await screenshot(page, `queue-03-${locale}`);
      // After a reload the widget asks the server where the conversation stands (frames are not replayed).
      await page.reload();
      frame = await openWidget(page);
      await frame.locator('.pw-conv').first().click();
      await frame.locator('.pw-queue').getByText(expected).waitFor({ timeout: 15_000 });
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
});
