import { z } from 'zod';
import { idSchema } from './common.ts';

/**
 * What an endpoint can subscribe to. `conversation.updated` covers every change to a conversation after
 * its creation (status, assignment, priority, tags, snooze…); the narrower types exist for endpoints
 * that only care about one kind of change.
 */
export const webhookEventTypes = [
  'conversation.created',
  'conversation.updated',
  'conversation.status_changed',
  'conversation.assigned',
  'message.created',
  'contact.created',
  'contact.updated',
] as const;
export const webhookEventTypeSchema = z.enum(webhookEventTypes);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** Only http(s) URLs; whether the address may be reached is decided when connecting (SSRF guard). */
const webhookUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((value) => {
    // Runs after a failed url check too, so it must not throw on what is not a URL.
    const url = URL.parse(value);
    return url === null || (!url.username && !url.password);
  }, 'credentials in the URL are not allowed');

const descriptionSchema = z.string().trim().max(200);

export const createWebhookBodySchema = z.strictObject({
  url: webhookUrlSchema,
  description: descriptionSchema.optional(),
  eventTypes: z.array(webhookEventTypeSchema).min(1).max(webhookEventTypes.length),
  /** Only this inbox's conversations (and their messages); contact events are account-wide. */
  inboxId: idSchema.nullable().optional(),
});
export type CreateWebhookBody = z.infer<typeof createWebhookBodySchema>;

export const updateWebhookBodySchema = z.strictObject({
  url: webhookUrlSchema.optional(),
  description: descriptionSchema.optional(),
  eventTypes: z.array(webhookEventTypeSchema).min(1).max(webhookEventTypes.length).optional(),
  inboxId: idSchema.nullable().optional(),
  /** Re-enabling an endpoint that was disabled for failing clears its failure state. */
  enabled: z.boolean().optional(),
});
export type UpdateWebhookBody = z.infer<typeof updateWebhookBodySchema>;

export const rotateWebhookSecretBodySchema = z.strictObject({
  /** How long the previous secret keeps signing alongside the new one (default 24 hours). */
  overlapMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(24 * 60),
});
export type RotateWebhookSecretBody = z.infer<typeof rotateWebhookSecretBodySchema>;

export const webhookSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  inboxId: idSchema.nullable(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(webhookEventTypeSchema),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  failingSince: z.string().nullable(),
  /** Until when the previous secret still signs (after a rotation). */
  previousSecretExpiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** Returned on creation and rotation only: the signing secret, `whsec_…`. */
export const webhookWithSecretSchema = z.object({ webhook: webhookSchema, secret: z.string() });

export const webhookListSchema = z.object({ webhooks: z.array(webhookSchema) });

export const webhookAttemptSchema = z.object({
  attemptedAt: z.string(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  responseExcerpt: z.string().nullable(),
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>;

export const webhookDeliverySchema = z.object({
  /** The `webhook-id` header of every attempt: receivers dedupe on it. */
  id: z.string(),
  endpointId: idSchema,
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  lastAttempt: webhookAttemptSchema.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveriesQuerySchema = z.strictObject({
  status: z.enum(['pending', 'succeeded', 'failed']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type WebhookDeliveriesQuery = z.infer<typeof webhookDeliveriesQuerySchema>;

export const webhookDeliveryListSchema = z.object({
  deliveries: z.array(webhookDeliverySchema),
  nextCursor: z.string().nullable(),
});

export const webhookDeliveryDetailSchema = z.object({
  delivery: webhookDeliverySchema,
  attempts: z.array(webhookAttemptSchema),
  /** The exact body that was (or will be) signed and sent. */
  body: z.string().nullable(),
});

/** Delivery ids look like msg_…; anything else that is id-shaped is simply not found. */
const deliveryIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

export const webhookParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
export const webhookDeliveryParamsSchema = z.strictObject({
  accountId: idSchema,
  id: idSchema,
  deliveryId: deliveryIdSchema,
});

/** The same resources under the public API, where the account comes from the token. */
export const webhookV1ParamsSchema = z.strictObject({ id: idSchema });
export const webhookDeliveryV1ParamsSchema = z.strictObject({
  id: idSchema,
  deliveryId: deliveryIdSchema,
});
