import { type CreateTagBody, inboxSettingsSchema, type Tag, type UpdateTagBody } from '@parley/shared';
import { and, asc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import type { DbOrTx, Tx } from '../../db/connect.ts';
import { contacts, contactTags, conversations, conversationTags, inboxes, tags } from '../../db/schema.ts';
import { AppError, conflict, notFound, sqlStateOf } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type EventInput, type PendingPublish, recordEvent } from '../../realtime/outbox.ts';
import { announceConversation } from '../conversations/announce.ts';
import type { ConversationRow } from '../conversations/presenter.ts';

type TagRow = typeof tags.$inferSelect;

export const presentTag = (row: TagRow): Tag => ({
  id: row.id,
  accountId: row.accountId,
  name: row.name,
  color: row.color,
  createdAt: row.createdAt.toISOString(),
});

export async function listTags(executor: DbOrTx, accountId: string): Promise<Tag[]> {
  const rows = await executor
    .select()
    .from(tags)
    .where(eq(tags.accountId, accountId))
    .orderBy(asc(sql`lower(${tags.name})`), asc(tags.id));
  return rows.map(presentTag);
}

/** A tag of this account, or 404 tag_not_found (also for tags of other accounts). */
export async function findTag(executor: DbOrTx, accountId: string, tagId: string): Promise<TagRow> {
  const [row] = await executor
    .select()
    .from(tags)
    .where(and(eq(tags.id, tagId), eq(tags.accountId, accountId)));
  if (!row) throw notFound('tag_not_found', 'Tag');
  return row;
}

const tagExists = () => conflict('tag_exists', 'A tag with this name exists already');

/** Names are unique per account regardless of case ("VIP" and "vip" are one tag). */
async function assertNameFree(tx: Tx, accountId: string, name: string, exceptId: string | null) {
  const conditions: SQL[] = [eq(tags.accountId, accountId), sql`lower(${tags.name}) = lower(${name})`];
  if (exceptId) conditions.push(ne(tags.id, exceptId));
  const [clash] = await tx
    .select({ id: tags.id })
    .from(tags)
    .where(and(...conditions))
    .limit(1);
  if (clash) throw tagExists();
}

async function uniqueOrConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (sqlStateOf(error) === '23505') throw tagExists();
    throw error;
  }
}

export function createTag(ctx: AppContext, accountId: string, body: CreateTagBody): Promise<Tag> {
  return uniqueOrConflict(() =>
    ctx.database.db.transaction(async (tx) => {
      // Two creations of one name race to the unique index; the loser gets the same 409.
      await assertNameFree(tx, accountId, body.name, null);
      const [row] = await tx
        .insert(tags)
        .values({ id: newId(), accountId, name: body.name, color: body.color })
        .returning();
      if (!row) throw new Error('tag insert returned nothing');
      return presentTag(row);
    }),
  );
}

export function updateTag(
  ctx: AppContext,
  accountId: string,
  tagId: string,
  body: UpdateTagBody,
): Promise<Tag> {
  return uniqueOrConflict(() =>
    ctx.database.db.transaction(async (tx) => {
      const current = await findTag(tx, accountId, tagId);
      if (body.name !== undefined) await assertNameFree(tx, accountId, body.name, tagId);
      const [row] = await tx
        .update(tags)
        .set({ name: body.name ?? current.name, color: body.color ?? current.color })
        .where(eq(tags.id, tagId))
        .returning();
      if (!row) throw notFound('tag_not_found', 'Tag');
      return presentTag(row);
    }),
  );
}

/**
 * Removes the tag everywhere it is used (account-level housekeeping, not a per-conversation event). The
 * conversations' copies lose it too; their summaries are not published one by one (clients show no chip
 * for a tag they no longer know, and a feed catch-up reads the new versions).
 */
export async function deleteTag(ctx: AppContext, accountId: string, tagId: string): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    await findTag(tx, accountId, tagId);
    // Conversation rows are locked in id order before the join rows go, the order setConversationTag uses.
    await tx.execute(sql`
      update ${conversations} set
        tag_ids = array_remove(tag_ids, ${tagId}::uuid),
        version = version + 1,
        feed_xid = pg_current_xact_id()
      where id in (
        select id from ${conversations}
        where account_id = ${accountId}::uuid and ${tagId}::uuid = any(tag_ids)
        order by id for update
      )`);
    const deleted = await tx
      .delete(tags)
      .where(and(eq(tags.id, tagId), eq(tags.accountId, accountId)))
      .returning({ id: tags.id });
    if (deleted.length === 0) throw notFound('tag_not_found', 'Tag');
  });
}

// ---- conversations ---------------------------------------------------------------------------

/**
 * Adds or removes a tag on a conversation inside the caller's transaction; a change is a journey event,
 * bumps the conversation's version and (unless `publish` is false) publishes its summary after commit.
 * Returns the changed conversation, or null when nothing changed (adding a tag that is there already).
 */
export async function setConversationTag(
  tx: Tx,
  pending: PendingPublish,
  input: {
    conversation: Pick<ConversationRow, 'id' | 'accountId' | 'contactId'>;
    tag: TagRow;
    present: boolean;
    actor: EventInput['actor'];
    details?: Record<string, unknown>;
    /** False when the caller publishes the conversation itself (its creation). */
    publish?: boolean;
  },
): Promise<ConversationRow | null> {
  const { conversation, tag } = input;
  // The conversation's row lock first: changes to one conversation's tags queue here, so the copy in
  // conversations.tag_ids follows the join table in commit order (deleteTag locks in the same order).
  const [locked] = await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.id, conversation.id))
    .for('update');
  if (!locked) return null;
  const changed = input.present
    ? await tx
        .insert(conversationTags)
        .values({ conversationId: conversation.id, tagId: tag.id })
        .onConflictDoNothing()
        .returning({ id: conversationTags.tagId })
    : await tx
        .delete(conversationTags)
        .where(and(eq(conversationTags.conversationId, conversation.id), eq(conversationTags.tagId, tag.id)))
        .returning({ id: conversationTags.tagId });
  if (changed.length === 0) return null;
  const without = sql`array_remove(${conversations.tagIds}, ${tag.id}::uuid)`;
  const [row] = await tx
    .update(conversations)
    .set({
      tagIds: input.present ? sql`array_append(${without}, ${tag.id}::uuid)` : without,
      version: sql`${conversations.version} + 1`,
      feedXid: sql`pg_current_xact_id()`,
    })
    .where(eq(conversations.id, conversation.id))
    .returning();
  if (!row) return null;
  await recordEvent(tx, pending, {
    accountId: conversation.accountId,
    conversationId: conversation.id,
    contactId: conversation.contactId,
    type: input.present ? 'conversation.tag_added' : 'conversation.tag_removed',
    actor: input.actor,
    payload: { tagId: tag.id, name: tag.name, ...(input.details ?? {}) },
  });
  if (input.publish !== false) await announceConversation(tx, pending, row);
  return row;
}

/**
 * The inbox's automatic tags on a conversation it is creating, in the creating transaction, each a
 * journey event. Tags deleted since the inbox named them are skipped. Returns the conversation as tagged;
 * the caller publishes it.
 */
export async function applyAutoTags(
  tx: Tx,
  pending: PendingPublish,
  conversation: ConversationRow,
): Promise<ConversationRow> {
  const [inbox] = await tx
    .select({ settings: inboxes.settings })
    .from(inboxes)
    .where(eq(inboxes.id, conversation.inboxId));
  const wanted = inboxSettingsSchema.shape.autoTagIds.safeParse(inbox?.settings.autoTagIds);
  if (!wanted.success || wanted.data.length === 0) return conversation;
  const found = await tx
    .select()
    .from(tags)
    .where(and(eq(tags.accountId, conversation.accountId), inArray(tags.id, wanted.data)))
    .orderBy(asc(sql`lower(${tags.name})`), asc(tags.id));
  let row = conversation;
  for (const tag of found) {
    const tagged = await setConversationTag(tx, pending, {
      conversation: row,
      tag,
      present: true,
      actor: { kind: 'system', id: null },
      details: { automatic: true, inboxId: conversation.inboxId },
      publish: false,
    });
    row = tagged ?? row;
  }
  return row;
}

/** Every id must be a tag of this account: 400 validation_failed naming the offending entries. */
export async function assertAccountTags(
  executor: DbOrTx,
  accountId: string,
  tagIds: string[],
  path: string,
): Promise<void> {
  if (tagIds.length === 0) return;
  const rows = await executor
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.accountId, accountId), inArray(tags.id, tagIds)));
  const found = new Set(rows.map((r) => r.id));
  const missing = tagIds.flatMap((id, i) => (found.has(id) ? [] : [i]));
  if (missing.length > 0) {
    throw new AppError('validation_failed', 400, 'Some tags are not in this account', {
      details: missing.map((i) => ({
        path: `${path}.${i}`,
        message: 'no such tag in this account',
        code: 'unknown_reference',
      })),
    });
  }
}

const actorOf = (actor: AccountActor): EventInput['actor'] =>
  actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId };

async function visibleConversation(tx: Tx, actor: AccountActor, conversationId: string) {
  const [row] = await tx
    .select({ id: conversations.id, accountId: conversations.accountId, contactId: conversations.contactId })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), conversationScope(actor)));
  if (!row) throw notFound('conversation_not_found', 'Conversation');
  return row;
}

export async function conversationTagList(executor: DbOrTx, conversationId: string): Promise<Tag[]> {
  const rows = await executor
    .select({ tag: tags })
    .from(conversationTags)
    .innerJoin(tags, eq(tags.id, conversationTags.tagId))
    .where(eq(conversationTags.conversationId, conversationId))
    .orderBy(asc(sql`lower(${tags.name})`));
  return rows.map((r) => presentTag(r.tag));
}

export async function listConversationTags(ctx: AppContext, actor: AccountActor, conversationId: string) {
  return ctx.database.db.transaction(async (tx) => {
    const conversation = await visibleConversation(tx, actor, conversationId);
    return conversationTagList(tx, conversation.id);
  });
}

export async function tagConversation(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  tagId: string,
  present: boolean,
): Promise<Tag[]> {
  return transact(ctx, async (tx, pending) => {
    const conversation = await visibleConversation(tx, actor, conversationId);
    const tag = await findTag(tx, actor.accountId, tagId);
    await setConversationTag(tx, pending, { conversation, tag, present, actor: actorOf(actor) });
    return conversationTagList(tx, conversation.id);
  });
}

/** Conversations carrying any of the tags: the list filter (read from the join table, the record). */
export const hasAnyConversationTag = (tagIds: string[]): SQL =>
  sql`exists (select 1 from ${conversationTags} where ${conversationTags.conversationId} = ${conversations.id} and ${inArray(conversationTags.tagId, tagIds)})`;

// ---- contacts --------------------------------------------------------------------------------

/**
 * The contact, if the actor may see it: admins, supervisors and tokens see every contact of the
 * account; an agent only contacts of conversations they may see (as in contacts/queries.ts).
 */
async function visibleContact(tx: Tx, actor: AccountActor, contactId: string) {
  const [row] = await tx
    .select({ id: contacts.id, accountId: contacts.accountId })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.accountId, actor.accountId)));
  if (!row) throw notFound('contact_not_found', 'Contact');
  if (actor.kind === 'agent' && actor.role === 'agent') {
    const [seen] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.contactId, contactId), conversationScope(actor)))
      .limit(1);
    if (!seen) throw notFound('contact_not_found', 'Contact');
  }
  return row;
}

async function contactTagList(executor: DbOrTx, contactId: string): Promise<Tag[]> {
  const rows = await executor
    .select({ tag: tags })
    .from(contactTags)
    .innerJoin(tags, eq(tags.id, contactTags.tagId))
    .where(eq(contactTags.contactId, contactId))
    .orderBy(asc(sql`lower(${tags.name})`));
  return rows.map((r) => presentTag(r.tag));
}

export async function listContactTags(ctx: AppContext, actor: AccountActor, contactId: string) {
  return ctx.database.db.transaction(async (tx) => {
    const contact = await visibleContact(tx, actor, contactId);
    return contactTagList(tx, contact.id);
  });
}

export async function tagContact(
  ctx: AppContext,
  actor: AccountActor,
  contactId: string,
  tagId: string,
  present: boolean,
): Promise<Tag[]> {
  return transact(ctx, async (tx, pending) => {
    const contact = await visibleContact(tx, actor, contactId);
    const tag = await findTag(tx, actor.accountId, tagId);
    const changed = present
      ? await tx
          .insert(contactTags)
          .values({ contactId: contact.id, tagId: tag.id })
          .onConflictDoNothing()
          .returning({ id: contactTags.tagId })
      : await tx
          .delete(contactTags)
          .where(and(eq(contactTags.contactId, contact.id), eq(contactTags.tagId, tag.id)))
          .returning({ id: contactTags.tagId });
    if (changed.length > 0) {
      await recordEvent(tx, pending, {
        accountId: contact.accountId,
        contactId: contact.id,
        type: present ? 'contact.tag_added' : 'contact.tag_removed',
        actor: actorOf(actor),
        payload: { tagId: tag.id, name: tag.name },
      });
    }
    return contactTagList(tx, contact.id);
  });
}

/** Tag ids on a conversation and on its contact (rule conditions look at both). */
export async function tagIdsAround(executor: DbOrTx, conversationId: string, contactId: string) {
  const [onConversation, onContact] = await Promise.all([
    executor
      .select({ id: conversationTags.tagId })
      .from(conversationTags)
      .where(eq(conversationTags.conversationId, conversationId)),
    executor.select({ id: contactTags.tagId }).from(contactTags).where(eq(contactTags.contactId, contactId)),
  ]);
  return new Set([...onConversation, ...onContact].map((r) => r.id));
}
