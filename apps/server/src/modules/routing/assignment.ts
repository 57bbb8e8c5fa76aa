import type { TransferBody } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import { rawExecutorOf, type Tx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { type Author, appendMessage, authorOf } from '../messages/commands.ts';
import { Followups } from './followups.ts';
import {
  type AssignReason,
  assignLocked,
  countsTowardLoad,
  type RoutableRow,
  routableFromRow,
  runFollowups,
  tryTake,
} from './router.ts';
import { loadInboxRouting } from './settings.ts';
import { type Exec, eventActorOf, first, iso, recordEventRaw, systemActor } from './sql.ts';
import { journalUnassignment } from './unassigned-journal.ts';

type Result = { row: ConversationRow; contactName: string | null };

/**
 * Runs an assignment command: locks the conversation the actor may see, lets `fn` change it, then
 * answers with the fresh row; after the commit, freed capacity is served from the queue and a
 * conversation left without an agent is routed.
 */
async function command(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  fn: (exec: Exec, tx: Tx, pending: PendingPublish, conv: RoutableRow, followups: Followups) => Promise<void>,
): Promise<Result> {
  const followups = new Followups();
  const result = await transact(ctx, async (tx, pending) => {
    const [current] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), conversationScope(actor)))
      .for('update');
    if (!current) throw notFound('conversation_not_found', 'Conversation');
    if (current.status === 'closed') throw conflict('conversation_closed', 'This conversation is closed');
    await fn(rawExecutorOf(tx), tx, pending, routableFromRow(current), followups);
    const [found] = await tx
      .select({ row: conversations, contactName: contacts.name })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(conversations.id, conversationId));
    if (!found) throw notFound('conversation_not_found', 'Conversation');
    return found;
  });
  await runFollowups(ctx, followups);
  return result;
}

const actorAuthor = (actor: AccountActor): Author => authorOf(actor);

/**
 * Gives the conversation to an agent, checking their capacity under their lock when the conversation
 * counts toward load (new/open): 409 capacity_reached rather than overload anyone. Availability is not
 * required for a person's explicit choice (a supervisor may assign to someone about to start).
 */
async function assignTo(
  exec: Exec,
  pending: PendingPublish,
  ctx: AppContext,
  actor: AccountActor,
  conv: RoutableRow,
  followups: Followups,
  input: { userId: string; reason: AssignReason; handoffNote?: string | null; author?: Author },
): Promise<void> {
  const routing = await loadInboxRouting(exec, conv.inbox_id);
  let name: string;
  if (countsTowardLoad(conv.status)) {
    const take = await tryTake(exec, {
      accountId: conv.account_id,
      userId: input.userId,
      channelType: routing.channelType,
      requireOnline: false,
    });
    if (take.reason === 'not_member') throw notFound('user_not_found', 'Member');
    if (!take.ok) {
      throw new AppError('capacity_reached', 409, `${take.name} has no room for another conversation`, {
        details: { reason: take.reason, load: take.load, capacity: take.capacity },
      });
    }
    name = take.name;
  } else {
    const member = await first<{ name: string }>(
      exec,
      `select u.name from account_members m join users u on u.id = m.user_id
       where m.account_id = $1::uuid and m.user_id = $2::uuid`,
      [conv.account_id, input.userId],
    );
    if (!member) throw notFound('user_not_found', 'Member');
    name = member.name;
  }
  await assignLocked(exec, pending, ctx.now(), conv, {
    assigneeId: input.userId,
    assigneeName: name,
    reason: input.reason,
    actor,
    author: input.author ?? actorAuthor(actor),
    ...(input.handoffNote !== undefined ? { handoffNote: input.handoffNote } : {}),
  });
  if (conv.queued_at) followups.leftQueue(conv.account_id, conv.inbox_id, conv.id);
  if (conv.assignee_id && countsTowardLoad(conv.status))
    followups.drainFor(conv.account_id, conv.assignee_id);
}

/** Assign to an agent ("me": the signed-in agent). Assigning to the current assignee changes nothing. */
export async function assignConversation(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  assignee: 'me' | string,
  options: { author?: Author } = {},
): Promise<Result> {
  return command(ctx, actor, conversationId, async (exec, _tx, pending, conv, followups) => {
    // Checked after the conversation was found, so someone else's conversation is a plain 404.
    if (assignee === 'me' && actor.kind !== 'agent') {
      throw new AppError('validation_failed', 400, 'assigneeId "me" needs a signed-in agent');
    }
    const userId = assignee === 'me' && actor.kind === 'agent' ? actor.userId : assignee;
    if (conv.assignee_id === userId) return;
    await assignTo(exec, pending, ctx, actor, conv, followups, {
      userId,
      reason: 'manual',
      ...(options.author ? { author: options.author } : {}),
    });
  });
}

/** Leaves the handoff note in the thread as a private note, so the next agent reads it first. */
async function leaveNote(
  exec: Exec,
  pending: PendingPublish,
  actor: AccountActor,
  conv: RoutableRow,
  note: string,
) {
  await appendMessage(exec, pending, {
    actor: systemActor(conv.account_id),
    conversationId: conv.id,
    author: actorAuthor(actor),
    kind: 'note',
    body: note,
    private: true,
    clientMsgId: null,
    attributes: { type: 'handoff' },
  });
}

/**
 * Transfer to an agent (capacity checked like an assignment) or to a team, whose members routing
 * chooses among (the agent handing over is skipped); the note is stored on the conversation and left
 * in the thread as a private note.
 */
export async function transferConversation(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  body: TransferBody,
): Promise<Result> {
  return command(ctx, actor, conversationId, async (exec, _tx, pending, conv, followups) => {
    const note = body.note ?? null;
    if (body.assigneeId) {
      await assignTo(exec, pending, ctx, actor, conv, followups, {
        userId: body.assigneeId,
        reason: 'transfer',
        handoffNote: note,
      });
    } else if (body.teamId) {
      const team = await first<{ name: string }>(
        exec,
        'select name from teams where id = $1::uuid and account_id = $2::uuid',
        [body.teamId, conv.account_id],
      );
      if (!team) throw notFound('team_not_found', 'Team');
      const routable = countsTowardLoad(conv.status) && conv.bot_phase !== 'bot';
      await exec.query(
        `update conversations set team_id = $2::uuid, assignee_id = null,
           previous_assignee_id = coalesce(assignee_id, previous_assignee_id), handoff_note = $3::text,
           queued_at = case when $4::boolean then coalesce(queued_at, $5::timestamptz) else null end,
           version = version + 1, feed_xid = pg_current_xact_id()
         where id = $1::uuid`,
        [conv.id, body.teamId, note, routable, iso(ctx.now())],
      );
      await recordEventRaw(exec, pending, {
        accountId: conv.account_id,
        conversationId: conv.id,
        contactId: conv.contact_id,
        type: 'conversation.transferred',
        actor: eventActorOf(actor),
        payload: { fromAssigneeId: conv.assignee_id, teamId: body.teamId, withNote: note !== null },
      });
      await appendMessage(exec, pending, {
        actor: systemActor(conv.account_id),
        conversationId: conv.id,
        author: actorAuthor(actor),
        kind: 'activity',
        body: 'transferred',
        // Internal to the team: customers see status changes and who joins, not this.
        private: true,
        clientMsgId: null,
        attributes: {
          type: 'transferred',
          fromAssigneeId: conv.assignee_id,
          teamId: body.teamId,
          teamName: team.name,
        },
      });
      if (conv.assignee_id && countsTowardLoad(conv.status))
        followups.drainFor(conv.account_id, conv.assignee_id);
      if (routable) followups.routeLater(conv.id, conv.assignee_id);
      followups.queueChanged(conv.account_id, conv.inbox_id);
    }
    if (note) await leaveNote(exec, pending, actor, conv, note);
  });
}

/** Takes the conversation from its agent; if it is waiting for one, it goes back through routing. */
export async function unassignConversation(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
): Promise<Result> {
  return command(ctx, actor, conversationId, async (exec, _tx, pending, conv, followups) => {
    if (!conv.assignee_id) return;
    const routable = countsTowardLoad(conv.status) && conv.bot_phase !== 'bot';
    await exec.query(
      `update conversations set assignee_id = null, previous_assignee_id = assignee_id,
         queued_at = case when $2::boolean then coalesce(queued_at, $3::timestamptz) else null end,
         version = version + 1, feed_xid = pg_current_xact_id()
       where id = $1::uuid`,
      [conv.id, routable, iso(ctx.now())],
    );
    await journalUnassignment(exec, pending, {
      conversation: conv,
      actor: eventActorOf(actor),
      author: actorAuthor(actor),
      previousAssigneeId: conv.assignee_id,
      reason: 'manual',
    });
    if (countsTowardLoad(conv.status)) followups.drainFor(conv.account_id, conv.assignee_id);
    if (routable) followups.routeLater(conv.id, conv.assignee_id);
    followups.queueChanged(conv.account_id, conv.inbox_id);
  });
}
