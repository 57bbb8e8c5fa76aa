import { z } from 'zod';
import { attachmentIdsSchema } from './attachments.ts';
import { clientMsgIdSchema, idSchema } from './common.ts';
import { conversationSchema } from './conversations.ts';
import { errorCodeSchema } from './errors.ts';
import { messageBodySchema, messageSchema, visitorMessageAttributesSchema } from './messages.ts';
import { notificationSchema } from './notifications.ts';

/**
 * The realtime protocol (see docs/realtime.md). Every frame is one JSON object with a `type`.
 * Requests a client wants answered carry a `ref` that the answer echoes.
 */

export const refSchema = z.string().min(1).max(64);

export const conversationTopicSchema = z.strictObject({
  kind: z.literal('conversation'),
  conversationId: idSchema,
});
export const accountTopicSchema = z.strictObject({
  kind: z.literal('account'),
  accountId: idSchema,
});
/** An agent's own notifications (of every account); nobody may follow another user's. */
export const notificationsTopicSchema = z.strictObject({
  kind: z.literal('notifications'),
  userId: idSchema,
});
export const topicSchema = z.discriminatedUnion('kind', [
  conversationTopicSchema,
  accountTopicSchema,
  notificationsTopicSchema,
]);
export type Topic = z.infer<typeof topicSchema>;

// ---- client → server -------------------------------------------------------------------------

export const authFrameSchema = z.strictObject({
  type: z.literal('auth'),
  token: z.string().min(1).max(1000),
});

export const subscribeFrameSchema = z.strictObject({
  type: z.literal('subscribe'),
  ref: refSchema,
  topic: topicSchema,
  /** Conversation topics: the last seq the client holds (0 = from the start). */
  afterSeq: z.number().int().min(0).max(2_147_483_647).optional(),
  /** Account topics: the cursor of the last `conversation` frame received, if any. */
  cursor: z.string().max(4000).optional(),
});

export const unsubscribeFrameSchema = z.strictObject({
  type: z.literal('unsubscribe'),
  ref: refSchema,
  topic: topicSchema,
});

export const sendFrameSchema = z
  .strictObject({
    type: z.literal('send'),
    ref: refSchema,
    conversationId: idSchema,
    clientMsgId: clientMsgIdSchema,
    /** Optional only when attachmentIds are sent (a file without a caption). */
    body: messageBodySchema.optional(),
    private: z.boolean().optional(),
    /** Visitors only: the bot menu button pressed. */
    attributes: visitorMessageAttributesSchema.optional(),
    /** Files uploaded beforehand by this sender to this conversation; the message is of kind `attachment`. */
    attachmentIds: attachmentIdsSchema.optional(),
  })
  .refine((frame) => frame.body !== undefined || frame.attachmentIds !== undefined, {
    message: 'Required',
    path: ['body'],
  });

export const typingFrameSchema = z.strictObject({
  type: z.literal('typing'),
  conversationId: idSchema,
  typing: z.boolean(),
});

/** "I have seen everything up to seq" — read receipts. */
export const readFrameSchema = z.strictObject({
  type: z.literal('read'),
  conversationId: idSchema,
  seq: z.number().int().min(0).max(2_147_483_647),
});

export const pingFrameSchema = z.strictObject({
  type: z.literal('ping'),
  ref: refSchema.optional(),
});

export const clientFrameSchema = z.discriminatedUnion('type', [
  authFrameSchema,
  subscribeFrameSchema,
  unsubscribeFrameSchema,
  sendFrameSchema,
  typingFrameSchema,
  readFrameSchema,
  pingFrameSchema,
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

// ---- server → client -------------------------------------------------------------------------

export const principalKindSchema = z.enum(['agent', 'visitor', 'token']);

export const readyFrameSchema = z.object({
  type: z.literal('ready'),
  principal: z.object({ kind: principalKindSchema, id: idSchema }),
  node: z.string(),
});

export const subscribedFrameSchema = z.object({
  type: z.literal('subscribed'),
  ref: refSchema,
  topic: topicSchema,
  /** Conversation topics: the conversation's last seq at the moment of subscribing. */
  lastSeq: z.number().int().optional(),
  /** Account topics: covers every change sent before this frame; resume with it. */
  cursor: z.string().optional(),
});

export const unsubscribedFrameSchema = z.object({
  type: z.literal('unsubscribed'),
  ref: refSchema.optional(),
  topic: topicSchema,
  reason: z.enum(['requested', 'access_revoked']),
});

export const messageFrameSchema = z.object({
  type: z.literal('message'),
  conversationId: idSchema,
  /** The seq of the previous frame on this subscription: a client whose cursor differs has a gap. */
  prevSeq: z.number().int(),
  message: messageSchema,
});

export const conversationFrameSchema = z.object({
  type: z.literal('conversation'),
  accountId: idSchema,
  /** State, not a delta: keep the highest `conversation.version` seen per conversation. */
  conversation: conversationSchema,
});

export const typingEventFrameSchema = z.object({
  type: z.literal('typing'),
  conversationId: idSchema,
  actor: z.object({ kind: z.enum(['contact', 'agent']), id: idSchema, name: z.string().nullable() }),
  typing: z.boolean(),
});

export const readEventFrameSchema = z.object({
  type: z.literal('read'),
  conversationId: idSchema,
  reader: z.object({ kind: z.enum(['contact', 'agent']), id: idSchema, name: z.string().nullable() }),
  seq: z.number().int(),
});

export const ackFrameSchema = z.object({
  type: z.literal('ack'),
  ref: refSchema,
  message: messageSchema,
  /** False when the clientMsgId had been stored already and this is the original answer. */
  created: z.boolean(),
});

export const resyncRequiredFrameSchema = z.object({
  type: z.literal('resync_required'),
  topic: topicSchema,
  reason: z.enum(['cursor_ahead', 'too_far_behind', 'cursor_invalid']),
});

export const errorFrameSchema = z.object({
  type: z.literal('error'),
  ref: refSchema.optional(),
  code: errorCodeSchema,
  message: z.string(),
});

/**
 * The conversation's place in the routing queue changed (1 = next), with the estimated wait in seconds
 * (null when unknown); `position: null` once it is no longer waiting. Sent to the conversation's
 * subscribers; customers further back than the first 50 of an inbox ask `GET …/queue` instead.
 */
export const queueFrameSchema = z.object({
  type: z.literal('queue'),
  conversationId: idSchema,
  position: z.number().int().min(1).nullable(),
  estimatedWaitSeconds: z.number().int().min(0).nullable(),
});

/** A notification for the subscribed user was created (notifications topic). */
export const notificationFrameSchema = z.object({
  type: z.literal('notification'),
  notification: notificationSchema,
});

/** Notifications were marked read in another tab or device; `notificationIds: null` means all of them. */
export const notificationsReadFrameSchema = z.object({
  type: z.literal('notifications_read'),
  accountId: idSchema,
  notificationIds: z.array(idSchema).nullable(),
});

export const pongFrameSchema = z.object({
  type: z.literal('pong'),
  ref: refSchema.optional(),
});

export const reconnectFrameSchema = z.object({
  type: z.literal('reconnect'),
  reason: z.enum(['shutdown']),
});

export const serverFrameSchema = z.discriminatedUnion('type', [
  readyFrameSchema,
  subscribedFrameSchema,
  unsubscribedFrameSchema,
  messageFrameSchema,
  conversationFrameSchema,
  typingEventFrameSchema,
  readEventFrameSchema,
  queueFrameSchema,
  notificationFrameSchema,
  notificationsReadFrameSchema,
  ackFrameSchema,
  resyncRequiredFrameSchema,
  errorFrameSchema,
  pongFrameSchema,
  reconnectFrameSchema,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** Limits the gateway enforces; clients may read them to stay inside. */
export const realtimeLimits = {
  maxFrameBytes: 64 * 1024,
  framesPerSecond: 50,
  authTimeoutMs: 5_000,
  /** Beyond this many missed messages a subscription asks the client to reload over REST. */
  maxCatchUp: 1_000,
  heartbeatMs: 25_000,
} as const;

/** WebSocket close codes used by the gateway. */
export const closeCodes = {
  serviceRestart: 1012,
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  unauthenticated: 4401,
  forbidden: 4403,
  rateLimited: 4429,
  slowConsumer: 4408,
} as const;
