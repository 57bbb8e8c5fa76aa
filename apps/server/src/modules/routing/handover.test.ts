import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Conversation, Message } from '@parley/shared';
import { sql } from 'drizzle-orm';
import { loginAs, makeAccount } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import {
  base,
  customerReplies,
  customerWrites,
  eventually,
  journeyOf,
  loadOf,
  onlineAgent,
  rowOf,
  threadOf,
} from '../../../test/routing-fixtures.ts';
import { createInbox } from '../inboxes/commands.ts';
import { AUTO_AWAY_AFTER_MS } from './presence.ts';

/*
 * Hand-overs a support team meets every day: an agent taking a conversation from the bot becomes its
 * assignee, an agent going offline gives their conversations back (when the inbox asks), and a live
 * chat closed by solving runs the same automation as every other status change.
 */

let clock = new Date();
let server: TestServer;
let counter = 0;
before(async () => {
  server = await startTestServer({ now: () => clock, jobPollMs: 0, env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server.close();
});

/** Runs due jobs; the clock first catches up with the database's, which the message statement schedules by. */
const run = () => {
  clock = new Date(Math.max(clock.getTime(), Date.now()));
  return server.ctx.jobs.runDue();
};
const BOT = { enabled: true, kind: 'builtin', name: 'Shop bot', fallback: 'Sorry?' };

async function botPhaseOf(conversationId: string): Promise<string | null> {
  const [row] = await server.ctx.database.rows<{ bot_phase: string | null }>(
    sql`select bot_phase from conversations where id = ${conversationId}`,
  );
  return row?.bot_phase ?? null;
}

const reply = (client: HttpClient, accountId: string, conversationId: string, body = 'I can help') =>
  client.post(`${base(accountId)}/${conversationId}/messages`, { clientMsgId: `a-${counter++}`, body });

/** An agent whose load is already `load` conversations of another inbox (one without a bot). */
async function busyAgent(accountId: string, inboxId: string, capacity: number, load: number) {
  const other = await createInbox(server.ctx.database.db, accountId, {
    name: `Other ${counter++}`,
    channelType: 'web',
  });
  const agent = await onlineAgent(server, accountId, [inboxId, other.id], { capacity });
  for (let i = 0; i < load; i++) await customerWrites(server, other.id);
  assert.equal(await loadOf(server, agent.userId), load);
  return agent;
}

describe('taking a conversation over from the bot', () => {
  test('an agent replying to a conversation the bot holds becomes its assignee', async () => {
    const account = await makeAccount(server, { inboxSettings: { bot: BOT } });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 2 });
    const { conversationId } = await customerWrites(server, account.inboxId);
    await run();
    assert.equal(await botPhaseOf(conversationId), 'bot');
    assert.equal((await rowOf(server, conversationId)).assignee_id, null, 'the bot holds it: not routed');
    assert.equal((await reply(agent.client, account.accountId, conversationId)).status, 201);
    await eventually('the takeover', async () => (await rowOf(server, conversationId)).assignee_id !== null);
    const row = await rowOf(server, conversationId);
    assert.equal(row.assignee_id, agent.userId);
    assert.equal(row.queued_at, null);
    assert.equal(await botPhaseOf(conversationId), 'accepted');
    const journey = await journeyOf(server, conversationId);
    assert.ok(
      journey.some((e) => e.type === 'conversation.assigned' && e.payload.reason === 'takeover'),
      'journaled as a takeover',
    );
    const thread = await threadOf(agent.client, account.accountId, conversationId);
    const took = thread.find((m) => m.attributes.type === 'assigned');
    assert.equal(took?.senderId, agent.userId, 'the thread says the agent took it');
    // A later reply of a colleague does not take it from them.
    const colleague = await onlineAgent(server, account.accountId, [account.inboxId]);
    assert.equal((await reply(colleague.client, account.accountId, conversationId)).status, 201);
    await run();
    assert.equal((await rowOf(server, conversationId)).assignee_id, agent.userId);
  });

  test('"accept" on a conversation that asked for a person assigns the agent and takes it out of the queue', async () => {
    const account = await makeAccount(server, { inboxSettings: { bot: BOT } });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 2 });
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    await run();
    const human = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: `h-${counter++}`,
      body: 'Talk to a human',
      attributes: { buttonId: 'human' },
    });
    assert.equal(human.status, 201, human.text);
    await run();
    assert.equal(await botPhaseOf(conversationId), 'requested');
    assert.notEqual((await rowOf(server, conversationId)).queued_at, null, 'waits to be picked');
    const res = await agent.client.post(`${base(account.accountId)}/${conversationId}/bot/accept`);
    assert.equal(res.status, 200, res.text);
    const conversation = res.body.conversation as Conversation;
    assert.equal(conversation.assigneeId, agent.userId);
    assert.equal(conversation.botPhase, 'accepted');
    const row = await rowOf(server, conversationId);
    assert.equal(row.assignee_id, agent.userId);
    assert.equal(row.queued_at, null);
    const queue = await visitor.get(`/api/client/conversations/${conversationId}/queue`);
    assert.equal(queue.body.waiting, false);
  });

  test('an agent at capacity still replies and accepts; the conversation stays as it was', async () => {
    const account = await makeAccount(server, { inboxSettings: { bot: BOT } });
    const full = await busyAgent(account.accountId, account.inboxId, 1, 1);
    const first = await customerWrites(server, account.inboxId);
    const second = await customerWrites(server, account.inboxId);
    await run();
    const sent = await reply(full.client, account.accountId, first.conversationId);
    assert.equal(sent.status, 201, 'the reply goes out');
    await run();
    assert.equal(await botPhaseOf(first.conversationId), 'accepted');
    assert.equal((await rowOf(server, first.conversationId)).assignee_id, null);
    const accepted = await full.client.post(`${base(account.accountId)}/${second.conversationId}/bot/accept`);
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal((accepted.body.conversation as Conversation).assigneeId, null);
    assert.equal(await loadOf(server, full.userId), 1, 'never over capacity');
    const journey = await journeyOf(server, first.conversationId);
    assert.ok(!journey.some((e) => e.type === 'conversation.assigned'));
  });
});

describe('reassigning when an agent goes offline', () => {
  const availability = (client: HttpClient, accountId: string, value: string) =>
    client.request('PUT', `/api/accounts/${accountId}/me/availability`, { availability: value });

  test('with reassignOnOffline, going offline hands new and open conversations to someone else, journaled', async () => {
    const account = await makeAccount(server, { inboxSettings: { reassignOnOffline: true } });
    const leaving = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 5 });
    const first = await customerWrites(server, account.inboxId);
    const second = await customerWrites(server, account.inboxId);
    const parked = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, parked.conversationId)).assignee_id, leaving.userId);
    const admin = await loginAs(server, account.admin.email);
    const pending = await admin.post(`${base(account.accountId)}/${parked.conversationId}/status`, {
      status: 'pending',
    });
    assert.equal(pending.status, 200, pending.text);
    const staying = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
    assert.equal((await availability(leaving.client, account.accountId, 'offline')).status, 200);
    await run();
    const rows = await Promise.all([first, second].map((c) => rowOf(server, c.conversationId)));
    // One goes to the colleague with room, the other waits in the queue; none stays with the absent agent.
    assert.deepEqual(rows.map((r) => r.assignee_id).sort(), [null, staying.userId].sort());
    for (const row of rows) assert.equal(row.previous_assignee_id, leaving.userId);
    assert.ok(rows.some((r) => r.queued_at !== null));
    assert.equal((await rowOf(server, parked.conversationId)).assignee_id, leaving.userId, 'pending stays');
    const journey = await journeyOf(server, first.conversationId);
    const unassigned = journey.find((e) => e.type === 'conversation.unassigned');
    assert.equal(unassigned?.payload.reason, 'agent_offline');
    assert.equal(unassigned?.payload.previousAssigneeId, leaving.userId);
    const thread: Message[] = await threadOf(admin, account.accountId, first.conversationId);
    const item = thread.find((m) => m.attributes.type === 'unassigned');
    assert.equal(item?.attributes.reason, 'agent_offline');
    assert.equal(item?.attributes.previousAssigneeName, leaving.name);
    assert.equal(item?.private, true);
  });

  test('without the setting, or when the agent chooses away, conversations stay', async () => {
    const plain = await makeAccount(server);
    const agent = await onlineAgent(server, plain.accountId, [plain.inboxId]);
    const kept = await customerWrites(server, plain.inboxId);
    await onlineAgent(server, plain.accountId, [plain.inboxId]);
    assert.equal((await availability(agent.client, plain.accountId, 'offline')).status, 200);
    await run();
    assert.equal((await rowOf(server, kept.conversationId)).assignee_id, agent.userId);

    const asking = await makeAccount(server, { inboxSettings: { reassignOnOffline: true } });
    const onBreak = await onlineAgent(server, asking.accountId, [asking.inboxId]);
    const held = await customerWrites(server, asking.inboxId);
    await onlineAgent(server, asking.accountId, [asking.inboxId]);
    assert.equal((await availability(onBreak.client, asking.accountId, 'away')).status, 200);
    await run();
    assert.equal((await rowOf(server, held.conversationId)).assignee_id, onBreak.userId);
  });

  test('set away for inactivity: the conversations go back to the queue and to whoever is online', async () => {
    clock = new Date();
    const account = await makeAccount(server, { inboxSettings: { reassignOnOffline: true } });
    const idle = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, idle.userId);
    advance(AUTO_AWAY_AFTER_MS - 60_000);
    const active = await onlineAgent(server, account.accountId, [account.inboxId]);
    advance(2 * 60_000);
    await run();
    await run();
    const row = await rowOf(server, conversationId);
    assert.equal(row.assignee_id, active.userId);
    assert.equal(row.previous_assignee_id, idle.userId);
    const journey = await journeyOf(server, conversationId);
    const unassigned = journey.find((e) => e.type === 'conversation.unassigned');
    assert.equal(unassigned?.payload.cause, 'inactive');
  });

  test('the setting is part of the inbox settings an admin reads and changes', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const url = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`;
    const read = await admin.get(url);
    assert.equal(
      (read.body.inbox as { settings: { reassignOnOffline: boolean } }).settings.reassignOnOffline,
      false,
    );
    const changed = await admin.request('PATCH', url, { settings: { reassignOnOffline: true } });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(
      (changed.body.inbox as { settings: { reassignOnOffline: boolean } }).settings.reassignOnOffline,
      true,
    );
    const bad = await admin.request('PATCH', url, { settings: { reassignOnOffline: 'yes' } });
    assert.equal(bad.status, 400);
  });
});

function advance(ms: number) {
  clock = new Date(clock.getTime() + ms);
}

describe('live chat: solving closes, and the close runs the automation', () => {
  test('status_changed rules run for the close as for the solve; the bot gets the conversation back', async () => {
    const account = await makeAccount(server, { inboxSettings: { style: 'live_chat', bot: BOT } });
    const admin = await loginAs(server, account.admin.email);
    const rulesUrl = `/api/accounts/${account.accountId}/rules`;
    const onClose = await admin.post(rulesUrl, {
      name: 'closed chats are high',
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['closed'] }],
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    assert.equal(onClose.status, 201, onClose.text);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    await run();
    assert.equal((await reply(agent.client, account.accountId, conversationId)).status, 201);
    await run();
    assert.equal(await botPhaseOf(conversationId), 'accepted');
    const solved = await agent.client.post(`${base(account.accountId)}/${conversationId}/status`, {
      status: 'solved',
    });
    assert.equal(solved.status, 200, solved.text);
    assert.equal((solved.body.conversation as Conversation).status, 'closed');
    assert.equal(await botPhaseOf(conversationId), 'bot', 'solving gave it back to the bot');
    await run();
    assert.equal((await rowOf(server, conversationId)).priority, 'high', 'the close ran the rule');
    const closed = await customerReplies(visitor, conversationId);
    assert.equal(closed.status, 409);
  });

  test('a rule that solves a live chat closes it, and the close does not run that rule again', async () => {
    const account = await makeAccount(server, { inboxSettings: { style: 'live_chat' } });
    const admin = await loginAs(server, account.admin.email);
    const rulesUrl = `/api/accounts/${account.accountId}/rules`;
    const solver = await admin.post(rulesUrl, {
      name: 'solve on pending',
      event: 'status_changed',
      actions: [{ type: 'change_status', status: 'solved' }],
    });
    assert.equal(solver.status, 201, solver.text);
    const watcher = await admin.post(rulesUrl, {
      name: 'closed chats are urgent',
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['closed'] }],
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    assert.equal(watcher.status, 201, watcher.text);
    await onlineAgent(server, account.accountId, [account.inboxId]);
    const { conversationId } = await customerWrites(server, account.inboxId);
    const pending = await admin.post(`${base(account.accountId)}/${conversationId}/status`, {
      status: 'pending',
    });
    assert.equal(pending.status, 200, pending.text);
    for (let i = 0; i < 4; i++) await run();
    const row = await rowOf(server, conversationId);
    assert.equal(row.status, 'closed');
    assert.equal(row.priority, 'urgent');
    const journey = await journeyOf(server, conversationId);
    const changes = journey.filter((e) => e.type === 'conversation.status_changed').map((e) => e.payload.to);
    assert.deepEqual(changes, ['pending', 'solved', 'closed'], 'no loop');
  });

  test('snoozing runs the status_changed rules like any status change', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const rule = await admin.post(`/api/accounts/${account.accountId}/rules`, {
      name: 'snoozed are low',
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['on_hold'] }],
      actions: [{ type: 'set_priority', priority: 'low' }],
    });
    assert.equal(rule.status, 201, rule.text);
    const { conversationId } = await customerWrites(server, account.inboxId);
    const snoozed = await admin.post(`${base(account.accountId)}/${conversationId}/snooze`, {
      until: new Date(clock.getTime() + 3_600_000).toISOString(),
      status: 'on_hold',
    });
    assert.equal(snoozed.status, 200, snoozed.text);
    await run();
    assert.equal((await rowOf(server, conversationId)).priority, 'low');
  });
});
