import { z } from 'zod';
import { clientMsgIdSchema, emailSchema, idSchema, nameSchema } from './common.ts';
import { updateContactBodySchema } from './contacts.ts';
import { conversationSchema, conversationViewSchema } from './conversations.ts';
import { messageBodySchema } from './messages.ts';
import { conversationListQuerySchema } from './views.ts';

/*
 * The public API (/api/v1): the account comes from the API token, so URLs carry no account id. Most
 * inputs are the dashboard's own schemas; these are the ones the public API adds.
 */

export const v1IdParamsSchema = z.strictObject({ id: idSchema });
export const v1TagParamsSchema = z.strictObject({ id: idSchema, tagId: idSchema });

/** The dashboard's list filters, without those that name the signed-in agent (a token is nobody). */
export const v1ConversationListQuerySchema = conversationListQuerySchema.extend({
  assignee: z.union([z.literal('none'), idSchema]).optional(),
  view: conversationViewSchema.exclude(['mine']).optional(),
});
export type V1ConversationListQuery = z.infer<typeof v1ConversationListQuerySchema>;

/** Which system started a conversation through the API; shown to agents as its header. */
export const integrationSourceSchema = z
  .string()
  .trim()
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a name shown as text must not hide control characters.
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'control characters are not allowed');

/**
 * Starts a conversation for a contact (by id, or by e-mail: found regardless of case or created), with
 * the contact's first message. Retrying with the same message.clientMsgId returns the same conversation.
 */
export const v1CreateConversationBodySchema = z
  .strictObject({
    /** Default: the account's API inbox (created on first use). */
    inboxId: idSchema.optional(),
    contactId: idSchema.optional(),
    email: emailSchema.optional(),
    /** Used only when the contact is created. */
    name: nameSchema.optional(),
    integrationSource: integrationSourceSchema.optional(),
    message: z.strictObject({ clientMsgId: clientMsgIdSchema, body: messageBodySchema }),
  })
  .refine((b) => (b.contactId === undefined) !== (b.email === undefined), {
    message: 'give exactly one of contactId and email',
  });
export type V1CreateConversationBody = z.infer<typeof v1CreateConversationBodySchema>;

export const v1CreatedConversationSchema = z.object({
  conversation: conversationSchema,
  created: z.boolean(),
});

/** A reply (as "API") or, with private=true, a note; idempotent on clientMsgId. */
export const v1PostMessageBodySchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  body: messageBodySchema,
  private: z.boolean().default(false),
});
export type V1PostMessageBody = z.infer<typeof v1PostMessageBodySchema>;

export const v1AssignBodySchema = z.strictObject({ assigneeId: idSchema });
export type V1AssignBody = z.infer<typeof v1AssignBodySchema>;

// ---- contacts ---------------------------------------------------------------------------------

/**
 * A new contact: the fields an edit takes, plus the id the company's own system knows them by. The
 * e-mail address and the external id are unique per account (409 contact_exists names the contact).
 */
export const v1CreateContactBodySchema = z
  .strictObject({
    ...updateContactBodySchema.shape,
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: an id shown as text must not hide control characters.
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'control characters are not allowed')
      .optional(),
  })
  .refine(
    (b) => Boolean(b.name || b.email || b.phone || b.externalId),
    'give at least a name, an e-mail address, a phone number or an external id',
  );
export type V1CreateContactBody = z.infer<typeof v1CreateContactBodySchema>;

// ---- the Drift-compatible endpoint -------------------------------------------------------------

/**
 * `POST /api/v1/conversations/new`, shaped like Drift's endpoint so integrations written for it keep
 * working. Unknown keys inside `attributes` are ignored (Drift integrations send their own);
 * `autoAssigneeId` is a Parley user id — a number (a Drift id) or an id that is not an agent of the
 * account leaves the conversation to routing instead of failing.
 */
export const driftConversationBodySchema = z.strictObject({
  email: emailSchema,
  /** Parley's addition: which inbox; default the account's API inbox. */
  inboxId: idSchema.optional(),
  message: z.strictObject({
    body: messageBodySchema,
    attributes: z
      .looseObject({
        integrationSource: integrationSourceSchema.nullable().optional(),
        autoAssigneeId: z
          .union([z.string().max(100), z.number()])
          .nullable()
          .optional(),
      })
      .optional(),
  }),
});
export type DriftConversationBody = z.infer<typeof driftConversationBodySchema>;

/** Drift's answer, at the top level; `createdAt` in epoch milliseconds, `status` in Drift's words. */
export const driftConversationSchema = z.object({
  status: z.enum(['open', 'pending', 'closed']),
  /** The agents in the conversation (its assignee, once there is one). */
  participants: z.array(idSchema),
  contactId: idSchema,
  createdAt: z.number().int(),
  id: idSchema,
  inboxId: idSchema,
});
export type DriftConversation = z.infer<typeof driftConversationSchema>;
