import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerFrame } from '@parley/shared';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorWithConversation,
} from '../../test/factories.ts';
import { startTestServer, type TestServer } from '../../test/harness.ts';
import { RealtimeClient } from '../../test/realtime-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const seqs = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'message' ? [f.message.seq] : []));

describe('conversation streams', () => {
  test('a subscriber gets everything after its cursor, then live messages, with no gap and no duplicate', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    for (let i = 0; i < 4; i++) {
      await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `m${i}`,
        body: `hello ${i}`,
      });
    }
    const agent = await loginAs(server, account.admin.email);
    const ws = await RealtimeClient.connect(server.url, {
      cookie: agent.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    await ws.waitFor((f) => f.type === 'ready');
    const subscribed = await ws.subscribeConversation(conversationId, 2);
    assert.equal(subscribed.type, 'subscribed');
    assert.equal(subscribed.type === 'subscribed' && subscribed.lastSeq, 5);
    await ws.waitFor((f) => f.type === 'message' && f.message.seq === 5);
    for (let i = 4; i < 8; i++) {
      await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
        clientMsgId: `m${i}`,
        body: `hello ${i}`,
      });
    }
    await ws.waitFor((f) => f.type === 'message' && f.message.seq === 9);
    assert.deepEqual(seqs(ws.messagesOf(conversationId)), [3, 4, 5, 6, 7, 8, 9]);
    const prevs = ws.messagesOf(conversationId).map((f) => f.prevSeq);
    assert.deepEqual(prevs, [2, 3, 4, 5, 6, 7, 8]);
    await ws.close();
  });

  test('visitors never receive private notes, on the stream or over REST', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');
    await ws.subscribeConversation(conversationId, 0);
    const agent = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`;
    assert.equal(
      (await agent.post(base, { clientMsgId: 'n1', body: 'secret note', private: true })).status,
      201,
    );
    assert.equal((await agent.post(base, { clientMsgId: 'r1', body: 'public reply' })).status, 201);
    await ws.waitFor((f) => f.type === 'message' && f.message.body === 'public reply');
    const bodies = ws.messagesOf(conversationId).map((f) => f.message.body);
    assert.ok(!bodies.includes('secret note'));
    const reply = ws.messagesOf(conversationId).find((f) => f.message.body === 'public reply');
    assert.equal(reply?.prevSeq, 1, 'prevSeq skips the private item the visitor cannot see');
    const rest = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.ok(!JSON.stringify(rest.body).includes('secret note'));
    // A resubscribe from before the note still skips it.
    const again = await RealtimeClient.connect(server.url);
    await again.auth(visitor.bearer ?? '');
    await again.subscribeConversation(conversationId, 0);
    await again.waitFor((f) => f.type === 'message' && f.message.body === 'public reply');
    assert.ok(!again.messagesOf(conversationId).some((f) => f.message.private));
    await Promise.all([ws.close(), again.close()]);
  });

  test('a cursor ahead of the conversation gets resync_required', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');
    const answer = await ws.subscribeConversation(conversationId, 50);
    assert.equal(answer.type, 'resync_required');
    assert.equal(answer.type === 'resync_required' && answer.reason, 'cursor_ahead');
    await ws.close();
  });

  test('sends over the socket are idempotent on clientMsgId', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');
    const refs = ['a', 'b', 'c', 'd', 'e'];
    for (const ref of refs)
      ws.send({ type: 'send', ref, conversationId, clientMsgId: 'same-id', body: 'only once' });
    const acks = await Promise.all(refs.map((ref) => ws.waitFor((f) => f.type === 'ack' && f.ref === ref)));
    const ids = new Set(acks.map((a) => (a.type === 'ack' ? a.message.id : '')));
    assert.equal(ids.size, 1);
    assert.equal(acks.filter((a) => a.type === 'ack' && a.created).length, 1);
    const rest = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    const bodies = (rest.body.messages as Array<{ body: string }>).map((m) => m.body);
    assert.equal(bodies.filter((b) => b === 'only once').length, 1);
    ws.send({ type: 'send', ref: 'x', conversationId, clientMsgId: 'same-id', body: 'different' });
    const conflict = await ws.waitFor((f) => f.type === 'error' && f.ref === 'x');
    assert.equal(conflict.type === 'error' && conflict.code, 'idempotency_conflict');
    await ws.close();
  });

  test('typing reaches the other side but not the typist', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const agent = await loginAs(server, account.admin.email);
    const agentWs = await RealtimeClient.connect(server.url, { cookie: agent.cookie ?? '' });
    await agentWs.waitFor((f) => f.type === 'ready');
    await agentWs.subscribeConversation(conversationId, 1);
    const visitorWs = await RealtimeClient.connect(server.url);
    await visitorWs.auth(visitor.bearer ?? '');
    await visitorWs.subscribeConversation(conversationId, 1);
    visitorWs.send({ type: 'typing', conversationId, typing: true });
    const typing = await agentWs.waitFor((f) => f.type === 'typing');
    assert.equal(typing.type === 'typing' && typing.actor.kind, 'contact');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!visitorWs.frames.some((f) => f.type === 'typing'));
    await Promise.all([agentWs.close(), visitorWs.close()]);
  });
});

describe('authorization on the socket', () => {
  test('a visitor cannot subscribe to or write in another visitor’s conversation', async () => {
    const account = await makeAccount(server);
    const a = await visitorWithConversation(server, account.inboxId);
    const b = await visitorWithConversation(server, account.inboxId);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(a.visitor.bearer ?? '');
    const answer = await ws.subscribeConversation(b.conversationId);
    assert.equal(answer.type === 'error' && answer.code, 'conversation_not_found');
    ws.send({
      type: 'send',
      ref: 's',
      conversationId: b.conversationId,
      clientMsgId: 'x',
      body: 'intrusion',
    });
    const denied = await ws.waitFor((f) => f.type === 'error' && f.ref === 's');
    assert.equal(denied.type === 'error' && denied.code, 'conversation_not_found');
    await ws.close();
  });

  test('an agent of another account cannot subscribe, and an agent only sees inboxes they work', async () => {
    const one = await makeAccount(server);
    const two = await makeAccount(server);
    const { conversationId } = await visitorWithConversation(server, one.inboxId);
    const outsider = await loginAs(server, two.admin.email);
    const ws = await RealtimeClient.connect(server.url, { cookie: outsider.cookie ?? '' });
    await ws.waitFor((f) => f.type === 'ready');
    const answer = await ws.subscribeConversation(conversationId);
    assert.equal(answer.type === 'error' && answer.code, 'conversation_not_found');
    const stranger = await makeMember(server, one.accountId, 'agent', []);
    const strangerHttp = await loginAs(server, stranger.email);
    const ws2 = await RealtimeClient.connect(server.url, { cookie: strangerHttp.cookie ?? '' });
    await ws2.waitFor((f) => f.type === 'ready');
    const answer2 = await ws2.subscribeConversation(conversationId);
    assert.equal(answer2.type === 'error' && answer2.code, 'conversation_not_found');
    await Promise.all([ws.close(), ws2.close()]);
  });

  test('a cookie socket from a foreign origin is refused at the handshake', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    await assert.rejects(
      RealtimeClient.connect(server.url, { cookie: agent.cookie ?? '', origin: 'https://evil.example' }),
      /403/,
    );
  });

  test('unauthenticated frames, bad JSON and oversized frames are answered without crashing', async () => {
    const ws = await RealtimeClient.connect(server.url);
    ws.sendRaw('{not json');
    await ws.waitFor((f) => f.type === 'error' && f.code === 'invalid_json');
    ws.send({
      type: 'subscribe',
      ref: 'q',
      topic: { kind: 'conversation', conversationId: crypto.randomUUID() },
    });
    await ws.waitFor((f) => f.type === 'error' && f.code === 'unauthenticated');
    ws.send({ type: 'nope' });
    await ws.waitFor((f) => f.type === 'error' && f.code === 'validation_failed');
    ws.send({ type: 'auth', token: 'vt1.forged.token' });
    await ws.waitFor((f) => f.type === 'error' && f.code === 'unauthenticated');
    ws.sendRaw('x'.repeat(70 * 1024));
    const deadline = Date.now() + 3000;
    while (!ws.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ws.closed?.code, 1009);
  });
});

describe('account feed', () => {
  test('resuming with a cursor returns exactly the conversations changed since', async () => {
    const account = await makeAccount(server);
    const token = await makeToken(server, account.accountId, ['conversation_read']);
    const first = await visitorWithConversation(server, account.inboxId);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(token);
    ws.send({ type: 'subscribe', ref: 'f', topic: { kind: 'account', accountId: account.accountId } });
    const subscribed = await ws.waitFor((f) => f.type === 'subscribed' && f.ref === 'f');
    const cursor = subscribed.type === 'subscribed' ? subscribed.cursor : undefined;
    assert.ok(cursor);
    await ws.close();
    const second = await visitorWithConversation(server, account.inboxId);
    const again = await RealtimeClient.connect(server.url);
    await again.auth(token);
    again.send({
      type: 'subscribe',
      ref: 'g',
      topic: { kind: 'account', accountId: account.accountId },
      cursor,
    });
    await again.waitFor((f) => f.type === 'subscribed' && f.ref === 'g');
    const changed = again.frames.flatMap((f) => (f.type === 'conversation' ? [f.conversation.id] : []));
    assert.deepEqual(changed, [second.conversationId]);
    assert.ok(!changed.includes(first.conversationId));
    again.send({
      type: 'subscribe',
      ref: 'h',
      topic: { kind: 'account', accountId: account.accountId },
      cursor: 'garbage',
    });
    const resync = await again.waitFor((f) => f.type === 'resync_required');
    assert.equal(resync.type === 'resync_required' && resync.reason, 'cursor_invalid');
    await again.close();
  });

  test('live conversation updates reach followers of the account', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const ws = await RealtimeClient.connect(server.url, { cookie: agent.cookie ?? '' });
    await ws.waitFor((f) => f.type === 'ready');
    ws.send({ type: 'subscribe', ref: 'f', topic: { kind: 'account', accountId: account.accountId } });
    await ws.waitFor((f) => f.type === 'subscribed');
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'Where is my parcel?');
    const update = await ws.waitFor((f) => f.type === 'conversation' && f.conversation.id === conversationId);
    assert.equal(
      update.type === 'conversation' && update.conversation.lastMessagePreview,
      'Where is my parcel?',
    );
    await ws.close();
  });
});

describe('read receipts', () => {
  test('an agent reading is announced to the visitor and kept for the next visit', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const visitorWs = await RealtimeClient.connect(server.url);
    await visitorWs.auth(visitor.bearer ?? '');
    await visitorWs.subscribeConversation(conversationId, 1);
    const agent = await loginAs(server, account.admin.email);
    const agentWs = await RealtimeClient.connect(server.url, { cookie: agent.cookie ?? '' });
    await agentWs.waitFor((f) => f.type === 'ready');
    await agentWs.subscribeConversation(conversationId, 0);
    agentWs.send({ type: 'read', conversationId, seq: 99 });
    const read = await visitorWs.waitFor((f) => f.type === 'read');
    assert.equal(read.type === 'read' && read.reader.kind, 'agent');
    assert.equal(read.type === 'read' && read.seq, 1, 'a read position never passes the last message');
    const list = await visitor.get('/api/client/conversations');
    const [conversation] = list.body.conversations as Array<{
      agentLastReadSeq: number;
      lastReadSeq: number;
    }>;
    assert.equal(conversation?.agentLastReadSeq, 1);
    assert.equal(conversation?.lastReadSeq, 1, 'the visitor has read their own first message');
    const mine = await agent.get(`/api/accounts/${account.accountId}/conversations/${conversationId}`);
    assert.equal((mine.body.conversation as { myLastReadSeq: number }).myLastReadSeq, 1);
    const back = await agent.post(`/api/accounts/${account.accountId}/conversations/${conversationId}/read`, {
      seq: 0,
    });
    assert.equal(back.body.lastReadSeq, 1, 'read positions never move back');
    await Promise.all([visitorWs.close(), agentWs.close()]);
  });

  test('the page a visitor is on is kept on the contact', async () => {
    const account = await makeAccount(server);
    const { visitor } = await visitorWithConversation(server, account.inboxId);
    const res = await visitor.post('/api/client/context', {
      url: 'https://shop.example/cart',
      title: 'Cart',
    });
    assert.equal(res.status, 204);
    const bad = await visitor.post('/api/client/context', { url: 'javascript:alert(1)' });
    assert.equal(bad.status, 400);
    const [contact] = await server.ctx.database.db.query.contacts.findMany({
      where: (t, { eq }) => eq(t.id, visitor.contactId),
    });
    assert.ok(contact);
    const info = (contact.attributes as { visitor?: { currentPage?: { url: string } } }).visitor;
    assert.equal(info?.currentPage?.url, 'https://shop.example/cart');
  });
});

describe('frame rate limit', () => {
  test('a burst past the budget is answered with rate_limited, and a flood closes the socket with 4429', async () => {
    const limited = await startTestServer();
    try {
      const ws = await RealtimeClient.connect(limited.url);
      for (let i = 0; i < 120; i++) ws.send({ type: 'ping', ref: `p${i}` });
      await ws.waitFor((f) => f.type === 'error' && f.code === 'rate_limited');
      for (let i = 0; i < 200; i++) ws.send({ type: 'ping' });
      const deadline = Date.now() + 3000;
      while (!ws.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(ws.closed?.code, 4429);
    } finally {
      await limited.close();
    }
  });

  test('with RATE_LIMITS=off (load tests) the same burst is answered in full', async () => {
    const ws = await RealtimeClient.connect(server.url);
    for (let i = 0; i < 120; i++) ws.send({ type: 'ping', ref: `p${i}` });
    await ws.waitFor((f) => f.type === 'pong' && f.ref === 'p119');
    assert.equal(ws.frames.filter((f) => f.type === 'pong').length, 120);
    assert.ok(!ws.frames.some((f) => f.type === 'error'));
  });
});
