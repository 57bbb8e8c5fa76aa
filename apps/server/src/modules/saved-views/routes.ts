import {
  createSavedViewBodySchema,
  idSchema,
  reorderSavedViewsBodySchema,
  savedViewListSchema,
  savedViewParamsSchema,
  savedViewSchema,
  updateSavedViewBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import {
  createSavedView,
  deleteSavedView,
  listSavedViews,
  ownerOf,
  reorderSavedViews,
  updateSavedView,
} from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** Saved views of the inbox list: each person's own, in each account; never shared, never a token's. */
export const savedViewRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/saved-views',
    auth: 'account',
    policy: 'view.manage',
    summary: 'My saved views, in my order',
    tags: ['Saved views'],
    params: accountParams,
    response: savedViewListSchema,
    handler: async ({ ctx, actor }) => ({ views: await listSavedViews(ctx.database.db, ownerOf(actor)) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/saved-views',
    auth: 'account',
    policy: 'view.manage',
    summary: 'Save a view: a name and list filters (the same filters the conversation list takes)',
    tags: ['Saved views'],
    params: accountParams,
    body: createSavedViewBodySchema,
    response: z.object({ view: savedViewSchema }),
    status: 201,
    handler: async ({ ctx, actor, body }) => ({ view: await createSavedView(ctx, ownerOf(actor), body) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/saved-views/order',
    auth: 'account',
    policy: 'view.manage',
    summary: 'Reorder my saved views: the listed ones first, the others after them in their order',
    tags: ['Saved views'],
    params: accountParams,
    body: reorderSavedViewsBodySchema,
    response: savedViewListSchema,
    handler: async ({ ctx, actor, body }) => ({
      views: await reorderSavedViews(ctx, ownerOf(actor), body.ids),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/saved-views/:id',
    auth: 'account',
    policy: 'view.manage',
    summary: 'Rename a saved view or replace its filters',
    tags: ['Saved views'],
    params: savedViewParamsSchema,
    body: updateSavedViewBodySchema,
    response: z.object({ view: savedViewSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      view: await updateSavedView(ctx, ownerOf(actor), params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/saved-views/:id',
    auth: 'account',
    policy: 'view.manage',
    summary: 'Delete a saved view',
    tags: ['Saved views'],
    params: savedViewParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteSavedView(ctx, ownerOf(actor), params.id);
      return reply.status(204).send();
    },
  }),
];
