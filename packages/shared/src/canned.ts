import { z } from 'zod';
import { idSchema } from './common.ts';

/**
 * Canned replies: text blocks an agent inserts by typing `#shortcut` in the composer. A reply belongs
 * to the whole account, to one team, or to one agent (personal, seen by nobody else).
 */
export const cannedScopes = ['account', 'team', 'personal'] as const;
export const cannedScopeSchema = z.enum(cannedScopes);
export type CannedScope = z.infer<typeof cannedScopeSchema>;

/** What follows `#` in the composer: letters, digits, `-` and `_`, unique per scope in any case. */
export const cannedShortcutSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[\p{L}\p{N}_-]+$/u, 'letters, digits, - and _ only');

export const cannedBodySchema = z
  .string()
  .trim()
  .min(1)
  // Inserted into a message, whose body may hold 10,000 characters once variables are filled in.
  .max(5000);

function teamMatchesScope(
  value: { scope?: CannedScope | undefined; teamId?: string | null | undefined },
  ctx: z.RefinementCtx,
) {
  if (value.scope === 'team' && !value.teamId) {
    ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'a team reply needs its team' });
  }
  if (value.scope !== undefined && value.scope !== 'team' && value.teamId) {
    ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'only team replies have a team' });
  }
}

export const createCannedReplyBodySchema = z
  .strictObject({
    shortcut: cannedShortcutSchema,
    body: cannedBodySchema,
    scope: cannedScopeSchema.default('personal'),
    /** The team of a team reply; only with scope "team". */
    teamId: idSchema.nullable().optional(),
  })
  .superRefine(teamMatchesScope);
export type CreateCannedReplyBody = z.infer<typeof createCannedReplyBodySchema>;

/** Changing the scope moves the reply (the caller must be allowed to manage both). */
export const updateCannedReplyBodySchema = z
  .strictObject({
    shortcut: cannedShortcutSchema.optional(),
    body: cannedBodySchema.optional(),
    scope: cannedScopeSchema.optional(),
    teamId: idSchema.nullable().optional(),
  })
  .superRefine(teamMatchesScope);
export type UpdateCannedReplyBody = z.infer<typeof updateCannedReplyBodySchema>;

export const cannedReplyListQuerySchema = z.strictObject({
  /** Matches the shortcut (best first: exact, then prefix) and the text, in any case. */
  q: z.string().trim().max(100).optional(),
  /**
   * `mine` (the default): what the caller can insert — account replies, their teams' and their own.
   * `all`: for admins and supervisors managing replies, every team's as well (personal ones stay private).
   */
  teams: z.enum(['mine', 'all']).default('mine'),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});
export type CannedReplyListQuery = z.infer<typeof cannedReplyListQuerySchema>;

export const cannedReplySchema = z.object({
  id: idSchema,
  accountId: idSchema,
  shortcut: z.string(),
  body: z.string(),
  scope: cannedScopeSchema,
  teamId: idSchema.nullable(),
  teamName: z.string().nullable(),
  /** The agent a personal reply belongs to. */
  ownerId: idSchema.nullable(),
  createdBy: idSchema.nullable(),
  /** Whether the caller may edit or delete it. */
  canManage: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CannedReply = z.infer<typeof cannedReplySchema>;

export const cannedReplyListSchema = z.object({ cannedReplies: z.array(cannedReplySchema) });
export const cannedReplyResponseSchema = z.object({ cannedReply: cannedReplySchema });
export const cannedReplyParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
