import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { CpuMeter, CpuUse } from './meter.ts';
import { type LatencySummary, sleep, summarize } from './stats.ts';

export interface RawResult {
  concurrency: number;
  poolSize: number;
  measuredSeconds: number;
  insertsPerSecond: number;
  latency: LatencySummary;
  slices: number[];
  /** `load generator` is node-postgres here: the application side of the raw baseline. */
  cpu: CpuUse | null;
}

const BODY = 'Hello, I have a question about my order and the delivery date';
const SLICE_MS = 5_000;

/**
 * The database's own ceiling for this row shape: `concurrency` writers, each inserting one message row
 * at a time with a plain autocommit INSERT through node-postgres, over a pool as large as one Parley
 * node's. The table copies `messages` with everything but its foreign keys: columns, defaults, indexes
 * and the generated search document, so each row costs what a stored message's row costs.
 */
export async function runRawInserts(options: {
  url: string;
  conversationIds: string[];
  accountId: string;
  poolSize: number;
  warmupMs: number;
  durationMs: number;
  /** Built once the pool is warm, so it sees every backend of the run. */
  meter: () => Promise<CpuMeter>;
}): Promise<RawResult> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  pool.on('error', () => {});
  try {
    await pool.query('drop table if exists bench_raw_messages');
    await pool.query('create table bench_raw_messages (like messages including all)');
    // Open every connection before measuring, as Parley's pool is warm too.
    await Promise.all(Array.from({ length: options.poolSize }, () => pool.query('select 1')));
    const times: number[] = [];
    const latencies: Array<[number, number]> = [];
    let running = true;
    const start = performance.now();
    const from = start + options.warmupMs;
    const to = from + options.durationMs;
    const writer = async (conversationId: string) => {
      let seq = 0;
      while (running) {
        seq += 1;
        const t0 = performance.now();
        await pool.query(
          `insert into bench_raw_messages
             (id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body, private, attributes, client_msg_id)
           values ($1, $2, $3, $4, 'text', 'contact', $5, $6, $7, false, '{}'::jsonb, $8)`,
          [
            randomUUID(),
            conversationId,
            options.accountId,
            seq,
            conversationId,
            'Visitor',
            `${BODY} ${seq}`,
            `raw-${seq}`,
          ],
        );
        const t1 = performance.now();
        times.push(t1);
        latencies.push([t0, t1 - t0]);
      }
    };
    const writers = options.conversationIds.map((id) => writer(id));
    const meter = await options.meter();
    await sleep(Math.max(0, from - performance.now()));
    meter.start();
    await sleep(Math.max(0, to - performance.now()));
    const cpu = meter.stop();
    running = false;
    await Promise.all(writers);
    const seconds = options.durationMs / 1000;
    const inWindow = times.filter((t) => t >= from && t <= to).length;
    const slices: number[] = [];
    for (let a = from; a + SLICE_MS <= to + 1; a += SLICE_MS) {
      slices.push(Math.round(times.filter((t) => t >= a && t < a + SLICE_MS).length / (SLICE_MS / 1000)));
    }
    return {
      concurrency: options.conversationIds.length,
      poolSize: options.poolSize,
      measuredSeconds: seconds,
      insertsPerSecond: Math.round((inWindow / seconds) * 10) / 10,
      latency: summarize(latencies.filter(([t]) => t >= from && t <= to).map(([, l]) => l)),
      slices,
      cpu,
    };
  } finally {
    await pool.query('drop table if exists bench_raw_messages').catch(() => {});
    await pool.end();
  }
}
