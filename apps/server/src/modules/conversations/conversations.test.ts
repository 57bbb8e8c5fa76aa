import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Conversation, Message } from '@parley/shared';
import { and, eq, sql } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { conversations, messages } from '../../db/schema.ts';
import { createInbox } from '../inboxes/commands.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const codeOf = (res: { body: Record<string, unknown> }) =>
  (res.body.error as { code?: string } | undefined)?.code;
const base = (accountId: string) => `/api/accounts/${accountId}/conversations`;
const idsOf = (res: { body: Record<string, unknown> }) =>
  (res.body.conversations as Conversation[]).map((c) => c.id);
const messagesOf = (res: { body: Record<string, unknown> }) => res.body.messages as Message[];

async function tokenClient(accountId: string, scopes: string[]): Promise<HttpClient> {
  const client = new HttpClient(server.url);
  client.bearer = await makeToken(server, accountId, scopes);
  return client;
}

describe('visitor side', () => {
  test('starting a conversation is idempotent on its first clientMsgId, even concurrently', async () => {
    const account = await makeAccount(server);
    const visitor = await visitorOf(server, account.inboxId, { name: 'Ana' });
    const body = { message: { clientMsgId: 'first-message', body: 'Hi there' } };
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => visitor.post('/api/client/conversations', body)),
    );
    for (const a of answers) assert.equal(a.status, 201, a.text);
    const ids = new Set(answers.map((a) => (a.body.conversation as { id: string }).id));
    assert.equal(ids.size, 1);
    const again = await visitor.post('/api/client/conversations', body);
    assert.equal((again.body.conversation as { id: string }).id, [...ids][0]);
    const rows = await server.ctx.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.contactId, visitor.contactId));
    assert.equal(rows.length, 1);
    const conversationId = [...ids][0] as string;
    const stored = await server.ctx.database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    assert.equal(stored.length, 1);
    // A conversation without a first message is a new one each time.
    const empty1 = await visitor.post('/api/client/conversations', {});
    const empty2 = await visitor.post('/api/client/conversations', {});
    assert.notEqual(
      (empty1.body.conversation as { id: string }).id,
      (empty2.body.conversation as { id: string }).id,
    );
  });

  test('a visitor sends messages that get consecutive seqs', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    for (let i = 0; i < 3; i++) {
      const res = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `v-${i}`,
        body: `message ${i}`,
      });
      assert.equal(res.status, 201);
      assert.equal((res.body.message as Message).seq, i + 2);
      assert.equal((res.body.message as Message).senderKind, 'contact');
    }
    const list = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.deepEqual(
      messagesOf(list).map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.equal(list.body.lastSeq, 4);
  });
});

describe('agent side', () => {
  test('lists with status, assignee and inbox filters', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const second = await createInbox(server.ctx.database.db, account.accountId, {
      name: 'Second',
      channelType: 'web',
    });
    const a = await visitorWithConversation(server, account.inboxId);
    const b = await visitorWithConversation(server, account.inboxId);
    const c = await visitorWithConversation(server, second.id);
    const colleague = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const db = server.ctx.database.db;
    await db
      .update(conversations)
      .set({ assigneeId: account.admin.userId })
      .where(eq(conversations.id, a.conversationId));
    await db
      .update(conversations)
      .set({ assigneeId: colleague.userId })
      .where(eq(conversations.id, b.conversationId));
    const reply = await agent.post(`${base(account.accountId)}/${b.conversationId}/messages`, {
      clientMsgId: 'r1',
      body: 'On it',
    });
    assert.equal(reply.status, 201);

    const all = await agent.get(base(account.accountId));
    assert.equal(all.status, 200);
    assert.deepEqual(new Set(idsOf(all)), new Set([a.conversationId, b.conversationId, c.conversationId]));
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?status=open`)), [b.conversationId]);
    assert.deepEqual(
      new Set(idsOf(await agent.get(`${base(account.accountId)}?status=new`))),
      new Set([a.conversationId, c.conversationId]),
    );
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?assignee=me`)), [a.conversationId]);
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?assignee=none`)), [c.conversationId]);
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?assignee=${colleague.userId}`)), [
      b.conversationId,
    ]);
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?inboxId=${second.id}`)), [
      c.conversationId,
    ]);
    assert.deepEqual(
      idsOf(await agent.get(`${base(account.accountId)}?inboxId=${second.id}&status=open`)),
      [],
    );
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?inboxId=${randomUUID()}`)), []);
    // A token has no "me".
    const token = await tokenClient(account.accountId, ['conversation_read']);
    const me = await token.get(`${base(account.accountId)}?assignee=me`);
    assert.equal(me.status, 400);
  });

  test('cursor pagination stays stable while new conversations arrive', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const original: string[] = [];
    for (let i = 0; i < 7; i++)
      original.push((await visitorWithConversation(server, account.inboxId)).conversationId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await agent.get(`${base(account.accountId)}?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...idsOf(page));
      cursor = page.body.nextCursor as string | null;
      pages += 1;
      // Newcomers arrive between pages; they sort before the cursor and must not disturb it.
      await visitorWithConversation(server, account.inboxId);
    } while (cursor && pages < 10);
    assert.equal(new Set(seen).size, seen.length, 'no conversation twice');
    assert.deepEqual(seen, [...original].reverse(), 'newest activity first, none skipped');
    const garbage = await agent.get(`${base(account.accountId)}?cursor=not-a-cursor`);
    assert.equal(garbage.status, 400);
    assert.equal(codeOf(garbage), 'cursor_invalid');
  });

  test('conversations whose activity differs by microseconds are neither skipped nor repeated', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await visitorWithConversation(server, account.inboxId)).conversationId);
    // Same millisecond, different microseconds: more precise than a JavaScript Date.
    const stamps = ['.123456', '.123400', '.123999', '.123001', '.123000'];
    for (const [i, id] of ids.entries()) {
      await server.ctx.database.db
        .update(conversations)
        .set({ lastActivityAt: sql`${`2030-01-01 10:00:00${stamps[i]}+00`}::timestamptz` })
        .where(eq(conversations.id, id));
    }
    const expected = ids
      .map((id, i) => ({ id, stamp: stamps[i] as string }))
      .sort((x, y) => (x.stamp === y.stamp ? (x.id < y.id ? 1 : -1) : x.stamp < y.stamp ? 1 : -1))
      .map((x) => x.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await agent.get(`${base(account.accountId)}?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...idsOf(page));
      cursor = page.body.nextCursor as string | null;
      if (!cursor) break;
    }
    assert.deepEqual(seen, expected);
  });

  test('get one conversation; unknown ids answer 404', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'Where is my order?');
    const one = await agent.get(`${base(account.accountId)}/${conversationId}`);
    assert.equal(one.status, 200);
    const conversation = one.body.conversation as Conversation;
    assert.equal(conversation.id, conversationId);
    assert.equal(conversation.status, 'new');
    assert.equal(conversation.lastMessagePreview, 'Where is my order?');
    assert.equal(conversation.contactName, 'Visitor');
    const missing = await agent.get(`${base(account.accountId)}/${randomUUID()}`);
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'conversation_not_found');
  });

  test('messages are paged by seq with afterSeq and beforeSeq', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'm1');
    for (let i = 2; i <= 10; i++) {
      await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `m${i}`,
        body: `m${i}`,
      });
    }
    const url = `${base(account.accountId)}/${conversationId}/messages`;
    const seqs = async (query: string) => {
      const res = await agent.get(`${url}${query}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.lastSeq, 10);
      return messagesOf(res).map((m) => m.seq);
    };
    assert.deepEqual(await seqs(''), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(await seqs('?limit=3'), [8, 9, 10], 'no cursor: the newest page');
    assert.deepEqual(await seqs('?limit=3&beforeSeq=8'), [5, 6, 7]);
    assert.deepEqual(await seqs('?limit=4&afterSeq=0'), [1, 2, 3, 4]);
    assert.deepEqual(await seqs('?limit=4&afterSeq=4'), [5, 6, 7, 8]);
    assert.deepEqual(await seqs('?afterSeq=4&beforeSeq=7'), [5, 6]);
    assert.deepEqual(await seqs('?afterSeq=10'), []);
    assert.deepEqual(await seqs('?beforeSeq=1'), []);
  });

  test('a reply sets firstReplyAt and moves new → open; notes do neither and never reach the visitor', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const url = `${base(account.accountId)}/${conversationId}/messages`;
    const note = await agent.post(url, { clientMsgId: 'n1', body: 'internal: VIP customer', private: true });
    assert.equal(note.status, 201);
    assert.equal((note.body.message as Message).kind, 'note');
    let conversation = (await agent.get(`${base(account.accountId)}/${conversationId}`)).body
      .conversation as Conversation;
    assert.equal(conversation.status, 'new');
    assert.equal(conversation.firstReplyAt, null);
    assert.notEqual(conversation.lastMessagePreview, 'internal: VIP customer');

    const reply = await agent.post(url, { clientMsgId: 'r1', body: 'Hello! How can I help?' });
    assert.equal(reply.status, 201);
    conversation = (await agent.get(`${base(account.accountId)}/${conversationId}`)).body
      .conversation as Conversation;
    assert.equal(conversation.status, 'open');
    assert.ok(conversation.firstReplyAt);
    const firstReplyAt = conversation.firstReplyAt;
    await agent.post(url, { clientMsgId: 'r2', body: 'Still here' });
    conversation = (await agent.get(`${base(account.accountId)}/${conversationId}`)).body
      .conversation as Conversation;
    assert.equal(conversation.firstReplyAt, firstReplyAt, 'only the first reply counts');

    const agentView = messagesOf(await agent.get(url));
    assert.ok(agentView.some((m) => m.private && m.body === 'internal: VIP customer'));
    for (const query of ['', '?afterSeq=0', '?beforeSeq=99', '?afterSeq=1&beforeSeq=4', '?limit=1']) {
      const visitorView = await visitor.get(`/api/client/conversations/${conversationId}/messages${query}`);
      assert.equal(visitorView.status, 200);
      assert.ok(!visitorView.text.includes('VIP customer'), `note leaked with ${query}`);
      assert.ok(messagesOf(visitorView).every((m) => !m.private));
    }
    const visitorList = await visitor.get('/api/client/conversations');
    assert.ok(!visitorList.text.includes('VIP customer'));
  });

  test('status transitions: allowed ones apply, others answer 409, closed refuses new messages', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const statusUrl = `${base(account.accountId)}/${conversationId}/status`;
    const setStatus = (status: string) => agent.post(statusUrl, { status });
    const expectStatus = async (status: string, code: number, expected?: string) => {
      const res = await setStatus(status);
      assert.equal(res.status, code, `→ ${status}: ${res.text}`);
      if (code === 200) assert.equal((res.body.conversation as Conversation).status, expected ?? status);
      if (code === 409) assert.equal(codeOf(res), 'invalid_status_transition');
      return res;
    };
    await expectStatus('closed', 409);
    await expectStatus('open', 200);
    await expectStatus('open', 200);
    await expectStatus('new', 409);
    await expectStatus('pending', 200);
    await expectStatus('closed', 409);
    // A customer writing again reopens a pending conversation.
    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'back',
      body: 'Any news?',
    });
    const reopened = (await agent.get(`${base(account.accountId)}/${conversationId}`)).body
      .conversation as Conversation;
    assert.equal(reopened.status, 'open');
    await expectStatus('on_hold', 200);
    await expectStatus('solved', 200);
    await expectStatus('closed', 200);
    await expectStatus('open', 409);
    await expectStatus('solved', 409);

    const late = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'late',
      body: 'Hello again',
    });
    assert.equal(late.status, 409, late.text);
    assert.equal((late.body.error as { code: string }).code, 'conversation_closed');
    const agentLate = await agent.post(`${base(account.accountId)}/${conversationId}/messages`, {
      clientMsgId: 'late-agent',
      body: 'Too late',
    });
    assert.equal(agentLate.status, 409);
    const bad = await agent.post(statusUrl, { status: 'archived' });
    assert.equal(bad.status, 400);
    // The thread records each change as an activity item.
    const thread = messagesOf(await agent.get(`${base(account.accountId)}/${conversationId}/messages`));
    const activities = thread
      .filter((m) => m.kind === 'activity' && m.attributes.type === 'status_changed')
      .map((m) => [m.attributes.to, m.attributes.reason]);
    // The customer's message reopened the pending conversation: that is a change of its own.
    assert.deepEqual(activities, [
      ['open', 'agent'],
      ['pending', 'agent'],
      ['open', 'customer_reply'],
      ['on_hold', 'agent'],
      ['solved', 'agent'],
      ['closed', 'agent'],
    ]);
  });

  test('an agent-role member sees only conversations of inboxes they work', async () => {
    const account = await makeAccount(server);
    const other = await createInbox(server.ctx.database.db, account.accountId, {
      name: 'Other',
      channelType: 'web',
    });
    const mine = await visitorWithConversation(server, account.inboxId);
    const theirs = await visitorWithConversation(server, other.id);
    const member = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, member.email);
    const list = await agent.get(base(account.accountId));
    assert.deepEqual(idsOf(list), [mine.conversationId]);
    assert.deepEqual(idsOf(await agent.get(`${base(account.accountId)}?inboxId=${other.id}`)), []);
    const url = `${base(account.accountId)}/${theirs.conversationId}`;
    assert.equal((await agent.get(url)).status, 404);
    assert.equal((await agent.get(`${url}/messages`)).status, 404);
    assert.equal((await agent.post(`${url}/messages`, { clientMsgId: 'x', body: 'hi' })).status, 404);
    assert.equal((await agent.post(`${url}/status`, { status: 'open' })).status, 404);
    // Assigned to them, it becomes visible.
    await server.ctx.database.db
      .update(conversations)
      .set({ assigneeId: member.userId })
      .where(eq(conversations.id, theirs.conversationId));
    assert.equal((await agent.get(url)).status, 200);
    // A supervisor sees every inbox.
    const supervisor = await makeMember(server, account.accountId, 'supervisor', []);
    const sup = await loginAs(server, supervisor.email);
    assert.equal(idsOf(await sup.get(base(account.accountId))).length, 2);
  });

  test('API token scopes are enforced and the missing scope is named', async () => {
    const account = await makeAccount(server);
    const { conversationId } = await visitorWithConversation(server, account.inboxId);
    const url = `${base(account.accountId)}/${conversationId}`;
    const readOnly = await tokenClient(account.accountId, ['conversation_read']);
    assert.equal((await readOnly.get(base(account.accountId))).status, 200);
    assert.equal((await readOnly.get(`${url}/messages`)).status, 200);
    for (const [path, body] of [
      [`${url}/messages`, { clientMsgId: 't1', body: 'from a bot' }],
      [`${url}/status`, { status: 'open' }],
    ] as const) {
      const res = await readOnly.post(path, body);
      assert.equal(res.status, 403, res.text);
      assert.equal(codeOf(res), 'insufficient_scope');
      assert.match((res.body.error as { message: string }).message, /conversation_write/);
      assert.deepEqual((res.body.error as { details: unknown }).details, {
        requiredScope: 'conversation_write',
      });
    }
    const writeOnly = await tokenClient(account.accountId, ['conversation_write']);
    const list = await writeOnly.get(base(account.accountId));
    assert.equal(list.status, 403);
    assert.match((list.body.error as { message: string }).message, /conversation_read/);
    const inboxOnly = await tokenClient(account.accountId, ['inbox_read']);
    assert.equal((await inboxOnly.get(url)).status, 403);
    const created = await inboxOnly.post(`/api/accounts/${account.accountId}/inboxes`, { name: 'By token' });
    assert.equal(created.status, 403);
    assert.equal(codeOf(created), 'insufficient_scope');

    const bot = await writeOnly.post(`${url}/messages`, { clientMsgId: 't2', body: 'from a bot' });
    assert.equal(bot.status, 201, bot.text);
    assert.equal((bot.body.message as Message).senderKind, 'bot');
    const after = (await readOnly.get(url)).body.conversation as Conversation;
    assert.equal(after.status, 'open');
    assert.ok(after.firstReplyAt);
  });
});

describe('idempotent writes', () => {
  test('the same clientMsgId posted 5 times at once stores one message and answers the same id', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const agentUrl = `${base(account.accountId)}/${conversationId}/messages`;
    const visitorUrl = `/api/client/conversations/${conversationId}/messages`;
    for (const [client, url] of [
      [agent, agentUrl],
      [visitor, visitorUrl],
    ] as const) {
      const body = { clientMsgId: 'same-id', body: 'exactly once' };
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => client.post(url, body)));
      for (const a of answers) assert.equal(a.status, 201, a.text);
      const ids = new Set(answers.map((a) => (a.body.message as Message).id));
      assert.equal(ids.size, 1, 'every answer carries the same message id');
      assert.equal(answers.filter((a) => a.body.created === true).length, 1);
      const retry = await client.post(url, body);
      assert.equal((retry.body.message as Message).id, [...ids][0]);
      assert.equal(retry.body.created, false);
      const conflict = await client.post(url, { clientMsgId: 'same-id', body: 'something else' });
      assert.equal(conflict.status, 409);
      assert.equal(codeOf(conflict), 'idempotency_conflict');
    }
    const rows = await server.ctx.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.clientMsgId, 'same-id')));
    assert.equal(rows.length, 2, 'one for the agent, one for the visitor');
    const thread = messagesOf(await agent.get(agentUrl)).map((m) => m.seq);
    assert.deepEqual(thread, [1, 2, 3], 'seqs stay gapless');
  });

  test('a note and a reply cannot share a clientMsgId', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const { conversationId } = await visitorWithConversation(server, account.inboxId);
    const url = `${base(account.accountId)}/${conversationId}/messages`;
    assert.equal(
      (await agent.post(url, { clientMsgId: 'shared', body: 'same text', private: true })).status,
      201,
    );
    const reply = await agent.post(url, { clientMsgId: 'shared', body: 'same text' });
    assert.equal(reply.status, 409);
    assert.equal(codeOf(reply), 'idempotency_conflict');
  });
});
