import type { WebhookEventType } from '@parley/shared';

/**
 * Which journey/outbox events (the `events` table) become which webhook event types. One change can
 * match several types: a status change is also an update, so an endpoint subscribed to
 * `conversation.updated` sees every change after creation.
 */
export const WEBHOOK_TYPES_OF: Record<string, WebhookEventType[]> = {
  'conversation.created': ['conversation.created'],
  'conversation.status_changed': ['conversation.status_changed', 'conversation.updated'],
  'conversation.assigned': ['conversation.assigned', 'conversation.updated'],
  'conversation.transferred': ['conversation.assigned', 'conversation.updated'],
  'conversation.unassigned': ['conversation.updated'],
  'conversation.priority_changed': ['conversation.updated'],
  'conversation.snoozed': ['conversation.updated'],
  'conversation.tag_added': ['conversation.updated'],
  'conversation.tag_removed': ['conversation.updated'],
  'conversation.bot_phase_changed': ['conversation.updated'],
  'message.created': ['message.created'],
  'contact.created': ['contact.created'],
  'contact.updated': ['contact.updated'],
  'contact.merged': ['contact.updated'],
  'contact.blocked': ['contact.updated'],
  'contact.unblocked': ['contact.updated'],
  'contact.tag_added': ['contact.updated'],
  'contact.tag_removed': ['contact.updated'],
};

/** The mapping as SQL VALUES rows, for the statement that turns events into deliveries. */
export const webhookTypeValues = (): string =>
  Object.entries(WEBHOOK_TYPES_OF)
    .flatMap(([internal, types]) => types.map((type) => `('${internal}', '${type}')`))
    .join(', ');
