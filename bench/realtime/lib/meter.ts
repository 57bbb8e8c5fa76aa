import os from 'node:os';
import { cpuSeconds, machineCpu } from './procs.ts';
import { sleep } from './stats.ts';

export interface CpuUse {
  seconds: number;
  /** CPU use in percent of one core over the interval (200 = both cores of a 2-core machine). */
  byProcess: Record<string, number>;
  /** The whole machine, including work that is not ours (100 = every core busy). */
  machineBusyPercent: number;
  /** CPU used by everything else on the machine, in percent of one core. */
  othersPercent: number;
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

/**
 * Measures CPU over an interval for named processes (and this one), from /proc, synchronously, so
 * the driver can bracket exactly its measured window.
 */
export class CpuMeter {
  private readonly pids: Map<string, number[]>;
  private before: Map<string, number> | null = null;
  private clientBefore: NodeJS.CpuUsage | null = null;
  private machineBefore: { busy: number; total: number } | null = null;
  private startedAt = 0;
  result: CpuUse | null = null;

  /** `pids`: a label and the processes summed under it (e.g. all PostgreSQL backends of our database). */
  constructor(pids: Record<string, number[]>) {
    this.pids = new Map(Object.entries(pids));
  }

  private read(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [label, list] of this.pids) {
      out.set(
        label,
        list.reduce((sum, pid) => sum + (cpuSeconds(pid) || 0), 0),
      );
    }
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
    for (const [label, value] of after) byProcess[label] = pct(value - (this.before?.get(label) ?? 0));
    byProcess['load generator'] = pct((client.user + client.system) / 1e6);
    const mb = this.machineBefore ?? machine;
    const machineBusy = (machine.busy - mb.busy) / Math.max(0.001, machine.total - mb.total);
    const ours = Object.values(byProcess).reduce((a, b) => a + b, 0);
    this.result = {
      seconds: Math.round(seconds * 10) / 10,
      byProcess,
      machineBusyPercent: Math.round(machineBusy * 1000) / 10,
      othersPercent: Math.max(0, Math.round((machineBusy * os.cpus().length * 100 - ours) * 10) / 10),
    };
    return this.result;
  }
}
