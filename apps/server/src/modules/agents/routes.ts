import {
  idSchema,
  memberListSchema,
  memberParamsSchema,
  memberSchema,
  preferencesSchema,
  updateMemberBodySchema,
  updatePreferencesBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { changeRole, readPreferences, removeMember, updatePreferences } from './commands.ts';
import { listMembers } from './queries.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** The people of an account (admins manage them) and each user's own preferences. */
export const agentRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/agents',
    auth: 'account',
    policy: 'agent.read',
    summary: 'List the members of an account',
    tags: ['Agents'],
    params: accountParams,
    response: memberListSchema,
    handler: async ({ ctx, actor }) => ({ members: await listMembers(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/agents/:userId',
    auth: 'account',
    policy: 'agent.manage',
    summary: 'Change the role of a member (409 last_admin if it would leave no admin)',
    tags: ['Agents'],
    params: memberParamsSchema,
    body: updateMemberBodySchema,
    response: z.object({ member: memberSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      member: await changeRole(ctx, actor.accountId, params.userId, body.role),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/agents/:userId',
    auth: 'account',
    policy: 'agent.manage',
    summary: 'Remove a member from the account (409 last_admin for the only admin)',
    tags: ['Agents'],
    params: memberParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await removeMember(ctx, actor.accountId, params.userId);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/me/preferences',
    auth: 'session',
    summary: "The signed-in user's preferences (sound, language)",
    tags: ['Agents'],
    response: preferencesSchema,
    handler: async ({ ctx, principal }) => readPreferences(ctx, principal.userId),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/me/preferences',
    auth: 'session',
    summary: "Change some of the signed-in user's preferences",
    tags: ['Agents'],
    body: updatePreferencesBodySchema,
    response: preferencesSchema,
    handler: async ({ ctx, principal, body }) => updatePreferences(ctx, principal.userId, body),
  }),
];
