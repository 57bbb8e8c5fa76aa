import type { Message, PostNoteBody } from '@parley/shared';
import { conversationScopeParams, conversationScopeText, scopeValues } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import { type RawExecutor, rawExecutorOf } from '../../db/connect.ts';
import { AppError, notFound } from '../../errors.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import {
  type AppendMessageInput,
  answerDuplicate,
  appendMessage,
  authorOf,
  DuplicateMessage,
  findExistingMessage,
} from '../messages/commands.ts';
import { arrayLiteral, MEMBER_SEES, notificationExcerpt, notify } from './notify.ts';

/** 404 unless the actor may see the conversation (checked before anything about other people is said). */
export async function assertConversationVisible(
  exec: RawExecutor,
  actor: AccountActor,
  conversationId: string,
): Promise<{ accountId: string }> {
  const [row] = await exec.query<{ account_id: string }>(
    `select account_id from conversations where id = $1::uuid and ${conversationScopeText('conversations', 2)}`,
    [conversationId, ...scopeValues(conversationScopeParams(actor))],
  );
  if (!row) throw notFound('conversation_not_found', 'Conversation');
  return { accountId: row.account_id };
}

/**
 * The given users, each a member of the actor's account who may see the conversation; otherwise 422
 * member_not_allowed naming those refused (a user of another account looks the same as a stranger).
 */
export async function membersWhoSee(
  exec: RawExecutor,
  accountId: string,
  conversationId: string,
  userIds: string[],
): Promise<Array<{ id: string; name: string }>> {
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return [];
  const rows = await exec.query<{ id: string; name: string }>(
    `select u.id, u.name from users u
     join conversations c on c.id = $2::uuid and c.account_id = $1::uuid
     where u.id = any($3::uuid[]) and ${MEMBER_SEES('u.id', 'c')}`,
    [accountId, conversationId, arrayLiteral(wanted)],
  );
  const found = new Set(rows.map((r) => r.id));
  const refused = wanted.filter((id) => !found.has(id));
  if (refused.length > 0) {
    throw new AppError('member_not_allowed', 422, 'Only members who may see this conversation can be named', {
      details: { userIds: refused },
    });
  }
  return rows;
}

/**
 * Runs `work` (which appends a message) in one transaction; when the message's clientMsgId was stored
 * already, `onDuplicate` answers instead (a retry gets the original, as from the message writer).
 */
export async function appendOnce<T>(
  ctx: AppContext,
  work: (exec: RawExecutor, pending: PendingPublish) => Promise<T>,
  onDuplicate: () => Promise<T>,
): Promise<T> {
  try {
    const result = await transact(ctx, (tx, pending) => work(rawExecutorOf(tx), pending));
    ctx.metrics.messagesCommitted.inc();
    return result;
  } catch (error) {
    if (error instanceof DuplicateMessage) return onDuplicate();
    throw error;
  }
}

/** The message an earlier attempt with the same clientMsgId stored, checked to say the same thing. */
export async function originalOf(ctx: AppContext, input: AppendMessageInput) {
  const existing = await findExistingMessage(ctx.database.db, input);
  if (!existing) throw new Error('duplicate message vanished');
  return answerDuplicate(existing, input);
}

/**
 * A private note that mentions colleagues: the note (with `attributes.mentions`) and a notification for
 * each mentioned person are written in one transaction. Notes go around the message writer's batches:
 * those only matter for customers' messages and replies, and this way the notifications commit with the
 * note.
 */
export async function postNote(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  body: PostNoteBody,
): Promise<{ message: Message; created: boolean }> {
  const mentions = [...new Set(body.mentions)];
  const input: AppendMessageInput = {
    actor,
    conversationId,
    author: authorOf(actor),
    kind: 'note',
    body: body.body,
    private: true,
    clientMsgId: body.clientMsgId,
    attributes: mentions.length > 0 ? { mentions } : {},
  };
  return appendOnce(
    ctx,
    async (exec, pending) => {
      const { accountId } = await assertConversationVisible(exec, actor, conversationId);
      await membersWhoSee(exec, accountId, conversationId, mentions);
      const message = await appendMessage(exec, pending, input);
      await notify(exec, pending, {
        type: 'mention',
        accountId,
        conversationId,
        messageSeq: message.seq,
        actorId: actor.kind === 'agent' ? actor.userId : null,
        payload: { excerpt: notificationExcerpt(body.body) },
        to: { userIds: mentions },
      });
      return { message, created: true };
    },
    () => originalOf(ctx, input),
  );
}
