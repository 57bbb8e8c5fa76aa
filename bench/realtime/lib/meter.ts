import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { cpuSeconds, machineCpu, runQueueSeconds } from './procs.ts';
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

  start(): void {
    this.before = this.read();
    this.clientBefore = process.cpuUsage();
    this.machineBefore = machineCpu();
    this.startedAt = performance.now();
  }

  stop(): CpuUse {
    const after = this.read();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const client = process.cpuUsage(this.clientBefore ?? undefined);
    const machine = machineCpu();
    const pct = (cpu: number) => Math.round((cpu / seconds) * 1000) / 10;
    const byProcess: Record<string, number> = {};
    const runQueueMsPerSecond: Record<string, number> = {};
    for (const [label, cpu] of after) {
      const before = this.before?.get(label);
      let used = 0;
      let waited = 0;
      for (const [pid, [seconds, queued]] of cpu) {
        const [seconds0, queued0] = before?.get(pid) ?? [0, 0];
        used += seconds - seconds0;
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
    };
    return this.result;
  }
}
