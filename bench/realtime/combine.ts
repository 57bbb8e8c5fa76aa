/**
 * Puts several result files of `npm run bench` side by side: for each setup and size, the key numbers of
 * every run and their median, so the spread caused by other work on the machine is visible.
 *
 * Usage: node bench/realtime/combine.ts bench/results/a.json bench/results/b.json … > combined.md
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResults, ScenarioResult } from './run.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('Usage: node bench/realtime/combine.ts <results.json>…\n');
  process.exit(2);
}
const runs = files.map((f) => ({
  file: path.basename(f),
  data: JSON.parse(readFileSync(f, 'utf8')) as BenchResults,
}));

const LABELS: Record<string, string> = {
  pglite: 'PGlite',
  postgres: 'PostgreSQL',
  'postgres-redis-2': 'PostgreSQL + Redis, 2 nodes',
};

function median(values: number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

/** "median (run1 / run2 / …)" */
function cell(values: Array<number | null | undefined>, digits = 1): string {
  const present = values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  if (present.length === 0) return '–';
  if (values.length === 1) return fmt(present[0], digits);
  return `**${fmt(median(present), digits)}** (${values.map((v) => fmt(v, digits)).join(' / ')})`;
}

function bareFor(data: BenchResults, s: ScenarioResult): ScenarioResult | undefined {
  const bare = data.scenarios.filter((b) => b.engine === 'bare-ws' && b.conversations === s.conversations);
  return bare.find((b) => b.pairedWith === s.engine) ?? bare.find((b) => !b.pairedWith);
}

function rawFor(data: BenchResults, s: ScenarioResult) {
  const raw = data.raw.filter((r) => r.concurrency === s.conversations);
  return raw.find((r) => r.pairedWith === s.engine) ?? raw.find((r) => !r.pairedWith);
}

function serverCpuMs(run: ScenarioResult['saturation']): number | null {
  const by = run?.cpu?.byProcess;
  if (!by || !run || run.ackedPerSecond === 0) return null;
  const server = Object.entries(by)
    .filter(([k]) => k !== 'load generator')
    .reduce((sum, [, v]) => sum + v, 0);
  return (server / 100 / run.ackedPerSecond) * 1000;
}

const keys = new Map<string, { engine: string; n: number }>();
for (const { data } of runs) {
  for (const s of data.scenarios) {
    if (s.engine !== 'bare-ws')
      keys.set(`${s.engine}:${s.conversations}`, { engine: s.engine, n: s.conversations });
  }
}

const out: string[] = [];
out.push(`Runs: ${runs.map((r, i) => `${i + 1}. ${r.file} (${String(r.data.meta.date)})`).join('; ')}`);
out.push('');
out.push(
  "Each cell: **median** (run 1 / run 2 / …). 'other work' is the CPU the rest of the machine used during the run, in % of one core (of 200): runs with a high value were measured while other jobs held the cores.",
);
out.push('');
const head = [
  'Setup',
  'N',
  'Fixed load: delivery p99 ms',
  'bare ws p99 ms',
  'p99 ratio (target < 3)',
  'Saturation: durable msg/s',
  'raw INSERTs/s',
  'throughput ratio (target ≥ 0.7)',
  'Parley CPU ms/msg',
  'raw CPU ms/INSERT',
  'CPU efficiency ratio',
  'other work CPU %: fixed load',
  'other work CPU %: saturation',
];
out.push(`| ${head.join(' | ')} |`);
out.push(`| ${head.map(() => '---').join(' | ')} |`);
for (const { engine, n } of keys.values()) {
  const per = runs.map(({ data }) => {
    const s = data.scenarios.find((x) => x.engine === engine && x.conversations === n);
    if (!s) return null;
    const bare = bareFor(data, s);
    const raw = engine === 'pglite' ? undefined : rawFor(data, s);
    const p99 = s.open?.delivery.p99 ?? null;
    const bareP99 = bare?.open?.delivery.p99 ?? null;
    const sat = s.saturation?.ackedPerSecond ?? null;
    const rawRate = raw?.insertsPerSecond ?? null;
    const cpu = serverCpuMs(s.saturation);
    const rawCpu =
      raw?.cpu && raw.insertsPerSecond
        ? (((raw.cpu.byProcess.postgres ?? 0) + (raw.cpu.byProcess['load generator'] ?? 0)) /
            100 /
            raw.insertsPerSecond) *
          1000
        : null;
    return {
      p99,
      bareP99,
      p99Ratio: p99 !== null && bareP99 ? p99 / bareP99 : null,
      sat,
      rawRate,
      satRatio: sat !== null && rawRate ? sat / rawRate : null,
      cpu,
      rawCpu,
      eff: cpu && rawCpu ? rawCpu / cpu : null,
      otherOpen: s.open?.cpu?.othersPercent ?? null,
      otherSat: s.saturation?.cpu?.othersPercent ?? null,
    };
  });
  const col = (k: keyof NonNullable<(typeof per)[number]>, digits = 1) =>
    cell(
      per.map((p) => (p ? p[k] : null)),
      digits,
    );
  out.push(
    `| ${[
      LABELS[engine] ?? engine,
      n.toLocaleString('en-US'),
      col('p99'),
      col('bareP99'),
      col('p99Ratio', 2),
      col('sat'),
      col('rawRate'),
      col('satRatio', 2),
      col('cpu', 2),
      col('rawCpu', 2),
      col('eff', 2),
      col('otherOpen', 0),
      col('otherSat', 0),
    ].join(' | ')} |`,
  );
}
out.push('');
const mem = runs.map(({ data }) => ({
  parley: data.memory.find((m) => m.kind === 'parley-visitor'),
  bare: data.memory.find((m) => m.kind === 'bare-ws'),
}));
if (mem.some((m) => m.parley && m.bare)) {
  out.push(
    '| Idle sockets | Parley RSS B/socket | bare RSS B/socket | RSS ratio (target < 1.5) | Parley heap B/socket | bare heap B/socket | heap ratio |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  out.push(
    `| ${[
      cell(
        mem.map((m) => m.parley?.sockets),
        0,
      ),
      cell(
        mem.map((m) => m.parley?.bytesPerSocket),
        0,
      ),
      cell(
        mem.map((m) => m.bare?.bytesPerSocket),
        0,
      ),
      cell(
        mem.map((m) => (m.parley && m.bare ? m.parley.bytesPerSocket / m.bare.bytesPerSocket : null)),
        2,
      ),
      cell(
        mem.map((m) => m.parley?.heapBytesPerSocket),
        0,
      ),
      cell(
        mem.map((m) => m.bare?.heapBytesPerSocket),
        0,
      ),
      cell(
        mem.map((m) => (m.parley && m.bare ? m.parley.heapBytesPerSocket / m.bare.heapBytesPerSocket : null)),
        2,
      ),
    ].join(' | ')} |`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
