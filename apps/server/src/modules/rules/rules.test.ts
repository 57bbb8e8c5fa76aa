import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusinessHours, Message, Rule, Tag } from '@parley/shared';
import { and, eq, sql } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  type TestAccount,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { contacts, events } from '../../db/schema.ts';
import { createTeam } from '../teams/commands.ts';
import { localTime, withinBusinessHours } from './business-hours.ts';

let server: TestServer;
let counter = 0;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const run = () => server.ctx.jobs.runDue();

interface Setup {
  account: TestAccount;
  admin: HttpClient;
  base: string;
  tag: (name: string) => Promise<Tag>;
  rule: (body: Record<string, unknown>) => Promise<Rule>;
}

async function setup(inboxSettings: Record<string, unknown> = {}): Promise<Setup> {
  const account = await makeAccount(server, { inboxSettings });
  const admin = await loginAs(server, account.admin.email);
  const base = `/api/accounts/${account.accountId}`;
  return {
    account,
    admin,
    base,
    tag: async (name) => (await admin.post(`${base}/tags`, { name })).body.tag as Tag,
    rule: async (body) => {
      const res = await admin.post(`${base}/rules`, { name: `rule ${counter++}`, ...body });
      assert.equal(res.status, 201, res.text);
      return res.body.rule as Rule;
    },
  };
}

async function row(conversationId: string) {
  const [found] = await server.ctx.database.rows<{
    status: string;
    priority: string;
    assignee_id: string | null;
    team_id: string | null;
  }>(sql`select status, priority, assignee_id, team_id from conversations where id = ${conversationId}`);
  assert.ok(found);
  return found;
}

async function tagNames(s: Setup, conversationId: string): Promise<string[]> {
  const res = await s.admin.get(`${s.base}/conversations/${conversationId}/tags`);
  return (res.body.tags as Tag[]).map((t) => t.name);
}

async function messagesOf(s: Setup, conversationId: string): Promise<Message[]> {
  const res = await s.admin.get(`${s.base}/conversations/${conversationId}/messages?limit=200`);
  return res.body.messages as Message[];
}

describe('rules: administration', () => {
  test('admins create, read, change and delete rules', async () => {
    const s = await setup();
    const tag = await s.tag('Vip');
    const created = await s.rule({
      event: 'conversation_created',
      conditions: [{ type: 'channel', channels: ['web'] }],
      actions: [{ type: 'add_tag', tagId: tag.id }],
      position: 5,
    });
    assert.equal(created.enabled, true);
    assert.deepEqual(created.conditions, [{ type: 'channel', channels: ['web'] }]);
    const url = `${s.base}/rules/${created.id}`;
    assert.equal(((await s.admin.get(url)).body.rule as Rule).position, 5);
    const changed = await s.admin.request('PATCH', url, { enabled: false, name: 'Tag web visitors' });
    assert.equal(changed.status, 200);
    assert.deepEqual(
      [(changed.body.rule as Rule).enabled, (changed.body.rule as Rule).name],
      [false, 'Tag web visitors'],
    );
    assert.equal(((await s.admin.get(`${s.base}/rules`)).body.rules as Rule[]).length, 1);
    assert.equal((await s.admin.request('DELETE', url)).status, 204);
    const gone = await s.admin.get(url);
    assert.equal(gone.status, 404);
    assert.equal(code(gone.body), 'rule_not_found');
  });

  test('only admins manage rules; other accounts get 404', async () => {
    const s = await setup();
    const other = await setup();
    const rule = await s.rule({
      event: 'status_changed',
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    for (const role of ['agent', 'supervisor'] as const) {
      const member = await makeMember(server, s.account.accountId, role, [s.account.inboxId]);
      const client = await loginAs(server, member.email);
      assert.equal((await client.get(`${s.base}/rules`)).status, 403, role);
      assert.equal((await client.get(`${s.base}/rules/${rule.id}`)).status, 403, role);
      assert.equal(
        (await client.post(`${s.base}/rules`, { name: 'x', event: 'status_changed', actions: [] })).status,
        403,
      );
      assert.equal((await client.request('DELETE', `${s.base}/rules/${rule.id}`)).status, 403);
    }
    assert.equal((await other.admin.get(`${s.base}/rules`)).status, 404);
    const crossed = await other.admin.request('PATCH', `${other.base}/rules/${rule.id}`, { enabled: false });
    assert.equal(crossed.status, 404);
    assert.equal(code(crossed.body), 'rule_not_found');
    assert.equal((await other.admin.request('DELETE', `${other.base}/rules/${rule.id}`)).status, 404);
  });

  test('malformed rules are 400 validation_failed, and foreign references are refused', async () => {
    const s = await setup();
    const other = await setup();
    const foreignTag = await other.tag('Theirs');
    const [team] = [await createTeam(server.ctx.database.db, other.account.accountId, 'Their team')];
    const outsider = await makeMember(server, other.account.accountId, 'agent');
    const ok = { name: 'r', event: 'message_created', actions: [{ type: 'set_priority', priority: 'high' }] };
    for (const body of [
      {},
      { ...ok, event: 'conversation_updated' },
      { ...ok, actions: [] },
      { ...ok, actions: [{ type: 'delete_everything' }] },
      { ...ok, actions: [{ type: 'set_priority', priority: 'asap' }] },
      { ...ok, actions: [{ type: 'send_message', body: '' }] },
      { ...ok, actions: [{ type: 'send_message', body: 'x'.repeat(5001) }] },
      { ...ok, conditions: [{ type: 'text_contains', values: [] }] },
      { ...ok, conditions: [{ type: 'contact_attribute', key: '__proto__..x', equals: 1 }] },
      { ...ok, conditions: [{ type: 'contact_attribute', key: 'plan', equals: { nested: true } }] },
      { ...ok, conditions: [{ type: 'inbox', inboxIds: ['not-a-uuid'] }] },
      { ...ok, event: 'conversation_created', conditions: [{ type: 'text_contains', values: ['x'] }] },
      { ...ok, position: -1 },
      { ...ok, surprise: true },
      { ...ok, actions: Array.from({ length: 21 }, () => ({ type: 'set_priority', priority: 'low' })) },
    ]) {
      const res = await s.admin.post(`${s.base}/rules`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
    for (const action of [
      { type: 'add_tag', tagId: foreignTag.id },
      { type: 'assign_team', teamId: team?.id },
      { type: 'assign_agent', userId: outsider.userId },
    ]) {
      const res = await s.admin.post(`${s.base}/rules`, { ...ok, actions: [action] });
      assert.equal(res.status, 400, JSON.stringify(action));
      assert.equal(
        ((res.body.error as { details: Array<{ code: string }> }).details[0] as { code: string }).code,
        'unknown_reference',
      );
    }
    const inboxRes = await s.admin.post(`${s.base}/rules`, {
      ...ok,
      conditions: [{ type: 'inbox', inboxIds: [other.account.inboxId] }],
    });
    assert.equal(inboxRes.status, 400);
    // A change is validated with the stored rule: a message-only condition cannot move to another event.
    const rule = await s.rule({ ...ok, conditions: [{ type: 'text_contains', values: ['refund'] }] });
    const moved = await s.admin.request('PATCH', `${s.base}/rules/${rule.id}`, { event: 'status_changed' });
    assert.equal(moved.status, 400);
    assert.equal(code(moved.body), 'validation_failed');
    assert.equal(
      ((await s.admin.get(`${s.base}/rules/${rule.id}`)).body.rule as Rule).event,
      'message_created',
    );
  });
});

describe('rules: triggers, conditions and actions', () => {
  test('conversation_created: inbox and channel conditions; priority, tag, team and agent actions', async () => {
    const s = await setup();
    const tag = await s.tag('Web');
    const team = await createTeam(server.ctx.database.db, s.account.accountId, 'Support');
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    await s.rule({
      event: 'conversation_created',
      conditions: [
        { type: 'inbox', inboxIds: [s.account.inboxId] },
        { type: 'channel', channels: ['web'] },
      ],
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'add_tag', tagId: tag.id },
        { type: 'assign_team', teamId: team.id },
        { type: 'assign_agent', userId: agent.userId },
      ],
    });
    await s.rule({
      event: 'conversation_created',
      conditions: [{ type: 'channel', channels: ['email'] }],
      actions: [{ type: 'set_priority', priority: 'low' }],
    });
    const { conversationId } = await visitorWithConversation(server, s.account.inboxId);
    await run();
    const after = await row(conversationId);
    assert.equal(after.priority, 'high');
    assert.equal(after.team_id, team.id);
    assert.equal(after.assignee_id, agent.userId);
    assert.deepEqual(await tagNames(s, conversationId), ['Web']);
    const journey = await server.ctx.database.db
      .select({ type: events.type, actorKind: events.actorKind })
      .from(events)
      .where(and(eq(events.conversationId, conversationId), eq(events.actorKind, 'system')));
    const types = journey.map((e) => e.type);
    for (const type of ['conversation.priority_changed', 'conversation.tag_added']) {
      assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
    }
  });

  test('rules run in position order, and disabled rules do not run', async () => {
    const s = await setup();
    await s.rule({
      event: 'conversation_created',
      position: 2,
      actions: [{ type: 'set_priority', priority: 'low' }],
    });
    await s.rule({
      event: 'conversation_created',
      position: 1,
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    await s.rule({
      event: 'conversation_created',
      position: 3,
      enabled: false,
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    const { conversationId } = await visitorWithConversation(server, s.account.inboxId);
    await run();
    assert.equal((await row(conversationId)).priority, 'low');
  });

  test('message_created: text and sender conditions; a tag and an automatic answer that never retriggers', async () => {
    const s = await setup();
    const billing = await s.tag('Billing');
    await s.rule({
      event: 'message_created',
      conditions: [
        { type: 'text_contains', values: ['refund', 'reembolso'] },
        { type: 'sender', senders: ['contact'] },
      ],
      actions: [
        { type: 'add_tag', tagId: billing.id },
        { type: 'send_message', body: 'We will look into your refund today.' },
        { type: 'send_message', body: 'Customer asked about a refund', private: true },
      ],
    });
    // A catch-all answer rule: it would loop forever if its own messages triggered it.
    await s.rule({
      event: 'message_created',
      conditions: [{ type: 'sender', senders: ['contact'] }],
      actions: [{ type: 'send_message', body: 'Thanks, we got your message.' }],
    });
    const { visitor, conversationId } = await visitorWithConversation(server, s.account.inboxId, 'Hello');
    await run();
    assert.deepEqual(await tagNames(s, conversationId), []);
    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: `m-${counter++}`,
      body: 'I want a REFUND please',
    });
    await run();
    await run();
    assert.deepEqual(await tagNames(s, conversationId), ['Billing']);
    const messages = await messagesOf(s, conversationId);
    assert.deepEqual(
      messages.filter((m) => m.senderKind === 'bot').map((m) => [m.kind, m.body]),
      [
        ['text', 'Thanks, we got your message.'],
        ['text', 'We will look into your refund today.'],
        ['note', 'Customer asked about a refund'],
        ['text', 'Thanks, we got your message.'],
      ],
    );
    // Automatic answers are not a person's reply.
    const conversation = (await s.admin.get(`${s.base}/conversations/${conversationId}`)).body
      .conversation as {
      firstReplyAt: string | null;
    };
    assert.equal(conversation.firstReplyAt, null);
    // An agent's message does not match a contact-only rule.
    await s.admin.post(`${s.base}/conversations/${conversationId}/messages`, {
      clientMsgId: `a-${counter++}`,
      body: 'refund approved',
    });
    await run();
    assert.equal((await messagesOf(s, conversationId)).filter((m) => m.senderKind === 'bot').length, 4);
  });

  test('contact attribute, tag and status conditions', async () => {
    const s = await setup();
    const vip = await s.tag('VIP');
    await s.rule({
      event: 'message_created',
      conditions: [
        { type: 'contact_attribute', key: 'preChat.plan', equals: 'pro' },
        { type: 'tag', tagId: vip.id },
        { type: 'status', statuses: ['new', 'open'] },
      ],
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    const { visitor, conversationId } = await visitorWithConversation(server, s.account.inboxId);
    await run();
    const say = async (body: string) => {
      await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `c-${counter++}`,
        body,
      });
      await run();
    };
    await say('one');
    assert.equal((await row(conversationId)).priority, 'normal');
    await server.ctx.database.db
      .update(contacts)
      .set({ attributes: { preChat: { plan: 'pro' } } })
      .where(eq(contacts.id, visitor.contactId));
    await say('two');
    assert.equal((await row(conversationId)).priority, 'normal', 'no VIP tag yet');
    // The tag may sit on the contact instead of the conversation.
    await s.admin.request('PUT', `${s.base}/contacts/${visitor.contactId}/tags/${vip.id}`);
    await say('three');
    assert.equal((await row(conversationId)).priority, 'urgent');
  });

  test('business hours: inside and outside, in the inbox time zone', async () => {
    const closed: BusinessHours = { enabled: true, timezone: 'America/Sao_Paulo', hours: [] };
    const s = await setup({ businessHours: closed });
    const away = await s.tag('After hours');
    const open = await s.tag('Open');
    await s.rule({
      event: 'conversation_created',
      conditions: [{ type: 'business_hours', within: false }],
      actions: [
        { type: 'add_tag', tagId: away.id },
        { type: 'send_message', body: 'We are closed now; we answer tomorrow from 9:00.' },
      ],
    });
    await s.rule({
      event: 'conversation_created',
      conditions: [{ type: 'business_hours', within: true }],
      actions: [{ type: 'add_tag', tagId: open.id }],
    });
    const first = await visitorWithConversation(server, s.account.inboxId);
    await run();
    assert.deepEqual(await tagNames(s, first.conversationId), ['After hours']);
    assert.equal(
      (await messagesOf(s, first.conversationId)).at(-1)?.body,
      'We are closed now; we answer tomorrow from 9:00.',
    );

    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    const always = { ...closed, hours: days.map((day) => ({ day, from: '00:00', to: '24:00' })) };
    const patched = await s.admin.request('PATCH', `${s.base}/inboxes/${s.account.inboxId}`, {
      settings: { businessHours: always },
    });
    assert.equal(patched.status, 200, patched.text);
    const second = await visitorWithConversation(server, s.account.inboxId);
    await run();
    assert.deepEqual(await tagNames(s, second.conversationId), ['Open']);

    const bad = await s.admin.request('PATCH', `${s.base}/inboxes/${s.account.inboxId}`, {
      settings: { businessHours: { ...closed, timezone: 'Mars/Olympus' } },
    });
    assert.equal(bad.status, 400);
    const backwards = await s.admin.request('PATCH', `${s.base}/inboxes/${s.account.inboxId}`, {
      settings: { businessHours: { ...closed, hours: [{ day: 'mon', from: '18:00', to: '09:00' }] } },
    });
    assert.equal(backwards.status, 400);
  });

  test('business hours follow the wall clock of the time zone', () => {
    const hours: BusinessHours = {
      enabled: true,
      timezone: 'Europe/Lisbon',
      hours: [{ day: 'mon', from: '09:00', to: '17:30' }],
    };
    // Monday 2030-01-07: Lisbon is UTC+0 in winter.
    assert.equal(withinBusinessHours(hours, new Date('2030-01-07T08:59:00Z')), false);
    assert.equal(withinBusinessHours(hours, new Date('2030-01-07T09:00:00Z')), true);
    assert.equal(withinBusinessHours(hours, new Date('2030-01-07T17:30:00Z')), false);
    // Monday 2030-07-01: UTC+1 in summer, so 08:30 UTC is 09:30 on the wall.
    assert.equal(withinBusinessHours(hours, new Date('2030-07-01T08:30:00Z')), true);
    assert.deepEqual(localTime(new Date('2030-07-01T23:30:00Z'), 'Europe/Moscow'), {
      day: 'tue',
      time: '02:30',
    });
    assert.equal(withinBusinessHours({ ...hours, enabled: false }, new Date('2030-01-06T03:00:00Z')), true);
  });

  test('status_changed: conditions on the new status, change_status, and no endless loops', async () => {
    const s = await setup();
    await s.rule({
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['solved'] }],
      actions: [{ type: 'send_message', body: 'Marked solved by the team', private: true }],
    });
    // Two rules that undo each other, and one that re-applies itself: each runs once per chain.
    await s.rule({
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['open'] }],
      actions: [{ type: 'change_status', status: 'pending' }],
    });
    await s.rule({
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['pending'] }],
      actions: [{ type: 'change_status', status: 'open' }],
    });
    await s.rule({
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['on_hold', 'pending', 'open'] }],
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    const { conversationId } = await visitorWithConversation(server, s.account.inboxId);
    const moved = await s.admin.post(`${s.base}/conversations/${conversationId}/status`, { status: 'open' });
    assert.equal(moved.status, 200, moved.text);
    for (let i = 0; i < 10; i++) await run();
    const left = await server.ctx.database.rows(
      sql`select kind from jobs where payload->>'conversationId' = ${conversationId}`,
    );
    assert.deepEqual(left, [], 'the chain ended by itself');
    assert.equal((await row(conversationId)).status, 'open');
    assert.equal((await row(conversationId)).priority, 'high');
    const statusEvents = await server.ctx.database.db
      .select({ payload: events.payload, actorKind: events.actorKind })
      .from(events)
      .where(and(eq(events.conversationId, conversationId), eq(events.type, 'conversation.status_changed')))
      .orderBy(events.id);
    assert.deepEqual(
      statusEvents.map((e) => [(e.payload as { to: string }).to, e.actorKind]),
      [
        ['open', 'agent'],
        ['pending', 'system'],
        ['open', 'system'],
      ],
    );

    await s.admin.post(`${s.base}/conversations/${conversationId}/status`, { status: 'solved' });
    await run();
    const notes = (await messagesOf(s, conversationId)).filter((m) => m.kind === 'note');
    assert.deepEqual(
      notes.map((m) => m.body),
      ['Marked solved by the team'],
    );
  });

  test('change_status and remove_tag actions; an impossible change is skipped', async () => {
    const s = await setup();
    const fresh = await s.tag('Fresh');
    await s.rule({
      event: 'conversation_created',
      actions: [
        { type: 'add_tag', tagId: fresh.id },
        { type: 'change_status', status: 'closed' },
        { type: 'change_status', status: 'pending' },
      ],
    });
    await s.rule({
      event: 'status_changed',
      conditions: [{ type: 'status', statuses: ['pending'] }],
      actions: [{ type: 'remove_tag', tagId: fresh.id }],
    });
    const { conversationId } = await visitorWithConversation(server, s.account.inboxId);
    for (let i = 0; i < 4; i++) await run();
    assert.equal((await row(conversationId)).status, 'pending');
    assert.deepEqual(await tagNames(s, conversationId), []);
  });
});
