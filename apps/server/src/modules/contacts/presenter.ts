import type { AttributeDefinition, Contact, JourneyEvent } from '@parley/shared';
import type { attributeDefinitions, contacts, events } from '../../db/schema.ts';

export type ContactRow = typeof contacts.$inferSelect;
export type AttributeDefinitionRow = typeof attributeDefinitions.$inferSelect;
type EventRow = typeof events.$inferSelect;

export const presentContact = (row: ContactRow): Contact => ({
  id: row.id,
  accountId: row.accountId,
  name: row.name,
  email: row.email,
  phone: row.phone,
  company: row.company,
  externalId: row.externalId,
  attributes: row.attributes,
  blockedAt: row.blockedAt?.toISOString() ?? null,
  mergedIntoId: row.mergedIntoId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const presentAttributeDefinition = (row: AttributeDefinitionRow): AttributeDefinition => ({
  id: row.id,
  accountId: row.accountId,
  key: row.key,
  label: row.label,
  type: row.type,
  options: row.options,
  position: row.position,
  createdAt: row.createdAt.toISOString(),
});

/** A journey entry: the event as recorded, with the name of whoever acted and the conversation's number. */
export const presentJourneyEvent = (
  row: Pick<EventRow, 'id' | 'type' | 'conversationId' | 'actorKind' | 'actorId' | 'payload' | 'createdAt'>,
  actorName: string | null,
  conversationNumber: number | null,
): JourneyEvent => ({
  id: String(row.id),
  type: row.type,
  conversationId: row.conversationId,
  conversationNumber,
  actor: { kind: row.actorKind, id: row.actorId, name: actorName },
  payload: row.payload,
  createdAt: row.createdAt.toISOString(),
});
