import {
  apiTokenListSchema,
  apiTokenParamsSchema,
  createApiTokenBodySchema,
  createdApiTokenSchema,
  idSchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { createApiToken, listApiTokens, presentApiToken, revokeApiToken } from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/**
 * Admins manage the account's API tokens. Tokens themselves cannot (token.manage has no scope), so a
 * leaked token cannot mint more.
 */
export const tokenRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/api-tokens',
    auth: 'account',
    policy: 'token.manage',
    summary: "The account's API tokens that still work (never their secrets)",
    tags: ['API tokens'],
    params: accountParams,
    response: apiTokenListSchema,
    handler: async ({ ctx, actor }) => ({ apiTokens: await listApiTokens(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/api-tokens',
    auth: 'account',
    policy: 'token.manage',
    summary: 'Create an API token; the answer is the only time its secret is shown',
    tags: ['API tokens'],
    params: accountParams,
    body: createApiTokenBodySchema,
    response: createdApiTokenSchema,
    status: 201,
    handler: async ({ ctx, actor, body }) => {
      const { token, row } = await createApiToken(ctx.database.db, {
        accountId: actor.accountId,
        name: body.name,
        scopes: body.scopes,
        createdBy: actor.kind === 'agent' ? actor.userId : null,
      });
      return { apiToken: presentApiToken(row), token };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/api-tokens/:id',
    auth: 'account',
    policy: 'token.manage',
    summary: 'Revoke an API token; it stops working at once',
    tags: ['API tokens'],
    params: apiTokenParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await revokeApiToken(ctx.database.db, actor.accountId, params.id, ctx.now());
      return reply.status(204).send();
    },
  }),
];
