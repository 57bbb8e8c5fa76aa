import { z } from 'zod';
import { idSchema, nameSchema } from './common.ts';

export const channelTypeSchema = z.enum(['web', 'email', 'api', 'whatsapp', 'telegram']);
export type ChannelType = z.infer<typeof channelTypeSchema>;

/** An origin is scheme://host[:port], exactly what browsers send in the Origin header. */
export const originSchema = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://example.com');

/** One field of the widget's pre-chat form. `name` and `email` fill the contact; other keys become attributes. */
export const preChatFieldSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _ (max 40)'),
  /** Shown above the input; the widget uses its own translated label for name and email when empty. */
  label: z.string().trim().max(80).default(''),
  type: z.enum(['text', 'email', 'tel']).default('text'),
  required: z.boolean().default(false),
});
export type PreChatField = z.infer<typeof preChatFieldSchema>;

export const preChatFormSchema = z.strictObject({
  enabled: z.boolean().default(false),
  fields: z
    .array(preChatFieldSchema)
    .max(10)
    .refine((fields) => new Set(fields.map((f) => f.key)).size === fields.length, 'field keys must be unique')
    .default([
      { key: 'name', label: '', type: 'text', required: true },
      { key: 'email', label: '', type: 'email', required: true },
    ]),
});
export type PreChatForm = z.infer<typeof preChatFormSchema>;

export const widgetPositionSchema = z.enum(['right', 'left']);

export const inboxSettingsSchema = z.strictObject({
  allowedOrigins: z.array(originSchema).max(50).default([]),
  requireIdentityVerification: z.boolean().default(false),
  greeting: z.string().max(500).default(''),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#4f46e5'),
  /** The widget's header title; empty means the inbox name. */
  title: z.string().trim().max(80).default(''),
  position: widgetPositionSchema.default('right'),
  preChatForm: preChatFormSchema.default({ enabled: false, fields: [] }),
});
export type InboxSettings = z.infer<typeof inboxSettingsSchema>;

export const createInboxBodySchema = z.strictObject({
  name: nameSchema,
  channelType: channelTypeSchema.default('web'),
  settings: inboxSettingsSchema.partial().optional(),
});
export type CreateInboxBody = z.infer<typeof createInboxBodySchema>;

export const inboxSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  channelType: channelTypeSchema,
  settings: inboxSettingsSchema,
  createdAt: z.string(),
});
export type Inbox = z.infer<typeof inboxSchema>;

/** What an anonymous page may learn about an inbox before a visitor session exists. */
export const publicInboxSchema = z.object({
  id: idSchema,
  name: z.string(),
  greeting: z.string(),
  color: z.string(),
  requireIdentityVerification: z.boolean(),
  /** The widget's header title (the inbox name when no title is set). */
  title: z.string(),
  position: widgetPositionSchema,
  preChatForm: preChatFormSchema,
});

/**
 * A change to some settings. Unlike creation there are no defaults here: a key that is absent keeps its
 * stored value. Every key of inboxSettingsSchema must appear (a test compares the two).
 */
export const inboxSettingsPatchSchema = z.strictObject({
  allowedOrigins: z.array(originSchema).max(50).optional(),
  requireIdentityVerification: z.boolean().optional(),
  greeting: z.string().max(500).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional(),
  title: z.string().trim().max(80).optional(),
  position: widgetPositionSchema.optional(),
  preChatForm: preChatFormSchema.optional(),
});

export const updateInboxBodySchema = z.strictObject({
  name: nameSchema.optional(),
  settings: inboxSettingsPatchSchema.optional(),
});
export type UpdateInboxBody = z.infer<typeof updateInboxBodySchema>;

export const inboxMemberParamsSchema = z.strictObject({
  accountId: idSchema,
  id: idSchema,
  userId: idSchema,
});
