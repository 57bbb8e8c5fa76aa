import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, Notification, ServerFrame } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
let counter = 0;
const msgId = () => `n-${Date.now()}-${counter++}`;

/** An account with an admin, two agents working its inbox and one agent who does not. */
async function team() {
  const account = await makeAccount(server);
  const a = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const b = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const outsider = await makeMember(server, account.accountId, 'agent', []);
  return {
    account,
    base: `/api/accounts/${account.accountId}`,
    admin: { ...account.admin, http: await loginAs(server, account.admin.email) },
    a: { ...a, http: await loginAs(server, a.email) },
    b: { ...b, http: await loginAs(server, b.email) },
    outsider: { ...outsider, http: await loginAs(server, outsider.email) },
  };
}

type Row = { user_id: string; type: string; conversation_id: string | null; message_seq: number | null };

async function rowsFor(conversationId: string): Promise<Row[]> {
  return server.ctx.database.rows<Row>(
    sql`select user_id, type, conversation_id, message_seq from notifications
        where conversation_id = ${conversationId} order by created_at, id`,
  );
}

/**
 * Whether the conversation's one notification was written by the transaction that wrote the message
 * matching `which` (messages are never updated, so their xmin is the writing transaction's).
 */
async function sameTransaction(conversationId: string, which: SQL): Promise<boolean> {
  const [row] = await server.ctx.database.rows<{ same: boolean }>(
    sql`select (select xmin::text from notifications where conversation_id = ${conversationId})
             = (select xmin::text from messages where conversation_id = ${conversationId} and ${which}) as same`,
  );
  return row?.same === true;
}

async function listOf(http: HttpClient, base: string, query = '') {
  const res = await http.get(`${base}/notifications${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body as { notifications: Notification[]; nextCursor: string | null; unreadCount: number };
}

describe('notifications are created with the change that causes them', () => {
  test('assignment: the assignee is told in the transaction of the assignment; assigning oneself is not news', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const res = await t.admin.http.post(`${t.base}/conversations/${conversationId}/assign`, {
      assigneeId: t.a.userId,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      (await rowsFor(conversationId)).map((r) => [r.user_id, r.type]),
      [[t.a.userId, 'assignment']],
    );
    // Written by the very transaction that wrote the assignment (and its activity item).
    assert.equal(await sameTransaction(conversationId, sql`attributes->>'type' = 'assigned'`), true);

    const list = await listOf(t.a.http, t.base);
    assert.equal(list.unreadCount, 1);
    const [first] = list.notifications;
    assert.equal(first?.type, 'assignment');
    assert.equal(first?.conversationId, conversationId);
    assert.equal(first?.actor?.id, t.account.admin.userId);
    assert.equal(first?.actor?.name, 'Admin');
    assert.equal(first?.contactName, 'Visitor');
    assert.equal(typeof first?.conversationNumber, 'number');

    // B takes it for themself: nobody is told.
    const self = await t.b.http.post(`${t.base}/conversations/${conversationId}/assign`, {
      assigneeId: 'me',
    });
    assert.equal(self.status, 200, self.text);
    assert.equal((await rowsFor(conversationId)).length, 1);
  });

  test('a refused assignment leaves no notification behind', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    await server.ctx.database.rows(
      sql`update account_members set capacity = 0 where user_id = ${t.a.userId}`,
    );
    const res = await t.admin.http.post(`${t.base}/conversations/${conversationId}/assign`, {
      assigneeId: t.a.userId,
    });
    assert.equal(res.status, 409, res.text);
    assert.equal((await rowsFor(conversationId)).length, 0);
  });

  test('transfer: the new agent gets a transfer notification with the note', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    await t.a.http.post(`${t.base}/conversations/${conversationId}/assign`, { assigneeId: 'me' });
    const res = await t.a.http.post(`${t.base}/conversations/${conversationId}/transfer`, {
      assigneeId: t.b.userId,
      note: 'Billing question, see the invoice',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      (await rowsFor(conversationId)).map((r) => [r.user_id, r.type]),
      [[t.b.userId, 'transfer']],
    );
    const [n] = (await listOf(t.b.http, t.base)).notifications;
    assert.equal(n?.payload.excerpt, 'Billing question, see the invoice');
    assert.equal(n?.actor?.id, t.a.userId);
  });

  test('new conversation: only inbox members who switched it on are told', async () => {
    const t = await team();
    const on = await t.a.http.request('PATCH', '/api/me/notification-preferences', {
      new_conversation: { inApp: true },
    });
    assert.equal(on.status, 200, on.text);
    assert.equal((on.body.new_conversation as { inApp: boolean }).inApp, true);
    // The outsider switches it on too, but does not work the inbox.
    await t.outsider.http.request('PATCH', '/api/me/notification-preferences', {
      new_conversation: { inApp: true },
    });
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const rows = await rowsFor(conversationId);
    assert.deepEqual(
      rows.map((r) => [r.user_id, r.type]),
      [[t.a.userId, 'new_conversation']],
    );
    const [n] = (await listOf(t.a.http, t.base)).notifications;
    assert.equal(n?.actor, null);
    assert.equal(n?.payload.inboxName, 'Website');
    // Written by the transaction that created the conversation with its first message.
    assert.equal(await sameTransaction(conversationId, sql`seq = 1`), true);
  });
});

describe('mentions', () => {
  test('a note mentioning colleagues stores them and tells each once, not the author', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const body = {
      clientMsgId: msgId(),
      body: `@${t.b.name} @Admin can you check the refund?`,
      mentions: [t.b.userId, t.account.admin.userId, t.a.userId, t.b.userId],
    };
    const res = await t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, body);
    assert.equal(res.status, 201, res.text);
    const note = res.body.message as Message;
    assert.equal(note.private, true);
    assert.equal(note.kind, 'note');
    assert.deepEqual(note.attributes.mentions, [t.b.userId, t.account.admin.userId, t.a.userId]);
    const rows = await rowsFor(conversationId);
    assert.deepEqual(
      rows.map((r) => [r.user_id, r.type, r.message_seq]).sort(),
      [
        [t.account.admin.userId, 'mention', note.seq],
        [t.b.userId, 'mention', note.seq],
      ].sort(),
    );
    // A retry stores nothing new and tells nobody again.
    const again = await t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, body);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.created, false);
    assert.equal((again.body.message as Message).id, note.id);
    assert.equal((await rowsFor(conversationId)).length, 2);
    const [n] = (await listOf(t.b.http, t.base)).notifications;
    assert.equal(n?.messageSeq, note.seq);
    assert.equal(n?.payload.excerpt, body.body);
  });

  test('only members of the account who may see the conversation can be mentioned', async () => {
    const t = await team();
    const other = await makeAccount(server);
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const post = (mentions: string[]) =>
      t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, {
        clientMsgId: msgId(),
        body: 'Look',
        mentions,
      });
    for (const refused of [t.outsider.userId, other.admin.userId, '00000000-0000-4000-8000-000000000000']) {
      const res = await post([t.b.userId, refused]);
      assert.equal(res.status, 422, res.text);
      assert.equal(code(res.body), 'member_not_allowed');
      assert.deepEqual((res.body.error as { details: { userIds: string[] } }).details.userIds, [refused]);
    }
    // Nothing was written by the refused notes.
    assert.equal((await rowsFor(conversationId)).length, 0);
    const messages = await t.a.http.get(`${t.base}/conversations/${conversationId}/messages`);
    assert.equal((messages.body.messages as Message[]).filter((m) => m.kind === 'note').length, 0);
    // A conversation the author cannot see is a plain 404, whoever is named.
    const stranger = await t.outsider.http.post(`${t.base}/conversations/${conversationId}/notes`, {
      clientMsgId: msgId(),
      body: 'Look',
      mentions: [t.b.userId],
    });
    assert.equal(stranger.status, 404);
    // Once assigned to the outsider, they see it and may be mentioned.
    await t.admin.http.post(`${t.base}/conversations/${conversationId}/assign`, {
      assigneeId: t.outsider.userId,
    });
    assert.equal((await post([t.outsider.userId])).status, 201);
    assert.equal((await post(Array.from({ length: 21 }, () => t.b.userId))).status, 400);
  });
});

describe('preferences', () => {
  test('defaults, partial changes, and channels respected when notifying', async () => {
    const t = await team();
    const initial = await t.b.http.get('/api/me/notification-preferences');
    assert.equal(initial.status, 200);
    assert.deepEqual(initial.body.mention, { inApp: true, browser: true, sound: true, email: false });
    assert.deepEqual(initial.body.new_conversation, {
      inApp: false,
      browser: false,
      sound: false,
      email: false,
    });
    const patch = (body: unknown) => t.b.http.request('PATCH', '/api/me/notification-preferences', body);
    assert.equal((await patch({})).status, 400);
    assert.equal((await patch({ mention: { pigeon: true } })).status, 400);
    assert.equal((await patch({ nonsense: {} })).status, 400);
    // Everything off for mentions: no row at all.
    const off = await patch({ mention: { inApp: false, browser: false, sound: false } });
    assert.equal(off.status, 200, off.text);
    assert.deepEqual(off.body.mention, { inApp: false, browser: false, sound: false, email: false });
    // Other types and other keys of users.preferences are untouched.
    assert.deepEqual(off.body.assignment, initial.body.assignment);
    await t.b.http.request('PATCH', '/api/me/preferences', { soundMuted: true });
    assert.equal((await t.b.http.get('/api/me/preferences')).body.soundMuted, true);
    assert.equal(
      ((await t.b.http.get('/api/me/notification-preferences')).body.mention as { inApp: boolean }).inApp,
      false,
    );

    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const mention = () =>
      t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, {
        clientMsgId: msgId(),
        body: 'ping',
        mentions: [t.b.userId],
      });
    assert.equal((await mention()).status, 201);
    assert.equal((await rowsFor(conversationId)).length, 0);
    // Sound only: a row for the live frame, born read, so the badge does not count it.
    await patch({ mention: { sound: true } });
    assert.equal((await mention()).status, 201);
    assert.equal((await rowsFor(conversationId)).length, 1);
    const list = await listOf(t.b.http, t.base);
    assert.equal(list.unreadCount, 0);
    assert.notEqual(list.notifications[0]?.readAt, null);
    // Tokens have no preferences or notifications.
    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, t.account.accountId, ['conversation_read', 'conversation_write']);
    assert.equal((await token.get(`${t.base}/notifications`)).status, 403);
    assert.equal((await token.get('/api/me/notification-preferences')).status, 401);
  });
});

describe('the notification centre', () => {
  test('lists newest first with a cursor, filters unread, counts, marks one and all read', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, {
        clientMsgId: msgId(),
        body: `note ${i}`,
        mentions: [t.b.userId],
      });
      seqs.push((res.body.message as Message).seq);
    }
    const first = await listOf(t.b.http, t.base, '?limit=2');
    assert.equal(first.unreadCount, 5);
    assert.deepEqual(
      first.notifications.map((n) => n.messageSeq),
      [seqs[4], seqs[3]],
    );
    assert.ok(first.nextCursor);
    const second = await listOf(t.b.http, t.base, `?limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(
      second.notifications.map((n) => n.messageSeq),
      [seqs[2], seqs[1]],
    );
    const third = await listOf(t.b.http, t.base, `?limit=2&cursor=${second.nextCursor}`);
    assert.deepEqual(
      third.notifications.map((n) => n.messageSeq),
      [seqs[0]],
    );
    assert.equal(third.nextCursor, null);
    assert.equal((await t.b.http.get(`${t.base}/notifications?cursor=nonsense`)).status, 400);

    const target = first.notifications[0] as Notification;
    // Someone else's notification is not found; one's own is marked read, idempotently.
    const foreign = await t.a.http.post(`${t.base}/notifications/${target.id}/read`);
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.body), 'notification_not_found');
    const read = await t.b.http.post(`${t.base}/notifications/${target.id}/read`);
    assert.equal(read.status, 200, read.text);
    assert.notEqual((read.body.notification as Notification).readAt, null);
    assert.equal((await t.b.http.post(`${t.base}/notifications/${target.id}/read`)).status, 200);
    const count = await t.b.http.get(`${t.base}/notifications/unread-count`);
    assert.deepEqual(count.body, { unreadCount: 4 });
    const unread = await listOf(t.b.http, t.base, '?unread=true');
    assert.equal(unread.notifications.length, 4);
    assert.ok(!unread.notifications.some((n) => n.id === target.id));

    const all = await t.b.http.post(`${t.base}/notifications/read-all`);
    assert.deepEqual(all.body, { marked: 4 });
    assert.deepEqual((await t.b.http.get(`${t.base}/notifications/unread-count`)).body, { unreadCount: 0 });
    // Another account's list is another list.
    const other = await makeAccount(server);
    assert.equal((await t.b.http.get(`/api/accounts/${other.accountId}/notifications`)).status, 404);
  });

  test('notifications of conversations one can no longer see drop out of the list', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    await t.admin.http.post(`${t.base}/conversations/${conversationId}/assign`, {
      assigneeId: t.outsider.userId,
    });
    assert.equal((await listOf(t.outsider.http, t.base)).unreadCount, 1);
    await t.admin.http.post(`${t.base}/conversations/${conversationId}/assign`, { assigneeId: 'me' });
    const list = await listOf(t.outsider.http, t.base);
    assert.equal(list.unreadCount, 0);
    assert.equal(list.notifications.length, 0);
  });
});

describe('live delivery', () => {
  test('a notification reaches the user’s sockets at once; nobody may follow another user’s', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const wsB = await RealtimeClient.connect(server.url, { cookie: t.b.http.cookie ?? '' });
    const wsA = await RealtimeClient.connect(server.url, { cookie: t.a.http.cookie ?? '' });
    await wsB.waitFor((f) => f.type === 'ready');
    await wsA.waitFor((f) => f.type === 'ready');
    wsB.send({ type: 'subscribe', ref: 's1', topic: { kind: 'notifications', userId: t.b.userId } });
    await wsB.waitFor((f) => f.type === 'subscribed' && f.ref === 's1');
    // A tries to follow B's notifications.
    wsA.send({ type: 'subscribe', ref: 's2', topic: { kind: 'notifications', userId: t.b.userId } });
    const refused = await wsA.waitFor((f) => f.type === 'error' && f.ref === 's2');
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');

    const res = await t.a.http.post(`${t.base}/conversations/${conversationId}/notes`, {
      clientMsgId: msgId(),
      body: `@${t.b.name} look`,
      mentions: [t.b.userId],
    });
    const note = res.body.message as Message;
    const frame = await wsB.waitFor<Extract<ServerFrame, { type: 'notification' }>>(
      (f) => f.type === 'notification',
    );
    assert.equal(frame.notification.type, 'mention');
    assert.equal(frame.notification.messageSeq, note.seq);
    assert.equal(frame.notification.actor?.id, t.a.userId);

    // Marking read elsewhere is announced to the user's sockets.
    await t.b.http.post(`${t.base}/notifications/read-all`);
    const read = await wsB.waitFor((f) => f.type === 'notifications_read');
    assert.deepEqual(read.type === 'notifications_read' && read.notificationIds, null);

    // Visitors and tokens cannot follow anyone's notifications either.
    const token = await makeToken(server, t.account.accountId, ['conversation_read']);
    const wsToken = await RealtimeClient.connect(server.url);
    await wsToken.auth(token);
    wsToken.send({ type: 'subscribe', ref: 's3', topic: { kind: 'notifications', userId: t.b.userId } });
    const tokenRefused = await wsToken.waitFor((f) => f.type === 'error' && f.ref === 's3');
    assert.equal(tokenRefused.type === 'error' && tokenRefused.code, 'forbidden');
    await Promise.all([wsA.close(), wsB.close(), wsToken.close()]);
    assert.equal(
      wsA.frames.filter((f) => f.type === 'notification').length,
      0,
      'A never hears of B’s notifications',
    );
  });

  test('a notification whose bus message was lost arrives by the reconcile, once', async () => {
    const t = await team();
    const { conversationId } = await visitorWithConversation(server, t.account.inboxId);
    const ws = await RealtimeClient.connect(server.url, { cookie: t.b.http.cookie ?? '' });
    await ws.waitFor((f) => f.type === 'ready');
    ws.send({ type: 'subscribe', ref: 's1', topic: { kind: 'notifications', userId: t.b.userId } });
    await ws.waitFor((f) => f.type === 'subscribed' && f.ref === 's1');
    // Written behind the bus's back, as if the node that committed it died before publishing.
    const [row] = await server.ctx.database.rows<{ id: string }>(
      sql`insert into notifications (id, account_id, user_id, type, conversation_id, actor_id)
          values (gen_random_uuid(), ${t.account.accountId}, ${t.b.userId}, 'assignment', ${conversationId},
                  ${t.a.userId}) returning id`,
    );
    const frame = await ws.waitFor((f) => f.type === 'notification', 10_000);
    assert.equal(frame.type === 'notification' && frame.notification.id, row?.id);
    await server.gateway.reconcile('reconcile', false);
    assert.equal(ws.frames.filter((f) => f.type === 'notification').length, 1);
    await ws.close();
  });
});
