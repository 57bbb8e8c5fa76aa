import { z } from 'zod';
import { idSchema, nameSchema } from './common.ts';

export const channelTypeSchema = z.enum(['web', 'email', 'api', 'whatsapp', 'telegram']);
export type ChannelType = z.infer<typeof channelTypeSchema>;

/** An origin is scheme://host[:port], exactly what browsers send in the Origin header. */
export const originSchema = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://example.com');

export const inboxSettingsSchema = z.strictObject({
  allowedOrigins: z.array(originSchema).max(50).default([]),
  requireIdentityVerification: z.boolean().default(false),
  greeting: z.string().max(500).default(''),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#4f46e5'),
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
});

export const updateInboxBodySchema = z.strictObject({
  name: nameSchema.optional(),
  settings: inboxSettingsPatchSchema.optional(),
});
export type UpdateInboxBody = z.infer<typeof updateInboxBodySchema>;

export const inboxMemberParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema, userId: idSchema });
