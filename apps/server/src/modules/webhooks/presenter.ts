import type { Webhook, WebhookAttempt, WebhookDelivery, WebhookEventType } from '@parley/shared';
import type { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema.ts';

export type WebhookRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

/** Never includes the secrets: they are shown once, by the routes that create them. */
export const presentWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  accountId: row.accountId,
  inboxId: row.inboxId,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes as WebhookEventType[],
  enabled: row.enabled,
  disabledReason: row.disabledReason,
  failingSince: row.failingSince?.toISOString() ?? null,
  previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

export const presentAttempt = (row: AttemptRow): WebhookAttempt => ({
  attemptedAt: row.attemptedAt.toISOString(),
  statusCode: row.statusCode,
  latencyMs: row.latencyMs,
  responseExcerpt: row.responseExcerpt,
  error: row.error,
});

export const presentDelivery = (row: DeliveryRow, last: AttemptRow | null): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpointId,
  eventType: row.eventType,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? (row.nextAttemptAt?.toISOString() ?? null) : null,
  createdAt: row.createdAt.toISOString(),
  completedAt: row.completedAt?.toISOString() ?? null,
  lastAttempt: last ? presentAttempt(last) : null,
});
