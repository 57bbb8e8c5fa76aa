/**
 * The durable write path alone (not part of the test suite): how much PostgreSQL and server CPU one stored
 * message costs, without WebSockets, compared in the same run with the raw-INSERT baseline of
 * bench/realtime. One process: a Parley server (started through its own `startServer`, pool of 10) on a
 * throwaway database, N visitor conversations created through the Client API, then
 *   - Parley: N writers, each keeping one message in flight through the node's message writer (the code a
 *     WebSocket `send` frame reaches), for the measured seconds;
 *   - raw: N writers, each inserting one row at a time into a copy of `messages` through node-postgres
 *     with a pool of 10, autocommit.
 * Reported per phase: messages per second, and CPU milliseconds per message of the database backends
 * and of this process. The two phases alternate (`--rounds`), so both see the same background load.
 *
 *   node bench/write-path/run.ts [--conversations 100] [--seconds 10] [--rounds 2]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL to change it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { resolvePrincipal, type VisitorPrincipal } from '../../apps/server/src/auth/principal.ts';
import { connectDatabase } from '../../apps/server/src/db/connect.ts';
import { loadEnv } from '../../apps/server/src/env.ts';
import { authorOf, postMessage } from '../../apps/server/src/modules/messages/commands.ts';
import { startServer } from '../../apps/server/src/server.ts';
import { seedConversations, setupAccount } from '../realtime/lib/api.ts';
import { backendsOf } from '../realtime/lib/meter.ts';
import { cpuSeconds } from '../realtime/lib/procs.ts';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    /** `name=value` database settings for experiments (ALTER DATABASE … SET before anything connects). */
    set: { type: 'string', multiple: true, default: [] },
    /** SQL run once the schema is migrated, for experiments (drop an index, change a fillfactor…). */
    sql: { type: 'string', multiple: true, default: [] },
    /** Leave the database behind (its name is printed) to look at its plans. */
    keep: { type: 'boolean', default: false },
  },
});
const CONVERSATIONS = Number(args.conversations);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BODY = 'Hello, I have a question about my order and the delivery date';

const name = `parley_bench_wp_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
for (const setting of args.set) {
  const [key, value] = setting.split('=');
  await admin.query(`alter database ${name} set ${key} = '${value}'`);
}
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const databaseUrl = url.toString();

const database = await connectDatabase({ databaseUrl, dataDir: 'memory', poolSize: 10 });
await database.migrate();
for (const statement of args.sql) await database.rows(sql.raw(statement));
const env = loadEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMITS: 'off',
  SECRET_KEY: randomBytes(32).toString('hex'),
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-bench-wp-')),
  PUBLIC_URL: 'http://localhost:3000',
});
const server = await startServer({ env, database });
const base = `http://127.0.0.1:${server.port}`;

// Seeding through the public API, as bench/realtime does.
const login = await setupAccount(base, { autoAssign: false });
const accountId = login.accountId;
const seeded = await seedConversations(base, login.inboxId, CONVERSATIONS);

interface Writer {
  actor: VisitorPrincipal;
  conversationId: string;
}
const writers: Writer[] = [];
for (const conversation of seeded) {
  const actor = (await resolvePrincipal(server.ctx, {
    bearer: conversation.visitorToken,
  })) as VisitorPrincipal;
  writers.push({ actor, conversationId: conversation.id });
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
pool.on('error', () => {});
await pool.query('create table bench_raw_messages (like messages including all)');
await Promise.all(Array.from({ length: 10 }, () => pool.query('select 1')));

interface Measured {
  phase: string;
  perSecond: number;
  dbMsPerMessage: number;
  appMsPerMessage: number;
}

async function measure(phase: string, one: (index: number) => Promise<void>): Promise<Measured> {
  let running = true;
  let count = 0;
  const backends = backendsOf(name);
  const db0 = backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const app0 = process.cpuUsage();
  const t0 = performance.now();
  const loops = Array.from({ length: CONVERSATIONS }, async (_, index) => {
    while (running) {
      await one(index);
      count++;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  running = false;
  await Promise.all(loops);
  const seconds = (performance.now() - t0) / 1000;
  const db = backendsOf(name).reduce((sum, pid) => sum + cpuSeconds(pid), 0) - db0;
  const app = process.cpuUsage(app0);
  return {
    phase,
    perSecond: Math.round(count / seconds),
    dbMsPerMessage: Number(((db * 1000) / count).toFixed(3)),
    appMsPerMessage: Number(((app.user + app.system) / 1000 / count).toFixed(3)),
  };
}

const parley = (index: number) => {
  const writer = writers[index] as Writer;
  return postMessage(server.ctx, {
    actor: writer.actor,
    conversationId: writer.conversationId,
    author: authorOf(writer.actor),
    kind: 'text',
    body: BODY,
    private: false,
    clientMsgId: randomUUID(),
  }).then(() => undefined);
};

/** Each writer's next seq, kept across rounds (the copy keeps the unique index on conversation and seq). */
const rawSeqs = writers.map(() => 0);
const raw = async (index: number) => {
  const writer = writers[index] as Writer;
  rawSeqs[index] = (rawSeqs[index] ?? 0) + 1;
  await pool.query(
    `insert into bench_raw_messages
       (id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body, private, attributes, client_msg_id)
     values ($1, $2, $3, $4, 'text', 'contact', $5, $6, $7, false, '{}'::jsonb, $8)`,
    [
      randomUUID(),
      writer.conversationId,
      accountId,
      rawSeqs[index],
      writer.actor.contactId,
      'Visitor',
      BODY,
      randomUUID(),
    ],
  );
};

const results: Measured[] = [];
for (let round = 0; round < ROUNDS; round++) {
  results.push(await measure('parley', parley));
  results.push(await measure('raw', raw));
}
console.table(results);

await pool.end();
await server.stop();
if (args.keep) console.log(`kept database ${name}`);
else await admin.query(`drop database if exists ${name} with (force)`);
await admin.end();
