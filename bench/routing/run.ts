/**
 * The routing benchmark (not part of the test suite). On a throwaway PostgreSQL database: 500 agents
 * (capacities 2–6, a quarter with the `billing` skill, all online) and 10,000 conversations arriving in
 * bursts. It measures
 *   - routing decisions per second: each new conversation routed by Parley's own code (least-loaded
 *     eligible agent under that agent's row lock, or the queue), CONCURRENCY at a time;
 *   - time from capacity freed to the next assignment: agents solve conversations (Parley's status
 *     change, which serves the queue after its commit), from the solve's timestamp to the timestamp of
 *     the assignment that refilled that agent (p50, p99);
 *   - two baselines in the same run, on the same data: a naive single-statement assignment without
 *     locks (fast, and over-assigns), and bare UPDATE throughput (the database's ceiling);
 * while a monitor checks the capacity invariant throughout.
 *
 *   node bench/routing/run.ts [--agents 500] [--conversations 10000] [--bursts 10] [--concurrency 16]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL to change it). Writes
 * bench/results/routing-<timestamp>.json and prints a markdown table.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AccountActor } from '../../apps/server/src/auth/principal.ts';
import { loadEnv } from '../../apps/server/src/env.ts';
import { newId } from '../../apps/server/src/lib/ids.ts';
import { changeStatus } from '../../apps/server/src/modules/conversations/commands.ts';
import {
  CANDIDATES_SQL,
  LOAD_OF,
  PICK_QUEUED_SQL,
  routeConversation,
} from '../../apps/server/src/modules/routing/router.ts';
import { startServer } from '../../apps/server/src/server.ts';

const { values: args } = parseArgs({
  options: {
    agents: { type: 'string', default: '500' },
    conversations: { type: 'string', default: '10000' },
    bursts: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    'solves-per-wave': { type: 'string', default: '200' },
    /** Print the plans of routing's queries after the first burst, then stop. */
    explain: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(args.agents);
const CONVERSATIONS = Number(args.conversations);
const BURSTS = Number(args.bursts);
const CONCURRENCY = Number(args.concurrency);
const SOLVES_PER_WAVE = Number(args['solves-per-wave']);
const POOL = CONCURRENCY + 4;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// ---- small statistics ------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}
const round = (n: number | null, digits = 1) => (n === null ? null : Number(n.toFixed(digits)));

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i] as T);
      }
    }),
  );
}

// ---- the data --------------------------------------------------------------------------------------

interface World {
  accountId: string;
  inboxId: string;
  agents: Array<{ userId: string; capacity: number; skills: string[] }>;
}

async function seedWorld(pool: pg.Pool): Promise<World> {
  const accountId = newId();
  const inboxId = newId();
  await pool.query(`insert into accounts (id, name) values ($1, 'Routing bench')`, [accountId]);
  await pool.query(
    `insert into inboxes (id, account_id, name, channel_type, settings, identity_secret)
     values ($1, $2, 'Website', 'web', $3::jsonb, 'bench')`,
    [inboxId, accountId, JSON.stringify({ style: 'messaging', autoAssign: true })],
  );
  const agents = Array.from({ length: AGENTS }, (_, i) => ({
    userId: newId(),
    capacity: 2 + (i % 5),
    skills: i % 4 === 0 ? ['billing'] : [],
  }));
  for (let i = 0; i < agents.length; i += 250) {
    const slice = agents.slice(i, i + 250);
    await pool.query(
      `insert into users (id, email, name) select id, 'bench-' || id || '@example.test', 'Agent ' || n
       from unnest($1::uuid[], $2::int[]) as t(id, n)`,
      [slice.map((a) => a.userId), slice.map((_, k) => i + k)],
    );
    await pool.query(
      `insert into account_members (account_id, user_id, role, availability, capacity, skills, last_active_at)
       select $1, id, 'agent', 'online', cap, sk::jsonb, now() + interval '1 day'
       from unnest($2::uuid[], $3::int[], $4::text[]) as t(id, cap, sk)`,
      [
        accountId,
        slice.map((a) => a.userId),
        slice.map((a) => a.capacity),
        slice.map((a) => JSON.stringify(a.skills)),
      ],
    );
    await pool.query(
      `insert into inbox_members (inbox_id, user_id) select $1, id from unnest($2::uuid[]) as t(id)`,
      [inboxId, slice.map((a) => a.userId)],
    );
  }
  return { accountId, inboxId, agents };
}

/** One burst of new conversations (a fifth need the billing skill), unrouted, as a channel would create them. */
async function insertBurst(pool: pg.Pool, world: World, from: number, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  const contacts = ids.map(() => newId());
  await pool.query(
    `insert into contacts (id, account_id, name) select id, $1, 'Customer' from unnest($2::uuid[]) as t(id)`,
    [world.accountId, contacts],
  );
  await pool.query(
    `insert into conversations (id, account_id, inbox_id, contact_id, number, required_skills)
     select id, $1, $2, contact, n, case when n % 5 = 0 then '["billing"]'::jsonb else '[]'::jsonb end
     from unnest($3::uuid[], $4::uuid[], $5::int[]) as t(id, contact, n)`,
    [world.accountId, world.inboxId, ids, contacts, ids.map((_, k) => from + k + 1)],
  );
  return ids;
}

// ---- the invariant ---------------------------------------------------------------------------------

const OVER_CAPACITY = `
  select count(*)::int as n, coalesce(max(load - capacity), 0)::int as worst from (
    select m.capacity, count(c.id) as load
    from account_members m
    join conversations c on c.assignee_id = m.user_id and c.account_id = m.account_id and c.status in ('new', 'open')
    where m.account_id = $1
    group by m.user_id, m.capacity
    having count(c.id) > m.capacity) over`;

class Monitor {
  checks = 0;
  violations = 0;
  worst = 0;
  private running = true;
  private done: Promise<void>;

  constructor(pool: pg.Pool, accountId: string) {
    this.done = (async () => {
      while (this.running) {
        const { rows } = await pool.query<{ n: number; worst: number }>(OVER_CAPACITY, [accountId]);
        this.checks += 1;
        this.violations += rows[0]?.n ?? 0;
        this.worst = Math.max(this.worst, rows[0]?.worst ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  async stop() {
    this.running = false;
    await this.done;
    return { checks: this.checks, violationsSeen: this.violations, worstExcess: this.worst };
  }
}

async function resetRouting(pool: pg.Pool, accountId: string) {
  await pool.query(
    `update conversations set assignee_id = null, previous_assignee_id = null, assigned_at = null, queued_at = null,
       status = 'new', solved_at = null, version = version + 1
     where account_id = $1`,
    [accountId],
  );
  await pool.query(`delete from jobs where key like 'close:%'`);
}

/** The baseline: one statement ranks the agents by the same load count and assigns, with no lock. */
const NAIVE_SQL = `
  with pick as materialized (
    select (
      select m.user_id from account_members m
      cross join lateral (select count(*) as total from conversations c join inboxes i on i.id = c.inbox_id
                          where ${LOAD_OF('m.user_id', 'm.account_id')}) l
      where m.account_id = $2 and m.availability = 'online' and l.total < m.capacity
        and m.skills @> (select required_skills from conversations where id = $1)
        and exists (select 1 from inbox_members im where im.inbox_id = $3 and im.user_id = m.user_id)
      order by l.total, m.user_id limit 1) as user_id)
  update conversations set
    assignee_id = pick.user_id,
    assigned_at = case when pick.user_id is not null then now() end,
    queued_at = case when pick.user_id is null then now() end
  from pick
  where conversations.id = $1`;

// ---- the runs --------------------------------------------------------------------------------------

interface Throughput {
  decisions: number;
  seconds: number;
  perSecond: number;
  assigned: number;
  queued: number;
  latencyMs: { p50: number | null; p99: number | null };
}

async function timed(
  ids: string[],
  fn: (id: string) => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  await mapLimit(ids, CONCURRENCY, async (id) => {
    const t0 = performance.now();
    await fn(id);
    latencies.push(performance.now() - t0);
  });
  return { seconds: (performance.now() - start) / 1000, latencies };
}

function throughput(
  decisions: number,
  seconds: number,
  latencies: number[],
  assigned: number,
  queued: number,
): Throughput {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    decisions,
    seconds: round(seconds, 2) ?? 0,
    perSecond: round(decisions / seconds, 0) ?? 0,
    assigned,
    queued,
    latencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) },
  };
}

async function main() {
  const name = `parley_bench_routing_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const env = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789abcdef',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-bench-')),
    PUBLIC_URL: 'http://localhost:3000',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(POOL),
    RATE_LIMITS: 'off',
  });
  // Parley's own code in this process; no job polling, so the only routing is what the bench asks for.
  const server = await startServer({ env, jobPollMs: 0 });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL });
  pool.on('error', () => {});
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? '',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
    },
    settings: {
      agents: AGENTS,
      conversations: CONVERSATIONS,
      bursts: BURSTS,
      concurrency: CONCURRENCY,
      pool: POOL,
    },
  };
  try {
    const world = await seedWorld(pool);
    const slots = world.agents.reduce((sum, a) => sum + a.capacity, 0);
    results.slots = slots;
    process.stdout.write(
      `${AGENTS} agents, ${slots} slots, ${CONVERSATIONS} conversations in ${BURSTS} bursts\n`,
    );

    // 1. Parley: bursts of arrivals routed, with waves of solves in between.
    const monitor = new Monitor(pool, world.accountId);
    const perBurst = Math.ceil(CONVERSATIONS / BURSTS);
    const all: string[] = [];
    const routeLatencies: number[] = [];
    let routeSeconds = 0;
    let assigned = 0;
    let queued = 0;
    const refill: number[] = [];
    let solves = 0;
    for (let burst = 0; burst < BURSTS; burst++) {
      const ids = await insertBurst(pool, world, all.length, Math.min(perBurst, CONVERSATIONS - all.length));
      all.push(...ids);
      const run = await timed(ids, async (id) => {
        const outcome = await routeConversation(server.ctx, id, { recheck: false });
        if (outcome.kind === 'assigned') assigned += 1;
        else queued += 1;
      });
      routeSeconds += run.seconds;
      routeLatencies.push(...run.latencies);
      process.stdout.write(
        `burst ${burst + 1}: ${ids.length} routed in ${run.seconds.toFixed(2)} s (${Math.round(ids.length / run.seconds)}/s)\n`,
      );
      if (burst === 1 && args.explain) {
        await monitor.stop();
        await explain(pool, world, all);
        return;
      }
      if (burst === 0) continue;
      // A wave of agents each solving one conversation; the queue refills them.
      const { rows: busy } = await pool.query<{ id: string; assignee_id: string }>(
        `select distinct on (assignee_id) id, assignee_id from conversations
         where account_id = $1 and status in ('new', 'open') and assignee_id is not null
         order by assignee_id, assigned_at limit $2`,
        [world.accountId, SOLVES_PER_WAVE],
      );
      await mapLimit(busy, CONCURRENCY, async (row) => {
        const actor: AccountActor = {
          kind: 'agent',
          userId: row.assignee_id,
          name: 'Agent',
          accountId: world.accountId,
          role: 'agent',
        };
        await changeStatus(server.ctx, actor, row.id, 'solved');
        solves += 1;
        const { rows } = await pool.query<{ gap: number | null }>(
          `select extract(epoch from min(c.assigned_at) - s.solved_at) * 1000 as gap
           from conversations s join conversations c on c.assignee_id = s.assignee_id and c.assigned_at >= s.solved_at
           where s.id = $1 group by s.solved_at`,
          [row.id],
        );
        if (rows[0]?.gap !== null && rows[0]?.gap !== undefined) refill.push(Number(rows[0].gap));
      });
    }
    const invariant = await monitor.stop();
    const final = await pool.query<{ n: number; worst: number }>(OVER_CAPACITY, [world.accountId]);
    const refillSorted = [...refill].sort((a, b) => a - b);
    results.parley = {
      routing: throughput(all.length, routeSeconds, routeLatencies, assigned, queued),
      refill: {
        solves,
        refilledFromQueue: refill.length,
        freedToAssignedMs: {
          p50: round(percentile(refillSorted, 50)),
          p99: round(percentile(refillSorted, 99)),
          max: round(refillSorted.at(-1) ?? null),
        },
      },
      invariant: { ...invariant, finalViolations: final.rows[0]?.n ?? 0 },
    };

    // 2. Baseline: one statement picks the least-loaded agent (the same load count as Parley's) and
    //    assigns it, without locks or a journal; same conversations, same concurrency.
    await resetRouting(pool, world.accountId);
    const naiveMonitor = new Monitor(pool, world.accountId);
    const naive = await timed(all, async (id) => {
      await pool.query(NAIVE_SQL, [id, world.accountId, world.inboxId]);
    });
    const naiveInvariant = await naiveMonitor.stop();
    const naiveFinal = await pool.query<{ n: number; worst: number }>(OVER_CAPACITY, [world.accountId]);
    const naiveAssigned = await pool.query<{ n: number }>(
      `select count(*)::int as n from conversations where account_id = $1 and assignee_id is not null`,
      [world.accountId],
    );
    results.naive = {
      routing: throughput(
        all.length,
        naive.seconds,
        naive.latencies,
        naiveAssigned.rows[0]?.n ?? 0,
        all.length - (naiveAssigned.rows[0]?.n ?? 0),
      ),
      invariant: {
        ...naiveInvariant,
        finalViolations: naiveFinal.rows[0]?.n ?? 0,
        finalWorstExcess: naiveFinal.rows[0]?.worst ?? 0,
      },
    };

    // 3. Baseline: bare UPDATE of the assignee by primary key (what one assignment costs the database at least).
    await resetRouting(pool, world.accountId);
    const userIds = world.agents.map((a) => a.userId);
    let k = 0;
    const bare = await timed(all, async (id) => {
      await pool.query('update conversations set assignee_id = $2, assigned_at = now() where id = $1', [
        id,
        userIds[k++ % userIds.length],
      ]);
    });
    results.bareUpdate = throughput(all.length, bare.seconds, bare.latencies, all.length, 0);

    const parley = results.parley as { routing: Throughput };
    const naiveT = results.naive as { routing: Throughput };
    const bareT = results.bareUpdate as Throughput;
    results.ratios = {
      parleyVsNaive: round(parley.routing.perSecond / naiveT.routing.perSecond, 2),
      parleyVsBareUpdate: round(parley.routing.perSecond / bareT.perSecond, 2),
    };
    const dir = path.join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `routing-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${render(results)}\nwritten to ${path.relative(ROOT, file)}\n`);
  } finally {
    await pool.end();
    await server.stop();
    await server.ctx.database.close().catch(() => {});
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

async function explain(pool: pg.Pool, world: World, _ids: string[]) {
  const show = async (label: string, text: string, values: unknown[]) => {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain analyze ${text}`, values);
    process.stdout.write(`\n-- ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  };
  const candidatesSql = CANDIDATES_SQL(16);
  const values = [world.accountId, world.inboxId, null, '[]', 'web', null, null];
  await show('candidates, statistics as left by the bulk load', candidatesSql, values);
  await pool.query('analyze');
  await show('candidates, after analyze', candidatesSql, values);
  const agent = world.agents[0]?.userId;
  await show('the queue head for one agent', PICK_QUEUED_SQL(true), [world.accountId, agent, '[]', '[]']);
  const [next] = await insertBurst(pool, world, 100_000, 1);
  await show('the naive baseline statement', NAIVE_SQL, [next, world.accountId, world.inboxId]);
}

function render(r: Record<string, unknown>): string {
  const p = r.parley as {
    routing: Throughput;
    refill: {
      solves: number;
      refilledFromQueue: number;
      freedToAssignedMs: { p50: number; p99: number; max: number };
    };
    invariant: { checks: number; violationsSeen: number; finalViolations: number };
  };
  const n = r.naive as {
    routing: Throughput;
    invariant: {
      checks: number;
      violationsSeen: number;
      worstExcess: number;
      finalViolations: number;
      finalWorstExcess: number;
    };
  };
  const b = r.bareUpdate as Throughput;
  const ratios = r.ratios as { parleyVsNaive: number; parleyVsBareUpdate: number };
  return [
    '| run | decisions/s | p50 ms | p99 ms | assigned | queued | over-capacity (seen / at end) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    `| Parley routing (row locks) | ${p.routing.perSecond} | ${p.routing.latencyMs.p50} | ${p.routing.latencyMs.p99} | ${p.routing.assigned} | ${p.routing.queued} | ${p.invariant.violationsSeen} in ${p.invariant.checks} checks / ${p.invariant.finalViolations} |`,
    `| naive single statement, no lock | ${n.routing.perSecond} | ${n.routing.latencyMs.p50} | ${n.routing.latencyMs.p99} | ${n.routing.assigned} | ${n.routing.queued} | ${n.invariant.violationsSeen} in ${n.invariant.checks} checks / ${n.invariant.finalViolations} agents, worst +${n.invariant.finalWorstExcess} |`,
    `| bare UPDATE by id | ${b.perSecond} | ${b.latencyMs.p50} | ${b.latencyMs.p99} | — | — | not applicable |`,
    '',
    `Capacity freed → next assignment (${p.refill.refilledFromQueue} refills from ${p.refill.solves} solves): p50 ${p.refill.freedToAssignedMs.p50} ms, p99 ${p.refill.freedToAssignedMs.p99} ms, max ${p.refill.freedToAssignedMs.max} ms`,
    `Ratios: Parley / naive = ${ratios.parleyVsNaive}, Parley / bare UPDATE = ${ratios.parleyVsBareUpdate}`,
  ].join('\n');
}

await main();
