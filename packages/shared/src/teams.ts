import { z } from 'zod';
import { idSchema, nameSchema } from './common.ts';

export const teamSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  memberIds: z.array(idSchema),
  createdAt: z.string(),
});
export type Team = z.infer<typeof teamSchema>;

export const teamListSchema = z.object({ teams: z.array(teamSchema) });

export const teamParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
export const teamMemberParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema, userId: idSchema });

export const createTeamBodySchema = z.strictObject({ name: nameSchema });
export type CreateTeamBody = z.infer<typeof createTeamBodySchema>;

export const updateTeamBodySchema = z.strictObject({ name: nameSchema });
export type UpdateTeamBody = z.infer<typeof updateTeamBodySchema>;
