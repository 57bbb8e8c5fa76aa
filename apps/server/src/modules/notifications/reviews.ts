import type { CommentReviewBody, Message, RequestReviewBody, Review } from '@parley/shared';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { type RawExecutor, rawExecutorOf } from '../../db/connect.ts';
import { AppError, conflict, forbidden, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type AppendMessageInput, appendMessage, authorOf } from '../messages/commands.ts';
import { appendOnce, assertConversationVisible, membersWhoSee, originalOf } from './notes.ts';
import { notificationExcerpt, notify } from './notify.ts';
import { presentReview, REVIEW_COLUMNS, REVIEW_JOINS, type ReviewSqlRow } from './presenter.ts';

/*
 * Review requests: an agent asks a colleague to look at a draft reply before the customer sees it. The
 * request is a private note carrying the draft; the named reviewer approves (the draft goes out as the
 * requester's reply) or comments (a note back). Either is a decision, taken once.
 */

type Agent = Extract<AccountActor, { kind: 'agent' }>;

function asAgent(actor: AccountActor): Agent {
  if (actor.kind !== 'agent') throw forbidden('Reviews are between people; API tokens take no part');
  return actor;
}

async function reviewById(
  exec: RawExecutor,
  reviewId: string,
  lock: boolean,
): Promise<ReviewSqlRow | undefined> {
  const [row] = await exec.query<ReviewSqlRow & { account_id: string }>(
    `select ${REVIEW_COLUMNS}, r.account_id from reply_reviews r ${REVIEW_JOINS}
     where r.id = $1::uuid ${lock ? 'for update of r' : ''}`,
    [reviewId],
  );
  return row;
}

export async function listReviews(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
): Promise<Review[]> {
  const exec = rawExecutorOf(ctx.database.db);
  await assertConversationVisible(exec, actor, conversationId);
  const rows = await exec.query<ReviewSqlRow>(
    `select ${REVIEW_COLUMNS} from reply_reviews r ${REVIEW_JOINS}
     where r.conversation_id = $1::uuid order by r.created_at, r.id`,
    [conversationId],
  );
  return rows.map(presentReview);
}

/** Writes the request note, the review and the reviewer's notification in one transaction. */
export async function requestReview(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  body: RequestReviewBody,
): Promise<{ review: Review; created: boolean }> {
  type Result = { review: Review; created: boolean };
  const agent = asAgent(actor);
  if (body.reviewerId === agent.userId)
    throw new AppError('validation_failed', 400, 'Ask a colleague; you cannot review your own draft');
  const reviewId = newId();
  const input: AppendMessageInput = {
    actor,
    conversationId,
    author: authorOf(actor),
    kind: 'note',
    body: body.draft,
    private: true,
    clientMsgId: body.clientMsgId,
    attributes: { type: 'review_request', reviewId, reviewerId: body.reviewerId },
  };
  return appendOnce<Result>(
    ctx,
    async (exec, pending) => {
      const { accountId } = await assertConversationVisible(exec, actor, conversationId);
      const [reviewer] = await membersWhoSee(exec, accountId, conversationId, [body.reviewerId]);
      if (!reviewer) throw notFound('user_not_found', 'Member');
      const note = await appendMessage(exec, pending, {
        ...input,
        attributes: { ...input.attributes, reviewerName: reviewer.name },
      });
      await exec.query(
        `insert into reply_reviews (id, account_id, conversation_id, note_seq, requester_id, reviewer_id, draft)
         values ($1::uuid, $2::uuid, $3::uuid, $4::integer, $5::uuid, $6::uuid, $7::text)`,
        [reviewId, accountId, conversationId, note.seq, agent.userId, reviewer.id, body.draft],
      );
      await notify(exec, pending, {
        type: 'review_request',
        accountId,
        conversationId,
        messageSeq: note.seq,
        actorId: agent.userId,
        payload: { reviewId, excerpt: notificationExcerpt(body.draft) },
        to: { userIds: [reviewer.id] },
      });
      const row = await reviewById(exec, reviewId, false);
      if (!row) throw new Error('review vanished');
      return { review: presentReview(row), created: true };
    },
    async () => {
      // A retry: the note exists, and with it the review it announced.
      const original = await originalOf(ctx, input);
      const existingId = original.message.attributes.reviewId;
      const row =
        typeof existingId === 'string'
          ? await reviewById(rawExecutorOf(ctx.database.db), existingId, false)
          : undefined;
      if (!row)
        throw new AppError(
          'idempotency_conflict',
          409,
          'This clientMsgId was already used for another message',
        );
      return { review: presentReview(row), created: false };
    },
  );
}

/**
 * Locks the review and checks that the actor may decide it now: 404 for reviews of conversations they
 * cannot see (or of other accounts), 403 for anyone but the named reviewer, 409 once decided.
 */
async function decidable(exec: RawExecutor, agent: Agent, reviewId: string): Promise<ReviewSqlRow> {
  const row = await reviewById(exec, reviewId, true);
  if (!row) throw notFound('review_not_found', 'Review');
  try {
    await assertConversationVisible(exec, agent, row.conversation_id);
  } catch {
    throw notFound('review_not_found', 'Review');
  }
  if (row.reviewer_id !== agent.userId) throw forbidden('Only the colleague asked may decide on this review');
  if (row.status !== 'pending') throw conflict('review_decided', 'This review has been decided already');
  return row;
}

/**
 * Approves: the draft goes out as the requester's public reply (the same append every message takes,
 * idempotent on a clientMsgId derived from the review), its seq is recorded and the requester is told,
 * all in one transaction, so a review is approved exactly when its reply exists.
 */
export async function approveReview(
  ctx: AppContext,
  actor: AccountActor,
  reviewId: string,
): Promise<{ review: Review; reply: Message }> {
  const agent = asAgent(actor);
  const clientMsgId = `review-${reviewId}`;
  return appendOnce(
    ctx,
    async (exec, pending) => {
      const row = await decidable(exec, agent, reviewId);
      const reply = await appendMessage(exec, pending, {
        actor,
        conversationId: row.conversation_id,
        author: { kind: 'agent', id: row.requester_id, name: row.requester_name },
        kind: 'text',
        body: row.draft,
        private: false,
        clientMsgId,
      });
      await exec.query(
        `update reply_reviews set status = 'approved', reply_seq = $2::integer, decided_at = now() where id = $1::uuid`,
        [reviewId, reply.seq],
      );
      await notify(exec, pending, {
        type: 'review_result',
        accountId: agent.accountId,
        conversationId: row.conversation_id,
        messageSeq: reply.seq,
        actorId: agent.userId,
        payload: { reviewId, decision: 'approved', excerpt: notificationExcerpt(row.draft) },
        to: { userIds: [row.requester_id] },
      });
      const decided = await reviewById(exec, reviewId, false);
      if (!decided) throw new Error('review vanished');
      return { review: presentReview(decided), reply };
    },
    // The reply of this review exists only if it was approved: deciding again is a conflict.
    async () => {
      throw conflict('review_decided', 'This review has been decided already');
    },
  );
}

/** Comments: a private note back to the requester, who is told; the draft stays unsent. */
export async function commentOnReview(
  ctx: AppContext,
  actor: AccountActor,
  reviewId: string,
  body: CommentReviewBody,
): Promise<{ review: Review; note: Message }> {
  const agent = asAgent(actor);
  const base = {
    actor,
    author: authorOf(actor),
    kind: 'note' as const,
    body: body.comment,
    private: true,
    clientMsgId: body.clientMsgId,
    attributes: { type: 'review_comment', reviewId },
  };
  return appendOnce(
    ctx,
    async (exec, pending) => {
      const row = await decidable(exec, agent, reviewId);
      const note = await appendMessage(exec, pending, { ...base, conversationId: row.conversation_id });
      await exec.query(
        `update reply_reviews set status = 'commented', comment = $2::text, decided_at = now() where id = $1::uuid`,
        [reviewId, body.comment],
      );
      await notify(exec, pending, {
        type: 'review_result',
        accountId: agent.accountId,
        conversationId: row.conversation_id,
        messageSeq: note.seq,
        actorId: agent.userId,
        payload: { reviewId, decision: 'commented', excerpt: notificationExcerpt(body.comment) },
        to: { userIds: [row.requester_id] },
      });
      const decided = await reviewById(exec, reviewId, false);
      if (!decided) throw new Error('review vanished');
      return { review: presentReview(decided), note };
    },
    async () => {
      throw conflict('review_decided', 'This review has been decided already');
    },
  );
}
