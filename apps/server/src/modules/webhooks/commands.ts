import type {
  CreateWebhookBody,
  RotateWebhookSecretBody,
  UpdateWebhookBody,
  WebhookDeliveriesQuery,
} from '@parley/shared';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { inboxes, webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import {
  type AttemptRow,
  presentAttempt,
  presentDelivery,
  presentWebhook,
  type WebhookRow,
} from './presenter.ts';
import { newWebhookSecret } from './signing.ts';

const MAX_ENDPOINTS = 20;

async function endpointOf(ctx: AppContext, accountId: string, id: string): Promise<WebhookRow> {
  const [row] = await ctx.database.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.accountId, accountId)))
    .limit(1);
  if (!row) throw notFound('webhook_not_found', 'Webhook');
  return row;
}

async function assertInbox(
  ctx: AppContext,
  accountId: string,
  inboxId: string | null | undefined,
): Promise<void> {
  if (!inboxId) return;
  const [row] = await ctx.database.db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.accountId, accountId)))
    .limit(1);
  if (!row) throw notFound('inbox_not_found', 'Inbox');
}

export async function listWebhooks(ctx: AppContext, accountId: string) {
  const rows = await ctx.database.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, accountId))
    .orderBy(webhookEndpoints.createdAt);
  return { webhooks: rows.map(presentWebhook) };
}

export async function getWebhook(ctx: AppContext, accountId: string, id: string) {
  return { webhook: presentWebhook(await endpointOf(ctx, accountId, id)) };
}

export async function createWebhook(ctx: AppContext, accountId: string, body: CreateWebhookBody) {
  await assertInbox(ctx, accountId, body.inboxId);
  const [count] = await ctx.database.rows<{ n: number }>(
    sql`select count(*)::int as n from webhook_endpoints where account_id = ${accountId}`,
  );
  if ((count?.n ?? 0) >= MAX_ENDPOINTS) {
    throw new AppError('conflict', 409, `An account can have at most ${MAX_ENDPOINTS} webhook endpoints`);
  }
  const secret = newWebhookSecret();
  const [row] = await ctx.database.db
    .insert(webhookEndpoints)
    .values({
      id: newId(),
      accountId,
      inboxId: body.inboxId ?? null,
      url: body.url,
      description: body.description ?? null,
      eventTypes: [...new Set(body.eventTypes)],
      secret,
    })
    .returning();
  if (!row) throw new Error('webhook insert returned nothing');
  return { webhook: presentWebhook(row), secret };
}

export async function updateWebhook(ctx: AppContext, accountId: string, id: string, body: UpdateWebhookBody) {
  await endpointOf(ctx, accountId, id);
  await assertInbox(ctx, accountId, body.inboxId);
  const [row] = await ctx.database.db
    .update(webhookEndpoints)
    .set({
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.eventTypes !== undefined ? { eventTypes: [...new Set(body.eventTypes)] } : {}),
      ...(body.inboxId !== undefined ? { inboxId: body.inboxId } : {}),
      // Enabling again forgets the failures that disabled it.
      ...(body.enabled !== undefined
        ? { enabled: body.enabled, ...(body.enabled ? { disabledReason: null, failingSince: null } : {}) }
        : {}),
      updatedAt: ctx.now(),
    })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.accountId, accountId)))
    .returning();
  if (!row) throw notFound('webhook_not_found', 'Webhook');
  return { webhook: presentWebhook(row) };
}

export async function deleteWebhook(ctx: AppContext, accountId: string, id: string): Promise<void> {
  const deleted = await ctx.database.db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.accountId, accountId)))
    .returning({ id: webhookEndpoints.id });
  if (deleted.length === 0) throw notFound('webhook_not_found', 'Webhook');
}

/** A new secret signs from now on; the previous one keeps signing beside it for the overlap. */
export async function rotateWebhookSecret(
  ctx: AppContext,
  accountId: string,
  id: string,
  body: RotateWebhookSecretBody,
) {
  const current = await endpointOf(ctx, accountId, id);
  const secret = newWebhookSecret();
  const [row] = await ctx.database.db
    .update(webhookEndpoints)
    .set({
      secret,
      previousSecret: body.overlapMinutes > 0 ? current.secret : null,
      previousSecretExpiresAt:
        body.overlapMinutes > 0 ? new Date(ctx.now().getTime() + body.overlapMinutes * 60_000) : null,
      updatedAt: ctx.now(),
    })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  if (!row) throw notFound('webhook_not_found', 'Webhook');
  return { webhook: presentWebhook(row), secret };
}

type Cursor = { t: string; id: string };
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(value: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof parsed.t === 'string' && typeof parsed.id === 'string' && !Number.isNaN(Date.parse(parsed.t)))
      return { t: parsed.t, id: parsed.id };
  } catch {
    // falls through to the error below
  }
  throw new AppError('validation_failed', 400, 'Invalid cursor');
}

async function lastAttempts(ctx: AppContext, deliveryIds: string[]): Promise<Map<string, AttemptRow>> {
  if (deliveryIds.length === 0) return new Map();
  const rows = await ctx.database.db
    .selectDistinctOn([webhookAttempts.deliveryId])
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, deliveryIds))
    .orderBy(webhookAttempts.deliveryId, desc(webhookAttempts.id));
  return new Map(rows.map((r) => [r.deliveryId, r]));
}

/** The delivery log of one endpoint, newest first. */
export async function listDeliveries(
  ctx: AppContext,
  accountId: string,
  id: string,
  query: WebhookDeliveriesQuery,
) {
  await endpointOf(ctx, accountId, id);
  const conditions = [eq(webhookDeliveries.endpointId, id)];
  if (query.status) conditions.push(eq(webhookDeliveries.status, query.status));
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    const at = new Date(c.t);
    conditions.push(
      or(
        lt(webhookDeliveries.createdAt, at),
        and(eq(webhookDeliveries.createdAt, at), lt(webhookDeliveries.id, c.id)),
      ) as ReturnType<typeof eq>,
    );
  }
  const rows = await ctx.database.db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = await lastAttempts(
    ctx,
    page.map((r) => r.id),
  );
  const tail = page.at(-1);
  return {
    deliveries: page.map((r) => presentDelivery(r, last.get(r.id) ?? null)),
    nextCursor:
      rows.length > query.limit && tail
        ? encodeCursor({ t: tail.createdAt.toISOString(), id: tail.id })
        : null,
  };
}

async function deliveryOf(ctx: AppContext, accountId: string, id: string, deliveryId: string) {
  await endpointOf(ctx, accountId, id);
  const [row] = await ctx.database.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, id)))
    .limit(1);
  if (!row) throw notFound('webhook_delivery_not_found', 'Delivery');
  return row;
}

export async function getDelivery(ctx: AppContext, accountId: string, id: string, deliveryId: string) {
  const row = await deliveryOf(ctx, accountId, id, deliveryId);
  const attempts = await ctx.database.db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(desc(webhookAttempts.id));
  const body = typeof row.payload.body === 'string' ? row.payload.body : null;
  return {
    delivery: presentDelivery(row, attempts[0] ?? null),
    attempts: attempts.map(presentAttempt),
    body,
  };
}

/** Sends a delivery again, now, with the same `webhook-id` and body, and a fresh retry schedule. */
export async function redeliver(ctx: AppContext, accountId: string, id: string, deliveryId: string) {
  await deliveryOf(ctx, accountId, id, deliveryId);
  const [row] = await ctx.database.db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: ctx.now(), completedAt: null })
    .where(eq(webhookDeliveries.id, deliveryId))
    .returning();
  if (!row) throw notFound('webhook_delivery_not_found', 'Delivery');
  return { delivery: presentDelivery(row, (await lastAttempts(ctx, [row.id])).get(row.id) ?? null) };
}
