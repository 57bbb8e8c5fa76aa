import {
  idSchema,
  queueInfoSchema,
  queueListSchema,
  routingProfileListSchema,
  routingProfileSchema,
  setAvailabilityBodySchema,
  updateRoutingProfileBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { rawExecutorOf } from '../../db/connect.ts';
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { findConversation } from '../conversations/queries.ts';
import { agentSeen, listRoutingProfiles, setAvailability, updateRoutingProfile } from './presence.ts';
import { listQueue, queueInfo } from './queue.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const memberParams = z.strictObject({ accountId: idSchema, userId: idSchema });
const conversationParams = z.strictObject({ accountId: idSchema, id: idSchema });
const MINUTE = 60_000;

/** Availability, capacity, skills and the queue (agent side), and the customer's place in it (Client API). */
export const routingRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/routing/agents',
    auth: 'account',
    policy: 'agent.read',
    summary: 'Agents as routing sees them: availability, capacity, skills and current load',
    tags: ['Routing'],
    params: accountParams,
    response: routingProfileListSchema,
    handler: async ({ ctx, actor }) => ({ agents: await listRoutingProfiles(ctx, actor.accountId) }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/routing/agents/:userId',
    auth: 'account',
    policy: 'agent.manage',
    summary: "Change an agent's capacity, per-channel capacity, skills or availability",
    tags: ['Routing'],
    params: memberParams,
    body: updateRoutingProfileBodySchema,
    response: z.object({ agent: routingProfileSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      agent: await updateRoutingProfile(
        ctx,
        actor.accountId,
        params.userId,
        body,
        actor.kind === 'agent' ? actor.userId : null,
      ),
    }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/me/availability',
    auth: 'account',
    policy: 'account.read',
    summary: 'Set your own availability (online agents are routed conversations)',
    tags: ['Routing'],
    params: accountParams,
    body: setAvailabilityBodySchema,
    response: z.object({ agent: routingProfileSchema }),
    handler: async ({ ctx, actor, body }) => {
      if (actor.kind !== 'agent') throw new AppError('forbidden', 403, 'Only agents have an availability');
      return { agent: await setAvailability(ctx, actor.accountId, actor.userId, body.availability) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/me/heartbeat',
    auth: 'account',
    policy: 'account.read',
    summary: 'A sign of life that keeps an online agent from going away for inactivity',
    tags: ['Routing'],
    params: accountParams,
    status: 204,
    rateLimit: (request) => [{ key: `heartbeat:${request.ip}`, limit: 120, windowMs: MINUTE }],
    handler: async ({ ctx, actor, reply }) => {
      if (actor.kind !== 'agent') throw new AppError('forbidden', 403, 'Only agents have an availability');
      await agentSeen(ctx, actor.userId, true);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/routing/queue',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'Conversations waiting for an agent, in the order they are served, with their places',
    tags: ['Routing'],
    params: accountParams,
    response: queueListSchema,
    handler: async ({ ctx, actor }) => ({ queue: await listQueue(ctx, actor) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations/:id/queue',
    auth: 'account',
    policy: 'conversation.read',
    summary: "A conversation's place in the routing queue and the estimated wait",
    tags: ['Routing'],
    params: conversationParams,
    response: queueInfoSchema,
    handler: async ({ ctx, actor, params }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      return queueInfo(rawExecutorOf(ctx.database.db), row.id, ctx.now());
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/client/conversations/:id/queue',
    auth: 'visitor',
    summary:
      'The customer’s place in the queue and the estimated wait (null when unknown); `waiting: false` once an agent has it. Changes are also pushed as `queue` frames to the conversation’s subscribers.',
    tags: ['Client API'],
    params: z.strictObject({ id: idSchema }),
    response: queueInfoSchema,
    rateLimit: (request) => [{ key: `visitor-queue:${request.ip}`, limit: 120, windowMs: MINUTE }],
    handler: async ({ ctx, actor, params }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      return queueInfo(rawExecutorOf(ctx.database.db), row.id, ctx.now());
    },
  }),
];
