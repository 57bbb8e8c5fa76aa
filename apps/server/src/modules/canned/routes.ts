import {
  cannedReplyListQuerySchema,
  cannedReplyListSchema,
  cannedReplyParamsSchema,
  cannedReplyResponseSchema,
  createCannedReplyBodySchema,
  idSchema,
  updateCannedReplyBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { createCannedReply, deleteCannedReply, updateCannedReply } from './commands.ts';
import { listCannedReplies } from './queries.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** Canned replies: shared with the account or a team, or personal; inserted with `#shortcut`. */
export const cannedRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/canned-replies',
    auth: 'account',
    policy: 'canned.read',
    summary:
      "The canned replies the caller may use: the account's, their teams' and their own (teams=all: every team's, for admins and supervisors); q searches shortcut and text",
    tags: ['Canned replies'],
    params: accountParams,
    query: cannedReplyListQuerySchema,
    response: cannedReplyListSchema,
    handler: async ({ ctx, actor, query }) => ({
      cannedReplies: await listCannedReplies(ctx.database.db, actor, query),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/canned-replies',
    auth: 'account',
    policy: 'canned.write',
    summary:
      'Create a canned reply: personal (any agent), or for the account or a team (admins and supervisors); 409 canned_reply_exists when the shortcut is taken in that scope',
    tags: ['Canned replies'],
    params: accountParams,
    body: createCannedReplyBodySchema,
    response: cannedReplyResponseSchema,
    status: 201,
    handler: async ({ ctx, actor, body }) => ({ cannedReply: await createCannedReply(ctx, actor, body) }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/canned-replies/:id',
    auth: 'account',
    policy: 'canned.write',
    summary: 'Change a canned reply’s shortcut, text or scope',
    tags: ['Canned replies'],
    params: cannedReplyParamsSchema,
    body: updateCannedReplyBodySchema,
    response: cannedReplyResponseSchema,
    handler: async ({ ctx, actor, params, body }) => ({
      cannedReply: await updateCannedReply(ctx, actor, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/canned-replies/:id',
    auth: 'account',
    policy: 'canned.write',
    summary: 'Delete a canned reply',
    tags: ['Canned replies'],
    params: cannedReplyParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteCannedReply(ctx, actor, params.id);
      return reply.status(204).send();
    },
  }),
];
