import {
  commentReviewBodySchema,
  idSchema,
  messageSchema,
  notificationListQuerySchema,
  notificationListSchema,
  notificationParamsSchema,
  notificationPreferencesSchema,
  notificationSchema,
  postNoteBodySchema,
  requestReviewBodySchema,
  reviewListSchema,
  reviewParamsSchema,
  reviewSchema,
  unreadCountSchema,
  updateNotificationPreferencesBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import type { AccountActor } from '../../auth/principal.ts';
import { rawExecutorOf } from '../../db/connect.ts';
import { forbidden } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  readNotificationPreferences,
  unreadCount,
  updateNotificationPreferences,
} from './centre.ts';
import { postNote } from './notes.ts';
import { approveReview, commentOnReview, listReviews, requestReview } from './reviews.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const conversationParams = z.strictObject({ accountId: idSchema, id: idSchema });

/** Notifications belong to a person; the policy already keeps tokens out, this names the user. */
function userOf(actor: AccountActor): string {
  if (actor.kind !== 'agent') throw forbidden('Notifications belong to people');
  return actor.userId;
}

/** The notification centre, notes that mention colleagues, and review requests. */
export const notificationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/notifications',
    auth: 'account',
    policy: 'notification.read',
    summary: 'My notifications in this account, newest first (unread=true: only unread; paged by cursor)',
    tags: ['Notifications'],
    params: accountParams,
    query: notificationListQuerySchema,
    response: notificationListSchema,
    handler: async ({ ctx, actor, query }) => listNotifications(ctx, userOf(actor), actor.accountId, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/notifications/unread-count',
    auth: 'account',
    policy: 'notification.read',
    summary: 'How many of my notifications in this account are unread',
    tags: ['Notifications'],
    params: accountParams,
    response: unreadCountSchema,
    handler: async ({ ctx, actor }) => ({
      unreadCount: await unreadCount(rawExecutorOf(ctx.database.db), userOf(actor), actor.accountId),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/notifications/read-all',
    auth: 'account',
    policy: 'notification.read',
    summary: 'Mark all my notifications in this account read',
    tags: ['Notifications'],
    params: accountParams,
    response: z.object({ marked: z.number().int() }),
    handler: async ({ ctx, actor }) => markAllNotificationsRead(ctx, userOf(actor), actor.accountId),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/notifications/:id/read',
    auth: 'account',
    policy: 'notification.read',
    summary: 'Mark one of my notifications read (idempotent)',
    tags: ['Notifications'],
    params: notificationParamsSchema,
    response: z.object({ notification: notificationSchema }),
    handler: async ({ ctx, actor, params }) => ({
      notification: await markNotificationRead(ctx, userOf(actor), actor.accountId, params.id),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/me/notification-preferences',
    auth: 'session',
    summary: 'Which notifications reach me, per type and channel (in-app, browser, sound, e-mail)',
    tags: ['Notifications'],
    response: notificationPreferencesSchema,
    handler: async ({ ctx, principal }) => readNotificationPreferences(ctx, principal.userId),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/me/notification-preferences',
    auth: 'session',
    summary: 'Switch some notification channels on or off',
    tags: ['Notifications'],
    body: updateNotificationPreferencesBodySchema,
    response: notificationPreferencesSchema,
    handler: async ({ ctx, principal, body }) => updateNotificationPreferences(ctx, principal.userId, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/notes',
    auth: 'account',
    policy: 'conversation.note',
    summary:
      'Add a private note that mentions colleagues (each must be a member who may see the conversation, else 422 member_not_allowed); they are notified. Idempotent on clientMsgId',
    tags: ['Notifications'],
    params: conversationParams,
    body: postNoteBodySchema,
    response: z.object({ message: messageSchema, created: z.boolean() }),
    status: 201,
    handler: async ({ ctx, actor, params, body }) => postNote(ctx, actor, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations/:id/reviews',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'The review requests of a conversation',
    tags: ['Notifications'],
    params: conversationParams,
    response: reviewListSchema,
    handler: async ({ ctx, actor, params }) => ({ reviews: await listReviews(ctx, actor, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/reviews',
    auth: 'account',
    policy: 'conversation.note',
    summary:
      'Ask a colleague to review a draft reply: a private note carries it and the reviewer is notified. Idempotent on clientMsgId',
    tags: ['Notifications'],
    params: conversationParams,
    body: requestReviewBodySchema,
    response: z.object({ review: reviewSchema, created: z.boolean() }),
    status: 201,
    handler: async ({ ctx, actor, params, body }) => requestReview(ctx, actor, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/reviews/:id/approve',
    auth: 'account',
    policy: 'conversation.reply',
    summary:
      "Approve a draft (the reviewer only, else 403): it is sent as the requester's reply; 409 review_decided once decided",
    tags: ['Notifications'],
    params: reviewParamsSchema,
    response: z.object({ review: reviewSchema, reply: messageSchema }),
    handler: async ({ ctx, actor, params }) => approveReview(ctx, actor, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/reviews/:id/comment',
    auth: 'account',
    policy: 'conversation.note',
    summary:
      'Answer a review with a comment instead (the reviewer only): a private note for the requester; 409 review_decided once decided',
    tags: ['Notifications'],
    params: reviewParamsSchema,
    body: commentReviewBodySchema,
    response: z.object({ review: reviewSchema, note: messageSchema }),
    handler: async ({ ctx, actor, params, body }) => commentOnReview(ctx, actor, params.id, body),
  }),
];
