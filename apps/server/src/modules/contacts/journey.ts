import type { JourneyPage, JourneyQuery } from '@parley/shared';
import { and, desc, eq, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { apiTokens, contacts, conversations, events, users } from '../../db/schema.ts';
import { presentJourneyEvent } from './presenter.ts';
import { seesWholeAccount, visibleContact } from './visibility.ts';

const actorContact = alias(contacts, 'actor_contact');

/**
 * Everything that happened to a contact across their conversations, newest first: conversations
 * started, assigned, transferred, tagged, status changes, bot hand-offs, profile edits, merges, blocks.
 * Messages themselves are left out (they are the conversations' threads, not the journey). An agent
 * sees the events of conversations they may see and the contact's own events, nothing else.
 */
export async function contactJourney(
  executor: DbOrTx,
  actor: AccountActor,
  contactId: string,
  query: JourneyQuery,
): Promise<JourneyPage> {
  const contact = await visibleContact(executor, actor, contactId, { includeMerged: true });
  const conditions: SQL[] = [
    eq(events.contactId, contact.id),
    eq(events.accountId, actor.accountId),
    ne(events.type, 'message.created'),
  ];
  if (query.cursor) conditions.push(lt(events.id, Number(query.cursor)));
  if (!seesWholeAccount(actor)) {
    conditions.push(or(isNull(events.conversationId), conversationScope(actor)) as SQL);
  }
  const rows = await executor
    .select({
      event: {
        id: events.id,
        type: events.type,
        conversationId: events.conversationId,
        actorKind: events.actorKind,
        actorId: events.actorId,
        payload: events.payload,
        createdAt: events.createdAt,
      },
      conversationNumber: conversations.number,
      actorName: sql<string | null>`coalesce(${users.name}, ${apiTokens.name}, ${actorContact.name})`,
    })
    .from(events)
    .leftJoin(conversations, eq(conversations.id, events.conversationId))
    .leftJoin(users, and(eq(events.actorKind, 'agent'), eq(users.id, events.actorId)))
    .leftJoin(
      apiTokens,
      and(
        eq(events.actorKind, 'token'),
        eq(apiTokens.id, events.actorId),
        eq(apiTokens.accountId, actor.accountId),
      ),
    )
    .leftJoin(actorContact, and(eq(events.actorKind, 'contact'), eq(actorContact.id, events.actorId)))
    .where(and(...conditions))
    .orderBy(desc(events.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    events: page.map((r) => presentJourneyEvent(r.event, r.actorName, r.conversationNumber)),
    nextCursor: rows.length > query.limit ? String(page.at(-1)?.event.id) : null,
  };
}
