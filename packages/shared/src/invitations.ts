import { z } from 'zod';
import { emailSchema, idSchema, nameSchema, roleSchema } from './common.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_DAYS = 7;

/** Invitation tokens are random base64url strings; anything else is rejected before a lookup. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'not an invitation token');
export const invitationTokenParamsSchema = z.strictObject({ token: invitationTokenSchema });
export const invitationParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

export const createInvitationBodySchema = z.strictObject({
  email: emailSchema,
  name: nameSchema.optional(),
  role: roleSchema.default('agent'),
});
export type CreateInvitationBody = z.infer<typeof createInvitationBodySchema>;

export const invitationSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Invitation = z.infer<typeof invitationSchema>;

/** The link is shown once, to the admin who created it; only its hash is stored. */
export const createdInvitationSchema = z.object({ invitation: invitationSchema, url: z.string() });
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;

export const invitationListSchema = z.object({ invitations: z.array(invitationSchema) });

/** What the holder of a link learns before accepting it. */
export const invitationPreviewSchema = z.object({
  accountName: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  expiresAt: z.string(),
  /** True when this e-mail already has a Parley login: accepting then asks for that password. */
  existingUser: z.boolean(),
});
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

/**
 * New people choose a name and a password (at least 10 characters, checked by the server); people who
 * already have a login confirm with their current password.
 */
export const acceptInvitationBodySchema = z.strictObject({
  name: nameSchema.optional(),
  password: z.string().min(1).max(200),
});
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBodySchema>;
