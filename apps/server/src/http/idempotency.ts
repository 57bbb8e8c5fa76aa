import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AccountActor } from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { scheduleJob } from '../jobs/runner.ts';
import { sha256 } from '../lib/crypto.ts';
import type { RouteSpec } from './route.ts';

/*
 * `Idempotency-Key` on POSTs: a client that retries after a timeout or a dropped connection gets the
 * answer of the first attempt instead of doing the work twice.
 * - The first request with a key claims it (a row without a response), runs, and stores its status and
 *   body. Only successes are stored: a failed request changed nothing (commands roll back), so its key
 *   is released and a retry runs again.
 * - The same key with the same method, path and body replays the stored answer with
 *   `Idempotent-Replayed: true`; with anything else it is 422 idempotency_key_reused.
 * - A duplicate arriving while the first still runs waits for it briefly, then gets 409
 *   idempotency_key_in_use (Retry-After: 1).
 * - Keys belong to one caller (the token or the agent) of one account and are kept for 24 hours.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** A claim this old without an answer belongs to a request whose node died; the key is taken over. */
const ABANDONED_AFTER_MS = 60_000;
const WAIT_FOR_FIRST_MS = 2_000;
const POLL_MS = 25;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The key of a request, if it carries one; a malformed key is a 400, never silently ignored. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new AppError(
      'validation_failed',
      400,
      'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)',
    );
  }
  return value;
}

/** Object keys sorted at every level, so the same body written in another key order is the same body. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function requestHashOf(request: FastifyRequest): string {
  return sha256(`${request.method} ${request.url}\n${JSON.stringify(canonical(request.body ?? null))}`);
}

interface Claim {
  accountId: string;
  callerId: string;
  key: string;
  requestHash: string;
}

type Stored = { status: number; body: unknown };

const rowWhere = (claim: Claim) =>
  and(
    eq(idempotencyKeys.accountId, claim.accountId),
    eq(idempotencyKeys.callerId, claim.callerId),
    eq(idempotencyKeys.key, claim.key),
  );

async function tryClaim(ctx: AppContext, claim: Claim): Promise<boolean> {
  const inserted = await ctx.database.db
    .insert(idempotencyKeys)
    .values({ ...claim, createdAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return inserted.length > 0;
}

/**
 * Either claims the key (`null`: run the request) or returns the stored answer to replay. Throws 422
 * for another request under the same key and 409 while the first is still running.
 */
async function claimOrReplay(ctx: AppContext, claim: Claim): Promise<Stored | null> {
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    if (await tryClaim(ctx, claim)) return null;
    const [row] = await ctx.database.db.select().from(idempotencyKeys).where(rowWhere(claim)).limit(1);
    if (!row) continue; // released or expired meanwhile: claim again
    const age = ctx.now().getTime() - row.createdAt.getTime();
    if (age >= IDEMPOTENCY_TTL_MS) {
      // Expired but not yet swept: the key is free again.
      await ctx.database.db
        .delete(idempotencyKeys)
        .where(and(rowWhere(claim), eq(idempotencyKeys.createdAt, row.createdAt)));
      continue;
    }
    if (row.requestHash !== claim.requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        422,
        'This Idempotency-Key was used for a different request; use a new key for a new request',
      );
    }
    if (row.responseStatus !== null) return { status: row.responseStatus, body: row.responseBody };
    if (age >= ABANDONED_AFTER_MS) {
      const taken = await ctx.database.db
        .update(idempotencyKeys)
        .set({ createdAt: ctx.now() })
        .where(
          and(
            rowWhere(claim),
            isNull(idempotencyKeys.responseStatus),
            eq(idempotencyKeys.createdAt, row.createdAt),
          ),
        )
        .returning({ key: idempotencyKeys.key });
      if (taken.length > 0) return null;
      continue;
    }
    if (Date.now() >= deadline) {
      throw new AppError(
        'idempotency_key_in_use',
        409,
        'A request with this Idempotency-Key is still running; retry shortly',
        { headers: { 'retry-after': '1' } },
      );
    }
    await sleep(POLL_MS);
  }
}

async function store(ctx: AppContext, claim: Claim, answer: Stored): Promise<void> {
  await ctx.database.db
    .update(idempotencyKeys)
    .set({ responseStatus: answer.status, responseBody: answer.body ?? null })
    .where(rowWhere(claim));
}

async function release(ctx: AppContext, claim: Claim): Promise<void> {
  await ctx.database.db
    .delete(idempotencyKeys)
    .where(and(rowWhere(claim), isNull(idempotencyKeys.responseStatus)));
}

const callerIdOf = (actor: AccountActor) => (actor.kind === 'token' ? actor.tokenId : actor.userId);

/**
 * Makes a POST route honour `Idempotency-Key` (see above). Requests without the header run as before.
 * The route's answer must be JSON returned by its handler (or an empty reply it sends itself).
 */
export function idempotent<K extends 'account' | 'api', P, Q, B>(
  route: RouteSpec<K, P, Q, B>,
): RouteSpec<K, P, Q, B> {
  const status = route.status ?? 200;
  return {
    ...route,
    idempotent: true,
    handler: async (input) => {
      const key = idempotencyKeyOf(input.request);
      if (key === null) return route.handler(input);
      const actor = input.actor as AccountActor;
      const claim: Claim = {
        accountId: actor.accountId,
        callerId: callerIdOf(actor),
        key,
        requestHash: requestHashOf(input.request),
      };
      const replay = await claimOrReplay(input.ctx, claim);
      if (replay) {
        input.reply.status(replay.status).header(REPLAYED_HEADER, 'true');
        return replay.body === null ? input.reply.send() : input.reply.send(replay.body);
      }
      let result: unknown;
      try {
        result = await route.handler(input);
      } catch (error) {
        await release(input.ctx, claim).catch((err: unknown) =>
          input.ctx.log.warn({ err }, 'could not release an idempotency key'),
        );
        throw error;
      }
      const answer: Stored = input.reply.sent
        ? { status: input.reply.statusCode, body: null }
        : // Stored as the client will read it (dates as strings, undefined fields dropped).
          { status, body: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
      await store(input.ctx, claim, answer);
      return result;
    },
  };
}

// ---- expiry -----------------------------------------------------------------------------------

export const CLEANUP_JOB = 'idempotency.cleanup';
const CLEANUP_KEY = 'idempotency:cleanup';
const CLEANUP_EVERY_MS = 60 * 60_000;

/** Deletes keys older than a day; returns how many. */
export async function deleteExpiredKeys(ctx: AppContext): Promise<number> {
  const deleted = await ctx.database.db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(ctx.now().getTime() - IDEMPOTENCY_TTL_MS)))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

/** The first run on a fresh database; an existing schedule is left where it is (several nodes start). */
async function scheduleFirstCleanup(ctx: AppContext): Promise<void> {
  const runAt = new Date(ctx.now().getTime() + CLEANUP_EVERY_MS).toISOString();
  await ctx.database.db.execute(sql`
    insert into jobs (kind, key, run_at, payload)
    values (${CLEANUP_JOB}, ${CLEANUP_KEY}, ${runAt}::timestamptz, '{}'::jsonb)
    on conflict (key) do nothing`);
}

/** A durable hourly job (one per database however many nodes run): expired keys are deleted. */
export function registerIdempotencyJobs(ctx: AppContext): void {
  ctx.jobs.register(CLEANUP_JOB, async () => {
    const deleted = await deleteExpiredKeys(ctx);
    if (deleted > 0) ctx.log.debug({ deleted }, 'expired idempotency keys deleted');
    await scheduleJob(ctx.database.db, {
      kind: CLEANUP_JOB,
      key: CLEANUP_KEY,
      runAt: new Date(ctx.now().getTime() + CLEANUP_EVERY_MS),
    });
  });
  scheduleFirstCleanup(ctx).catch((err: unknown) =>
    ctx.log.warn({ err }, 'could not schedule the idempotency key cleanup'),
  );
}
