import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Fleet } from './fleet.ts';
import type { CpuMeter, CpuUse } from './meter.ts';
import { type LatencySummary, sleep, summarize } from './stats.ts';

export interface LoadOptions {
  warmupMs: number;
  durationMs: number;
  /** After sending stops, how long to wait for the last acks and deliveries. */
  drainMs: number;
  /** Started and stopped exactly at the edges of the measured window. */
  meter?: CpuMeter;
}

export interface LoadResult {
  mode: 'open' | 'closed';
  /** Open loop: messages per second offered; closed loop: null. */
  offeredRate: number | null;
  /** Closed loop: messages in flight at once (one per visitor); open loop: null. */
  concurrency: number | null;
  measuredSeconds: number;
  /** Sent inside the measured window. */
  sent: number;
  /** Every ack of the run, warm-up and drain included (to divide database counters by). */
  totalAcked: number;
  /** Acks that arrived inside the measured window, per second: durable messages per second. */
  ackedPerSecond: number;
  /** Agent deliveries that arrived inside the measured window, per second. */
  deliveredPerSecond: number;
  /** Visitor send → agent socket receives the message, for messages sent inside the window. */
  delivery: LatencySummary;
  /** Visitor send → visitor receives the ack. */
  ack: LatencySummary;
  /** Sent inside the window and never acknowledged / delivered by the end of the drain. */
  unacked: number;
  undelivered: number;
  /** Open loop: offers dropped because too many sends were already waiting (the server fell behind). */
  shed: number;
  /** This load generator's own CPU use and event-loop delay, to show it was not the bottleneck. */
  clientCpuPercent: number;
  clientLoopDelayP99Ms: number;
  cpu: CpuUse | null;
  /** The window cut in slices of SLICE_MS: per-slice throughput and delivery p99, to show the spread. */
  slices: { ackedPerSecond: number[]; deliveryP99: Array<number | null> };
  problems: Record<string, number>;
  /** Frames the fleet received during the whole run (warm-up and drain included), by receiver and type. */
  frames?: Record<string, number>;
}

/** Per-key difference of two counters. */
function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0);
  return out;
}

const SLICE_MS = 5_000;
const BODY = 'Hello, I have a question about my order and the delivery date';
let runCounter = 0;

/** Bookkeeping shared by both modes: every message's send, ack and delivery time by its number. */
class Ledger {
  readonly tag = `b${process.pid.toString(36)}${(runCounter++).toString(36)}`;
  readonly sentAt: number[] = [];
  readonly visitorOf: number[] = [];
  readonly ackAt: number[] = [];
  readonly deliverAt: number[] = [];
  ackTimes: number[] = [];
  deliverTimes: number[] = [];
  inflight = 0;

  number(id: string): number {
    const dash = id.lastIndexOf('-');
    if (dash < 0 || id.slice(0, dash) !== this.tag) return -1;
    return Number(id.slice(dash + 1));
  }

  send(fleet: Fleet, visitor: number): number {
    const n = this.sentAt.length;
    this.sentAt.push(performance.now());
    this.visitorOf.push(visitor);
    this.inflight += 1;
    fleet.send(visitor, `${this.tag}-${n}`, `${BODY} ${n}`);
    return n;
  }

  ack(id: string): number {
    const n = this.number(id);
    if (n < 0 || this.ackAt[n] !== undefined) return -1;
    const now = performance.now();
    this.ackAt[n] = now;
    this.ackTimes.push(now);
    this.inflight -= 1;
    return n;
  }

  deliver(id: string): void {
    const n = this.number(id);
    if (n < 0 || this.deliverAt[n] !== undefined) return;
    const now = performance.now();
    this.deliverAt[n] = now;
    this.deliverTimes.push(now);
  }

  result(
    mode: 'open' | 'closed',
    from: number,
    to: number,
    extra: Pick<
      LoadResult,
      'offeredRate' | 'concurrency' | 'shed' | 'clientCpuPercent' | 'clientLoopDelayP99Ms' | 'cpu'
    >,
    problems: Record<string, number>,
  ): LoadResult {
    const seconds = (to - from) / 1000;
    const delivery: number[] = [];
    const ack: number[] = [];
    let sent = 0;
    let unacked = 0;
    let undelivered = 0;
    for (let n = 0; n < this.sentAt.length; n++) {
      const t = this.sentAt[n] as number;
      if (t < from || t > to) continue;
      sent += 1;
      const a = this.ackAt[n];
      const d = this.deliverAt[n];
      if (a === undefined) unacked += 1;
      else ack.push(a - t);
      if (d === undefined) undelivered += 1;
      else delivery.push(d - t);
    }
    const within = (times: number[], a = from, b = to) => times.filter((t) => t >= a && t <= b).length;
    const slices: LoadResult['slices'] = { ackedPerSecond: [], deliveryP99: [] };
    for (let a = from; a + SLICE_MS <= to + 1; a += SLICE_MS) {
      const b = a + SLICE_MS;
      slices.ackedPerSecond.push(Math.round(within(this.ackTimes, a, b) / (SLICE_MS / 1000)));
      const lat: number[] = [];
      for (let n = 0; n < this.sentAt.length; n++) {
        const t = this.sentAt[n] as number;
        const d = this.deliverAt[n];
        if (t >= a && t < b && d !== undefined) lat.push(d - t);
      }
      slices.deliveryP99.push(summarize(lat).p99);
    }
    return {
      mode,
      measuredSeconds: seconds,
      sent,
      totalAcked: this.ackTimes.length,
      ackedPerSecond: Math.round((within(this.ackTimes) / seconds) * 10) / 10,
      deliveredPerSecond: Math.round((within(this.deliverTimes) / seconds) * 10) / 10,
      delivery: summarize(delivery),
      ack: summarize(ack),
      unacked,
      undelivered,
      slices,
      problems,
      ...extra,
    };
  }

  /** Waits until everything sent in the window is acked and delivered, or the drain time is up. */
  async drain(to: number, drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline) {
      let missing = false;
      for (let n = this.sentAt.length - 1; n >= 0; n--) {
        if ((this.sentAt[n] as number) > to) continue;
        if (this.ackAt[n] === undefined || this.deliverAt[n] === undefined) {
          missing = true;
          break;
        }
      }
      if (!missing) return;
      await sleep(100);
    }
  }
}

function clientMonitor() {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return () => {
    loop.disable();
    const used = process.cpuUsage(cpu);
    const wall = (performance.now() - started) * 1000;
    return {
      clientCpuPercent: Math.round(((used.user + used.system) / wall) * 1000) / 10,
      clientLoopDelayP99Ms: Math.round((loop.percentile(99) / 1e6) * 10) / 10,
    };
  };
}

/**
 * Open loop: `rate` messages per second spread evenly over the visitors, whatever the server does.
 * When more than `maxInflight` sends wait for their ack the generator sheds offers instead of queueing
 * without bound (the run then reports the server as overloaded).
 */
export async function runOpenLoop(
  fleet: Fleet,
  options: LoadOptions & { rate: number; maxInflight?: number },
): Promise<LoadResult> {
  const ledger = new Ledger();
  const frames0 = fleet.frames();
  fleet.onAck = (id) => void ledger.ack(id);
  fleet.onDeliver = (id) => ledger.deliver(id);
  const maxInflight = options.maxInflight ?? Math.max(500, options.rate * 5);
  const order = Array.from({ length: fleet.visitors }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  let offered = 0;
  let shed = 0;
  let cursor = 0;
  const start = performance.now();
  const from = start + options.warmupMs;
  const to = from + options.durationMs;
  let stopClient: (() => { clientCpuPercent: number; clientLoopDelayP99Ms: number }) | null = null;
  let clientStats = { clientCpuPercent: 0, clientLoopDelayP99Ms: 0 };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (now >= from && !stopClient) {
        stopClient = clientMonitor();
        options.meter?.start();
      }
      if (now >= to) {
        clearInterval(timer);
        options.meter?.stop();
        if (stopClient) clientStats = stopClient();
        resolve();
        return;
      }
      const due = Math.floor(((now - start) / 1000) * options.rate);
      while (offered < due) {
        offered += 1;
        if (ledger.inflight >= maxInflight) {
          if (now >= from) shed += 1;
          continue;
        }
        ledger.send(fleet, order[cursor] as number);
        cursor = (cursor + 1) % order.length;
      }
    }, 2);
  });
  await ledger.drain(to, options.drainMs);
  const openFrames = diff(fleet.frames(), frames0);
  const openResult = ledger.result(
    'open',
    from,
    to,
    {
      offeredRate: options.rate,
      concurrency: null,
      shed,
      ...clientStats,
      cpu: options.meter?.result ?? null,
    },
    fleet.problems(),
  );
  return { ...openResult, frames: openFrames };
}

/**
 * Closed loop (saturation): every visitor keeps `window` sends in flight and sends the next one as soon
 * as one is acknowledged, so the server runs as fast as it can with `visitors × window` writers.
 */
export async function runClosedLoop(
  fleet: Fleet,
  options: LoadOptions & { window?: number },
): Promise<LoadResult> {
  const ledger = new Ledger();
  const frames0 = fleet.frames();
  const window = options.window ?? 1;
  let running = true;
  fleet.onAck = (id) => {
    const n = ledger.ack(id);
    if (n >= 0 && running) ledger.send(fleet, ledger.visitorOf[n] as number);
  };
  fleet.onDeliver = (id) => ledger.deliver(id);
  const start = performance.now();
  const from = start + options.warmupMs;
  const to = from + options.durationMs;
  for (let w = 0; w < window; w++) for (let v = 0; v < fleet.visitors; v++) ledger.send(fleet, v);
  await sleep(options.warmupMs);
  const stop = clientMonitor();
  options.meter?.start();
  await sleep(Math.max(0, to - performance.now()));
  running = false;
  options.meter?.stop();
  const clientStats = stop();
  await ledger.drain(to, options.drainMs);
  const closedFrames = diff(fleet.frames(), frames0);
  const closedResult = ledger.result(
    'closed',
    from,
    to,
    {
      offeredRate: null,
      concurrency: fleet.visitors * window,
      shed: 0,
      ...clientStats,
      cpu: options.meter?.result ?? null,
    },
    fleet.problems(),
  );
  return { ...closedResult, frames: closedFrames };
}
