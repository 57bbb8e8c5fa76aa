import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { openTestDatabase } from '../../test/database.ts';
import { connectDatabase, type Database } from '../db/connect.ts';
import { type Job, JobRunner, scheduleJob } from './runner.ts';

let database: Database;
let cleanup: () => Promise<void>;
let url: string | undefined;
before(async () => {
  ({ database, cleanup, url } = await openTestDatabase());
});
after(async () => {
  await cleanup?.();
});

const silent = pino({ level: 'silent' });

test('a job runs once when due, not before, and is gone afterwards', async () => {
  let clock = new Date('2030-01-01T00:00:00Z');
  const runner = new JobRunner({ database, log: silent, now: () => clock });
  const ran: Job[] = [];
  runner.register('test.once', async (job) => {
    ran.push(job);
  });
  await scheduleJob(database.db, {
    kind: 'test.once',
    key: 'once:1',
    runAt: new Date('2030-01-01T01:00:00Z'),
    payload: { n: 1 },
  });
  assert.equal(await runner.runDue(), 0);
  clock = new Date('2030-01-01T01:00:00Z');
  assert.equal(await runner.runDue(), 1);
  assert.deepEqual(
    ran.map((j) => j.payload),
    [{ n: 1 }],
  );
  assert.equal(await runner.runDue(), 0);
  const left = await database.rows(sql`select 1 from jobs where key = 'once:1'`);
  assert.equal(left.length, 0);
});

test('scheduling the same key again moves the timer instead of adding one', async () => {
  const clock = new Date('2030-02-01T00:00:00Z');
  const runner = new JobRunner({ database, log: silent, now: () => clock });
  const ran: unknown[] = [];
  runner.register('test.move', async (job) => {
    ran.push(job.payload);
  });
  await scheduleJob(database.db, {
    kind: 'test.move',
    key: 'move:1',
    runAt: new Date('2030-01-31T00:00:00Z'),
    payload: { v: 'old' },
  });
  await scheduleJob(database.db, {
    kind: 'test.move',
    key: 'move:1',
    runAt: new Date('2030-02-02T00:00:00Z'),
    payload: { v: 'new' },
  });
  assert.equal(await runner.runDue(), 0, 'the earlier time was replaced');
  const rows = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from jobs where key = 'move:1'`,
  );
  assert.equal(rows[0]?.n, 1);
  assert.deepEqual(ran, []);
});

test('a failing job is retried later with backoff and its error kept', async () => {
  let clock = new Date('2030-03-01T00:00:00Z');
  const runner = new JobRunner({ database, log: silent, now: () => clock });
  let calls = 0;
  runner.register('test.flaky', async () => {
    calls += 1;
    if (calls === 1) throw new Error('endpoint down');
  });
  await scheduleJob(database.db, { kind: 'test.flaky', key: 'flaky:1', runAt: clock });
  assert.equal(await runner.runDue(), 1);
  const [failed] = await database.rows<{ last_error: string; attempts: number }>(
    sql`select last_error, attempts from jobs where key = 'flaky:1'`,
  );
  assert.equal(failed?.last_error, 'endpoint down');
  assert.equal(await runner.runDue(), 0, 'not again before the backoff');
  clock = new Date(clock.getTime() + 5_000);
  assert.equal(await runner.runDue(), 1);
  assert.equal(calls, 2);
  assert.equal((await database.rows(sql`select 1 from jobs where key = 'flaky:1'`)).length, 0);
});

test('two runners (as on two nodes) never run the same job twice, and jobs survive a restart', async () => {
  const clock = new Date('2030-04-01T00:00:00Z');
  for (let i = 0; i < 40; i++) {
    await scheduleJob(database.db, { kind: 'test.shared', key: `shared:${i}`, runAt: clock, payload: { i } });
  }
  // A second connection to the same database stands for a second node (PostgreSQL), or a restart (PGlite).
  const other = url ? await connectDatabase({ databaseUrl: url, dataDir: 'memory' }) : database;
  const counts = new Map<number, number>();
  const handler = async (job: Job) => {
    const i = Number(job.payload.i);
    counts.set(i, (counts.get(i) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 2));
  };
  const a = new JobRunner({ database, log: silent, now: () => clock });
  const b = new JobRunner({ database: other, log: silent, now: () => clock });
  a.register('test.shared', handler);
  b.register('test.shared', handler);
  const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
  assert.equal(ranA + ranB, 40);
  assert.equal(counts.size, 40);
  for (const n of counts.values()) assert.equal(n, 1);
  if (other !== database) await other.close();
});
