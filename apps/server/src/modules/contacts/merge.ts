import type { MergePreview, MergeResult, MergeSummary } from '@parley/shared';
import { RESERVED_ATTRIBUTE_KEYS } from '@parley/shared';
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import type { DbOrTx, Tx } from '../../db/connect.ts';
import {
  contactIdentities,
  contacts,
  contactTags,
  conversationParticipants,
  conversations,
  messages,
  tags,
} from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordEvent } from '../../realtime/outbox.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { type ContactRow, presentContact } from './presenter.ts';
import { journeyActorOf, visibleContact } from './visibility.ts';

const PROFILE_FIELDS = ['name', 'email', 'phone', 'company', 'externalId'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What merging `source` into `target` moves, fills in and leaves as the target has it. */
async function summarize(executor: DbOrTx, target: ContactRow, source: ContactRow): Promise<MergeSummary> {
  const [conversationCount, identityCount, newTags] = await Promise.all([
    executor.$count(conversations, eq(conversations.contactId, source.id)),
    executor.$count(contactIdentities, eq(contactIdentities.contactId, source.id)),
    executor
      .select({ name: tags.name })
      .from(contactTags)
      .innerJoin(tags, eq(tags.id, contactTags.tagId))
      .where(
        and(
          eq(contactTags.contactId, source.id),
          notInArray(
            contactTags.tagId,
            executor
              .select({ id: contactTags.tagId })
              .from(contactTags)
              .where(eq(contactTags.contactId, target.id)),
          ),
        ),
      )
      .orderBy(asc(sql`lower(${tags.name})`)),
  ]);
  const filled: string[] = [];
  const kept: string[] = [];
  for (const field of PROFILE_FIELDS) {
    if (source[field] === null) continue;
    if (target[field] === null) filled.push(field);
    else if (target[field] !== source[field]) kept.push(field);
  }
  for (const [key, value] of Object.entries(source.attributes)) {
    // The widget's own keys (where the visitor is, pre-chat answers) merge too, but are not worth listing.
    if (RESERVED_ATTRIBUTE_KEYS.includes(key)) continue;
    if (!Object.hasOwn(target.attributes, key)) filled.push(`attributes.${key}`);
    else if (!same(target.attributes[key], value)) kept.push(`attributes.${key}`);
  }
  return {
    conversations: conversationCount,
    identities: identityCount,
    tags: newTags.map((t) => t.name),
    filled,
    kept,
  };
}

/** Merging a contact into itself is refused (after the usual 404 for contacts the actor cannot see). */
async function assertDistinct(executor: DbOrTx, actor: AccountActor, targetId: string, sourceId: string) {
  if (targetId !== sourceId) return;
  await visibleContact(executor, actor, targetId);
  throw new AppError('contact_merge_invalid', 400, 'A contact cannot be merged into itself');
}

/** What a merge would do, for the confirmation the dashboard shows before it. */
export async function previewMerge(
  executor: DbOrTx,
  actor: AccountActor,
  targetId: string,
  sourceId: string,
): Promise<MergePreview> {
  await assertDistinct(executor, actor, targetId, sourceId);
  const target = await visibleContact(executor, actor, targetId);
  const source = await visibleContact(executor, actor, sourceId);
  return {
    source: presentContact(source),
    target: presentContact(target),
    moves: await summarize(executor, target, source),
  };
}

/** Both rows locked in id order, so two merges of the same pair (either way round) cannot deadlock. */
async function lockPair(tx: Tx, actor: AccountActor, targetId: string, sourceId: string) {
  const locked = new Map<string, ContactRow>();
  for (const id of [targetId, sourceId].sort()) {
    locked.set(id, await visibleContact(tx, actor, id, { forUpdate: true }));
  }
  const target = locked.get(targetId);
  const source = locked.get(sourceId);
  if (!target || !source) throw notFound('contact_not_found', 'Contact');
  return { target, source };
}

/**
 * Merges `source` into `target` in one transaction: the source's conversations (with the contact's
 * messages and read positions in them), identities, tags and journey move to the target; attributes and
 * profile fields the target lacks are filled from the source (the target's values win a conflict). The
 * source stays as a pointer (`merged_into_id`), hidden from lists. Visitor tokens keep working: they
 * name an identity, and the identity now belongs to the target (see auth/principal.ts).
 */
export async function mergeContacts(
  ctx: AppContext,
  actor: AccountActor,
  targetId: string,
  sourceId: string,
): Promise<MergeResult> {
  await assertDistinct(ctx.database.db, actor, targetId, sourceId);
  return transact(ctx, async (tx, pending) => {
    const { target, source } = await lockPair(tx, actor, targetId, sourceId);
    const moved = await summarize(tx, target, source);
    const now = ctx.now();

    const movedConversations = await tx
      .update(conversations)
      .set({
        contactId: target.id,
        version: sql`${conversations.version} + 1`,
        feedXid: sql`pg_current_xact_id()`,
      })
      .where(eq(conversations.contactId, source.id))
      .returning();
    const conversationIds = movedConversations.map((c) => c.id);
    if (conversationIds.length > 0) {
      await tx
        .update(messages)
        .set({ senderId: target.id })
        .where(
          and(
            inArray(messages.conversationId, conversationIds),
            eq(messages.senderKind, 'contact'),
            eq(messages.senderId, source.id),
          ),
        );
      await tx
        .update(conversationParticipants)
        .set({ participantId: target.id })
        .where(
          and(
            inArray(conversationParticipants.conversationId, conversationIds),
            eq(conversationParticipants.participantKind, 'contact'),
            eq(conversationParticipants.participantId, source.id),
          ),
        );
    }
    await tx
      .update(contactIdentities)
      .set({ contactId: target.id })
      .where(eq(contactIdentities.contactId, source.id));
    await tx.execute(
      sql`insert into ${contactTags} (contact_id, tag_id)
          select ${target.id}::uuid, tag_id from ${contactTags} where contact_id = ${source.id}::uuid
          on conflict do nothing`,
    );
    await tx.delete(contactTags).where(eq(contactTags.contactId, source.id));
    // The person's history is one journey from now on.
    await tx.execute(
      sql`update events set contact_id = ${target.id}::uuid
          where contact_id = ${source.id}::uuid and account_id = ${target.accountId}::uuid`,
    );

    // The external id is unique per account: the source gives it up before the target takes it.
    const takesExternalId = target.externalId === null && source.externalId !== null;
    await tx
      .update(contacts)
      .set({
        mergedIntoId: target.id,
        ...(takesExternalId ? { externalId: null } : {}),
        updatedAt: now,
      })
      .where(eq(contacts.id, source.id));
    const [merged] = await tx
      .update(contacts)
      .set({
        name: target.name ?? source.name,
        email: target.email ?? source.email,
        phone: target.phone ?? source.phone,
        company: target.company ?? source.company,
        externalId: target.externalId ?? source.externalId,
        attributes: { ...source.attributes, ...target.attributes },
        updatedAt: now,
      })
      .where(eq(contacts.id, target.id))
      .returning();
    if (!merged) throw notFound('contact_not_found', 'Contact');

    const by = journeyActorOf(actor);
    await recordEvent(tx, pending, {
      accountId: target.accountId,
      contactId: target.id,
      type: 'contact.merged',
      actor: by,
      payload: { direction: 'from', otherContactId: source.id, otherName: source.name, moved },
    });
    await recordEvent(tx, pending, {
      accountId: source.accountId,
      contactId: source.id,
      type: 'contact.merged',
      actor: by,
      payload: { direction: 'into', otherContactId: target.id, otherName: merged.name, moved },
    });
    for (const row of movedConversations) {
      pending.add({
        t: 'conversation',
        accountId: row.accountId,
        inboxId: row.inboxId,
        conversation: presentConversation(row, merged.name),
      });
    }
    return { contact: presentContact(merged), moved };
  });
}
