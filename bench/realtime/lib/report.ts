import type { BenchResults, ScenarioResult } from '../run.ts';
import type { LoadResult } from './driver.ts';
import type { CpuUse } from './meter.ts';

/** Markdown tables of one run, as printed at the end and copied into bench/README.md. */

const LABELS: Record<string, string> = {
  'bare-ws': 'bare ws relay',
  pglite: 'Parley · PGlite',
  postgres: 'Parley · PostgreSQL',
  'postgres-redis-2': 'Parley · PostgreSQL + Redis, 2 nodes',
};

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
const int = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US');

/** "server · PostgreSQL · Redis · load generator · other work", in percent of one core. */
function cpuSplit(cpu: CpuUse | null | undefined): string {
  const by = cpu?.byProcess;
  if (!by || !cpu) return '–';
  const nodes = Object.entries(by).filter(([k]) => k.startsWith('parley-') || k === 'bare-ws');
  const parts = [nodes.map(([, v]) => fmt(v, 0)).join(' + ')];
  if (by.postgres !== undefined) parts.push(`pg ${fmt(by.postgres, 0)}`);
  if (by.redis !== undefined) parts.push(`redis ${fmt(by.redis, 0)}`);
  parts.push(`gen ${fmt(by['load generator'], 0)}`);
  parts.push(`other ${fmt(cpu.othersPercent, 0)}`);
  return parts.join(' · ');
}

/** "server · pg · gen" milliseconds per second spent waiting for a core (schedstat run delay). */
function runQueue(run: LoadResult | null): string {
  const rq = run?.cpu?.runQueueMsPerSecond;
  if (!rq) return '–';
  const parts = Object.entries(rq)
    .filter(([k]) => k.startsWith('parley-') || k === 'bare-ws')
    .map(([, v]) => fmt(v, 0));
  const out = [parts.join(' + ')];
  if (rq.postgres !== undefined) out.push(`pg ${fmt(rq.postgres, 0)}`);
  out.push(`gen ${fmt(rq['load generator'], 0)}`);
  return out.join(' · ');
}

/** CPU milliseconds the server side (nodes, PostgreSQL, Redis) spent per acknowledged message. */
function cpuPerMessage(run: LoadResult | null): number | null {
  const by = run?.cpu?.byProcess;
  if (!by || !run || run.ackedPerSecond === 0) return null;
  const server = Object.entries(by)
    .filter(([k]) => k !== 'load generator')
    .reduce((sum, [, v]) => sum + v, 0);
  return (server / 100 / run.ackedPerSecond) * 1000;
}

function spread(values: number[]): string {
  if (values.length === 0) return '–';
  return `${int(Math.min(...values))}–${int(Math.max(...values))}`;
}

function lost(run: LoadResult): string {
  return run.unacked === 0 && run.undelivered === 0
    ? '0'
    : `${run.unacked} unacked / ${run.undelivered} undelivered`;
}

function label(s: ScenarioResult): string {
  const base = LABELS[s.engine] ?? s.engine;
  return s.pairedWith ? `${base} (paired with ${LABELS[s.pairedWith] ?? s.pairedWith})` : base;
}

/** The bare run paired with a Parley run (same N, run just before it); older files match on N only. */
function pairedBare(results: BenchResults, s: ScenarioResult): ScenarioResult | undefined {
  const bare = results.scenarios.filter((b) => b.engine === 'bare-ws' && b.conversations === s.conversations);
  return bare.find((b) => b.pairedWith === s.engine) ?? bare.find((b) => !b.pairedWith);
}

function pairedRaw(results: BenchResults, s: ScenarioResult): BenchResults['raw'][number] | undefined {
  if (s.engine === 'pglite' || s.engine === 'bare-ws') return undefined;
  const raw = results.raw.filter((r) => r.concurrency === s.conversations);
  return raw.find((r) => r.pairedWith === s.engine) ?? raw.find((r) => !r.pairedWith);
}

/** Application + database CPU per INSERT in the raw baseline. */
function rawCpuPerInsert(r: BenchResults['raw'][number]): number | null {
  if (!r.cpu || r.insertsPerSecond === 0) return null;
  return (
    (((r.cpu.byProcess.postgres ?? 0) + (r.cpu.byProcess['load generator'] ?? 0)) /
      100 /
      r.insertsPerSecond) *
    1000
  );
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function problems(s: ScenarioResult): string {
  const all = { ...(s.open?.problems ?? {}), ...(s.saturation?.problems ?? {}) };
  const entries = Object.entries(all);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : '';
}

export function render(results: BenchResults): string {
  const out: string[] = [];
  const meta = results.meta as {
    date: string;
    commit: string;
    server?: string;
    node: string;
    machine: { cpus: number; model: string; memoryGiB: number; loadAverageAtStart: number[] };
    postgres: string | null;
    options: { rate: number; perAgent: number; durationMs: number; satDurationMs: number; warmupMs: number };
    command: string;
  };
  out.push(
    `Run ${meta.date} · commit ${meta.commit}${meta.server ? ` (server: ${meta.server})` : ''} · Node ${meta.node} · ${meta.machine.cpus} × ${meta.machine.model}, ${meta.machine.memoryGiB} GiB · PostgreSQL ${meta.postgres ?? '?'} · load average at start ${meta.machine.loadAverageAtStart.join(' ')}`,
  );
  out.push(`Command: \`${meta.command}\``);
  out.push('');

  const open = results.scenarios.filter((s) => s.open);
  if (open.length) {
    out.push(
      `### Fixed offered load: ${meta.options.rate} messages/s in total, ${meta.options.durationMs / 1000} s measured after ${meta.options.warmupMs / 1000} s warm-up`,
    );
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations',
          'Sockets (visitors + agents)',
          'Acked msg/s',
          'Delivery p50 ms',
          'Delivery p99 ms',
          'p99 spread (5 s slices)',
          'Ack p99 ms',
          'Lost',
          'CPU % of a core: server · pg · redis · load gen · other work',
        ],
        open.map((s) => {
          const r = s.open as LoadResult;
          const p99s = r.slices.deliveryP99.filter((v): v is number => v !== null);
          return [
            label(s),
            int(s.conversations),
            `${int(s.visitorSockets)} + ${int(s.agentSockets)}`,
            fmt(r.ackedPerSecond),
            fmt(r.delivery.p50),
            fmt(r.delivery.p99),
            p99s.length ? `${fmt(Math.min(...p99s))}–${fmt(Math.max(...p99s))}` : '–',
            fmt(r.ack.p99),
            r.shed > 0 ? `${lost(r)}; ${r.shed} offers shed` : lost(r),
            cpuSplit(r.cpu),
          ];
        }),
      ),
    );
    out.push('');
  }

  const sat = results.scenarios.filter((s) => s.saturation);
  if (sat.length) {
    out.push(
      `### Saturation: every visitor keeps one send in flight (closed loop), ${meta.options.satDurationMs / 1000} s measured`,
    );
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations (= writers)',
          'Durable msg/s',
          'Spread (5 s slices)',
          'Delivery p50 ms',
          'Delivery p99 ms',
          'Lost',
          'CPU % of a core: server · pg · redis · load gen · other work',
          'Server-side CPU ms per message',
          'Raw INSERTs/s',
          'Parley / raw',
        ],
        sat.map((s) => {
          const r = s.saturation as LoadResult;
          const raw = pairedRaw(results, s);
          return [
            LABELS[s.engine] ?? s.engine,
            int(s.conversations),
            fmt(r.ackedPerSecond),
            spread(r.slices.ackedPerSecond),
            fmt(r.delivery.p50),
            fmt(r.delivery.p99),
            lost(r),
            cpuSplit(r.cpu),
            fmt(cpuPerMessage(r), 2),
            raw ? fmt(raw.insertsPerSecond) : '–',
            raw ? fmt(r.ackedPerSecond / raw.insertsPerSecond, 2) : '–',
          ];
        }),
      ),
    );
    out.push('');
  }

  if (results.raw.length) {
    out.push('### Baseline (a): raw node-postgres INSERTs of the same rows, pool of 10');
    out.push('');
    out.push(
      table(
        [
          'Paired with',
          'Writers',
          'INSERTs/s',
          'Spread (5 s slices)',
          'INSERT p50 ms',
          'INSERT p99 ms',
          'CPU % of a core: pg · node-postgres client · other work',
          'CPU ms per INSERT (pg + client)',
        ],
        results.raw.map((r) => [
          r.pairedWith ? (LABELS[r.pairedWith] ?? r.pairedWith) : '–',
          int(r.concurrency),
          fmt(r.insertsPerSecond),
          spread(r.slices),
          fmt(r.latency.p50),
          fmt(r.latency.p99),
          r.cpu
            ? `pg ${fmt(r.cpu.byProcess.postgres, 0)} · client ${fmt(r.cpu.byProcess['load generator'], 0)} · other ${fmt(r.cpu.othersPercent, 0)}`
            : '–',
          fmt(rawCpuPerInsert(r), 2),
        ]),
      ),
    );
    out.push('');
  }

  const idle = results.scenarios.filter((s) => s.idle);
  if (idle.length) {
    out.push('### Idle: sockets connected and subscribed, no messages (10 s)');
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations',
          'Sockets',
          'CPU % of a core: server · pg · redis · load gen · other work',
          'Frames received per second, by type',
        ],
        idle.map((s) => [
          label(s),
          int(s.conversations),
          int(s.visitorSockets + s.agentSockets),
          cpuSplit(s.idle),
          Object.entries(s.idleFrames ?? {})
            .map(([k, v]) => `${k.replace('_', ' ')} ${fmt(v / (s.idle?.seconds || 10), 1)}`)
            .join(', ') || 'none',
        ]),
      ),
    );
    out.push('');
  }

  const threadRows: string[][] = [];
  for (const s of results.scenarios) {
    for (const [phase, run] of [
      ['fixed load', s.open],
      ['saturation', s.saturation],
    ] as const) {
      const main = run?.cpu?.mainThread;
      if (!run || !main) continue;
      for (const [name, t] of Object.entries(main)) {
        if (!name.startsWith('parley-') && name !== 'bare-ws') continue;
        threadRows.push([
          label(s),
          int(s.conversations),
          phase,
          name,
          `${fmt(t.R, 0)} / ${fmt(t.S, 0)} / ${fmt(t.D, 0)}`,
          fmt(t.writeBytesPerSecond / 1024, 0),
          fmt(t.readBytesPerSecond / 1024, 0),
          runQueue(run),
        ]);
      }
    }
  }
  if (threadRows.length) {
    out.push('### Where the server processes were (main thread sampled every 10 ms; schedstat run delay)');
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations',
          'Run',
          'Process',
          'Running / sleeping / disk-wait %',
          'Written KiB/s',
          'Read KiB/s',
          'Waiting for a core, ms/s: server · pg · gen',
        ],
        threadRows,
      ),
    );
    out.push('');
  }

  const counterRows: string[][] = [];
  for (const s of results.scenarios) {
    const m = s.nodeMetrics;
    if (!m) continue;
    const phases: Array<
      [
        'fixed load' | 'saturation',
        Array<Record<string, number>> | undefined,
        Array<Record<string, number>> | undefined,
      ]
    > = [
      ['fixed load', m.beforeOpen, m.afterOpen],
      ['saturation', m.afterOpen, m.afterSaturation],
    ];
    for (const [phase, a, b] of phases) {
      if (!a || !b) continue;
      const delta = (prefix: string) =>
        b.reduce((sum, node, i) => {
          let d = 0;
          for (const [k, v] of Object.entries(node)) if (k.startsWith(prefix)) d += v - (a[i]?.[k] ?? 0);
          return sum + d;
        }, 0);
      const committed = delta('messages_committed_total');
      if (committed <= 0) continue;
      const lagMax = Math.max(...b.map((node) => node.eventloop_lag_max_seconds ?? 0));
      const run = phase === 'fixed load' ? s.open : s.saturation;
      const got = Object.entries(run?.frames ?? {})
        .filter(([, v]) => v > 0)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k.replace('_', ' ')} ${fmt(v / committed, 2)}`)
        .join(', ');
      counterRows.push([
        LABELS[s.engine] ?? s.engine,
        int(s.conversations),
        phase,
        int(committed),
        fmt(committed / Math.max(1, delta('message_batches_total')), 1),
        fmt(delta('events_delivered_total') / committed, 2),
        fmt((delta('realtime_gap_fills_total') / committed) * 1000, 1),
        int(delta('realtime_resync_required_total')),
        fmt(lagMax * 1000, 0),
        got || '–',
      ]);
    }
  }
  if (counterRows.length) {
    out.push('### What the nodes counted (their /metrics, diffed around each run)');
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations',
          'Run',
          'Messages committed',
          'Messages per commit',
          'Frames sent per message',
          'Gap fills per 1,000 messages',
          'Resyncs',
          'Event-loop lag max ms (since start)',
          'Frames the bench sockets received per message, by type',
        ],
        counterRows,
      ),
    );
    out.push('');
  }

  const dbRows = results.scenarios.filter((s) => s.dbPerMessage?.saturation || s.dbPerMessage?.open);
  if (dbRows.length) {
    out.push('### PostgreSQL work per stored message (counters over the whole run ÷ acked messages)');
    out.push('');
    out.push(
      table(
        [
          'Setup',
          'Conversations',
          'Run',
          'Rows inserted (messages + events)',
          'Rows updated',
          'conversations updated (HOT)',
          'events marked published',
          'participants upserted (HOT)',
          'jobs inserted',
          'Rows fetched',
          'Buffer hits',
        ],
        dbRows.flatMap((s) =>
          (['open', 'saturation'] as const).flatMap((run) => {
            const d = s.dbPerMessage?.[run];
            if (!d) return [];
            return [
              [
                LABELS[s.engine] ?? s.engine,
                int(s.conversations),
                run === 'open' ? 'fixed load' : 'saturation',
                fmt(d.tup_inserted, 2),
                fmt(d.tup_updated, 2),
                `${fmt(d.conversations_updated, 2)} (${fmt(d.conversations_hot_updated, 2)})`,
                fmt(d.events_updated, 2),
                d.conversation_participants_updated === undefined
                  ? '–'
                  : `${fmt((d.conversation_participants_inserted ?? 0) + d.conversation_participants_updated, 2)} (${fmt(d.conversation_participants_hot_updated, 2)})`,
                fmt(d.jobs_inserted, 2),
                fmt(d.tup_fetched, 1),
                fmt(d.blks_hit, 1),
              ],
            ];
          }),
        ),
      ),
    );
    out.push('');
  }

  const ratios: string[][] = [];
  for (const s of results.scenarios) {
    if (s.engine === 'bare-ws') continue;
    const raw = pairedRaw(results, s);
    if (s.saturation && raw && s.engine !== 'pglite') {
      const v = s.saturation.ackedPerSecond / raw.insertsPerSecond;
      ratios.push([
        `(a) throughput Parley / raw INSERTs`,
        LABELS[s.engine] ?? s.engine,
        int(s.conversations),
        fmt(v, 2),
        '≥ 0.7',
        v >= 0.7 ? 'met' : 'not met',
      ]);
      const parleyCpu = cpuPerMessage(s.saturation);
      const rawCpu = rawCpuPerInsert(raw);
      if (parleyCpu && rawCpu) {
        const e = rawCpu / parleyCpu;
        ratios.push([
          `(a′) CPU efficiency: raw CPU per INSERT / Parley CPU per message`,
          LABELS[s.engine] ?? s.engine,
          int(s.conversations),
          fmt(e, 2),
          '≥ 0.7',
          e >= 0.7 ? 'met' : 'not met',
        ]);
      }
    }
    const b = pairedBare(results, s)?.open?.delivery.p99;
    const p = s.open?.delivery.p99;
    if (b && p !== null && p !== undefined) {
      const v = p / b;
      ratios.push([
        `(b) delivery p99 Parley / bare ws`,
        LABELS[s.engine] ?? s.engine,
        int(s.conversations),
        fmt(v, 2),
        '< 3',
        v < 3 ? 'met' : 'not met',
      ]);
    }
  }
  const mp = results.memory.find((m) => m.kind === 'parley-visitor');
  const mb = results.memory.find((m) => m.kind === 'bare-ws');
  if (mp && mb) {
    const v = mp.bytesPerSocket / mb.bytesPerSocket;
    ratios.push([
      '(c) memory per idle socket Parley / bare ws (RSS)',
      LABELS.postgres as string,
      int(mp.sockets),
      fmt(v, 2),
      '< 1.5',
      v < 1.5 ? 'met' : 'not met',
    ]);
    const h = mp.heapBytesPerSocket / mb.heapBytesPerSocket;
    ratios.push([
      '(c′) same, JS heap + external only',
      LABELS.postgres as string,
      int(mp.sockets),
      fmt(h, 2),
      '< 1.5',
      h < 1.5 ? 'met' : 'not met',
    ]);
  }
  if (results.memory.length) {
    out.push('### Baseline (c): memory per idle socket (server RSS delta / sockets)');
    out.push('');
    out.push(
      table(
        [
          'Server',
          'Sockets',
          'RSS before → after MiB',
          'RSS bytes per socket',
          'JS heap + external before → after MiB',
          'Heap bytes per socket',
        ],
        results.memory.map((m) => [
          m.kind === 'bare-ws' ? 'bare ws (open only)' : 'Parley visitor (authenticated + subscribed)',
          int(m.sockets),
          `${fmt(m.rssBeforeBytes / 2 ** 20)} → ${fmt(m.rssAfterBytes / 2 ** 20)}`,
          int(m.bytesPerSocket),
          `${fmt(m.heapBeforeBytes / 2 ** 20)} → ${fmt(m.heapAfterBytes / 2 ** 20)}`,
          int(m.heapBytesPerSocket),
        ]),
      ),
    );
    out.push('');
  }
  if (ratios.length) {
    out.push('### Ratios against the targets');
    out.push('');
    out.push(table(['Ratio', 'Setup', 'Conversations / sockets', 'Value', 'Target', 'Verdict'], ratios));
    out.push('');
  }
  const notes = results.scenarios.map((s) => [s, problems(s)] as const).filter(([, p]) => p);
  if (notes.length || results.errors.length) {
    out.push('### Problems seen');
    out.push('');
    for (const [s, p] of notes) out.push(`- ${LABELS[s.engine] ?? s.engine} N=${s.conversations}: ${p}`);
    for (const e of results.errors) out.push(`- error: ${e.split('\n')[0]}`);
    out.push('');
  }
  if (results.seeding.length) {
    out.push(
      `Seeding through the API (visitor session + conversation each): ${results.seeding
        .map((s) => `${LABELS[s.engine]} ${int(s.conversations)} in ${fmt(s.seconds)} s`)
        .join('; ')}.`,
    );
  }
  return out.join('\n');
}
