import type { Availability, RoutingProfile, UpdateRoutingProfileBody } from '@parley/shared';
import type { AppContext } from '../../context.ts';
import { rawExecutorOf } from '../../db/connect.ts';
import { notFound } from '../../errors.ts';
import type { Job } from '../../jobs/runner.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import {
  REASSIGN_OFFLINE_JOB,
  reassignOnOffline,
  reassignsOnChange,
  scheduleReassignOnOffline,
} from './offline.ts';
import { drainAccount, drainForAgent, inTransaction, LOAD_OF } from './router.ts';
import { type Exec, first, iso, recordEventRaw } from './sql.ts';

/*
 * Availability is the agent's own choice (online, away, offline); routing only gives conversations to
 * online agents. It is never switched back to online silently. Two things switch it to away:
 * - inactivity: no sign of life (a request through these routes, a socket frame, a socket that is
 *   still connected — checked on every heartbeat) for AUTO_AWAY_AFTER_MS, found by the periodic sweep;
 * - the agent's last socket closing: a timer after SOCKET_GRACE_MS (long enough for a reload or a
 *   reconnect to another node) sets away unless there was a sign of life since.
 */

export const AUTO_AWAY_AFTER_MS = 15 * 60_000;
export const SOCKET_GRACE_MS = 2 * 60_000;
/** Live sockets refresh last_active_at at most this often (each node, each agent). */
const TOUCH_EVERY_MS = 60_000;
export const PRESENCE_JOB = 'routing.presence_check';
export const SWEEP_JOB = 'routing.sweep';
export const SWEEP_KEY = 'routing:sweep';
export const SWEEP_EVERY_MS = 30_000;

class PresenceTracker {
  readonly sockets = new Map<string, number>();
  readonly touched = new Map<string, number>();
}

const trackers = new WeakMap<AppContext, PresenceTracker>();

function trackerOf(ctx: AppContext): PresenceTracker {
  let tracker = trackers.get(ctx);
  if (!tracker) {
    tracker = new PresenceTracker();
    trackers.set(ctx, tracker);
  }
  return tracker;
}

/**
 * Records a sign of life (throttled per node unless `force`). Never fails the caller; the promise settles
 * once it is stored, for callers (the heartbeat route) that answer only after that.
 */
export function agentSeen(ctx: AppContext, userId: string, force = false): Promise<void> {
  const tracker = trackerOf(ctx);
  const now = ctx.now();
  const last = tracker.touched.get(userId) ?? 0;
  if (!force && now.getTime() - last < TOUCH_EVERY_MS) return Promise.resolve();
  tracker.touched.set(userId, now.getTime());
  return rawExecutorOf(ctx.database.db)
    .query('update account_members set last_active_at = $2::timestamptz where user_id = $1::uuid', [
      userId,
      iso(now),
    ])
    .then(
      () => undefined,
      (err: unknown) => ctx.log.warn({ err }, 'could not record agent activity'),
    );
}

/** The gateway tells us an agent's socket is ready. */
export function agentSocketOpened(ctx: AppContext, userId: string): void {
  const tracker = trackerOf(ctx);
  tracker.sockets.set(userId, (tracker.sockets.get(userId) ?? 0) + 1);
  void agentSeen(ctx, userId, true);
}

/** The gateway tells us an agent's socket closed; the last one on this node starts the grace timer. */
export function agentSocketClosed(ctx: AppContext, userId: string): void {
  const tracker = trackerOf(ctx);
  const left = (tracker.sockets.get(userId) ?? 1) - 1;
  if (left > 0) {
    tracker.sockets.set(userId, left);
    return;
  }
  tracker.sockets.delete(userId);
  const closedAt = ctx.now();
  rawExecutorOf(ctx.database.db)
    .query(
      `insert into jobs (kind, key, run_at, payload) values ($1::text, $2::text, $3::timestamptz, $4::jsonb)
       on conflict (key) do update set run_at = excluded.run_at, payload = excluded.payload, attempts = 0,
         locked_until = null, last_error = null`,
      [
        PRESENCE_JOB,
        `presence:${userId}`,
        iso(new Date(closedAt.getTime() + SOCKET_GRACE_MS)),
        JSON.stringify({ userId, closedAt: closedAt.toISOString() }),
      ],
    )
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not schedule the presence check'));
}

/** Live sockets are a sign of life: the gateway calls this for each agent socket on its heartbeat. */
export function agentSocketAlive(ctx: AppContext, userId: string): void {
  void agentSeen(ctx, userId);
}

/**
 * Journals availability changes; going offline or being set away automatically also schedules the
 * hand-back of the agents' conversations in inboxes that ask for it (offline.ts), in this transaction.
 */
async function journalAvailability(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  rows: Array<{ account_id: string; user_id: string }>,
  to: Availability,
  reason: string,
  actorId: string | null,
): Promise<void> {
  if (reassignsOnChange(to, reason)) await scheduleReassignOnOffline(exec, now, rows, reason);
  for (const row of rows) {
    await recordEventRaw(exec, pending, {
      accountId: row.account_id,
      type: 'agent.availability_changed',
      actor: actorId ? { kind: 'agent', id: actorId } : { kind: 'system', id: null },
      payload: { userId: row.user_id, to, reason },
    });
  }
}

/** The presence timer: away, unless the agent showed a sign of life after the socket closed. */
async function checkPresence(ctx: AppContext, job: Job): Promise<void> {
  const userId = typeof job.payload.userId === 'string' ? job.payload.userId : null;
  const closedAt = typeof job.payload.closedAt === 'string' ? job.payload.closedAt : null;
  if (!userId || !closedAt) return;
  if ((trackerOf(ctx).sockets.get(userId) ?? 0) > 0) return;
  await inTransaction(ctx, async (exec, pending) => {
    const rows = await exec.query<{ account_id: string; user_id: string }>(
      `update account_members set availability = 'away'
       where user_id = $1::uuid and availability = 'online'
         and (last_active_at is null or last_active_at <= $2::timestamptz)
       returning account_id, user_id`,
      [userId, closedAt],
    );
    await journalAvailability(exec, pending, ctx.now(), rows, 'away', 'disconnected', null);
  });
}

/**
 * Every SWEEP_EVERY_MS on one node: inactive agents go away, and every account's queue is served
 * to whoever has room — the safety net for a follow-up lost with a crashed process.
 */
async function sweep(ctx: AppContext): Promise<void> {
  const now = ctx.now();
  await inTransaction(ctx, async (exec, pending) => {
    const rows = await exec.query<{ account_id: string; user_id: string }>(
      `update account_members set availability = 'away'
       where availability = 'online' and (last_active_at is null or last_active_at < $1::timestamptz)
       returning account_id, user_id`,
      [iso(new Date(now.getTime() - AUTO_AWAY_AFTER_MS))],
    );
    await journalAvailability(exec, pending, now, rows, 'away', 'inactive', null);
  });
  const accounts = await rawExecutorOf(ctx.database.db).query<{ account_id: string }>(
    `select distinct account_id from conversations where queued_at is not null and assignee_id is null`,
    [],
  );
  for (const { account_id } of accounts) {
    try {
      await drainAccount(ctx, account_id);
    } catch (err) {
      ctx.log.warn({ err, accountId: account_id }, 'queue sweep failed for an account');
    }
  }
  await rawExecutorOf(ctx.database.db).query(
    `insert into jobs (kind, key, run_at, payload) values ($1::text, $2::text, $3::timestamptz, '{}'::jsonb)
     on conflict (key) do update set run_at = excluded.run_at, attempts = 0, locked_until = null, last_error = null`,
    [SWEEP_JOB, SWEEP_KEY, iso(new Date(now.getTime() + SWEEP_EVERY_MS))],
  );
}

export function registerRoutingJobs(ctx: AppContext): void {
  ctx.jobs.register(PRESENCE_JOB, (job) => checkPresence(ctx, job));
  ctx.jobs.register(SWEEP_JOB, () => sweep(ctx));
  ctx.jobs.register(REASSIGN_OFFLINE_JOB, async (job) => {
    await reassignOnOffline(ctx, job);
  });
  // The first sweep of a fresh database; an existing one is left where it is (several nodes start).
  rawExecutorOf(ctx.database.db)
    .query(
      `insert into jobs (kind, key, run_at, payload) values ($1::text, $2::text, $3::timestamptz, '{}'::jsonb)
       on conflict (key) do nothing`,
      [SWEEP_JOB, SWEEP_KEY, iso(new Date(ctx.now().getTime() + SWEEP_EVERY_MS))],
    )
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not schedule the routing sweep'));
}

// ---- availability and routing profiles -----------------------------------------------------------

/** The signed-in agent sets their own availability; coming online serves the queue to them at once. */
export async function setAvailability(
  ctx: AppContext,
  accountId: string,
  userId: string,
  availability: Availability,
): Promise<RoutingProfile> {
  await inTransaction(ctx, async (exec, pending) => {
    const rows = await exec.query<{ account_id: string; user_id: string; before: string }>(
      `update account_members m set availability = $3::text, last_active_at = $4::timestamptz
       from (select availability as before from account_members
             where account_id = $1::uuid and user_id = $2::uuid for update) b
       where m.account_id = $1::uuid and m.user_id = $2::uuid
       returning m.account_id, m.user_id, b.before`,
      [accountId, userId, availability, iso(ctx.now())],
    );
    const row = rows[0];
    if (!row) throw notFound('user_not_found', 'Member');
    if (row.before !== availability)
      await journalAvailability(exec, pending, ctx.now(), rows, availability, 'self', userId);
  });
  trackerOf(ctx).touched.set(userId, ctx.now().getTime());
  if (availability === 'online') await drainForAgent(ctx, accountId, userId);
  return routingProfile(ctx, accountId, userId);
}

/** Admins set an agent's capacity, per-channel limits, skills or availability; more room is served at once. */
export async function updateRoutingProfile(
  ctx: AppContext,
  accountId: string,
  userId: string,
  body: UpdateRoutingProfileBody,
  actorId: string | null,
): Promise<RoutingProfile> {
  await inTransaction(ctx, async (exec, pending) => {
    // The row lock orders this change with routing decisions about the same agent.
    const current = await first<{ availability: string }>(
      exec,
      'select availability from account_members where account_id = $1::uuid and user_id = $2::uuid for update',
      [accountId, userId],
    );
    if (!current) throw notFound('user_not_found', 'Member');
    if (
      body.availability &&
      body.availability !== current.availability &&
      reassignsOnChange(body.availability, 'admin')
    )
      await scheduleReassignOnOffline(exec, ctx.now(), [{ account_id: accountId, user_id: userId }], 'admin');
    await exec.query(
      `update account_members set
         capacity = coalesce($3::int, capacity),
         channel_capacity = coalesce($4::jsonb, channel_capacity),
         skills = coalesce($5::jsonb, skills),
         availability = coalesce($6::text, availability)
       where account_id = $1::uuid and user_id = $2::uuid`,
      [
        accountId,
        userId,
        body.capacity ?? null,
        body.channelCapacity ? JSON.stringify(body.channelCapacity) : null,
        body.skills ? JSON.stringify(body.skills) : null,
        body.availability ?? null,
      ],
    );
    await recordEventRaw(exec, pending, {
      accountId,
      type: 'agent.routing_changed',
      actor: actorId ? { kind: 'agent', id: actorId } : { kind: 'system', id: null },
      payload: { userId, ...body },
    });
  });
  await drainForAgent(ctx, accountId, userId);
  return routingProfile(ctx, accountId, userId);
}

const PROFILE_SQL = `
  select m.user_id, u.name, m.availability, m.capacity, m.channel_capacity, m.skills, m.last_active_at,
         (select count(*)::int from conversations c join inboxes i on i.id = c.inbox_id
          where ${LOAD_OF('m.user_id', 'm.account_id')}) as load
  from account_members m join users u on u.id = m.user_id
  where m.account_id = $1::uuid`;

type ProfileRow = {
  user_id: string;
  name: string;
  availability: Availability;
  capacity: number;
  channel_capacity: Record<string, number> | null;
  skills: string[] | null;
  last_active_at: string | Date | null;
  load: number;
};

const presentProfile = (r: ProfileRow): RoutingProfile => ({
  userId: r.user_id,
  name: r.name,
  availability: r.availability,
  capacity: r.capacity,
  channelCapacity: r.channel_capacity ?? {},
  skills: r.skills ?? [],
  load: r.load,
  lastActiveAt: r.last_active_at === null ? null : new Date(r.last_active_at).toISOString(),
});

export async function routingProfile(
  ctx: AppContext,
  accountId: string,
  userId: string,
): Promise<RoutingProfile> {
  const row = await first<ProfileRow>(
    rawExecutorOf(ctx.database.db),
    `${PROFILE_SQL} and m.user_id = $2::uuid`,
    [accountId, userId],
  );
  if (!row) throw notFound('user_not_found', 'Member');
  return presentProfile(row);
}

export async function listRoutingProfiles(ctx: AppContext, accountId: string): Promise<RoutingProfile[]> {
  const rows = await rawExecutorOf(ctx.database.db).query<ProfileRow>(
    `${PROFILE_SQL} order by u.name, m.user_id`,
    [accountId],
  );
  return rows.map(presentProfile);
}
