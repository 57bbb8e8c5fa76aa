import { z } from 'zod';
import { emailSchema, idSchema, nameSchema, roleSchema } from './common.ts';

export const passwordSchema = z.string().min(10, 'at least 10 characters').max(200);

export const loginBodySchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const setupBodySchema = z.strictObject({
  accountName: nameSchema,
  name: nameSchema,
  email: emailSchema,
  password: passwordSchema,
});
export type SetupBody = z.infer<typeof setupBodySchema>;

export const membershipSchema = z.object({
  accountId: idSchema,
  accountName: z.string(),
  role: roleSchema,
});

export const sessionInfoSchema = z.object({
  user: z.object({ id: idSchema, email: z.string(), name: z.string() }),
  memberships: z.array(membershipSchema),
  csrfToken: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const setupStatusSchema = z.object({ needsSetup: z.boolean() });

export const tokenScopes = [
  'conversation_read',
  'conversation_write',
  'contact_read',
  'contact_write',
  'inbox_read',
  'webhook_manage',
  'report_read',
] as const;
export const tokenScopeSchema = z.enum(tokenScopes);
export type TokenScope = z.infer<typeof tokenScopeSchema>;
