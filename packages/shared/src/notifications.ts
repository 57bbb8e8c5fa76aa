import { z } from 'zod';
import { clientMsgIdSchema, idSchema } from './common.ts';
import { messageBodySchema } from './messages.ts';

/** What an agent is told about. */
export const notificationTypes = [
  'mention',
  'assignment',
  'transfer',
  'new_conversation',
  'review_request',
  'review_result',
] as const;
export const notificationTypeSchema = z.enum(notificationTypes);
export type NotificationType = z.infer<typeof notificationTypeSchema>;

/**
 * How: `inApp` lists it under the bell (unread until opened); `browser` shows a system notification and
 * `sound` plays a chime while a dashboard is open; `email` sends a mail.
 */
export const notificationChannels = ['inApp', 'browser', 'sound', 'email'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

type ChannelChoice = Record<NotificationChannel, boolean>;

const on = (inApp: boolean, browser: boolean, sound: boolean, email: boolean): ChannelChoice => ({
  inApp,
  browser,
  sound,
  email,
});

/**
 * Defaults. New conversations are off: in a big team they would be noise for most, and every member
 * who wants them costs a row per conversation. E-mail is opt-in everywhere.
 */
export const defaultNotificationPreferences: Record<NotificationType, ChannelChoice> = {
  mention: on(true, true, true, false),
  assignment: on(true, true, true, false),
  transfer: on(true, true, true, false),
  new_conversation: on(false, false, false, false),
  review_request: on(true, true, true, false),
  review_result: on(true, true, false, false),
};

const choiceSchema = (defaults: ChannelChoice) =>
  z
    .object({
      inApp: z.boolean().catch(defaults.inApp),
      browser: z.boolean().catch(defaults.browser),
      sound: z.boolean().catch(defaults.sound),
      email: z.boolean().catch(defaults.email),
    })
    .catch(defaults);

const d = defaultNotificationPreferences;

/**
 * Per type × channel, kept in users.preferences.notifications. Parsed on every read, so a missing or
 * stale stored value falls back to its default instead of breaking anything.
 */
export const notificationPreferencesSchema = z
  .object({
    mention: choiceSchema(d.mention).default(d.mention),
    assignment: choiceSchema(d.assignment).default(d.assignment),
    transfer: choiceSchema(d.transfer).default(d.transfer),
    new_conversation: choiceSchema(d.new_conversation).default(d.new_conversation),
    review_request: choiceSchema(d.review_request).default(d.review_request),
    review_result: choiceSchema(d.review_result).default(d.review_result),
  })
  .catch(d);
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

const choicePatchSchema = z
  .strictObject({
    inApp: z.boolean().optional(),
    browser: z.boolean().optional(),
    sound: z.boolean().optional(),
    email: z.boolean().optional(),
  })
  .optional();

/** Changes some switches; the others stay as they are. */
export const updateNotificationPreferencesBodySchema = z
  .strictObject({
    mention: choicePatchSchema,
    assignment: choicePatchSchema,
    transfer: choicePatchSchema,
    new_conversation: choicePatchSchema,
    review_request: choicePatchSchema,
    review_result: choicePatchSchema,
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), 'change at least one preference');
export type UpdateNotificationPreferencesBody = z.infer<typeof updateNotificationPreferencesBodySchema>;

// ---- the notification centre -----------------------------------------------------------------

/** Details that depend on the type; what is not relevant to a type is absent. */
export const notificationPayloadSchema = z.object({
  /** The start of the note, draft or comment, for the list. */
  excerpt: z.string().optional(),
  reviewId: idSchema.optional(),
  decision: z.enum(['approved', 'commented']).optional(),
  inboxName: z.string().optional(),
});
export type NotificationPayload = z.infer<typeof notificationPayloadSchema>;

export const notificationSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  type: notificationTypeSchema,
  conversationId: idSchema.nullable(),
  conversationNumber: z.number().int().nullable(),
  contactName: z.string().nullable(),
  /** The item to open the conversation at (the note that mentions you, the review request). */
  messageSeq: z.number().int().nullable(),
  /** Who caused it; null for Parley itself (routing) or a customer (a new conversation). */
  actor: z.object({ id: idSchema, name: z.string() }).nullable(),
  payload: notificationPayloadSchema,
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuerySchema = z.strictObject({
  unread: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type NotificationListQuery = z.infer<typeof notificationListQuerySchema>;

export const notificationListSchema = z.object({
  notifications: z.array(notificationSchema),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export const unreadCountSchema = z.object({ unreadCount: z.number().int() });

export const notificationParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

// ---- mentions and review requests ------------------------------------------------------------

export const MAX_MENTIONS = 20;

/**
 * A private note that may mention colleagues. Mentions are user ids; the body shows them as `@Name`.
 * Every mentioned user must be a member of the account who may see the conversation.
 */
export const postNoteBodySchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  body: messageBodySchema,
  mentions: z.array(idSchema).max(MAX_MENTIONS).default([]),
});
export type PostNoteBody = z.infer<typeof postNoteBodySchema>;

/** The attributes a note carries for its mentions. */
export const noteMentionsAttributesSchema = z.object({ mentions: z.array(idSchema) });

/** Asks a colleague to review a draft reply before it goes to the customer. */
export const requestReviewBodySchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  reviewerId: idSchema,
  draft: messageBodySchema,
});
export type RequestReviewBody = z.infer<typeof requestReviewBodySchema>;

export const commentReviewBodySchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  comment: messageBodySchema,
});
export type CommentReviewBody = z.infer<typeof commentReviewBodySchema>;

export const reviewStatusSchema = z.enum(['pending', 'approved', 'commented']);

export const reviewSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  noteSeq: z.number().int(),
  requester: z.object({ id: idSchema, name: z.string() }),
  reviewer: z.object({ id: idSchema, name: z.string() }),
  draft: z.string(),
  status: reviewStatusSchema,
  comment: z.string().nullable(),
  /** The seq of the reply sent on approval. */
  replySeq: z.number().int().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Review = z.infer<typeof reviewSchema>;

export const reviewListSchema = z.object({ reviews: z.array(reviewSchema) });
export const reviewParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
