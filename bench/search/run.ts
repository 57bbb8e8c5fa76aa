/**
 * The search benchmark (not part of the test suite). It loads a history of 10,000 messages into one
 * throwaway PostgreSQL database and 1,000,000 into another, each served by its own Parley server in
 * this process, runs a fixed set of searches many times against both, interleaved (so both sizes see
 * the same background load), and reports p50 and p95 per search and size and the ratio between the
 * sizes (the target: at most 3).
 *
 *   npm run bench:search                       # 10,000 and 1,000,000 messages (≈ 5 min on 2 cores)
 *   npm run bench:search -- --quick            # 10,000 and 100,000 messages, fewer runs (≈ 1 min)
 *   npm run bench:search -- --sizes 10000,300000 --runs 60 --explain
 *
 * The world: three accounts holding 60 / 30 / 10 % of the messages, four inboxes each, 20 agents, 20
 * messages per conversation, one contact per conversation; the searches run in the largest account,
 * as its admin or as an agent of one of its four inboxes. Message i (0 is the newest) was sent i
 * minutes before the start of the run, so both sizes have the same recent traffic and the larger one
 * a longer past, the way an account grows. Bodies are 5–30 words drawn with P(rank) ∝ 1/rank from a
 * multilingual vocabulary (corpus.ts); every draw is a hash of the message number, so the newest
 * 10,000 messages are the same text at both sizes. Loading is set-based SQL (INSERT … SELECT over
 * generate_series) with the message indexes built after the load.
 *
 * Measured, per search: the latency of `GET /api/accounts/:id/search` over HTTP on loopback (what a
 * dashboard waits for, including authentication) and the latency of the search code called in
 * process (its statements and presenting, without HTTP). Needs PostgreSQL on 127.0.0.1:5432
 * (BENCH_POSTGRES_URL to change it); writes bench/results/search-<time>.json and prints a markdown
 * table.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type SearchQuery, searchQuerySchema } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { AccountActor } from '../../apps/server/src/auth/principal.ts';
import type { Tx } from '../../apps/server/src/db/connect.ts';
import { loadEnv } from '../../apps/server/src/env.ts';
import { addMember, createAccount, upsertUser } from '../../apps/server/src/modules/accounts/commands.ts';
import { searchContacts } from '../../apps/server/src/modules/search/contacts.ts';
import { firstPage, queryFingerprint } from '../../apps/server/src/modules/search/cursor.ts';
import { searchMessages } from '../../apps/server/src/modules/search/messages.ts';
import { searchTerms } from '../../apps/server/src/modules/search/terms.ts';
import { startServer } from '../../apps/server/src/server.ts';
import { companies, firstNames, lastNames, vocabulary } from './corpus.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' },
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    /** Print each search's plan (EXPLAIN ANALYZE of its first window) at every size. */
    explain: { type: 'boolean', default: false },
    vocabulary: { type: 'string', default: '30000' },
    /** Leave the database in place after the run (its name is printed), to look at plans by hand. */
    keep: { type: 'boolean', default: false },
  },
});
const SIZES = (args.sizes ?? (args.quick ? '10000,100000' : '10000,1000000')).split(',').map(Number);
const RUNS = Number(args.runs ?? (args.quick ? 15 : 60));
const WARMUP = 3;
const VOCABULARY = Number(args.vocabulary);
const PER_CONVERSATION = 20;
const PASSWORD = 'bench-password-0123456789';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// ---- small statistics ------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const log = (line: string) => process.stdout.write(`${line}\n`);

// ---- the world -------------------------------------------------------------------------------------

interface World {
  accounts: string[];
  /** The account every search runs in (60 % of the messages). */
  accountId: string;
  inboxId: string;
  adminId: string;
  agentId: string;
  tagId: string;
  words: string[];
}

async function seedWorld(pool: pg.Pool, server: Awaited<ReturnType<typeof startServer>>): Promise<World> {
  const db = server.ctx.database.db;
  await pool.query(`
    create table bench_accounts (idx int primary key, id uuid not null);
    create table bench_inboxes (account_idx int, k int, id uuid, primary key (account_idx, k));
    create table bench_agents (account_idx int, k int, id uuid, primary key (account_idx, k));
    create table bench_tags (account_idx int primary key, id uuid);
    create table bench_words (rank int primary key, word text not null);
    create table bench_names (kind text, k int, name text, primary key (kind, k));
    -- A uniform number in [0, 1) from an integer: every draw of the bench is a hash, so reloading at
    -- another size writes the same text for the same message number.
    create function bench_u(x bigint) returns float8 language sql immutable parallel safe
      as $$ select (hashint8(x)::float8 + 2147483648) / 4294967296 $$;`);
  const accounts: string[] = [];
  let adminId = '';
  let agentId = '';
  for (let a = 1; a <= 3; a++) {
    const account = await createAccount(db, `Search bench ${a}`);
    accounts.push(account.id);
    await pool.query('insert into bench_accounts values ($1, $2)', [a, account.id]);
    for (let k = 0; k < 4; k++) {
      await pool.query(
        `with i as (insert into inboxes (id, account_id, name, channel_type, identity_secret)
           values (gen_random_uuid(), $1, $2, 'web', 'bench') returning id)
         insert into bench_inboxes select $3, $4, id from i`,
        [account.id, `Inbox ${k + 1}`, a, k],
      );
    }
    for (let k = 0; k < 20; k++) {
      // The account's first two members can sign in: its admin and an agent of its first inbox only.
      const withPassword = a === 1 && k < 2;
      const user = await upsertUser(db, {
        email: `bench-${a}-${k}@example.test`,
        name: `Agent ${a}.${k}`,
        password: withPassword ? PASSWORD : null,
      });
      await addMember(db, account.id, user.id, k === 0 ? 'admin' : 'agent');
      await pool.query('insert into bench_agents values ($1, $2, $3)', [a, k, user.id]);
      if (k > 0) {
        await pool.query(
          `insert into inbox_members (inbox_id, user_id)
           select id, $2 from bench_inboxes where account_idx = $1 and k = ($3 % 4)`,
          [a, user.id, k === 1 ? 0 : k],
        );
      }
      if (a === 1 && k === 0) adminId = user.id;
      if (a === 1 && k === 1) agentId = user.id;
    }
    await pool.query(
      `with t as (insert into tags (id, account_id, name, color) values (gen_random_uuid(), $1, 'billing', '#64748b')
         returning id)
       insert into bench_tags select $2, id from t`,
      [account.id, a],
    );
  }
  const words = vocabulary(VOCABULARY);
  await pool.query('insert into bench_words select r, w from unnest($1::text[]) with ordinality as t(w, r)', [
    words,
  ]);
  for (const [kind, list] of [
    ['first', firstNames],
    ['last', lastNames],
    ['company', companies],
  ] as const) {
    await pool.query(
      'insert into bench_names select $1, k - 1, n from unnest($2::text[]) with ordinality as t(n, k)',
      [kind, list],
    );
  }
  const first = await pool.query<{ id: string }>(
    'select id from bench_inboxes where account_idx = 1 and k = 0',
  );
  const tag = await pool.query<{ id: string }>('select id from bench_tags where account_idx = 1');
  return {
    accounts,
    accountId: accounts[0] ?? '',
    inboxId: first.rows[0]?.id ?? '',
    adminId,
    agentId,
    tagId: tag.rows[0]?.id ?? '',
    words,
  };
}

/**
 * Replaces the history with `size` messages: contacts, conversations and messages written by three
 * set-based statements, the message indexes dropped during the load and built after it.
 */
async function loadHistory(pool: pg.Pool, size: number, base: Date): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const client = await pool.connect();
  const step = async (name: string, text: string, values: unknown[] = []) => {
    const t0 = performance.now();
    await client.query(text, values);
    timings[name] = round((performance.now() - t0) / 1000, 1);
  };
  try {
    const conversations = Math.ceil(size / PER_CONVERSATION);
    // Foreign keys are the bench's own to keep: skip their per-row checks during the load.
    await client.query(`set session_replication_role = replica; set maintenance_work_mem = '512MB'`);
    await step('truncate', 'truncate messages, conversations, contacts cascade');
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes
       where schemaname = 'public' and tablename = 'messages' and indexname <> 'messages_pkey'`,
    );
    for (const index of indexes) await client.query(`drop index ${index.indexname}`);
    // Which account a conversation belongs to: 60 / 30 / 10 %.
    const accountOf = (c: string) => `(case when ${c} % 10 < 6 then 1 when ${c} % 10 < 9 then 2 else 3 end)`;
    await step(
      'contacts',
      `insert into contacts (id, account_id, name, email, phone, company, created_at, updated_at)
       select md5('contact' || c)::uuid, a.id, f.name || ' ' || l.name,
              lower(f.name) || '.' || lower(l.name) || c || '@' || lower(co.name) || '.example',
              '+1 555 ' || lpad(c::text, 7, '0'), co.name,
              $1::timestamptz - (c * ${PER_CONVERSATION} + ${PER_CONVERSATION - 1}) * interval '1 minute',
              $1::timestamptz - c * ${PER_CONVERSATION} * interval '1 minute'
       from generate_series($2::int - 1, 0, -1) c
       join bench_accounts a on a.idx = ${accountOf('c')}
       join bench_names f on f.kind = 'first' and f.k = floor(bench_u(c * 8 + 1) * ${firstNames.length})
       join bench_names l on l.kind = 'last' and l.k = floor(bench_u(c * 8 + 2) * ${lastNames.length})
       join bench_names co on co.kind = 'company' and co.k = floor(bench_u(c * 8 + 3) * ${companies.length})`,
      [base, conversations],
    );
    await step(
      'conversations',
      `insert into conversations (id, account_id, inbox_id, contact_id, number, status, assignee_id, tag_ids,
                                  last_seq, last_activity_at, created_at)
       select md5('conv' || c)::uuid, a.id, i.id, md5('contact' || c)::uuid, c + 1,
              case when c < 200 then (array['new', 'open'])[1 + c % 2]
                   when bench_u(c * 8 + 4) < 0.70 then 'closed'
                   when bench_u(c * 8 + 4) < 0.95 then 'solved' else 'pending' end,
              case when bench_u(c * 8 + 5) < 0.05 then null else ag.id end,
              case when bench_u(c * 8 + 6) < 0.10 then array[t.id] else '{}'::uuid[] end,
              ${PER_CONVERSATION},
              $1::timestamptz - c * ${PER_CONVERSATION} * interval '1 minute',
              $1::timestamptz - (c * ${PER_CONVERSATION} + ${PER_CONVERSATION - 1}) * interval '1 minute'
       from generate_series($2::int - 1, 0, -1) c
       join bench_accounts a on a.idx = ${accountOf('c')}
       join bench_inboxes i on i.account_idx = a.idx and i.k = floor(bench_u(c * 8 + 7) * 4)
       join bench_agents ag on ag.account_idx = a.idx and ag.k = floor(bench_u(c * 8) * 20)
       join bench_tags t on t.account_idx = a.idx`,
      [base, conversations],
    );
    // Message i belongs to conversation i / 20; every tenth is an activity line, one in twenty of
    // the rest a private note, the others split between customer and agent.
    await step(
      'messages',
      `insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, sender_name, body, private,
                             created_at)
       select gen_random_uuid(), md5('conv' || (i / ${PER_CONVERSATION}))::uuid, a.id,
              ${PER_CONVERSATION} - i % ${PER_CONVERSATION},
              case when i % 10 = 9 then 'activity' when bench_u(i * 4 + 1) < 0.05 then 'note' else 'text' end,
              case when i % 10 = 9 then 'system' when bench_u(i * 4 + 1) < 0.525 then 'agent' else 'contact' end,
              case when i % 10 = 9 then null when bench_u(i * 4 + 1) < 0.525 then 'Agent' else 'Customer' end,
              case when i % 10 = 9 then 'Status changed to solved' else b.body end,
              i % 10 <> 9 and bench_u(i * 4 + 1) < 0.05,
              $1::timestamptz - i * interval '1 minute'
       from generate_series($2::int - 1, 0, -1) i
       join bench_accounts a on a.idx = ${accountOf(`(i / ${PER_CONVERSATION})`)}
       cross join lateral (
         select string_agg(w.word, ' ' order by k) as body
         from generate_series(1, 5 + floor(bench_u(i * 4 + 2) * 26)::int) k
         join bench_words w on w.rank = least(${VOCABULARY}, floor(exp(bench_u(i * 64 + k) * ln(${VOCABULARY} + 1)))::int)
       ) b`,
      [base, size],
    );
    const t0 = performance.now();
    for (const index of indexes) await client.query(index.indexdef);
    timings.indexes = round((performance.now() - t0) / 1000, 1);
    await step('analyze', 'vacuum analyze messages, conversations, contacts');
  } finally {
    await client.query('reset session_replication_role; reset maintenance_work_mem').catch(() => {});
    client.release();
  }
  return timings;
}

// ---- the searches ----------------------------------------------------------------------------------

interface Search {
  name: string;
  /** Who searches: the account's admin (sees everything) or an agent of one inbox. */
  as: 'admin' | 'agent';
  params: Record<string, string>;
}

/** Ranks whose share of messages is about what the names say (P(rank) ∝ 1/rank, 17.5 words a message). */
function searches(world: World, base: Date): Search[] {
  const word = (rank: number) => world.words[rank - 1] ?? '';
  const monthAgo = new Date(base.getTime() - 30 * 86_400_000).toISOString();
  const prefixSource = word(120);
  return [
    { name: `common word "${word(8)}"`, as: 'admin', params: { q: word(8) } },
    { name: `medium word "${word(300)}"`, as: 'admin', params: { q: word(300) } },
    { name: `rare word "${word(15_000)}"`, as: 'admin', params: { q: word(15_000) } },
    { name: `two words "${word(20)} ${word(45)}"`, as: 'admin', params: { q: `${word(20)} ${word(45)}` } },
    {
      name: `prefix "${prefixSource.slice(0, 3)}" (as typed)`,
      as: 'admin',
      params: { q: prefixSource.slice(0, 3) },
    },
    {
      name: `phrase "${word(2)} ${word(3)}"`,
      as: 'admin',
      params: { q: `"${word(2)} ${word(3)}"` },
    },
    {
      name: `common word, inbox + closed`,
      as: 'admin',
      params: { q: word(8), inboxId: world.inboxId, status: 'closed' },
    },
    { name: 'common word, tag', as: 'admin', params: { q: word(8), tagId: world.tagId } },
    { name: 'medium word, last 30 days', as: 'admin', params: { q: word(300), from: monthAgo } },
    { name: 'common word, agent of one inbox', as: 'agent', params: { q: word(8) } },
    { name: 'medium word, agent of one inbox', as: 'agent', params: { q: word(300) } },
    { name: 'contacts: last name', as: 'admin', params: { type: 'contacts', q: 'Silva' } },
    { name: 'contacts: name prefix', as: 'admin', params: { type: 'contacts', q: 'Marg' } },
    { name: 'contacts: agent of one inbox', as: 'agent', params: { type: 'contacts', q: 'Ivanov' } },
  ];
}

interface Measured {
  api: number[];
  query: number[];
  results: number;
}

async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  return cookie?.split(';')[0] ?? '';
}

/** One history size: its own database and server, loaded and ready to search. */
interface Setup {
  size: number;
  database: string;
  server: Awaited<ReturnType<typeof startServer>>;
  pool: pg.Pool;
  world: World;
  cookies: Record<Search['as'], string>;
  load: Record<string, number>;
}

function actorsOf(world: World): Record<Search['as'], AccountActor> {
  return {
    admin: { kind: 'agent', userId: world.adminId, name: 'Admin', accountId: world.accountId, role: 'admin' },
    agent: { kind: 'agent', userId: world.agentId, name: 'Agent', accountId: world.accountId, role: 'agent' },
  };
}

async function searchInProcess(setup: Setup, search: Search): Promise<number> {
  const query: SearchQuery = searchQuerySchema.parse(search.params);
  const terms = searchTerms(query.q);
  if (!terms) return 0;
  const cursor = firstPage(queryFingerprint(query));
  const actor = actorsOf(setup.world)[search.as];
  return query.type === 'contacts'
    ? (await searchContacts(setup.server.ctx, actor, query, terms, cursor)).hits.length
    : (await searchMessages(setup.server.ctx, actor, query, terms, cursor)).hits.length;
}

async function searchOverHttp(setup: Setup, search: Search): Promise<number> {
  const qs = new URLSearchParams(search.params);
  const res = await fetch(`${setup.server.url}/api/accounts/${setup.world.accountId}/search?${qs}`, {
    headers: { cookie: setup.cookies[search.as] },
  });
  const body = (await res.json()) as { messages?: unknown[]; contacts?: unknown[] };
  if (res.status !== 200) throw new Error(`${search.name}: ${res.status} ${JSON.stringify(body)}`);
  return (body.messages ?? body.contacts ?? []).length;
}

/** EXPLAIN ANALYZE of every statement a search runs, captured from the search code itself. */
async function explain(setup: Setup, list: Search[]): Promise<Record<string, string>> {
  const database = setup.server.ctx.database;
  const original = database.rows.bind(database);
  const dialect = new PgDialect();
  const plans: Record<string, string> = {};
  for (const search of list) {
    const statements: string[] = [];
    Object.assign(database, {
      rows: async <T extends Record<string, unknown>>(query: SQL, executor?: Tx): Promise<T[]> => {
        // The planner's estimate is an EXPLAIN already, which cannot be explained again.
        if (/^\s*explain\b/i.test(dialect.sqlToQuery(query).sql)) return original<T>(query, executor);
        const lines = await original<{ 'QUERY PLAN': string }>(
          sql`explain (analyze, buffers) ${query}`,
          executor,
        );
        statements.push(lines.map((l) => l['QUERY PLAN']).join('\n'));
        return original<T>(query, executor);
      },
    });
    try {
      await searchInProcess(setup, search);
    } finally {
      Object.assign(database, { rows: original });
    }
    plans[search.name] = statements.join('\n\n');
  }
  return plans;
}

// ---- the run ---------------------------------------------------------------------------------------

const benchEnv = (databaseUrl: string) =>
  loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789abcdef',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-bench-')),
    PUBLIC_URL: 'http://localhost:3000',
    DATABASE_URL: databaseUrl,
    RATE_LIMITS: 'off',
  });

async function prepare(size: number, base: Date): Promise<Setup> {
  const database = `parley_bench_search_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const server = await startServer({ env: benchEnv(url.toString()), jobPollMs: 0 });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => {});
  const world = await seedWorld(pool, server);
  log(`loading ${size.toLocaleString('en')} messages into ${database}…`);
  const load = await loadHistory(pool, size, base);
  log(`  ${JSON.stringify(load)} (seconds)`);
  const cookies = {
    admin: await login(server.url, 'bench-1-0@example.test'),
    agent: await login(server.url, 'bench-1-1@example.test'),
  };
  return { size, database, server, pool, world, cookies, load };
}

async function dispose(setup: Setup): Promise<void> {
  await setup.pool.end();
  await setup.server.stop();
  if (args.keep) {
    log(`kept database ${setup.database}`);
    return;
  }
  const cleanup = new pg.Client({ connectionString: ADMIN_URL });
  await cleanup.connect();
  await cleanup.query(`drop database if exists ${setup.database} with (force)`);
  await cleanup.end();
}

async function main() {
  const base = new Date();
  const results: Record<string, unknown> = {
    date: base.toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? '',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverageBefore: os.loadavg().map((l) => round(l, 1)),
    },
    settings: { sizes: SIZES, runs: RUNS, warmup: WARMUP, vocabulary: VOCABULARY },
  };
  const setups: Setup[] = [];
  try {
    for (const size of SIZES) setups.push(await prepare(size, base));
    const first = setups[0] as Setup;
    const list = searches(first.world, base);
    // Every setup has its own ids; the searches name the first setup's inbox and tag, so map them.
    const perSetup = (setup: Setup): Search[] =>
      searches(setup.world, base).map((s, i) => ({ ...s, name: list[i]?.name ?? s.name }));
    const lists = new Map(setups.map((s) => [s.size, perSetup(s)]));
    log(`measuring ${list.length} searches × ${RUNS} runs at ${SIZES.join(' and ')} messages, interleaved…`);
    const measured = await measureEach(setups, lists);
    const bySize: Record<string, unknown> = {};
    for (const setup of setups) {
      const searchesAtSize: Record<string, unknown> = {};
      for (const [searchName, m] of measured.get(setup.size) ?? []) {
        const api = [...m.api].sort((a, b) => a - b);
        const query = [...m.query].sort((a, b) => a - b);
        searchesAtSize[searchName] = {
          results: m.results,
          apiMs: { p50: round(percentile(api, 50)), p95: round(percentile(api, 95)) },
          queryMs: { p50: round(percentile(query, 50)), p95: round(percentile(query, 95)) },
        };
      }
      const entry: Record<string, unknown> = { load: setup.load, searches: searchesAtSize };
      if (args.explain) {
        const plans = await explain(setup, lists.get(setup.size) ?? []);
        for (const [searchName, plan] of Object.entries(plans))
          log(`\n### ${searchName} at ${setup.size}\n${plan}`);
        entry.plans = plans;
      }
      bySize[String(setup.size)] = entry;
    }
    results.sizes = bySize;

    // The table: each search at the smallest and the largest size, and the ratios.
    const small = SIZES[0] ?? 0;
    const large = SIZES.at(-1) ?? 0;
    const ratio = (a: number, b: number) => round(b / a, 2);
    const f = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 95).toFixed(1)}`;
    };
    const p = (xs: number[], q: number) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      );
    const lines = [
      `| search | results | API p50 / p95 ms at ${small.toLocaleString('en')} | at ${large.toLocaleString('en')} | ratio p50 / p95 | in-process p50 / p95 ms at ${small.toLocaleString('en')} | at ${large.toLocaleString('en')} | ratio p50 / p95 |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    const ratios: Record<string, unknown> = {};
    let worstApi = 0;
    let worstQuery = 0;
    for (const search of list) {
      const a = measured.get(small)?.get(search.name);
      const b = measured.get(large)?.get(search.name);
      if (!a || !b) continue;
      const apiRatio = [ratio(p(a.api, 50), p(b.api, 50)), ratio(p(a.api, 95), p(b.api, 95))];
      const queryRatio = [ratio(p(a.query, 50), p(b.query, 50)), ratio(p(a.query, 95), p(b.query, 95))];
      worstApi = Math.max(worstApi, ...apiRatio);
      worstQuery = Math.max(worstQuery, ...queryRatio);
      ratios[search.name] = { api: apiRatio, query: queryRatio };
      lines.push(
        `| ${search.name} | ${a.results} → ${b.results} | ${f(a.api)} | ${f(b.api)} | ${apiRatio.join(' / ')} | ${f(a.query)} | ${f(b.query)} | ${queryRatio.join(' / ')} |`,
      );
    }
    results.ratios = ratios;
    results.worstRatio = { api: worstApi, inProcess: worstQuery };
    results.machine = {
      ...(results.machine as Record<string, unknown>),
      loadAverageAfter: os.loadavg().map((l) => round(l, 1)),
    };
    const table = lines.join('\n');
    results.table = table;
    log(`\n${table}\n\nworst ratio: API ${worstApi}, in process ${worstQuery} (target ≤ 3)`);
    const dir = path.join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `search-${base.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`written to ${path.relative(ROOT, file)}`);
  } finally {
    for (const setup of setups) await dispose(setup);
  }
}

/** `measure` with each setup's own copy of the searches (their inbox and tag ids differ). */
async function measureEach(setups: Setup[], lists: Map<number, Search[]>) {
  const measured = new Map(
    setups.map((s) => [
      s.size,
      new Map<string, Measured>(
        (lists.get(s.size) ?? []).map((x) => [x.name, { api: [], query: [], results: 0 }]),
      ),
    ]),
  );
  const count = lists.get(setups[0]?.size ?? 0)?.length ?? 0;
  for (let round = -WARMUP; round < RUNS; round++) {
    for (let i = 0; i < count; i++) {
      for (const setup of round % 2 === 0 ? setups : [...setups].reverse()) {
        const search = lists.get(setup.size)?.[i];
        if (!search) continue;
        const entry = measured.get(setup.size)?.get(search.name) as Measured;
        let t0 = performance.now();
        entry.results = await searchOverHttp(setup, search);
        if (round >= 0) entry.api.push(performance.now() - t0);
        t0 = performance.now();
        await searchInProcess(setup, search);
        if (round >= 0) entry.query.push(performance.now() - t0);
      }
    }
  }
  return measured;
}

await main();
