import {
  acceptInvitationBodySchema,
  createdInvitationSchema,
  createInvitationBodySchema,
  idSchema,
  invitationListSchema,
  invitationParamsSchema,
  invitationPreviewSchema,
  invitationTokenParamsSchema,
  sessionInfoSchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { sessionInfo } from '../auth/routes.ts';
import { startSession } from '../auth/sessions.ts';
import {
  acceptInvitation,
  createInvitation,
  listPendingInvitations,
  previewInvitation,
  revokeInvitation,
} from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const MINUTE = 60_000;

/** Admins invite people with a one-time link; the holder of the link joins with it. */
export const invitationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/invitations',
    auth: 'account',
    policy: 'agent.manage',
    summary: 'Invitations that were not accepted yet and still work',
    tags: ['Agents'],
    params: accountParams,
    response: invitationListSchema,
    handler: async ({ ctx, actor }) => ({ invitations: await listPendingInvitations(ctx, actor.accountId) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/invitations',
    auth: 'account',
    policy: 'agent.manage',
    summary: 'Invite someone with a role; answers the one-time link (shown only now)',
    tags: ['Agents'],
    params: accountParams,
    body: createInvitationBodySchema,
    response: createdInvitationSchema,
    status: 201,
    handler: async ({ ctx, actor, body }) =>
      createInvitation(ctx, actor.accountId, actor.kind === 'agent' ? actor.userId : null, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/invitations/:id',
    auth: 'account',
    policy: 'agent.manage',
    summary: 'Revoke a pending invitation',
    tags: ['Agents'],
    params: invitationParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await revokeInvitation(ctx, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/invitations/:token',
    auth: 'public',
    summary: 'What an invitation link is for (404 unknown, 410 used or expired)',
    tags: ['Agents'],
    params: invitationTokenParamsSchema,
    response: invitationPreviewSchema,
    rateLimit: (request) => [{ key: `invitation:${request.ip}`, limit: 30, windowMs: MINUTE }],
    handler: async ({ ctx, params }) => previewInvitation(ctx, params.token),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/invitations/:token/accept',
    auth: 'public',
    summary: 'Accept an invitation: joins the account and signs in (sets the session cookie)',
    tags: ['Agents'],
    params: invitationTokenParamsSchema,
    body: acceptInvitationBodySchema,
    response: sessionInfoSchema,
    rateLimit: (request) => [{ key: `invitation-accept:${request.ip}`, limit: 10, windowMs: MINUTE }],
    handler: async ({ ctx, params, body, request, reply }) => {
      const { userId } = await acceptInvitation(ctx, params.token, body);
      const { csrfToken } = await startSession(ctx, reply, userId, {
        userAgent: request.headers['user-agent'],
        ip: request.ip,
      });
      return sessionInfo(ctx, userId, csrfToken);
    },
  }),
];
