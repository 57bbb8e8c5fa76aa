import {
  createTeamBodySchema,
  idSchema,
  teamListSchema,
  teamMemberParamsSchema,
  teamParamsSchema,
  teamSchema,
  updateTeamBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  listTeams,
  removeTeamMember,
  renameTeam,
} from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const teamResponse = z.object({ team: teamSchema });

export const teamRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/teams',
    auth: 'account',
    policy: 'team.read',
    summary: 'List the teams of an account with their members',
    tags: ['Teams'],
    params: accountParams,
    response: teamListSchema,
    handler: async ({ ctx, actor }) => ({ teams: await listTeams(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/teams',
    auth: 'account',
    policy: 'team.manage',
    summary: 'Create a team',
    tags: ['Teams'],
    params: accountParams,
    body: createTeamBodySchema,
    response: teamResponse,
    status: 201,
    handler: async ({ ctx, actor, body }) => ({
      team: await createTeam(ctx.database.db, actor.accountId, body.name),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/teams/:id',
    auth: 'account',
    policy: 'team.manage',
    summary: 'Rename a team',
    tags: ['Teams'],
    params: teamParamsSchema,
    body: updateTeamBodySchema,
    response: teamResponse,
    handler: async ({ ctx, actor, params, body }) => ({
      team: await renameTeam(ctx.database.db, actor.accountId, params.id, body.name),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/teams/:id',
    auth: 'account',
    policy: 'team.manage',
    summary: 'Delete a team (its conversations keep their assignee and lose the team)',
    tags: ['Teams'],
    params: teamParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteTeam(ctx.database.db, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/teams/:id/members/:userId',
    auth: 'account',
    policy: 'team.manage',
    summary: 'Add a member of the account to a team (idempotent)',
    tags: ['Teams'],
    params: teamMemberParamsSchema,
    response: teamResponse,
    handler: async ({ ctx, actor, params }) => ({
      team: await addTeamMember(ctx.database.db, actor.accountId, params.id, params.userId),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/teams/:id/members/:userId',
    auth: 'account',
    policy: 'team.manage',
    summary: 'Remove someone from a team (idempotent)',
    tags: ['Teams'],
    params: teamMemberParamsSchema,
    response: teamResponse,
    handler: async ({ ctx, actor, params }) => ({
      team: await removeTeamMember(ctx.database.db, actor.accountId, params.id, params.userId),
    }),
  }),
];
