import { z } from 'zod';
import { idSchema } from './common.ts';
import { conversationSchema } from './conversations.ts';

export const contactParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

export const contactSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  /** Set only from a verified identity or the API. */
  externalId: z.string().nullable(),
  /**
   * Typed custom attributes (keys of the account's attribute definitions) beside what the widget stores:
   * `visitor` (page, browser, locale), `preChat` (pre-chat answers). Every value is untrusted text.
   */
  attributes: z.record(z.string(), z.unknown()),
  /** When the contact was blocked: their new messages and conversations are refused. */
  blockedAt: z.string().nullable(),
  /** Set on a contact that was merged into another one; it then has no conversations of its own. */
  mergedIntoId: idSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;

/** A contact with the conversations of theirs that the reader may see, newest first. */
export const contactDetailSchema = z.object({
  contact: contactSchema,
  conversations: z.array(conversationSchema),
});
export type ContactDetail = z.infer<typeof contactDetailSchema>;

// ---- custom attribute definitions -------------------------------------------------------------

export const attributeTypes = ['text', 'number', 'date', 'list', 'boolean', 'link'] as const;
export const attributeTypeSchema = z.enum(attributeTypes);
export type AttributeType = z.infer<typeof attributeTypeSchema>;

/** Keys the widget writes on the contact itself; an account cannot define attributes with these names. */
export const RESERVED_ATTRIBUTE_KEYS: readonly string[] = ['visitor', 'preChat', 'unverifiedExternalId'];

/** Lower-case snake_case, so a key never collides with what the widget stores (camelCase) and reads well in rules. */
export const attributeKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _ (starting with a letter), at most 40')
  .refine((key) => !RESERVED_ATTRIBUTE_KEYS.includes(key), 'this key is reserved');

const labelSchema = z
  .string()
  .trim()
  .min(1)
  .max(60)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((label) => !/[\u0000-\u001f\u007f]/.test(label), 'control characters are not allowed');

const optionSchema = z.string().trim().min(1).max(80);
const optionsSchema = z
  .array(optionSchema)
  .max(100)
  .refine((options) => new Set(options).size === options.length, 'options must be unique');

export const attributeDefinitionSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  key: z.string(),
  label: z.string(),
  type: attributeTypeSchema,
  /** The allowed values of a list attribute (empty for other types). */
  options: z.array(z.string()),
  position: z.number().int(),
  createdAt: z.string(),
});
export type AttributeDefinition = z.infer<typeof attributeDefinitionSchema>;

export const attributeDefinitionListSchema = z.object({ definitions: z.array(attributeDefinitionSchema) });

export const attributeDefinitionParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

export const createAttributeDefinitionBodySchema = z
  .strictObject({
    key: attributeKeySchema,
    label: labelSchema,
    type: attributeTypeSchema,
    options: optionsSchema.default([]),
    position: z.number().int().min(0).max(10_000).optional(),
  })
  .refine((d) => (d.type === 'list' ? d.options.length > 0 : d.options.length === 0), {
    message: 'a list attribute needs options; other types take none',
    path: ['options'],
  });
export type CreateAttributeDefinitionBody = z.infer<typeof createAttributeDefinitionBodySchema>;

/** The key and type stay as created: stored values were checked against them. */
export const updateAttributeDefinitionBodySchema = z
  .strictObject({
    label: labelSchema.optional(),
    options: optionsSchema.optional(),
    position: z.number().int().min(0).max(10_000).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateAttributeDefinitionBody = z.infer<typeof updateAttributeDefinitionBodySchema>;

// ---- editing a contact ------------------------------------------------------------------------

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'control characters are not allowed')
    .transform((v) => (v === '' ? null : v))
    .nullable();

/** A value for a custom attribute; null removes it. Its type is checked against the definition. */
export const attributeValueInputSchema = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

export const updateContactBodySchema = z
  .strictObject({
    name: optionalText(120).optional(),
    email: z
      .union([
        z.literal('').transform(() => null),
        z
          .email()
          .max(254)
          .transform((e) => e.toLowerCase()),
        z.null(),
      ])
      .optional(),
    phone: z
      .union([
        z.literal('').transform(() => null),
        z
          .string()
          .trim()
          .max(40)
          .regex(/^\+?[0-9 ().-]{3,40}$/, 'digits, spaces and + ( ) . - only'),
        z.null(),
      ])
      .optional(),
    company: optionalText(120).optional(),
    /** Only the given keys change (null removes one); keys must be defined for the account. */
    attributes: z
      .record(z.string().max(60), attributeValueInputSchema)
      .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes at once')
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateContactBody = z.infer<typeof updateContactBodySchema>;

export const contactResponseSchema = z.object({ contact: contactSchema });

// ---- the contacts list ------------------------------------------------------------------------

export const contactListQuerySchema = z.strictObject({
  /** Part of a name, an e-mail address, a company or a phone number. */
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ContactListQuery = z.infer<typeof contactListQuerySchema>;

export const contactListItemSchema = contactSchema.extend({
  conversationCount: z.number().int(),
  lastActivityAt: z.string().nullable(),
});
export type ContactListItem = z.infer<typeof contactListItemSchema>;

export const contactListSchema = z.object({
  contacts: z.array(contactListItemSchema),
  nextCursor: z.string().nullable(),
});
export type ContactList = z.infer<typeof contactListSchema>;

// ---- the customer journey ---------------------------------------------------------------------

export const journeyQuerySchema = z.strictObject({
  /** The id of the oldest event of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'an event id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type JourneyQuery = z.infer<typeof journeyQuerySchema>;

export const journeyActorSchema = z.object({
  kind: z.enum(['contact', 'agent', 'bot', 'system', 'token']),
  id: idSchema.nullable(),
  /** The agent's, token's or contact's name at reading time; null for the system. */
  name: z.string().nullable(),
});

/**
 * One thing that happened to the contact. `type` names it (`conversation.created`,
 * `conversation.assigned`, `contact.updated`…); `payload` holds what the event recorded (ids of agents,
 * teams and tags, statuses, changed fields) for clients to phrase it.
 */
export const journeyEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  conversationId: idSchema.nullable(),
  conversationNumber: z.number().int().nullable(),
  actor: journeyActorSchema,
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type JourneyEvent = z.infer<typeof journeyEventSchema>;

export const journeyPageSchema = z.object({
  events: z.array(journeyEventSchema),
  nextCursor: z.string().nullable(),
});
export type JourneyPage = z.infer<typeof journeyPageSchema>;

/** What `contact.updated` records for each changed field (`attributes.<key>` for custom attributes). */
export const contactChangeSchema = z.object({
  field: z.string(),
  from: z.unknown(),
  to: z.unknown(),
});
export type ContactChange = z.infer<typeof contactChangeSchema>;

// ---- merging ----------------------------------------------------------------------------------

export const mergeContactBodySchema = z.strictObject({ sourceContactId: idSchema });
export type MergeContactBody = z.infer<typeof mergeContactBodySchema>;

export const mergePreviewQuerySchema = z.strictObject({ sourceContactId: idSchema });

/** What a merge moves from the source to the target (and what the target keeps on a conflict). */
export const mergeSummarySchema = z.object({
  conversations: z.number().int(),
  identities: z.number().int(),
  /** Tag names the target gains. */
  tags: z.array(z.string()),
  /** Attribute keys and profile fields the source fills in on the target. */
  filled: z.array(z.string()),
  /** Keys and fields both have: the target's values stay. */
  kept: z.array(z.string()),
});
export type MergeSummary = z.infer<typeof mergeSummarySchema>;

export const mergePreviewSchema = z.object({
  source: contactSchema,
  target: contactSchema,
  moves: mergeSummarySchema,
});
export type MergePreview = z.infer<typeof mergePreviewSchema>;

export const mergeResultSchema = z.object({ contact: contactSchema, moved: mergeSummarySchema });
export type MergeResult = z.infer<typeof mergeResultSchema>;
