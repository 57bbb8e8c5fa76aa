import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Conversation, Message, QueueInfo, RoutingProfile } from '@parley/shared';
import { sql } from 'drizzle-orm';
import { loginAs, makeAccount, makeMember, makeToken } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
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
import { teamMembers, teams } from '../../db/schema.ts';
import { newId } from '../../lib/ids.ts';
import { AUTO_AWAY_AFTER_MS, SOCKET_GRACE_MS } from './presence.ts';
import { routeConversation } from './router.ts';

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

const availability = (client: HttpClient, accountId: string, value: string) =>
  client.request('PUT', `/api/accounts/${accountId}/me/availability`, { availability: value });

async function makeTeam(accountId: string, members: string[]): Promise<string> {
  const id = newId();
  await server.ctx.database.db.insert(teams).values({ id, accountId, name: `Team ${id.slice(-4)}` });
  for (const userId of members)
    await server.ctx.database.db.insert(teamMembers).values({ teamId: id, userId });
  return id;
}

describe('automatic routing', () => {
  test('a new conversation goes to the least-loaded online agent of the inbox; nobody else gets one', async () => {
    const account = await makeAccount(server);
    const busy = await onlineAgent(server, account.accountId, [account.inboxId]);
    const first = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, first.conversationId)).assignee_id, busy.userId);
    const idle = await onlineAgent(server, account.accountId, [account.inboxId]);
    await onlineAgent(server, account.accountId, [account.inboxId], { online: false });
    const away = await onlineAgent(server, account.accountId, [account.inboxId]);
    assert.equal((await availability(away.client, account.accountId, 'away')).status, 200);
    const elsewhere = await onlineAgent(server, account.accountId, []);
    const second = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, second.conversationId)).assignee_id, idle.userId, 'least loaded');
    const third = await customerWrites(server, account.inboxId);
    const thirdAssignee = (await rowOf(server, third.conversationId)).assignee_id;
    assert.ok(thirdAssignee === busy.userId || thirdAssignee === idle.userId);
    assert.equal(await loadOf(server, away.userId), 0);
    assert.equal(await loadOf(server, elsewhere.userId), 0);
    // The thread tells who took it, the journey too.
    const thread = await threadOf(busy.client, account.accountId, first.conversationId);
    const assigned = thread.find((m) => m.attributes.type === 'assigned');
    assert.equal(assigned?.attributes.assigneeId, busy.userId);
    assert.equal(assigned?.attributes.assigneeName, busy.name);
    const events = await journeyOf(server, first.conversationId);
    assert.ok(events.some((e) => e.type === 'conversation.assigned' && e.payload.reason === 'routing'));
  });

  test('skills: only agents with every skill the inbox and the conversation require are eligible', async () => {
    const account = await makeAccount(server, { inboxSettings: { requiredSkills: ['billing'] } });
    const generalist = await onlineAgent(server, account.accountId, [account.inboxId], { skills: [] });
    const biller = await onlineAgent(server, account.accountId, [account.inboxId], { skills: ['billing'] });
    const polyglot = await onlineAgent(server, account.accountId, [account.inboxId], {
      skills: ['billing', 'russian'],
      capacity: 1,
    });
    const first = await customerWrites(server, account.inboxId);
    const firstAssignee = (await rowOf(server, first.conversationId)).assignee_id;
    assert.ok(firstAssignee === biller.userId || firstAssignee === polyglot.userId);
    // A conversation needing Russian too: only the polyglot, who has room for one.
    const russian = await customerWrites(server, account.inboxId);
    await server.ctx.database.rows(
      sql`update conversations set assignee_id = null, queued_at = null, required_skills = '["russian"]'::jsonb
          where id = ${russian.conversationId}`,
    );
    await server.ctx.database.rows(
      sql`update conversations set assignee_id = ${biller.userId} where id = ${first.conversationId}`,
    );
    await routeConversation(server.ctx, russian.conversationId);
    assert.equal((await rowOf(server, russian.conversationId)).assignee_id, polyglot.userId);
    assert.equal(await loadOf(server, generalist.userId), 0);
    const another = await customerWrites(server, account.inboxId);
    await server.ctx.database.rows(
      sql`update conversations set assignee_id = null, queued_at = null, required_skills = '["russian"]'::jsonb
          where id = ${another.conversationId}`,
    );
    assert.equal((await routeConversation(server.ctx, another.conversationId)).kind, 'queued');
    assert.equal(await loadOf(server, polyglot.userId), 1);
  });

  test('per-channel capacity bounds the conversations of that channel', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], {
      capacity: 5,
      channelCapacity: { web: 1 },
    });
    const a = await customerWrites(server, account.inboxId);
    const b = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, a.conversationId)).assignee_id, agent.userId);
    assert.equal((await rowOf(server, b.conversationId)).assignee_id, null);
    assert.ok((await rowOf(server, b.conversationId)).queued_at);
  });

  test('autoAssign off: conversations wait to be picked, with their place in the queue', async () => {
    const account = await makeAccount(server, { inboxSettings: { autoAssign: false } });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const a = await customerWrites(server, account.inboxId);
    const b = await customerWrites(server, account.inboxId);
    assert.equal(await loadOf(server, agent.userId), 0);
    const queue = await b.visitor.get(`/api/client/conversations/${b.conversationId}/queue`);
    assert.equal(queue.status, 200, queue.text);
    assert.deepEqual(queue.body, { waiting: true, position: 2, estimatedWaitSeconds: null });
    const picked = await agent.client.post(`${base(account.accountId)}/${a.conversationId}/assign`, {
      assigneeId: 'me',
    });
    assert.equal(picked.status, 200, picked.text);
    assert.equal((picked.body.conversation as Conversation).assigneeId, agent.userId);
    assert.equal((picked.body.conversation as Conversation).queuedAt, null);
    const after = (await b.visitor.get(`/api/client/conversations/${b.conversationId}/queue`))
      .body as QueueInfo;
    assert.equal(after.position, 1);
    assert.ok(
      after.estimatedWaitSeconds !== null && after.estimatedWaitSeconds > 0,
      'one recent pick gives a rate',
    );
    const left = (await a.visitor.get(`/api/client/conversations/${a.conversationId}/queue`))
      .body as QueueInfo;
    assert.deepEqual(left, { waiting: false, position: null, estimatedWaitSeconds: null });
    // A visitor cannot read another visitor's place.
    assert.equal((await a.visitor.get(`/api/client/conversations/${b.conversationId}/queue`)).status, 404);
  });

  test('a bot holding the conversation is not routed; a requested person waits to be picked', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const held = await customerWrites(server, account.inboxId);
    await server.ctx.database.rows(
      sql`update conversations set assignee_id = null, queued_at = null, bot_phase = 'bot'
          where id = ${held.conversationId}`,
    );
    assert.equal((await routeConversation(server.ctx, held.conversationId)).kind, 'held_by_bot');
    assert.equal((await rowOf(server, held.conversationId)).queued_at, null);
    await server.ctx.database.rows(
      sql`update conversations set bot_phase = 'requested' where id = ${held.conversationId}`,
    );
    assert.equal((await routeConversation(server.ctx, held.conversationId)).kind, 'waiting');
    const row = await rowOf(server, held.conversationId);
    assert.equal(row.assignee_id, null);
    assert.ok(row.queued_at);
    // The drain when capacity frees does not take it either.
    assert.equal((await availability(agent.client, account.accountId, 'away')).status, 200);
    assert.equal((await availability(agent.client, account.accountId, 'online')).status, 200);
    assert.equal((await rowOf(server, held.conversationId)).assignee_id, null);
  });
});

describe('the queue', () => {
  test('waits in order of priority then arrival, and freed capacity is served at once', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
    const admin = await loginAs(server, account.admin.email);
    const first = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, first.conversationId)).assignee_id, agent.userId);
    const normal1 = await customerWrites(server, account.inboxId);
    const normal2 = await customerWrites(server, account.inboxId);
    const urgent = await customerWrites(server, account.inboxId);
    const low = await customerWrites(server, account.inboxId);
    assert.equal(
      (
        await admin.post(`${base(account.accountId)}/${urgent.conversationId}/priority`, {
          priority: 'urgent',
        })
      ).status,
      200,
    );
    await admin.post(`${base(account.accountId)}/${low.conversationId}/priority`, { priority: 'low' });
    const queue = await admin.get(`/api/accounts/${account.accountId}/routing/queue`);
    assert.equal(queue.status, 200, queue.text);
    const order = (queue.body.queue as Array<{ conversationId: string; position: number }>).map((q) => [
      q.conversationId,
      q.position,
    ]);
    assert.deepEqual(order, [
      [urgent.conversationId, 1],
      [normal1.conversationId, 2],
      [normal2.conversationId, 3],
      [low.conversationId, 4],
    ]);
    const queued = await admin.get(`${base(account.accountId)}?view=queued`);
    assert.equal((queued.body.conversations as Conversation[]).length, 4);

    const statusUrl = (id: string) => `${base(account.accountId)}/${id}/status`;
    // Solving frees the slot: the urgent one is next.
    assert.equal(
      (await agent.client.post(statusUrl(first.conversationId), { status: 'solved' })).status,
      200,
    );
    assert.equal((await rowOf(server, urgent.conversationId)).assignee_id, agent.userId);
    // Pending frees it too.
    assert.equal(
      (await agent.client.post(statusUrl(urgent.conversationId), { status: 'pending' })).status,
      200,
    );
    assert.equal((await rowOf(server, normal1.conversationId)).assignee_id, agent.userId);
    // Raising capacity serves two more at once.
    const raised = await admin.request(
      'PATCH',
      `/api/accounts/${account.accountId}/routing/agents/${agent.userId}`,
      {
        capacity: 3,
      },
    );
    assert.equal(raised.status, 200, raised.text);
    assert.equal((raised.body.agent as RoutingProfile).load, 3);
    assert.equal((await rowOf(server, normal2.conversationId)).assignee_id, agent.userId);
    assert.equal((await rowOf(server, low.conversationId)).assignee_id, agent.userId);
    assert.equal(await loadOf(server, agent.userId), 3);
  });

  test('a newcomer never overtakes a waiting conversation, whatever the timing', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 1 });
    const first = await customerWrites(server, account.inboxId);
    const waiting = await customerWrites(server, account.inboxId);
    assert.ok((await rowOf(server, waiting.conversationId)).queued_at);
    // Room appears without the drain that normally follows (as if the newcomer raced it).
    await server.ctx.database.rows(
      sql`update conversations set status = 'pending' where id = ${first.conversationId}`,
    );
    const newcomer = await customerWrites(server, account.inboxId);
    assert.equal(
      (await rowOf(server, waiting.conversationId)).assignee_id,
      agent.userId,
      'the waiting one first',
    );
    const late = await rowOf(server, newcomer.conversationId);
    assert.equal(late.assignee_id, null);
    assert.ok(late.queued_at);
    // An urgent one does go before normal ones that waited longer.
    const other = await makeAccount(server);
    const solo = await onlineAgent(server, other.accountId, [other.inboxId], { capacity: 1 });
    const busy = await customerWrites(server, other.inboxId);
    const normal = await customerWrites(server, other.inboxId);
    const urgent = await customerWrites(server, other.inboxId);
    const admin = await loginAs(server, other.admin.email);
    await admin.post(`${base(other.accountId)}/${urgent.conversationId}/priority`, { priority: 'urgent' });
    await server.ctx.database.rows(
      sql`update conversations set status = 'pending' where id = ${busy.conversationId}`,
    );
    assert.equal((await rowOf(server, normal.conversationId)).assignee_id, null);
    assert.equal((await routeConversation(server.ctx, urgent.conversationId)).kind, 'assigned');
    assert.equal((await rowOf(server, urgent.conversationId)).assignee_id, solo.userId);
  });

  test('an agent coming online takes the queue, least-loaded first', async () => {
    const account = await makeAccount(server);
    const waiting = [];
    for (let i = 0; i < 3; i++) waiting.push(await customerWrites(server, account.inboxId));
    for (const w of waiting) assert.ok((await rowOf(server, w.conversationId)).queued_at);
    const a = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 2 });
    assert.equal(await loadOf(server, a.userId), 2);
    const b = await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 2 });
    assert.equal(await loadOf(server, b.userId), 1);
    for (const w of waiting) assert.equal((await rowOf(server, w.conversationId)).queued_at, null);
  });

  test('queue places are pushed to the waiting customer', async () => {
    const account = await makeAccount(server, { inboxSettings: { autoAssign: false } });
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const a = await customerWrites(server, account.inboxId);
    const b = await customerWrites(server, account.inboxId);
    const socket = await RealtimeClient.connect(server.url);
    try {
      await socket.auth(b.visitor.bearer as string);
      await socket.subscribeConversation(b.conversationId, 0);
      await agent.client.post(`${base(account.accountId)}/${a.conversationId}/assign`, { assigneeId: 'me' });
      const frame = await socket.waitFor(
        (f) => f.type === 'queue' && f.conversationId === b.conversationId && f.position === 1,
      );
      assert.equal(frame.type, 'queue');
      await agent.client.post(`${base(account.accountId)}/${b.conversationId}/assign`, { assigneeId: 'me' });
      await socket.waitFor(
        (f) => f.type === 'queue' && f.conversationId === b.conversationId && f.position === null,
      );
    } finally {
      await socket.close();
    }
  });
});

describe('assignment API', () => {
  test('assign to me and to an agent; capacity is enforced with 409 capacity_reached', async () => {
    const account = await makeAccount(server, { inboxSettings: { autoAssign: false } });
    const admin = await loginAs(server, account.admin.email);
    const small = await onlineAgent(server, account.accountId, [account.inboxId], {
      capacity: 1,
      online: false,
    });
    const a = await customerWrites(server, account.inboxId);
    const b = await customerWrites(server, account.inboxId);
    const assign = (id: string, assigneeId: string, client = admin) =>
      client.post(`${base(account.accountId)}/${id}/assign`, { assigneeId });
    const first = await assign(a.conversationId, small.userId);
    assert.equal(first.status, 200, first.text);
    assert.equal((first.body.conversation as Conversation).assigneeId, small.userId);
    const full = await assign(b.conversationId, small.userId);
    assert.equal(full.status, 409);
    assert.equal((full.body.error as { code: string }).code, 'capacity_reached');
    assert.deepEqual((full.body.error as { details: unknown }).details, {
      reason: 'capacity_reached',
      load: 1,
      capacity: 1,
    });
    assert.equal((await assign(b.conversationId, newId())).status, 404);
    const bad = await assign(b.conversationId, 'someone');
    assert.equal(bad.status, 400);
    // "me" for the admin; then handing a over to the admin frees the small agent, who has room again.
    assert.equal((await assign(b.conversationId, 'me')).status, 200);
    assert.equal((await rowOf(server, b.conversationId)).assignee_id, account.admin.userId);
    assert.equal((await assign(a.conversationId, 'me')).status, 200);
    assert.equal(await loadOf(server, small.userId), 0);
    // Solved conversations do not count: assigning one to a full agent is fine.
    const c = await customerWrites(server, account.inboxId);
    assert.equal((await assign(c.conversationId, small.userId)).status, 200);
    const d = await customerWrites(server, account.inboxId);
    await admin.post(`${base(account.accountId)}/${d.conversationId}/status`, { status: 'solved' });
    assert.equal((await assign(d.conversationId, small.userId)).status, 200);
    // Tokens cannot say "me"; another account's conversation is not found.
    const token = await makeToken(server, account.accountId, ['conversation_write', 'conversation_read']);
    const api = new HttpClient(server.url);
    api.bearer = token;
    assert.equal((await assign(c.conversationId, 'me', api)).status, 400);
    const otherAccount = await makeAccount(server);
    const stranger = await loginAs(server, otherAccount.admin.email);
    assert.equal(
      (
        await stranger.post(`${base(otherAccount.accountId)}/${c.conversationId}/assign`, {
          assigneeId: 'me',
        })
      ).status,
      404,
    );
    assert.equal(
      (await stranger.post(`${base(account.accountId)}/${c.conversationId}/assign`, { assigneeId: 'me' }))
        .status,
      404,
    );
  });

  test('transfer to an agent with a note: stored, shown first to the next agent, never to the customer', async () => {
    const account = await makeAccount(server);
    const from = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { visitor, conversationId } = await customerWrites(server, account.inboxId);
    const to = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const res = await from.client.post(`${base(account.accountId)}/${conversationId}/transfer`, {
      assigneeId: to.userId,
      note: 'Refund already approved, just confirm the IBAN',
    });
    assert.equal(res.status, 200, res.text);
    const conversation = res.body.conversation as Conversation;
    assert.equal(conversation.assigneeId, to.userId);
    assert.equal(conversation.previousAssigneeId, from.userId);
    assert.equal(conversation.handoffNote, 'Refund already approved, just confirm the IBAN');
    const toClient = await loginAs(server, to.email);
    const thread = await threadOf(toClient, account.accountId, conversationId);
    const last = thread.at(-1) as Message;
    assert.equal(last.kind, 'note');
    assert.equal(last.private, true);
    assert.equal(last.body, 'Refund already approved, just confirm the IBAN');
    const customerView = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.ok(!customerView.text.includes('IBAN'));
    const missing = await from.client.post(`${base(account.accountId)}/${conversationId}/transfer`, {
      note: 'to nobody',
    });
    assert.equal(missing.status, 400);
    const both = await from.client.post(`${base(account.accountId)}/${conversationId}/transfer`, {
      assigneeId: to.userId,
      teamId: newId(),
    });
    assert.equal(both.status, 400);
  });

  test('transfer to a team routes among its members, skipping the agent handing over', async () => {
    const account = await makeAccount(server);
    const from = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, from.userId);
    // Team members need not work the inbox; the transferring agent is in the team too.
    const teammate = await onlineAgent(server, account.accountId, [], { capacity: 1 });
    const team = await makeTeam(account.accountId, [from.userId, teammate.userId]);
    const res = await from.client.post(`${base(account.accountId)}/${conversationId}/transfer`, {
      teamId: team,
      note: 'VIP',
    });
    assert.equal(res.status, 200, res.text);
    const thread = await threadOf(from.client, account.accountId, conversationId);
    const transferred = thread.find((m) => m.attributes.type === 'transferred');
    assert.equal(transferred?.private, true, 'team transfers are internal');
    const row = await rowOf(server, conversationId);
    assert.equal(row.assignee_id, teammate.userId);
    assert.equal(row.team_id, team);
    assert.equal(row.handoff_note, 'VIP');
    assert.equal(await loadOf(server, from.userId), 0);
    // The teammate is full now: the next transfer to the team waits in the queue.
    const second = await customerWrites(server, account.inboxId);
    await from.client.post(`${base(account.accountId)}/${second.conversationId}/transfer`, { teamId: team });
    const waiting = await rowOf(server, second.conversationId);
    assert.equal(waiting.assignee_id, null);
    assert.ok(waiting.queued_at);
    const unknown = await from.client.post(`${base(account.accountId)}/${second.conversationId}/transfer`, {
      teamId: newId(),
    });
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, 'team_not_found');
  });

  test('unassign sends it back through routing, not straight back to the same agent', async () => {
    const account = await makeAccount(server);
    const a = await onlineAgent(server, account.accountId, [account.inboxId]);
    const { conversationId } = await customerWrites(server, account.inboxId);
    const b = await onlineAgent(server, account.accountId, [account.inboxId]);
    assert.equal((await rowOf(server, conversationId)).assignee_id, a.userId);
    const res = await a.client.post(`${base(account.accountId)}/${conversationId}/unassign`);
    assert.equal(res.status, 200, res.text);
    assert.equal((await rowOf(server, conversationId)).assignee_id, b.userId);
    // Alone, the agent who gave it up does not get it back at once.
    const solo = await makeAccount(server);
    const only = await onlineAgent(server, solo.accountId, [solo.inboxId]);
    const lonely = await customerWrites(server, solo.inboxId);
    await only.client.post(`${base(solo.accountId)}/${lonely.conversationId}/unassign`);
    const row = await rowOf(server, lonely.conversationId);
    assert.equal(row.assignee_id, null);
    assert.ok(row.queued_at);
  });
});

describe('availability', () => {
  test('agents set their own availability; tokens cannot; admins manage capacity and skills', async () => {
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId], { online: false });
    const set = await availability(agent.client, account.accountId, 'online');
    assert.equal(set.status, 200, set.text);
    assert.equal((set.body.agent as RoutingProfile).availability, 'online');
    assert.equal((await availability(agent.client, account.accountId, 'busy')).status, 400);
    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, account.accountId, ['inbox_read']);
    assert.equal((await availability(token, account.accountId, 'online')).status, 403);
    const patch = (client: HttpClient, body: unknown) =>
      client.request('PATCH', `/api/accounts/${account.accountId}/routing/agents/${agent.userId}`, body);
    assert.equal((await patch(agent.client, { capacity: 50 })).status, 403);
    const admin = await loginAs(server, account.admin.email);
    const changed = await patch(admin, {
      capacity: 4,
      skills: ['billing', 'billing'],
      channelCapacity: { web: 2 },
    });
    assert.equal(changed.status, 200, changed.text);
    const profile = changed.body.agent as RoutingProfile;
    assert.deepEqual(
      [profile.capacity, profile.skills, profile.channelCapacity],
      [4, ['billing'], { web: 2 }],
    );
    assert.equal((await patch(admin, { capacity: -1 })).status, 400);
    assert.equal((await patch(admin, { channelCapacity: { fax: 1 } })).status, 400);
    assert.equal((await patch(admin, {})).status, 400);
    assert.equal(
      (
        await admin.request('PATCH', `/api/accounts/${account.accountId}/routing/agents/${newId()}`, {
          capacity: 1,
        })
      ).status,
      404,
    );
    const list = await agent.client.get(`/api/accounts/${account.accountId}/routing/agents`);
    assert.equal(list.status, 200);
    assert.ok(
      (list.body.agents as RoutingProfile[]).some((p) => p.userId === agent.userId && p.capacity === 4),
    );
  });

  test('inactive agents go away on the sweep; signs of life keep them online', async () => {
    clock = new Date();
    const account = await makeAccount(server);
    const idle = await onlineAgent(server, account.accountId, [account.inboxId]);
    const busy = await onlineAgent(server, account.accountId, [account.inboxId]);
    advance(AUTO_AWAY_AFTER_MS - 60_000);
    assert.equal((await busy.client.post(`/api/accounts/${account.accountId}/me/heartbeat`)).status, 204);
    advance(2 * 60_000);
    await server.ctx.jobs.runDue();
    const profiles = (await busy.client.get(`/api/accounts/${account.accountId}/routing/agents`)).body
      .agents as RoutingProfile[];
    const of = (id: string) => profiles.find((p) => p.userId === id)?.availability;
    assert.equal(of(idle.userId), 'away');
    assert.equal(of(busy.userId), 'online');
    // Away agents are not routed to.
    const { conversationId } = await customerWrites(server, account.inboxId);
    assert.equal((await rowOf(server, conversationId)).assignee_id, busy.userId);
  });

  test('the last socket closing makes an agent away after the grace, unless they come back', async () => {
    clock = new Date();
    const account = await makeAccount(server);
    const agent = await onlineAgent(server, account.accountId, [account.inboxId]);
    const stays = await onlineAgent(server, account.accountId, [account.inboxId]);
    const open = async (client: HttpClient) => {
      const socket = await RealtimeClient.connect(server.url, {
        cookie: client.cookie as string,
        origin: 'http://localhost:3000',
      });
      await socket.waitFor((f) => f.type === 'ready');
      return socket;
    };
    const leaving = await open(agent.client);
    const returning = await open(stays.client);
    await leaving.close();
    await returning.close();
    await eventually('presence timers', async () => {
      const rows = await server.ctx.database.rows(sql`select 1 from jobs where kind = 'routing.presence_check'
        and key in (${`presence:${agent.userId}`}, ${`presence:${stays.userId}`})`);
      return rows.length === 2;
    });
    advance(30_000);
    const back = await open(stays.client);
    advance(SOCKET_GRACE_MS);
    await server.ctx.jobs.runDue();
    const profiles = (await stays.client.get(`/api/accounts/${account.accountId}/routing/agents`)).body
      .agents as RoutingProfile[];
    const of = (id: string) => profiles.find((p) => p.userId === id)?.availability;
    assert.equal(of(agent.userId), 'away');
    assert.equal(of(stays.userId), 'online');
    await back.close();
  });
});

describe('never over-assigned', () => {
  test('conversations started at once never push an agent past capacity, and each is assigned once or queued', async () => {
    const account = await makeAccount(server);
    const agents: Awaited<ReturnType<typeof onlineAgent>>[] = [];
    for (let i = 0; i < 4; i++)
      agents.push(await onlineAgent(server, account.accountId, [account.inboxId], { capacity: 2 }));
    const started = await Promise.all(
      Array.from({ length: 16 }, () => customerWrites(server, account.inboxId)),
    );
    for (const agent of agents) assert.equal(await loadOf(server, agent.userId), 2);
    const rows = await Promise.all(started.map((s) => rowOf(server, s.conversationId)));
    assert.equal(rows.filter((r) => r.assignee_id !== null).length, 8);
    assert.equal(rows.filter((r) => r.assignee_id === null && r.queued_at !== null).length, 8);
    // Each assignment is journaled once.
    for (const s of started) {
      const assigned = (await journeyOf(server, s.conversationId)).filter(
        (e) => e.type === 'conversation.assigned',
      );
      assert.ok(assigned.length <= 1);
    }
    // Freeing everything at once drains the queue without overshooting either.
    await Promise.all(
      rows.flatMap((r, i) =>
        r.assignee_id
          ? [
              (agents.find((a) => a.userId === r.assignee_id) as (typeof agents)[number]).client.post(
                `${base(account.accountId)}/${started[i]?.conversationId}/status`,
                { status: 'solved' },
              ),
            ]
          : [],
      ),
    );
    for (const agent of agents) assert.equal(await loadOf(server, agent.userId), 2);
    const open = await server.ctx.database.rows<{ n: number }>(
      sql`select count(*)::int as n from conversations where account_id = ${account.accountId}
          and status in ('new', 'open') and assignee_id is not null`,
    );
    assert.equal(open[0]?.n, 8);
    await customerReplies(started[0]?.visitor as HttpClient, started[0]?.conversationId as string);
  });
});
