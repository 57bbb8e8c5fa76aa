import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Conversation } from '@parley/shared';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from '../../../test/database.ts';
import { loginAs, makeAccount } from '../../../test/factories.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../../../test/harness.ts';
import {
  base,
  conversationOf,
  customerReplies,
  customerWrites,
  eventually,
  journeyOf,
  loadOf,
  onlineAgent,
  rowOf,
  threadOf,
} from '../../../test/routing-fixtures.ts';
import { loadEnv } from '../../env.ts';
import { startServer } from '../../server.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let clock = new Date();
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

let server: TestServer;
before(async () => {
  server = await startTestServer({ now: () => clock, jobPollMs: 0, env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server.close();
});

const statusActivities = async (client: Parameters<typeof threadOf>[0], accountId: string, id: string) =>
  (await threadOf(client, accountId, id))
    .filter((m) => m.kind === 'activity' && m.attributes.type === 'status_changed')
    .map((m) => `${m.attributes.to}:${m.attributes.reason}`);

async function jobKeys(key: string): Promise<string[]> {
  const rows = await server.ctx.database.rows<{ key: string }>(sql`select key from jobs where key = ${key}`);
  return rows.map((r) => r.key);
}

describe('conversation styles', () => {
  test('live chat: solved closes at once; the next message is refused with the way to start again', async () => {
    const account = await makeAccount(server, { inboxSettings: { style: 'live_chat' } });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, agent.userId);
    const solved = await agent.client.post(`${base(account.accountId)}/${conversationId}/status`, {
      status: 'solved',
    });
    assert.equal(solved.status, 200, solved.text);
    assert.equal((solved.body.conversation as Conversation).status, 'closed');
    const row = await rowOf(server, conversationId);
    assert.equal(row.status, 'closed');
    assert.ok(row.closed_at && row.solved_at);
    assert.equal(await loadOf(server, agent.userId), 0);
    assert.deepEqual(await statusActivities(agent.client, account.accountId, conversationId), [
      'solved:agent',
      'closed:live_chat',
    ]);

    const late = await customerReplies(visitor, conversationId, 'One more thing');
    assert.equal(late.status, 409);
    const error = late.body.error as { code: string; details: { next: string; path: string } };
    assert.equal(error.code, 'conversation_closed');
    assert.equal(error.details.next, 'start_new_conversation');
    assert.equal(error.details.path, '/api/client/conversations');
    // What the widget does with it: the same words start a new conversation.
    const again = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: 'after-close', body: 'One more thing' },
    });
    assert.equal(again.status, 201, again.text);
    const newId = (again.body.conversation as { id: string }).id;
    assert.notEqual(newId, conversationId);
    assert.equal((await rowOf(server, newId)).assignee_id, agent.userId);
    assert.equal((await rowOf(server, conversationId)).status, 'closed');
  });

  test('live chat with returning customer: a reply inside the window reopens it with the same agent; after it, it closes', async () => {
    const account = await makeAccount(server, {
      inboxSettings: { style: 'live_chat_returning', returningWindowMinutes: 30 },
    });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const other = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    const first = (await rowOf(server, conversationId)).assignee_id;
    assert.ok(first === agent.userId || first === other.userId);
    const owner = first === agent.userId ? agent : other;
    const statusUrl = `${base(account.accountId)}/${conversationId}/status`;
    assert.equal((await owner.client.post(statusUrl, { status: 'solved' })).status, 200);
    assert.equal((await rowOf(server, conversationId)).status, 'solved');
    assert.deepEqual(await jobKeys(`close:${conversationId}`), [`close:${conversationId}`]);

    advance(10 * MINUTE);
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, conversationId)).status, 'solved', 'still solved inside the window');
    const back = await customerReplies(visitor, conversationId, 'It broke again');
    assert.equal(back.status, 201, JSON.stringify(back.body));
    const reopened = await rowOf(server, conversationId);
    assert.equal(reopened.status, 'open');
    assert.equal(reopened.assignee_id, owner.userId, 'the same agent has it again');
    assert.equal(reopened.queued_at, null);
    assert.deepEqual(await jobKeys(`close:${conversationId}`), [], 'the close timer is cancelled');
    const journey = await journeyOf(server, conversationId);
    assert.ok(
      journey.some(
        (e) =>
          e.type === 'conversation.assigned' &&
          e.payload.reason === 'returning' &&
          e.payload.assigneeId === owner.userId,
      ),
    );
    assert.ok(!journey.some((e) => e.type === 'conversation.unassigned'));

    assert.equal((await owner.client.post(statusUrl, { status: 'solved' })).status, 200);
    advance(31 * MINUTE);
    await server.ctx.jobs.runDue();
    const closed = await rowOf(server, conversationId);
    assert.equal(closed.status, 'closed');
    await server.ctx.jobs.runDue();
    assert.deepEqual(await statusActivities(owner.client, account.accountId, conversationId), [
      'solved:agent',
      'open:customer_reply',
      'solved:agent',
      'closed:auto_close',
    ]);
    assert.equal((await customerReplies(visitor, conversationId)).status, 409);
  });

  test('messaging: pending frees capacity, a customer reply takes it again through routing, solved closes after N days', async () => {
    const account = await makeAccount(server, {
      inboxSettings: { style: 'messaging', messagingCloseDays: 2 },
    });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
    const a = await customerWrites(server, account.inboxId, 'first');
    const b = await customerWrites(server, account.inboxId, 'second');
    assert.equal((await rowOf(server, a.conversationId)).assignee_id, agent.userId);
    assert.equal((await rowOf(server, b.conversationId)).assignee_id, null, 'the agent is full: b waits');
    assert.ok((await rowOf(server, b.conversationId)).queued_at);

    // Pending frees the slot: b is assigned at once.
    const url = (id: string) => `${base(account.accountId)}/${id}/status`;
    assert.equal((await agent.client.post(url(a.conversationId), { status: 'pending' })).status, 200);
    assert.equal((await rowOf(server, b.conversationId)).assignee_id, agent.userId);
    assert.equal(
      (await rowOf(server, a.conversationId)).assignee_id,
      agent.userId,
      'pending stays with its agent',
    );
    assert.equal(await loadOf(server, agent.userId), 1);

    // The customer of a replies while the agent is full: a goes through routing and waits.
    assert.equal((await customerReplies(a.visitor, a.conversationId)).status, 201);
    const waiting = await rowOf(server, a.conversationId);
    assert.equal(waiting.status, 'open');
    assert.equal(waiting.assignee_id, null);
    assert.equal(waiting.previous_assignee_id, agent.userId);
    assert.ok(waiting.queued_at);
    assert.equal(await loadOf(server, agent.userId), 1, 'never more than the capacity');

    // Solving b frees the slot and a goes back to its agent.
    assert.equal((await agent.client.post(url(b.conversationId), { status: 'solved' })).status, 200);
    assert.equal((await rowOf(server, a.conversationId)).assignee_id, agent.userId);
    assert.equal((await rowOf(server, b.conversationId)).status, 'solved');

    // A status_changed rule acts on the automatic close too.
    const admin = await loginAs(server, account.admin.email);
    const rule = await admin.post(`/api/accounts/${account.accountId}/rules`, {
      name: 'Closed ones are low priority',
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['closed'] }],
      actions: [{ type: 'set_priority', priority: 'low' }],
    });
    assert.equal(rule.status, 201, rule.text);

    // b closes after two days, not before.
    advance(1 * DAY);
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, b.conversationId)).status, 'solved');
    advance(1 * DAY + MINUTE);
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, b.conversationId)).status, 'closed');
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, b.conversationId)).priority, 'low');
  });

  test('a reopened conversation never stays with an agent who went offline', async () => {
    const account = await makeAccount(server, { inboxSettings: { style: 'messaging' } });
    const first = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, first.userId);
    const second = await onlineAgent(server, account.accountId, [account.inboxId]);
    assert.equal(
      (await first.client.post(`${base(account.accountId)}/${conversationId}/status`, { status: 'solved' }))
        .status,
      200,
    );
    const off = await first.client.request('PUT', `/api/accounts/${account.accountId}/me/availability`, {
      availability: 'offline',
    });
    assert.equal(off.status, 200);
    assert.equal((await customerReplies(visitor, conversationId)).status, 201);
    // Routed to someone else after the message committed.
    await eventually(
      'routing to the online agent',
      async () => (await rowOf(server, conversationId)).assignee_id !== null,
    );
    const row = await rowOf(server, conversationId);
    assert.equal(row.status, 'open');
    assert.equal(row.assignee_id, second.userId);
    const journey = await journeyOf(server, conversationId);
    const unassigned = journey.find((e) => e.type === 'conversation.unassigned');
    assert.equal(unassigned?.payload.previousAssigneeId, first.userId);
    assert.equal(unassigned?.payload.reason, 'unavailable');
  });
});

describe('snooze, priority, history', () => {
  test('snooze: on hold until a time, frees capacity meanwhile, then reopens with its agent', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
    const { conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, agent.userId);
    const until = new Date(clock.getTime() + 60 * MINUTE).toISOString();
    const res = await agent.client.post(`${base(account.accountId)}/${conversationId}/snooze`, { until });
    assert.equal(res.status, 200, res.text);
    const snoozed = res.body.conversation as Conversation;
    assert.equal(snoozed.status, 'on_hold');
    assert.equal(snoozed.snoozedUntil, until);
    assert.equal(await loadOf(server, agent.userId), 0);
    const listed = await agent.client.get(`${base(account.accountId)}?view=snoozed`);
    assert.deepEqual(
      (listed.body.conversations as Conversation[]).map((c) => c.id),
      [conversationId],
    );

    // The agent keeps working meanwhile (an hour without a sign of life would make them away).
    const heartbeat = () => agent.client.post(`/api/accounts/${account.accountId}/me/heartbeat`);
    advance(10 * MINUTE);
    assert.equal((await heartbeat()).status, 204);
    advance(20 * MINUTE);
    await heartbeat();
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, conversationId)).status, 'on_hold');
    advance(14 * MINUTE);
    await heartbeat();
    advance(17 * MINUTE);
    await heartbeat();
    await server.ctx.jobs.runDue();
    const woke = await rowOf(server, conversationId);
    assert.equal(woke.status, 'open');
    assert.equal(woke.snoozed_until, null);
    assert.equal(woke.assignee_id, agent.userId);
    assert.ok(
      (await statusActivities(agent.client, account.accountId, conversationId)).includes('open:snooze_ended'),
    );
  });

  test('snooze ends early when the customer writes; bad snoozes answer 400 or 409', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    const url = `${base(account.accountId)}/${conversationId}/snooze`;
    const past = await agent.client.post(url, { until: new Date(clock.getTime() - MINUTE).toISOString() });
    assert.equal(past.status, 400);
    const garbage = await agent.client.post(url, { until: 'tomorrow' });
    assert.equal(garbage.status, 400);
    const wrongStatus = await agent.client.post(url, {
      until: new Date(clock.getTime() + MINUTE).toISOString(),
      status: 'solved',
    });
    assert.equal(wrongStatus.status, 400);
    const until = new Date(clock.getTime() + 2 * DAY).toISOString();
    assert.equal((await agent.client.post(url, { until, status: 'pending' })).status, 200);
    assert.deepEqual(await jobKeys(`snooze:${conversationId}`), [`snooze:${conversationId}`]);
    const admin = await loginAs(server, account.admin.email);
    const rule = await admin.post(`/api/accounts/${account.accountId}/rules`, {
      name: 'Customers coming back are urgent',
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['open'] }],
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    assert.equal(rule.status, 201, rule.text);
    assert.equal((await customerReplies(visitor, conversationId)).status, 201);
    const row = await rowOf(server, conversationId);
    assert.equal(row.status, 'open');
    assert.equal(row.snoozed_until, null);
    assert.equal(row.assignee_id, agent.userId);
    assert.deepEqual(await jobKeys(`snooze:${conversationId}`), []);
    // The reopening by the customer runs the account's status_changed rules like any other change.
    await server.ctx.jobs.runDue();
    assert.equal((await rowOf(server, conversationId)).priority, 'urgent');

    await agent.client.post(`${base(account.accountId)}/${conversationId}/status`, { status: 'solved' });
    const solvedSnooze = await agent.client.post(url, { until });
    assert.equal(solvedSnooze.status, 409);
    assert.equal((solvedSnooze.body.error as { code: string }).code, 'invalid_status_transition');
  });

  test('priority is set through the API, journaled and shown in the thread', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    const url = `${base(account.accountId)}/${conversationId}/priority`;
    const res = await agent.post(url, { priority: 'urgent' });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body.conversation as Conversation).priority, 'urgent');
    assert.equal((await agent.post(url, { priority: 'critical' })).status, 400);
    const activity = (await threadOf(agent, account.accountId, conversationId)).find(
      (m) => m.attributes.type === 'priority_changed',
    );
    assert.deepEqual([activity?.attributes.from, activity?.attributes.to], ['normal', 'urgent']);
    assert.ok(
      (await journeyOf(server, conversationId)).some((e) => e.type === 'conversation.priority_changed'),
    );
    // Internal to the team: the customer's thread does not show it.
    const customerView = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.ok(!customerView.text.includes('priority_changed'));
  });

  test('after 24 hours without activity a conversation is in the History view', async () => {
    clock = new Date();
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const old = await customerWrites(server, account.inboxId);
    const fresh = await customerWrites(server, account.inboxId);
    await server.ctx.database.rows(
      sql`update conversations set last_activity_at = ${new Date(clock.getTime() - DAY - MINUTE).toISOString()}::timestamptz
          where id = ${old.conversationId}`,
    );
    const ids = async (query: string) =>
      ((await agent.get(`${base(account.accountId)}?${query}`)).body.conversations as Conversation[]).map(
        (c) => c.id,
      );
    assert.deepEqual(await ids('view=history'), [old.conversationId]);
    assert.ok((await ids('view=all')).includes(fresh.conversationId));
    assert.equal((await agent.get(`${base(account.accountId)}?view=someday`)).status, 400);
  });
});

describe('timers', () => {
  test('a close timer survives a restart and fires once with two nodes polling', async () => {
    const { database, cleanup } = await openTestDatabase();
    const env = loadEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SECRET_KEY: TEST_SECRET,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-test-')),
      PUBLIC_URL: 'http://localhost:3000',
    });
    let now = new Date();
    const start = () => startServer({ env, database, now: () => now, jobPollMs: 0 });
    const first = await start();
    const node = { ...first, close: async () => first.stop() } as TestServer;
    try {
      const account = await makeAccount(node, {
        inboxSettings: { style: 'messaging', messagingCloseDays: 1 },
      });
      const agent = await loginAs(node, account.admin.email);
      const { conversationId } = await customerWrites(node, account.inboxId);
      const solved = await agent.post(`${base(account.accountId)}/${conversationId}/status`, {
        status: 'solved',
      });
      assert.equal(solved.status, 200);
      await first.stop();

      const second = await start();
      const third = await start();
      try {
        now = new Date(now.getTime() + DAY + MINUTE);
        await Promise.all([second.ctx.jobs.runDue(), third.ctx.jobs.runDue()]);
        await Promise.all([second.ctx.jobs.runDue(), third.ctx.jobs.runDue()]);
        const [row] = await database.rows<{ status: string }>(
          sql`select status from conversations where id = ${conversationId}`,
        );
        assert.equal(row?.status, 'closed');
        const closings = await database.rows(
          sql`select 1 from events where conversation_id = ${conversationId}
              and type = 'conversation.status_changed' and payload ->> 'to' = 'closed'`,
        );
        assert.equal(closings.length, 1, 'closed exactly once');
        const viaApi = await conversationOf(
          await loginAs({ ...second, close: async () => {} } as TestServer, account.admin.email),
          account.accountId,
          conversationId,
        );
        assert.equal(viaApi.status, 'closed');
      } finally {
        await second.stop();
        await third.stop();
      }
    } finally {
      await first.stop();
      await cleanup();
    }
  });
});
