import { z } from 'zod';
import { availabilitySchema, idSchema, roleSchema } from './common.ts';

/** A person who belongs to an account, as teammates and admins see them. */
export const memberSchema = z.object({
  userId: idSchema,
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  availability: availabilitySchema,
  createdAt: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

export const memberListSchema = z.object({ members: z.array(memberSchema) });

export const memberParamsSchema = z.strictObject({ accountId: idSchema, userId: idSchema });

export const updateMemberBodySchema = z.strictObject({ role: roleSchema });
export type UpdateMemberBody = z.infer<typeof updateMemberBodySchema>;

/** The languages the dashboard speaks. */
export const localeSchema = z.enum(['en', 'pt-BR', 'ru']);
export type Locale = z.infer<typeof localeSchema>;

/**
 * Per-user choices kept in users.preferences. Stored JSON is parsed through this schema, so unknown or
 * stale keys fall back to their defaults instead of breaking the dashboard.
 */
export const preferencesSchema = z.object({
  soundMuted: z.boolean().catch(false),
  /** null: follow the browser's language. */
  locale: localeSchema.nullable().catch(null),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const updatePreferencesBodySchema = z
  .strictObject({
    soundMuted: z.boolean().optional(),
    locale: localeSchema.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'change at least one preference');
export type UpdatePreferencesBody = z.infer<typeof updatePreferencesBodySchema>;
