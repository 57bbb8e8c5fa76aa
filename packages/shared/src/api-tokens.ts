import { z } from 'zod';
import { tokenScopeSchema } from './auth.ts';
import { idSchema, nameSchema } from './common.ts';

/** What an admin fills in to create an API token: a name people recognise and at least one scope. */
export const createApiTokenBodySchema = z.strictObject({
  name: nameSchema,
  scopes: z
    .array(tokenScopeSchema)
    .min(1, 'choose at least one scope')
    .max(20)
    .transform((scopes) => [...new Set(scopes)]),
});
export type CreateApiTokenBody = z.infer<typeof createApiTokenBodySchema>;

/** A token as listed: never its secret, only the prefix that helps recognise it. */
export const apiTokenSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The part after `pat_`, shown so people can tell their tokens apart. */
  prefix: z.string(),
  scopes: z.array(tokenScopeSchema),
  createdBy: idSchema.nullable(),
  createdAt: z.string(),
  /** Updated at most once a minute per token. */
  lastUsedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenListSchema = z.object({ apiTokens: z.array(apiTokenSchema) });

/** The answer to a creation: the only time the secret leaves the server. */
export const createdApiTokenSchema = z.object({ apiToken: apiTokenSchema, token: z.string() });
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

export const apiTokenParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
