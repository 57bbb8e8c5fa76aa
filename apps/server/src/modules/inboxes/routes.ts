import {
  createInboxBodySchema,
  idParamsSchema,
  idSchema,
  inboxMemberParamsSchema,
  inboxSchema,
  updateInboxBodySchema,
} from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { inboxes, inboxMembers } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { randomToken } from '../../lib/crypto.ts';
import { restartSockets } from '../agents/commands.ts';
import { findMember } from '../agents/queries.ts';
import { createInbox, findInbox, listInboxes, listInboxMemberIds, updateInbox } from './commands.ts';
import { presentInbox } from './presenter.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const inboxParams = idParamsSchema.extend({ accountId: idSchema });
const membersResponse = z.object({ userIds: z.array(idSchema) });

export const inboxRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/inboxes',
    auth: 'account',
    policy: 'inbox.read',
    summary: 'List the inboxes of an account',
    tags: ['Inboxes'],
    params: accountParams,
    response: z.object({ inboxes: z.array(inboxSchema) }),
    handler: async ({ ctx, actor }) => ({
      inboxes: (await listInboxes(ctx.database.db, actor.accountId)).map(presentInbox),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/inboxes',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Create an inbox',
    tags: ['Inboxes'],
    params: accountParams,
    body: createInboxBodySchema,
    response: z.object({ inbox: inboxSchema, identitySecret: z.string() }),
    status: 201,
    handler: async ({ ctx, actor, body }) => {
      const row = await createInbox(ctx.database.db, actor.accountId, body);
      return { inbox: presentInbox(row), identitySecret: row.identitySecret };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/inboxes/:id',
    auth: 'account',
    policy: 'inbox.read',
    summary: 'Get one inbox',
    tags: ['Inboxes'],
    params: inboxParams,
    response: z.object({ inbox: inboxSchema }),
    handler: async ({ ctx, actor, params }) => ({
      inbox: presentInbox(await findInbox(ctx.database.db, actor.accountId, params.id)),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/inboxes/:id',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Rename an inbox or change some of its settings (absent keys keep their values)',
    tags: ['Inboxes'],
    params: inboxParams,
    body: updateInboxBodySchema,
    response: z.object({ inbox: inboxSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      inbox: presentInbox(await updateInbox(ctx.database.db, actor.accountId, params.id, body)),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/inboxes/:id/identity-secret',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'The secret that signs visitor identities for this inbox (admins only)',
    tags: ['Inboxes'],
    params: inboxParams,
    response: z.object({ identitySecret: z.string() }),
    handler: async ({ ctx, actor, params, reply }) => {
      reply.header('cache-control', 'no-store');
      const row = await findInbox(ctx.database.db, actor.accountId, params.id);
      return { identitySecret: row.identitySecret };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/inboxes/:id/identity-secret',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Replace the identity secret; signatures made with the old one stop working',
    tags: ['Inboxes'],
    params: inboxParams,
    response: z.object({ identitySecret: z.string() }),
    handler: async ({ ctx, actor, params, reply }) => {
      reply.header('cache-control', 'no-store');
      const secret = randomToken(32);
      const [row] = await ctx.database.db
        .update(inboxes)
        .set({ identitySecret: secret })
        .where(and(eq(inboxes.id, params.id), eq(inboxes.accountId, actor.accountId)))
        .returning({ identitySecret: inboxes.identitySecret });
      if (!row) throw new AppError('inbox_not_found', 404, 'Inbox not found');
      return { identitySecret: row.identitySecret };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/inboxes/:id/members',
    auth: 'account',
    policy: 'inbox.read',
    summary: 'The agents who work this inbox (admins and supervisors see every inbox anyway)',
    tags: ['Inboxes'],
    params: inboxParams,
    response: membersResponse,
    handler: async ({ ctx, actor, params }) => {
      const inbox = await findInbox(ctx.database.db, actor.accountId, params.id);
      return { userIds: await listInboxMemberIds(ctx.database.db, inbox.id) };
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/inboxes/:id/members/:userId',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Let a member of the account work this inbox (idempotent)',
    tags: ['Inboxes'],
    params: inboxMemberParamsSchema,
    response: membersResponse,
    handler: async ({ ctx, actor, params }) => {
      const db = ctx.database.db;
      const inbox = await findInbox(db, actor.accountId, params.id);
      await findMember(db, actor.accountId, params.userId);
      await db
        .insert(inboxMembers)
        .values({ inboxId: inbox.id, userId: params.userId })
        .onConflictDoNothing();
      return { userIds: await listInboxMemberIds(db, inbox.id) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/inboxes/:id/members/:userId',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Stop a member from working this inbox (idempotent)',
    tags: ['Inboxes'],
    params: inboxMemberParamsSchema,
    response: membersResponse,
    handler: async ({ ctx, actor, params }) => {
      const db = ctx.database.db;
      const inbox = await findInbox(db, actor.accountId, params.id);
      const removed = await db
        .delete(inboxMembers)
        .where(and(eq(inboxMembers.inboxId, inbox.id), eq(inboxMembers.userId, params.userId)))
        .returning({ userId: inboxMembers.userId });
      // Their open account feed was authorized with this inbox; make it subscribe again.
      if (removed.length > 0) restartSockets(ctx, params.userId);
      return { userIds: await listInboxMemberIds(db, inbox.id) };
    },
  }),
];
