import { z } from 'zod';
import { clientMsgIdSchema, idSchema } from './common.ts';
import { messageBodySchema } from './messages.ts';

export const conversationStatuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const conversationStatusSchema = z.enum(conversationStatuses);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

export const prioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof prioritySchema>;

export const conversationListQuerySchema = z.strictObject({
  status: conversationStatusSchema.optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), idSchema]).optional(),
  inboxId: idSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ConversationListQuery = z.infer<typeof conversationListQuerySchema>;

export const changeStatusBodySchema = z.strictObject({
  status: conversationStatusSchema,
});
export type ChangeStatusBody = z.infer<typeof changeStatusBodySchema>;

export const conversationSchema = z.object({
  id: idSchema,
  number: z.number().int(),
  accountId: idSchema,
  inboxId: idSchema,
  contactId: idSchema,
  contactName: z.string().nullable(),
  status: conversationStatusSchema,
  priority: prioritySchema,
  assigneeId: idSchema.nullable(),
  teamId: idSchema.nullable(),
  lastSeq: z.number().int(),
  version: z.number().int(),
  lastMessagePreview: z.string().nullable(),
  firstReplyAt: z.string().nullable(),
  waitingSince: z.string().nullable(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
  /** The requesting agent's read position; only in REST answers, absent from shared feed frames. */
  myLastReadSeq: z.number().int().optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.object({
  conversations: z.array(conversationSchema),
  nextCursor: z.string().nullable(),
});

export const visitorStartConversationBodySchema = z.strictObject({
  message: z
    .strictObject({
      clientMsgId: clientMsgIdSchema,
      body: messageBodySchema,
    })
    .optional(),
});
export type VisitorStartConversationBody = z.infer<typeof visitorStartConversationBodySchema>;

/** What a visitor sees of a conversation: no assignee ids, no internal fields. */
export const visitorConversationSchema = z.object({
  id: idSchema,
  status: conversationStatusSchema,
  lastSeq: z.number().int(),
  /** The visitor's own read position (for the unread badge). */
  lastReadSeq: z.number().int(),
  /** The furthest any agent has read ("Seen"). */
  agentLastReadSeq: z.number().int(),
  lastMessagePreview: z.string().nullable(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
});
export type VisitorConversation = z.infer<typeof visitorConversationSchema>;

export const typingBodySchema = z.strictObject({ typing: z.boolean() });

export const markReadBodySchema = z.strictObject({ seq: z.number().int().min(0).max(2_147_483_647) });
export type MarkReadBody = z.infer<typeof markReadBodySchema>;
