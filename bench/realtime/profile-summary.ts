/**
 * Summarizes a V8 CPU profile (from `npm run bench -- --cpu-prof`): self time by package or area and
 * the hottest functions, to see where a Parley node spends its CPU.
 *
 * Usage: node bench/realtime/profile-summary.ts <file.cpuprofile> [top=25] [--callers <function name>] [--stretches]
 * (--callers: the call chains that lead to the named function's self time, e.g. `writev`)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const positional = process.argv
  .slice(2)
  .filter((a, i, all) => a !== '--callers' && all[i - 1] !== '--callers');
const callersOf = process.argv.includes('--callers')
  ? process.argv[process.argv.indexOf('--callers') + 1]
  : undefined;
const file = positional[0];
const top = Number(positional[1] ?? 25);
if (!file) {
  process.stderr.write('Usage: node bench/realtime/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

/** Which part of the stack a frame belongs to, judged from its script URL. */
function area(url: string, name: string): string {
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return '(garbage collector)';
  if (name === '(program)') return '(program: native, not attributed)';
  if (url.startsWith('wasm://')) return 'PGlite engine (WebAssembly)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const src = /\/(apps\/server\/src|packages\/shared\/src)\/(.*)$/.exec(url);
  if (src) return `parley: ${(src[2] as string).split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return url;
  if (url === '') return '(native / builtins)';
  return url;
}

const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + micros);
  const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/(apps|packages)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + micros);
}

const pct = (v: number) => `${((v / total) * 100).toFixed(1)}%`;
const busy = total - (areas.get('(idle)') ?? 0);
process.stdout.write(
  `${file}\nwall ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy)})\n\nSelf time by area:\n`,
);
for (const [a, v] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(v).padStart(6)}  ${a}\n`);
}
process.stdout.write('\nHottest functions (self time):\n');
for (const [f, v] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(v).padStart(6)}  ${f}\n`);
}

if (callersOf) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  let sum = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (node?.callFrame.functionName !== callersOf) continue;
    sum += micros;
    const chain: string[] = [];
    let current = parent.get(id);
    while (current !== undefined && chain.length < 8) {
      const frame = byId.get(current)?.callFrame;
      if (!frame) break;
      const where = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(apps|packages)\//, '$1/');
      chain.push(`${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`);
      current = parent.get(current);
    }
    const key = chain.join('\n      < ');
    chains.set(key, (chains.get(key) ?? 0) + micros);
  }
  process.stdout.write(`\nCallers of ${callersOf} (${pct(sum)} of the profile):\n`);
  for (const [chain, v] of [...chains].sort((x, y) => y[1] - x[1]).slice(0, 8)) {
    process.stdout.write(`  ${pct(v).padStart(6)}  ${chain}\n`);
  }
}

/*
 * --stretches: the longest stretches of consecutive busy samples (no idle sample between them). While
 * one runs, the event loop serves nothing else, so they bound the tail latency a node can add. For each,
 * the Parley and library functions most present on its stacks.
 */
if (process.argv.includes('--stretches')) {
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const idleIds = new Set(
    profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
  );
  type Stretch = { start: number; micros: number; samples: number[] };
  const stretches: Stretch[] = [];
  let current: Stretch | null = null;
  let clock = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    if (idleIds.has(id)) {
      if (current) stretches.push(current);
      current = null;
      continue;
    }
    current ??= { start: clock, micros: 0, samples: [] };
    current.micros += delta;
    current.samples.push(id);
  }
  if (current) stretches.push(current);
  const longest = stretches.sort((a, b) => b.micros - a.micros).slice(0, 8);
  process.stdout.write('\nLongest busy stretches (event loop not idle):\n');
  for (const s of longest) {
    const presence = new Map<string, number>();
    for (const id of s.samples) {
      const seen = new Set<string>();
      let cur: number | undefined = id;
      while (cur !== undefined) {
        const frame = byId.get(cur)?.callFrame;
        if (frame?.url && !frame.url.startsWith('node:') && frame.functionName) {
          const where = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(apps|packages)\//, '$1/');
          seen.add(`${frame.functionName} ${where}:${frame.lineNumber + 1}`);
        }
        cur = parentOf.get(cur);
      }
      for (const key of seen) presence.set(key, (presence.get(key) ?? 0) + 1);
    }
    const top = [...presence]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${Math.round((v / s.samples.length) * 100)}% ${k}`);
    process.stdout.write(
      `  ${(s.micros / 1000).toFixed(1)} ms at ${(s.start / 1e6).toFixed(2)} s\n      ${top.join('\n      ')}\n`,
    );
  }
}
