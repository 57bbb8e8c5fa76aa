/**
 * The realtime benchmark of Parley. Starts real server processes (PGlite; PostgreSQL; PostgreSQL with
 * two nodes and a private Redis), seeds them through the public API, drives visitor and agent
 * WebSockets at a fixed offered load and at saturation, and runs three baselines in the same run: raw
 * node-postgres inserts, a bare `ws` relay, and the memory of idle bare sockets.
 *
 *   npm run bench                      # everything (about 30 minutes on 2 cores)
 *   npm run bench -- --quick           # a 2-minute smoke run with small numbers
 *   npm run bench -- --engines postgres --sizes 1000 --rate 300 --cpu-prof
 *
 * Writes bench/results/realtime-<date>.json and .md and prints the tables. Loopback only; every phase
 * is bounded in time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AgentLogin,
  type SeededConversation,
  scrapeMetrics,
  seedConversations,
  setupAccount,
} from './lib/api.ts';
import { type LoadResult, runClosedLoop, runOpenLoop } from './lib/driver.ts';
import { BareFleet, ParleyFleet } from './lib/fleet.ts';
import { Inspector } from './lib/inspector.ts';
import { backendsOf, CpuMeter, type CpuUse, type Processes, waitQuiet } from './lib/meter.ts';
import { type Engine, ParleyTarget } from './lib/parley.ts';
import { type Child, fdLimit, freePort, ROOT, spawnNode, waitReady } from './lib/procs.ts';
import { type RawResult, runRawInserts } from './lib/raw-pg.ts';
import { render } from './lib/report.ts';
import { makeSnapshot } from './lib/snapshot.ts';
import { sleep } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'pglite,postgres,postgres-redis-2' },
    sizes: { type: 'string', default: '100,1000,5000' },
    rate: { type: 'string', default: '100' },
    'per-agent': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    duration: { type: 'string', default: '30' },
    'sat-duration': { type: 'string', default: '20' },
    'idle-sockets': { type: 'string', default: '10000' },
    skip: { type: 'string', default: '' },
    'quiet-wait': { type: 'string', default: '60' },
    snapshot: { type: 'boolean', default: false },
    routing: { type: 'boolean', default: false },
    'agent-feed': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(`Usage: npm run bench -- [options]
  --engines pglite,postgres,postgres-redis-2   Parley setups to measure
  --sizes 100,1000,5000       concurrent conversations (one visitor socket each)
  --rate 100                  offered load of the fixed-load runs, messages/second in total
  --per-agent 10              conversations each agent socket follows
  --warmup 5 --duration 30    seconds of warm-up and of measurement (fixed load)
  --sat-duration 20           seconds of measurement at saturation (closed loop)
  --idle-sockets 10000        sockets of the idle-memory comparison (0 skips it)
  --skip bare,raw,idle,open,saturation,memory   phases to leave out
  --quiet-wait 60             before each measured phase, wait up to this many seconds for the
                              machine to be mostly idle (other work shares it); 0 = do not wait
  --snapshot                  run the server as committed at HEAD (a temporary copy), not the working tree
  --routing                   leave the inbox's auto-assignment on (conversations then queue for the one
                              bench agent; measures the queue machinery rather than messaging)
  --agent-feed                agents also follow the account feed (one frame per message per agent)
  --cpu-prof                  write V8 CPU profiles of the Parley nodes to bench/results/profiles
  --quick                     small sizes and short runs, to check the bench itself
  --out FILE                  results JSON (default bench/results/realtime-<timestamp>.json)
`);
  process.exit(0);
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const quick = args.quick;
const engines = list(args.engines) as Engine[];
const sizes = (quick ? [50, 200] : list(args.sizes).map(Number)).filter((n) => n > 0);
const rate = Number(args.rate);
const perAgent = Number(args['per-agent']);
const warmupMs = (quick ? 2 : Number(args.warmup)) * 1000;
const durationMs = (quick ? 10 : Number(args.duration)) * 1000;
const satDurationMs = (quick ? 10 : Number(args['sat-duration'])) * 1000;
let idleSockets = quick ? 1000 : Number(args['idle-sockets']);
const skip = new Set(list(args.skip));
const drainMs = 15_000;
const quietWaitMs = Number(args['quiet-wait']) * 1000;
const IDLE_MS = 10_000;
for (const engine of engines) {
  if (!['pglite', 'postgres', 'postgres-redis-2'].includes(engine))
    throw new Error(`unknown engine ${engine}`);
}

const snapshot = args.snapshot ? makeSnapshot() : null;
process.on('exit', () => snapshot?.remove());
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const resultsDir = path.join(ROOT, 'bench/results');
const outFile = args.out ?? path.join(resultsDir, `realtime-${stamp}.json`);
const profileDir = path.join(resultsDir, 'profiles', stamp);

const log = (message: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

// ---- preflight -------------------------------------------------------------------------------------

const fds = fdLimit();
const neededFds = Math.max(idleSockets, ...sizes.map((n) => n + Math.ceil(n / perAgent))) + 500;
if (fds && fds.soft < neededFds) {
  const fit = Math.max(0, fds.soft - 500);
  log(`open-files limit is ${fds.soft}; raise it (ulimit -n ${neededFds}) for the full run.`);
  if (idleSockets > fit) {
    log(`idle-memory test reduced to ${fit} sockets`);
    idleSockets = fit;
  }
}

export interface ScenarioResult {
  engine: Engine | 'bare-ws';
  /** Bare relay runs: the Parley setup measured right after, at the same N and load. */
  pairedWith?: Engine;
  conversations: number;
  visitorSockets: number;
  agentSockets: number;
  connectSeconds: number;
  /** Sockets connected and subscribed, no messages: what following N conversations costs by itself. */
  idle?: CpuUse | null;
  /** Frames the sockets received during the idle phase, by receiver and type. */
  idleFrames?: Record<string, number>;
  open: LoadResult | null;
  saturation: LoadResult | null;
  /** Each node's /metrics before the fixed-load run, after it, and after the saturation run. */
  nodeMetrics?: {
    beforeOpen?: Array<Record<string, number>>;
    afterOpen?: Array<Record<string, number>>;
    afterSaturation?: Array<Record<string, number>>;
  };
  /** Database work per stored message (PostgreSQL counters over the whole run / acks). */
  dbPerMessage?: { open: Record<string, number> | null; saturation: Record<string, number> | null };
}

export interface MemoryResult {
  kind: 'parley-visitor' | 'bare-ws';
  sockets: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerSocket: number;
  /** JS heap used + external memory (Buffers), after a full GC. */
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapBytesPerSocket: number;
  connectSeconds: number;
}

export interface BenchResults {
  meta: Record<string, unknown>;
  /** How busy the machine was (percent, all cores) when each measured phase began, after waiting. */
  quiet: Array<{ phase: string; busyPercent: number; waitedSeconds: number }>;
  seeding: Array<{ engine: Engine; conversations: number; seconds: number }>;
  scenarios: ScenarioResult[];
  raw: Array<RawResult & { pairedWith: Engine }>;
  memory: MemoryResult[];
  errors: string[];
}

const results: BenchResults = {
  meta: {
    date: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    /** The server ran from a snapshot of HEAD, or from a working tree with uncommitted server changes. */
    server: snapshot
      ? `snapshot of ${snapshot.commit}`
      : git('status', '--porcelain', '--', 'apps/server', 'packages/shared').length > 0
        ? 'working tree with uncommitted changes'
        : 'working tree (clean)',
    node: process.version,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
      openFiles: fds,
      ephemeralPorts: readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim(),
    },
    postgres: null as string | null,
    options: {
      engines,
      sizes,
      rate,
      perAgent,
      warmupMs,
      durationMs,
      satDurationMs,
      idleSockets,
      skip: [...skip],
      agentFeed: args['agent-feed'],
      routing: args.routing,
      cpuProf: args['cpu-prof'],
      quick,
      databasePoolSize: 10,
    },
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  },
  quiet: [],
  seeding: [],
  scenarios: [],
  raw: [],
  memory: [],
  errors: [],
};

async function quiet(phase: string): Promise<void> {
  if (quietWaitMs <= 0) return;
  const t0 = performance.now();
  const busyPercent = await waitQuiet(quietWaitMs);
  const waitedSeconds = Math.round((performance.now() - t0) / 100) / 10;
  results.quiet.push({ phase, busyPercent, waitedSeconds });
  if (busyPercent >= 25)
    log(`  machine still ${busyPercent}% busy with other work after ${waitedSeconds} s; measuring anyway`);
}

function save(): void {
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(outFile.replace(/\.json$/, '.md'), render(results));
}

// ---- bare ws baseline --------------------------------------------------------------------------------

async function startBare(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = spawnNode('bare-ws', ['bench/realtime/bare-server.ts', String(port)], {});
  await waitReady(child, `http://127.0.0.1:${port}/`, 30_000);
  return { child, url: `ws://127.0.0.1:${port}` };
}

/** The bare relay at the same N and load, run just before the Parley setup it is compared with. */
async function bareScenario(n: number, pairedWith: Engine): Promise<void> {
  const bare = await startBare();
  try {
    const t0 = performance.now();
    const fleet = await BareFleet.connect({ url: bare.url, count: n, perAgent });
    const connectSeconds = (performance.now() - t0) / 1000;
    log(
      `bare-ws N=${n}: ${fleet.visitors} visitors + ${fleet.agents} agents connected; fixed load ${rate}/s`,
    );
    await quiet(`bare-ws N=${n} before ${pairedWith}`);
    const open = await runOpenLoop(fleet, {
      rate,
      warmupMs,
      durationMs,
      drainMs,
      meter: new CpuMeter({ 'bare-ws': [bare.child.pid] }),
    });
    log(`  delivered p50 ${open.delivery.p50} ms, p99 ${open.delivery.p99} ms`);
    await fleet.close();
    results.scenarios.push({
      engine: 'bare-ws',
      pairedWith,
      conversations: n,
      visitorSockets: fleet.visitors,
      agentSockets: fleet.agents,
      connectSeconds,
      open,
      saturation: null,
    });
  } finally {
    await bare.child.stop();
  }
}

/**
 * Idle memory of `count` sockets in a server started with an inspector on `inspectPort`: full GC, read
 * memory, open the sockets, let them settle, full GC, read again.
 */
async function measureIdle(
  kind: MemoryResult['kind'],
  inspectPort: number,
  connect: () => Promise<{ sockets: number; close: () => Promise<void> }>,
): Promise<void> {
  await sleep(2_000);
  const inspector = await Inspector.connect(inspectPort);
  try {
    await inspector.memoryAfterGc();
    await sleep(500);
    const before = await inspector.memoryAfterGc();
    const t0 = performance.now();
    const fleet = await connect();
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(3_000);
    const after = await inspector.memoryAfterGc();
    await fleet.close();
    const perSocket = (a: number, b: number) => Math.round((b - a) / fleet.sockets);
    results.memory.push({
      kind,
      sockets: fleet.sockets,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      bytesPerSocket: perSocket(before.rss, after.rss),
      heapBeforeBytes: before.heapUsed + before.external,
      heapAfterBytes: after.heapUsed + after.external,
      heapBytesPerSocket: perSocket(before.heapUsed + before.external, after.heapUsed + after.external),
      connectSeconds,
    });
    log(
      `${kind} idle: ${fleet.sockets} sockets, RSS ${perSocket(before.rss, after.rss)} bytes/socket, JS heap + external ${perSocket(before.heapUsed + before.external, after.heapUsed + after.external)} bytes/socket`,
    );
  } finally {
    inspector.close();
  }
}

async function bareMemory(count: number): Promise<void> {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawnNode(
    'bare-ws',
    [`--inspect=127.0.0.1:${inspectPort}`, 'bench/realtime/bare-server.ts', String(port)],
    {},
  );
  try {
    await waitReady(child, `http://127.0.0.1:${port}/`, 30_000);
    await measureIdle('bare-ws', inspectPort, async () => {
      const fleet = await BareFleet.connect({
        url: `ws://127.0.0.1:${port}`,
        count,
        perAgent,
        withAgents: false,
      });
      return { sockets: fleet.visitors, close: () => fleet.close() };
    });
  } finally {
    await child.stop();
  }
}

// ---- Parley -----------------------------------------------------------------------------------------

function meterFor(target: ParleyTarget): CpuMeter {
  const processes: Record<string, Processes> = {};
  for (const node of target.nodes) processes[node.name] = [node.child.pid];
  const database = target.dbName;
  if (database) processes.postgres = () => backendsOf(database);
  if (target.redisPid) processes.redis = [target.redisPid];
  return new CpuMeter(processes);
}

/** Database counters since `before`, per acknowledged message. */
async function perMessage(
  target: ParleyTarget,
  before: Record<string, number> | null,
  acked: number,
): Promise<Record<string, number> | null> {
  if (!before || acked === 0) return null;
  await sleep(1_500); // backends publish their counters at most once a second
  const after = await target.dbStats();
  if (!after) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after))
    out[k] = Math.round(((v - (before[k] ?? 0)) / acked) * 100) / 100;
  return out;
}

async function parleyScenario(
  target: ParleyTarget,
  login: AgentLogin,
  conversations: SeededConversation[],
  n: number,
): Promise<void> {
  if (args['cpu-prof']) {
    const dir = path.join(profileDir, `${target.engine}-n${n}`);
    mkdirSync(dir, { recursive: true });
    target.nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  }
  await target.restart();
  const t0 = performance.now();
  const fleet = await ParleyFleet.connect({
    nodes: target.nodes.map((node) => node.wsUrl),
    agentCookie: login.cookie,
    accountId: login.accountId,
    conversations: conversations.slice(0, n),
    perAgent,
    agentFeed: args['agent-feed'],
  });
  const connectSeconds = (performance.now() - t0) / 1000;
  log(
    `${target.engine} N=${n}: ${fleet.visitors} visitors + ${fleet.agents} agents connected in ${connectSeconds.toFixed(1)} s`,
  );
  const scenario: ScenarioResult = {
    engine: target.engine,
    conversations: n,
    visitorSockets: fleet.visitors,
    agentSockets: fleet.agents,
    connectSeconds,
    open: null,
    saturation: null,
    dbPerMessage: { open: null, saturation: null },
  };
  results.scenarios.push(scenario);
  const db = { open: null, saturation: null } as NonNullable<ScenarioResult['dbPerMessage']>;
  scenario.dbPerMessage = db;
  const metrics: NonNullable<ScenarioResult['nodeMetrics']> = {};
  scenario.nodeMetrics = metrics;
  const scrapeAll = () => Promise.all(target.nodes.map((node) => scrapeMetrics(node.url)));
  if (!skip.has('idle')) {
    const meter = meterFor(target);
    const frames0 = fleet.frames();
    meter.start();
    await sleep(IDLE_MS);
    scenario.idle = meter.stop();
    const frames1 = fleet.frames();
    scenario.idleFrames = Object.fromEntries(
      Object.entries(frames1)
        .map(([k, v]) => [k, v - (frames0[k] ?? 0)] as const)
        .filter(([, v]) => v !== 0),
    );
    log(`  idle for ${IDLE_MS / 1000} s: cpu ${JSON.stringify(scenario.idle.byProcess)}`);
  }
  metrics.beforeOpen = await scrapeAll();
  try {
    if (!skip.has('open')) {
      await quiet(`${target.engine} N=${n} fixed load`);
      log(`  fixed load ${rate}/s for ${durationMs / 1000} s`);
      const db0 = await target.dbStats();
      scenario.open = await runOpenLoop(fleet, {
        rate,
        warmupMs,
        durationMs,
        drainMs,
        meter: meterFor(target),
      });
      db.open = await perMessage(target, db0, scenario.open.totalAcked);
      log(
        `  acked ${scenario.open.ackedPerSecond}/s, delivery p50 ${scenario.open.delivery.p50} ms p99 ${scenario.open.delivery.p99} ms, cpu ${JSON.stringify(scenario.open.cpu?.byProcess)}`,
      );
      metrics.afterOpen = await scrapeAll();
    }
    if (!skip.has('saturation')) {
      await quiet(`${target.engine} N=${n} saturation`);
      log(`  saturation (one send in flight per visitor) for ${satDurationMs / 1000} s`);
      const db0 = await target.dbStats();
      scenario.saturation = await runClosedLoop(fleet, {
        warmupMs,
        durationMs: satDurationMs,
        drainMs,
        meter: meterFor(target),
      });
      db.saturation = await perMessage(target, db0, scenario.saturation.totalAcked);
      metrics.afterSaturation = await scrapeAll();
      log(
        `  acked ${scenario.saturation.ackedPerSecond}/s, delivery p50 ${scenario.saturation.delivery.p50} ms p99 ${scenario.saturation.delivery.p99} ms, cpu ${JSON.stringify(scenario.saturation.cpu?.byProcess)}`,
      );
    }
  } finally {
    await fleet.close();
  }
}

async function parleyMemory(
  target: ParleyTarget,
  conversations: SeededConversation[],
  count: number,
): Promise<void> {
  const inspectPort = await freePort();
  target.nodeFlags = [`--inspect=127.0.0.1:${inspectPort}`];
  await target.restart();
  const node = target.nodes[0];
  if (!node) throw new Error('no node');
  await measureIdle('parley-visitor', inspectPort, async () => {
    const fleet = await ParleyFleet.connect({
      nodes: [node.wsUrl],
      agentCookie: '',
      accountId: '',
      conversations: conversations.slice(0, count),
      perAgent,
      withAgents: false,
    });
    return { sockets: fleet.visitors, close: () => fleet.close() };
  });
  target.nodeFlags = [];
}

async function parleyEngine(engine: Engine): Promise<void> {
  const target = new ParleyTarget(engine, snapshot ? { serverRoot: snapshot.dir } : {});
  try {
    await target.prepare();
    await target.start();
    const first = target.nodes[0];
    if (!first) throw new Error('no node');
    const memoryHere = engine === 'postgres' && !skip.has('memory') && idleSockets > 0;
    const seedCount = Math.max(...sizes, memoryHere ? idleSockets : 0);
    const t0 = performance.now();
    const login = await setupAccount(first.url, { autoAssign: args.routing });
    const conversations = await seedConversations(first.url, login.inboxId, seedCount);
    const seconds = (performance.now() - t0) / 1000;
    results.seeding.push({ engine, conversations: seedCount, seconds: Math.round(seconds * 10) / 10 });
    log(
      `${engine}: seeded ${seedCount} visitors and conversations through the API in ${seconds.toFixed(1)} s`,
    );
    // Each Parley measurement is paired with its baselines, run right before or after it, so that the
    // ratios compare runs that saw the same background load on this shared machine.
    for (const n of sizes) {
      if (!skip.has('bare')) {
        try {
          await bareScenario(n, engine);
        } catch (error) {
          results.errors.push(`bare N=${n}: ${(error as Error).message}`);
        }
      }
      try {
        await parleyScenario(target, login, conversations, n);
      } catch (error) {
        results.errors.push(`${engine} N=${n}: ${(error as Error).message}`);
        log(`${engine} N=${n} failed: ${(error as Error).message}`);
      }
      save();
      const url = target.dbUrl;
      const database = target.dbName;
      if (url && database && !skip.has('raw') && !skip.has('saturation')) {
        await quiet(`raw N=${n} after ${engine}`);
        log(`raw node-postgres inserts, ${n} writers over a pool of 10`);
        const raw = await runRawInserts({
          url,
          conversationIds: conversations.slice(0, n).map((c) => c.id),
          accountId: login.accountId,
          poolSize: 10,
          warmupMs,
          durationMs: satDurationMs,
          meter: async () => new CpuMeter({ postgres: () => backendsOf(database) }),
        });
        results.raw.push({ ...raw, pairedWith: engine });
        log(`  ${raw.insertsPerSecond} inserts/s, p99 ${raw.latency.p99} ms`);
        save();
      }
    }
    if (memoryHere) {
      await parleyMemory(target, conversations, idleSockets);
      await bareMemory(idleSockets);
      save();
    }
  } finally {
    await target.destroy();
  }
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  try {
    results.meta.postgres = execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'show server_version'],
      {
        encoding: 'utf8',
      },
    ).trim();
  } catch {
    results.meta.postgres = null;
  }
  log(
    `Parley realtime bench: engines ${engines.join(', ')}; sizes ${sizes.join(', ')}; ${rate} msg/s offered`,
  );
  for (const engine of engines) {
    try {
      await parleyEngine(engine);
    } catch (error) {
      results.errors.push(`${engine}: ${(error as Error).stack ?? (error as Error).message}`);
      log(`${engine} failed: ${(error as Error).message}`);
    }
    save();
  }
  results.meta.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  save();
  process.stdout.write(`\n${render(results)}\n`);
  log(`results: ${path.relative(ROOT, outFile)}`);
}

const deadline = setTimeout(() => {
  process.stderr.write('bench: overall time limit reached\n');
  save();
  process.exit(1);
}, 3 * 3600_000);
deadline.unref();

process.once('SIGINT', () => process.exit(130));

main().then(
  () => process.exit(results.errors.length > 0 ? 1 : 0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    save();
    process.exit(1);
  },
);
