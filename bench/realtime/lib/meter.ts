import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { cpuSeconds, ioBytes, machineCpu, runQueueSeconds, threadState } from './procs.ts';
import { sleep } from './stats.ts';

export interface CpuUse {
  seconds: number;
  /** CPU use in percent of one core over the interval (200 = both cores of a 2-core machine). */
  byProcess: Record<string, number>;
  /** The whole machine, including work that is not ours (100 = every core busy). */
  machineBusyPercent: number;
  /** CPU used by everything else on the machine, in percent of one core. */
  othersPercent: number;
  /**
   * Milliseconds per second each label's processes spent ready to run but waiting for a core (summed
   * over the processes of the label; the load generator is this process's main thread).
   */
  runQueueMsPerSecond: Record<string, number>;
  /**
   * Server processes (fixed pids): how their main thread was found when sampled every 10 ms, in percent
   * (R running or runnable, S sleeping in the event loop, D blocked in the kernel on disk I/O), and the
   * bytes per second it read and wrote through the kernel.
   */
  mainThread: Record<
    string,
    { R: number; S: number; D: number; readBytesPerSecond: number; writeBytesPerSecond: number }
  >;
}

/**
 * Other work shares this machine: before a measured phase, wait (bounded) for a moment when the
 * machine is mostly idle, and say how busy it was.
 */
export async function waitQuiet(maxWaitMs: number, busyBelowPercent = 25): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = 100;
  do {
    const a = machineCpu();
    await sleep(1_000);
    const b = machineCpu();
    busy = ((b.busy - a.busy) / Math.max(0.001, b.total - a.total)) * 100;
    if (busy < busyBelowPercent) break;
  } while (Date.now() < deadline);
  return Math.round(busy);
}

/** PostgreSQL backends serving `database` right now (their titles name the database), from /proc. */
export function backendsOf(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A label and either fixed pids or a function listing the processes right now (backends come and go). */
export type Processes = number[] | (() => number[]);

/**
 * Measures CPU over an interval for named processes (and this one), from /proc, synchronously, so
 * the driver can bracket exactly its measured window. Each process is diffed on its own: one that
 * starts inside the window counts fully, one that ends inside it is lost (rare: pools are warm).
 */
export class CpuMeter {
  private readonly processes: Map<string, Processes>;
  private before: Map<string, Map<number, [number, number]>> | null = null;
  private clientBefore: NodeJS.CpuUsage | null = null;
  private machineBefore: { busy: number; total: number } | null = null;
  private startedAt = 0;
  private sampler: NodeJS.Timeout | null = null;
  private readonly states = new Map<string, Record<string, number>>();
  private ioBefore = new Map<string, { read: number; write: number }>();
  result: CpuUse | null = null;

  constructor(processes: Record<string, Processes>) {
    this.processes = new Map(Object.entries(processes));
  }

  /** label → pid → [CPU seconds, run-queue seconds]; the load generator is this process. */
  private read(): Map<string, Map<number, [number, number]>> {
    const out = new Map<string, Map<number, [number, number]>>();
    for (const [label, list] of this.processes) {
      const pids = typeof list === 'function' ? list() : list;
      const cpu = new Map<number, [number, number]>();
      for (const pid of pids) {
        const seconds = cpuSeconds(pid);
        if (Number.isFinite(seconds)) cpu.set(pid, [seconds, runQueueSeconds(pid) || 0]);
      }
      out.set(label, cpu);
    }
    out.set('load generator', new Map([[process.pid, [0, runQueueSeconds(process.pid) || 0]]]));
    return out;
  }

  private fixed(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const [label, list] of this.processes) {
      if (Array.isArray(list) && list[0] !== undefined) out.push([label, list[0]]);
    }
    return out;
  }

  start(): void {
    this.before = this.read();
    for (const [label, pid] of this.fixed()) {
      this.states.set(label, {});
      this.ioBefore.set(label, ioBytes(pid));
    }
    this.sampler = setInterval(() => {
      for (const [label, pid] of this.fixed()) {
        const counts = this.states.get(label) as Record<string, number>;
        const state = threadState(pid);
        counts[state] = (counts[state] ?? 0) + 1;
      }
    }, 10);
    this.clientBefore = process.cpuUsage();
    this.machineBefore = machineCpu();
    this.startedAt = performance.now();
  }

  stop(): CpuUse {
    const after = this.read();
    if (this.sampler) clearInterval(this.sampler);
    const mainThread: CpuUse['mainThread'] = {};
    const seconds = (performance.now() - this.startedAt) / 1000;
    const client = process.cpuUsage(this.clientBefore ?? undefined);
    const machine = machineCpu();
    const pct = (cpu: number) => Math.round((cpu / seconds) * 1000) / 10;
    for (const [label, pid] of this.fixed()) {
      const counts = this.states.get(label) ?? {};
      const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1;
      const share = (k: string) => Math.round(((counts[k] ?? 0) / total) * 1000) / 10;
      const io = ioBytes(pid);
      const io0 = this.ioBefore.get(label) ?? io;
      mainThread[label] = {
        R: share('R'),
        S: share('S'),
        D: share('D'),
        readBytesPerSecond: Math.round((io.read - io0.read) / seconds),
        writeBytesPerSecond: Math.round((io.write - io0.write) / seconds),
      };
    }
    const byProcess: Record<string, number> = {};
    const runQueueMsPerSecond: Record<string, number> = {};
    for (const [label, cpu] of after) {
      const before = this.before?.get(label);
      let used = 0;
      let waited = 0;
      for (const [pid, [cpuNow, queued]] of cpu) {
        const [cpu0, queued0] = before?.get(pid) ?? [0, 0];
        used += cpuNow - cpu0;
        waited += queued - queued0;
      }
      if (label !== 'load generator') byProcess[label] = pct(used);
      runQueueMsPerSecond[label] = Math.round((waited / seconds) * 10000) / 10;
    }
    byProcess['load generator'] = pct((client.user + client.system) / 1e6);
    const mb = this.machineBefore ?? machine;
    const machineBusy = (machine.busy - mb.busy) / Math.max(0.001, machine.total - mb.total);
    const ours = Object.values(byProcess).reduce((a, b) => a + b, 0);
    this.result = {
      seconds: Math.round(seconds * 10) / 10,
      byProcess,
      machineBusyPercent: Math.round(machineBusy * 1000) / 10,
      othersPercent: Math.max(0, Math.round((machineBusy * os.cpus().length * 100 - ours) * 10) / 10),
      runQueueMsPerSecond,
      mainThread,
    };
    return this.result;
  }
}
