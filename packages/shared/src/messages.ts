import { z } from 'zod';
import { attachmentIdsSchema } from './attachments.ts';
import { botButtonIdSchema } from './bots.ts';
import { clientMsgIdSchema, idSchema } from './common.ts';

export const senderKindSchema = z.enum(['contact', 'agent', 'bot', 'system']);
export type SenderKind = z.infer<typeof senderKindSchema>;

/** `note` is private to agents; `activity` records a change (status, assignment) in the thread. */
export const messageKindSchema = z.enum([
  'text',
  'note',
  'activity',
  'attachment',
  'article',
  'flow',
  'call',
  'survey',
]);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const messageBodySchema = z
  .string()
  .trim()
  .min(1)
  .max(10_000)
  // PostgreSQL text cannot hold NUL; refusing it here keeps every path (REST, WebSocket) at a 400.
  .refine((body) => !body.includes('\u0000'), 'NUL characters are not allowed');

/** A message with attachments (kind `attachment`) may leave out the body: it is then a caption-less file. */
const bodyOrAttachments = (message: { body?: string | undefined; attachmentIds?: string[] | undefined }) =>
  message.body !== undefined || message.attachmentIds !== undefined;
const bodyRequired = { message: 'Required', path: ['body'] };

export const agentPostMessageBodySchema = z
  .strictObject({
    clientMsgId: clientMsgIdSchema,
    body: messageBodySchema.optional(),
    private: z.boolean().default(false),
    attachmentIds: attachmentIdsSchema.optional(),
  })
  .refine(bodyOrAttachments, bodyRequired);
export type AgentPostMessageBody = z.infer<typeof agentPostMessageBodySchema>;

/** What a customer may attach to a message: the id of the bot menu button they pressed (body = its label). */
export const visitorMessageAttributesSchema = z.strictObject({ buttonId: botButtonIdSchema });
export type VisitorMessageAttributes = z.infer<typeof visitorMessageAttributesSchema>;

export const visitorPostMessageBodySchema = z
  .strictObject({
    clientMsgId: clientMsgIdSchema,
    body: messageBodySchema.optional(),
    attributes: visitorMessageAttributesSchema.optional(),
    attachmentIds: attachmentIdsSchema.optional(),
  })
  .refine(bodyOrAttachments, bodyRequired);
export type VisitorPostMessageBody = z.infer<typeof visitorPostMessageBodySchema>;

export const messagesQuerySchema = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  beforeSeq: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessagesQuery = z.infer<typeof messagesQuerySchema>;

export const messageSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  seq: z.number().int(),
  kind: messageKindSchema,
  senderKind: senderKindSchema,
  senderId: idSchema.nullable(),
  senderName: z.string().nullable(),
  body: z.string(),
  private: z.boolean(),
  attributes: z.record(z.string(), z.unknown()),
  clientMsgId: z.string().nullable(),
  createdAt: z.string(),
});
export type Message = z.infer<typeof messageSchema>;

export const messagePageSchema = z.object({
  messages: z.array(messageSchema),
  lastSeq: z.number().int(),
});
