import { z } from 'zod';
import { emailSchema, idSchema } from './common.ts';

/**
 * A site that knows who its user is signs `${id}.${timestamp}` with the inbox secret
 * (HMAC-SHA256, hex). `timestamp` is milliseconds since the epoch (JavaScript's Date.now()); signatures
 * are accepted for 7 days, so a leaked one cannot be replayed forever.
 */
export const signedIdentitySchema = z.strictObject({
  id: z.string().min(1).max(200),
  timestamp: z.number().int().positive(),
  signature: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export const createVisitorSessionBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  email: emailSchema.optional(),
  identity: signedIdentitySchema.optional(),
  /** Answers to the inbox's extra pre-chat fields, stored on the contact's attributes under `preChat`. */
  attributes: z
    .record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.string().trim().max(500))
    .refine((value) => Object.keys(value).length <= 10, 'at most 10 attributes')
    .optional(),
});
export type CreateVisitorSessionBody = z.infer<typeof createVisitorSessionBodySchema>;

export const visitorSessionSchema = z.object({
  token: z.string(),
  contact: z.object({
    id: idSchema,
    name: z.string().nullable(),
    email: z.string().nullable(),
    verified: z.boolean(),
  }),
});
export type VisitorSession = z.infer<typeof visitorSessionSchema>;

/** What the widget knows about the page the visitor is on; shown to agents beside the conversation. */
export const visitorContextBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  title: z.string().max(300).optional(),
  referrer: z.string().max(2000).optional(),
  locale: z.string().max(35).optional(),
  timezone: z.string().max(64).optional(),
});
export type VisitorContextBody = z.infer<typeof visitorContextBodySchema>;
