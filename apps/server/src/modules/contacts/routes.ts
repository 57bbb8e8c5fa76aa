import { contactDetailSchema, contactParamsSchema } from '@parley/shared';
import { defineRoute } from '../../http/route.ts';
import { contactDetail } from './queries.ts';

export const contactRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts/:id',
    auth: 'account',
    policy: 'contact.read',
    summary: 'A contact with their attributes and recent conversations',
    tags: ['Contacts'],
    params: contactParamsSchema,
    response: contactDetailSchema,
    handler: async ({ ctx, actor, params }) => contactDetail(ctx.database.db, actor, params.id),
  }),
];
