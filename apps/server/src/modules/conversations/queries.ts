import { type ConversationListQuery, type ConversationView, HISTORY_AFTER_MS } from '@parley/shared';
import { and, desc, eq, inArray, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor, Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts, conversationParticipants, conversations } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { hasAnyConversationTag } from '../tags/commands.ts';
import { type ConversationRow, presentConversation } from './presenter.ts';

/** Loads one conversation the actor may see, or answers 404 (also when it exists but is not theirs). */
export async function findConversation(
  executor: DbOrTx,
  actor: Actor,
  conversationId: string,
): Promise<{ row: ConversationRow; contactName: string | null }> {
  const [found] = await executor
    .select({ row: conversations, contactName: contacts.name })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.id, conversationId), conversationScope(actor)))
    .limit(1);
  if (!found) throw notFound('conversation_not_found', 'Conversation');
  return found;
}

interface ListCursor {
  /** lastActivityAt in UTC with all six fractional digits PostgreSQL keeps (a Date holds only three). */
  t: string;
  id: string;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): ListCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as ListCursor).t === 'string' &&
      typeof (parsed as ListCursor).id === 'string' &&
      CURSOR_TIME.test((parsed as ListCursor).t) &&
      !Number.isNaN(Date.parse((parsed as ListCursor).t)) &&
      UUID.test((parsed as ListCursor).id)
    ) {
      return parsed as ListCursor;
    }
  } catch {
    // fall through
  }
  throw new AppError('cursor_invalid', 400, 'The cursor is not one this API issued');
}

const encodeCursor = (cursorAt: string, id: string) =>
  Buffer.from(JSON.stringify({ t: cursorAt, id })).toString('base64url');

/** The agent's own read position joined onto conversation rows; tokens have none. */
function myReadJoin(actor: AccountActor) {
  return and(
    eq(conversationParticipants.conversationId, conversations.id),
    eq(conversationParticipants.participantKind, 'agent'),
    eq(
      conversationParticipants.participantId,
      actor.kind === 'agent' ? actor.userId : '00000000-0000-0000-0000-000000000000',
    ),
  );
}

/** One conversation as an agent sees it, with their read position. */
export async function getConversationForAgent(ctx: AppContext, actor: AccountActor, conversationId: string) {
  const [found] = await ctx.database.db
    .select({ row: conversations, contactName: contacts.name, myRead: conversationParticipants.lastReadSeq })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(conversationParticipants, myReadJoin(actor))
    .where(and(eq(conversations.id, conversationId), conversationScope(actor)))
    .limit(1);
  if (!found) throw notFound('conversation_not_found', 'Conversation');
  return withMyRead(presentConversation(found.row, found.contactName), actor, found.myRead);
}

const withMyRead = (
  conversation: ReturnType<typeof presentConversation>,
  actor: AccountActor,
  myRead: number | null,
) => (actor.kind === 'agent' ? { ...conversation, myLastReadSeq: myRead ?? 0 } : conversation);

/** The saved views of the inbox (bot phases are handled beside the other filters). */
function viewCondition(view: ConversationView, actor: AccountActor, now: Date): SQL | null {
  switch (view) {
    case 'mine':
      if (actor.kind !== 'agent')
        throw new AppError('validation_failed', 400, 'view=mine needs a signed-in agent');
      return and(
        eq(conversations.assigneeId, actor.userId),
        inArray(conversations.status, ['new', 'open', 'pending', 'on_hold']),
      ) as SQL;
    case 'unassigned':
      return and(
        isNull(conversations.assigneeId),
        inArray(conversations.status, ['new', 'open', 'pending', 'on_hold']),
      ) as SQL;
    case 'queued':
      return and(
        isNotNull(conversations.queuedAt),
        isNull(conversations.assigneeId),
        inArray(conversations.status, ['new', 'open']),
      ) as SQL;
    case 'snoozed':
      return isNotNull(conversations.snoozedUntil);
    case 'done':
      return inArray(conversations.status, ['solved', 'closed']);
    case 'history':
      // 24 hours without activity; compared with the server's clock (tests move it).
      return lt(conversations.lastActivityAt, new Date(now.getTime() - HISTORY_AFTER_MS));
    default:
      return null;
  }
}

/** Newest activity first, keyset-paginated so pages stay stable while conversations move. */
export async function listConversations(ctx: AppContext, actor: AccountActor, query: ConversationListQuery) {
  const conditions: SQL[] = [conversationScope(actor)];
  if (query.status) conditions.push(eq(conversations.status, query.status));
  if (query.inboxId) conditions.push(eq(conversations.inboxId, query.inboxId));
  if (query.assignee === 'none') conditions.push(isNull(conversations.assigneeId));
  else if (query.assignee === 'me') {
    if (actor.kind !== 'agent')
      throw new AppError('validation_failed', 400, 'assignee=me needs a signed-in agent');
    conditions.push(eq(conversations.assigneeId, actor.userId));
  } else if (query.assignee) conditions.push(eq(conversations.assigneeId, query.assignee));
  if (query.view === 'bot' || query.view === 'requested' || query.view === 'accepted') {
    conditions.push(eq(conversations.botPhase, query.view));
  }
  if (query.teamId) conditions.push(eq(conversations.teamId, query.teamId));
  if (query.priority) conditions.push(eq(conversations.priority, query.priority));
  if (query.tagIds) conditions.push(hasAnyConversationTag(query.tagIds));
  if (query.view) {
    const view = viewCondition(query.view, actor, ctx.now());
    if (view) conditions.push(view);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    // Compared at full precision: rounding to milliseconds would skip rows within the same millisecond.
    conditions.push(
      sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await ctx.database.db
    .select({
      row: conversations,
      contactName: contacts.name,
      myRead: conversationParticipants.lastReadSeq,
      cursorAt: sql<string>`to_char(${conversations.lastActivityAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(conversationParticipants, myReadJoin(actor))
    .where(and(...conditions))
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    conversations: page.map((r) => withMyRead(presentConversation(r.row, r.contactName), actor, r.myRead)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursorAt, last.row.id) : null,
  };
}
