import { createInboxBodySchema, idSchema, inboxSchema } from '@parley/shared';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { inboxes } from '../../db/schema.ts';
import { defineRoute } from '../../http/route.ts';
import { createInbox } from './commands.ts';
import { presentInbox } from './presenter.ts';

const accountParams = z.strictObject({ accountId: idSchema });

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
    handler: async ({ ctx, actor }) => {
      const rows = await ctx.database.db
        .select()
        .from(inboxes)
        .where(eq(inboxes.accountId, actor.accountId))
        .orderBy(asc(inboxes.createdAt));
      return { inboxes: rows.map(presentInbox) };
    },
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
];
