import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, Notification, Review } from '@parley/shared';
import { sql } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
let counter = 0;
const msgId = () => `r-${Date.now()}-${counter++}`;

async function setting() {
  const account = await makeAccount(server);
  const a = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const b = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const c = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const outsider = await makeMember(server, account.accountId, 'agent', []);
  const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
  const base = `/api/accounts/${account.accountId}`;
  return {
    account,
    base,
    conversationId,
    visitor,
    a: { ...a, http: await loginAs(server, a.email) },
    b: { ...b, http: await loginAs(server, b.email) },
    c: { ...c, http: await loginAs(server, c.email) },
    outsider: { ...outsider, http: await loginAs(server, outsider.email) },
    admin: await loginAs(server, account.admin.email),
  };
}

async function notificationsOf(http: HttpClient, base: string): Promise<Notification[]> {
  return ((await http.get(`${base}/notifications`)).body.notifications as Notification[]) ?? [];
}

describe('review requests', () => {
  test('A asks B; only B decides; approving sends the draft once as A’s public reply and tells A', async () => {
    const s = await setting();
    const request = {
      clientMsgId: msgId(),
      reviewerId: s.b.userId,
      draft: 'We have refunded your order; it shows within 5 days.',
    };
    const res = await s.a.http.post(`${s.base}/conversations/${s.conversationId}/reviews`, request);
    assert.equal(res.status, 201, res.text);
    const review = res.body.review as Review;
    assert.equal(review.status, 'pending');
    assert.equal(review.requester.id, s.a.userId);
    assert.equal(review.reviewer.id, s.b.userId);
    // A retry is the same review.
    const again = await s.a.http.post(`${s.base}/conversations/${s.conversationId}/reviews`, request);
    assert.equal(again.status, 201);
    assert.equal(again.body.created, false);
    assert.equal((again.body.review as Review).id, review.id);

    // The request is a private note carrying the draft; the customer sees none of it.
    const thread = (await s.a.http.get(`${s.base}/conversations/${s.conversationId}/messages`)).body
      .messages as Message[];
    const note = thread.find((m) => m.seq === review.noteSeq);
    assert.equal(note?.private, true);
    assert.equal(note?.body, request.draft);
    assert.equal(note?.attributes.type, 'review_request');
    assert.equal(note?.attributes.reviewId, review.id);
    const seenByVisitor = (await s.visitor.get(`/api/client/conversations/${s.conversationId}/messages`)).body
      .messages as Message[];
    assert.ok(!seenByVisitor.some((m) => m.body === request.draft));

    const [toB] = await notificationsOf(s.b.http, s.base);
    assert.equal(toB?.type, 'review_request');
    assert.equal(toB?.messageSeq, review.noteSeq);
    assert.equal(toB?.payload.reviewId, review.id);
    assert.equal(toB?.actor?.id, s.a.userId);

    // Nobody but B decides: not A, not C, not an admin; an outsider does not even find it.
    for (const who of [s.a.http, s.c.http, s.admin]) {
      const refused = await who.post(`${s.base}/reviews/${review.id}/approve`);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(
        (await who.post(`${s.base}/reviews/${review.id}/comment`, { clientMsgId: msgId(), comment: 'x' }))
          .status,
        403,
      );
    }
    const hidden = await s.outsider.http.post(`${s.base}/reviews/${review.id}/approve`);
    assert.equal(hidden.status, 404);
    assert.equal(code(hidden.body), 'review_not_found');
    const other = await makeAccount(server);
    const otherAdmin = await loginAs(server, other.admin.email);
    assert.equal(
      (await otherAdmin.post(`/api/accounts/${other.accountId}/reviews/${review.id}/approve`)).status,
      404,
    );

    // Two approvals at once: one sends, the other is a conflict.
    const [first, second] = await Promise.all([
      s.b.http.post(`${s.base}/reviews/${review.id}/approve`),
      s.b.http.post(`${s.base}/reviews/${review.id}/approve`),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [200, 409], `${first.text} ${second.text}`);
    const won = first.status === 200 ? first : second;
    const lost = first.status === 200 ? second : first;
    assert.equal(code(lost.body), 'review_decided');
    const reply = won.body.reply as Message;
    const approved = won.body.review as Review;
    assert.equal(approved.status, 'approved');
    assert.equal(approved.replySeq, reply.seq);
    assert.equal(reply.private, false);
    assert.equal(reply.kind, 'text');
    assert.equal(reply.senderKind, 'agent');
    assert.equal(reply.senderId, s.a.userId);
    assert.equal(reply.senderName, s.a.name);
    assert.equal(reply.body, request.draft);

    // The customer got it exactly once.
    const customer = (await s.visitor.get(`/api/client/conversations/${s.conversationId}/messages`)).body
      .messages as Message[];
    assert.equal(customer.filter((m) => m.body === request.draft).length, 1);
    // Deciding again, either way, is a conflict.
    assert.equal((await s.b.http.post(`${s.base}/reviews/${review.id}/approve`)).status, 409);
    const comment = await s.b.http.post(`${s.base}/reviews/${review.id}/comment`, {
      clientMsgId: msgId(),
      comment: 'too late',
    });
    assert.equal(comment.status, 409);
    assert.equal(code(comment.body), 'review_decided');

    const [toA] = await notificationsOf(s.a.http, s.base);
    assert.equal(toA?.type, 'review_result');
    assert.equal(toA?.payload.decision, 'approved');
    assert.equal(toA?.messageSeq, reply.seq);
    assert.equal(toA?.actor?.id, s.b.userId);
    const [rows] = await server.ctx.database.rows<{ n: number }>(
      sql`select count(*)::int as n from notifications where conversation_id = ${s.conversationId}`,
    );
    assert.equal(rows?.n, 2);

    const list = await s.c.http.get(`${s.base}/conversations/${s.conversationId}/reviews`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.body.reviews as Review[]).map((r) => [r.id, r.status, r.replySeq]),
      [[review.id, 'approved', reply.seq]],
    );
  });

  test('commenting leaves a note for the requester and the draft unsent', async () => {
    const s = await setting();
    const res = await s.a.http.post(`${s.base}/conversations/${s.conversationId}/reviews`, {
      clientMsgId: msgId(),
      reviewerId: s.b.userId,
      draft: 'Sorry, nothing we can do.',
    });
    const review = res.body.review as Review;
    const commented = await s.b.http.post(`${s.base}/reviews/${review.id}/comment`, {
      clientMsgId: msgId(),
      comment: 'Offer the voucher first',
    });
    assert.equal(commented.status, 200, commented.text);
    const note = commented.body.note as Message;
    assert.equal(note.private, true);
    assert.equal(note.senderId, s.b.userId);
    assert.equal(note.attributes.type, 'review_comment');
    assert.equal((commented.body.review as Review).status, 'commented');
    assert.equal((commented.body.review as Review).comment, 'Offer the voucher first');
    const [toA] = await notificationsOf(s.a.http, s.base);
    assert.equal(toA?.type, 'review_result');
    assert.equal(toA?.payload.decision, 'commented');
    assert.equal(toA?.messageSeq, note.seq);
    assert.equal((await s.b.http.post(`${s.base}/reviews/${review.id}/approve`)).status, 409);
    const customer = (await s.visitor.get(`/api/client/conversations/${s.conversationId}/messages`)).body
      .messages as Message[];
    assert.ok(!customer.some((m) => m.body === 'Sorry, nothing we can do.'));
  });

  test('reviewers must be colleagues who see the conversation; tokens take no part', async () => {
    const s = await setting();
    const other = await makeAccount(server);
    const ask = (reviewerId: string, http = s.a.http) =>
      http.post(`${s.base}/conversations/${s.conversationId}/reviews`, {
        clientMsgId: msgId(),
        reviewerId,
        draft: 'Hello',
      });
    for (const refused of [s.outsider.userId, other.admin.userId]) {
      const res = await ask(refused);
      assert.equal(res.status, 422, res.text);
      assert.equal(code(res.body), 'member_not_allowed');
    }
    assert.equal((await ask(s.a.userId)).status, 400);
    assert.equal((await ask(s.b.userId, s.outsider.http)).status, 404);
    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, s.account.accountId, ['conversation_read', 'conversation_write']);
    assert.equal((await ask(s.b.userId, token)).status, 403);
    const [count] = await server.ctx.database.rows<{ n: number }>(
      sql`select count(*)::int as n from reply_reviews where conversation_id = ${s.conversationId}`,
    );
    assert.equal(count?.n, 0);
  });

  test('approving on a closed conversation sends nothing and leaves the review pending', async () => {
    const s = await setting();
    const res = await s.a.http.post(`${s.base}/conversations/${s.conversationId}/reviews`, {
      clientMsgId: msgId(),
      reviewerId: s.b.userId,
      draft: 'Closing words',
    });
    const review = res.body.review as Review;
    await server.ctx.database.rows(
      sql`update conversations set status = 'closed' where id = ${s.conversationId}`,
    );
    const approve = await s.b.http.post(`${s.base}/reviews/${review.id}/approve`);
    assert.equal(approve.status, 409);
    assert.equal(code(approve.body), 'conversation_closed');
    const list = await s.b.http.get(`${s.base}/conversations/${s.conversationId}/reviews`);
    assert.equal((list.body.reviews as Review[])[0]?.status, 'pending');
    assert.equal((await notificationsOf(s.a.http, s.base)).length, 0);
  });
});
