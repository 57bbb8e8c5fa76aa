import {
  createWebhookBodySchema,
  idSchema,
  rotateWebhookSecretBodySchema,
  updateWebhookBodySchema,
  webhookDeliveriesQuerySchema,
  webhookDeliveryDetailSchema,
  webhookDeliveryListSchema,
  webhookDeliveryParamsSchema,
  webhookDeliverySchema,
  webhookDeliveryV1ParamsSchema,
  webhookListSchema,
  webhookParamsSchema,
  webhookSchema,
  webhookV1ParamsSchema,
  webhookWithSecretSchema,
} from '@parley/shared';
import { z } from 'zod';
import type { AccountActor } from '../../auth/principal.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  rotateWebhookSecret,
  updateWebhook,
} from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const tags = ['Webhooks'];

/**
 * The same endpoints twice: for the dashboard (and tokens) under /api/accounts/:accountId, and in the
 * public API under /api/v1, where the account comes from the token. The handlers only ever use the
 * actor's account.
 */
function webhookRoutesUnder(prefix: string, auth: 'account' | 'api'): AnyRoute[] {
  const v1 = auth === 'api';
  const list = v1 ? undefined : accountParams;
  const one = v1 ? webhookV1ParamsSchema : webhookParamsSchema;
  const delivery = v1 ? webhookDeliveryV1ParamsSchema : webhookDeliveryParamsSchema;
  const accountOf = (actor: AccountActor) => actor.accountId;
  return [
    defineRoute({
      method: 'GET',
      url: `${prefix}/webhooks`,
      auth,
      policy: 'webhook.manage',
      summary: 'List webhook endpoints',
      tags,
      ...(list ? { params: list } : {}),
      response: webhookListSchema,
      handler: ({ ctx, actor }) => listWebhooks(ctx, accountOf(actor)),
    }),
    defineRoute({
      method: 'POST',
      url: `${prefix}/webhooks`,
      auth,
      policy: 'webhook.manage',
      summary: 'Subscribe an endpoint to events; the signing secret is returned once',
      tags,
      ...(list ? { params: list } : {}),
      body: createWebhookBodySchema,
      response: webhookWithSecretSchema,
      status: 201,
      handler: ({ ctx, actor, body }) => createWebhook(ctx, accountOf(actor), body),
    }),
    defineRoute({
      method: 'GET',
      url: `${prefix}/webhooks/:id`,
      auth,
      policy: 'webhook.manage',
      summary: 'Get a webhook endpoint',
      tags,
      params: one,
      response: z.object({ webhook: webhookSchema }),
      handler: ({ ctx, actor, params }) => getWebhook(ctx, accountOf(actor), params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${prefix}/webhooks/:id`,
      auth,
      policy: 'webhook.manage',
      summary: 'Change a webhook endpoint (URL, events, inbox), or enable it again',
      tags,
      params: one,
      body: updateWebhookBodySchema,
      response: z.object({ webhook: webhookSchema }),
      handler: ({ ctx, actor, params, body }) => updateWebhook(ctx, accountOf(actor), params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${prefix}/webhooks/:id`,
      auth,
      policy: 'webhook.manage',
      summary: 'Delete a webhook endpoint and its delivery log',
      tags,
      params: one,
      status: 204,
      handler: async ({ ctx, actor, params, reply }) => {
        await deleteWebhook(ctx, accountOf(actor), params.id);
        return reply.status(204).send();
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${prefix}/webhooks/:id/rotate-secret`,
      auth,
      policy: 'webhook.manage',
      summary: 'Rotate the signing secret; the previous one keeps signing during the overlap',
      tags,
      params: one,
      body: rotateWebhookSecretBodySchema,
      response: webhookWithSecretSchema,
      handler: ({ ctx, actor, params, body }) => rotateWebhookSecret(ctx, accountOf(actor), params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: `${prefix}/webhooks/:id/deliveries`,
      auth,
      policy: 'webhook.manage',
      summary: 'The delivery log of an endpoint, newest first',
      tags,
      params: one,
      query: webhookDeliveriesQuerySchema,
      response: webhookDeliveryListSchema,
      handler: ({ ctx, actor, params, query }) => listDeliveries(ctx, accountOf(actor), params.id, query),
    }),
    defineRoute({
      method: 'GET',
      url: `${prefix}/webhooks/:id/deliveries/:deliveryId`,
      auth,
      policy: 'webhook.manage',
      summary: 'One delivery with every attempt and the exact body sent',
      tags,
      params: delivery,
      response: webhookDeliveryDetailSchema,
      handler: ({ ctx, actor, params }) => getDelivery(ctx, accountOf(actor), params.id, params.deliveryId),
    }),
    defineRoute({
      method: 'POST',
      url: `${prefix}/webhooks/:id/deliveries/:deliveryId/redeliver`,
      auth,
      policy: 'webhook.manage',
      summary: 'Send a delivery again now, with the same webhook-id and body',
      tags,
      params: delivery,
      response: z.object({ delivery: webhookDeliverySchema }),
      handler: ({ ctx, actor, params }) => redeliver(ctx, accountOf(actor), params.id, params.deliveryId),
    }),
  ];
}

export const webhookRoutes: AnyRoute[] = [
  ...webhookRoutesUnder('/api/accounts/:accountId', 'account'),
  ...webhookRoutesUnder('/api/v1', 'api'),
];
