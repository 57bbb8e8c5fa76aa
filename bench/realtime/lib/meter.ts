import { cpuSeconds, machineCpu } from './procs.ts';

export interface CpuUse {
  seconds: number;
  /** CPU use in percent of one core over the interval (200 = both cores of a 2-core machine). */
  byProcess: Record<string, number>;
  /** The whole machine, including work that is not ours. */
  machineBusyPercent: number;
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
    this.result = {
      seconds: Math.round(seconds * 10) / 10,
      byProcess,
      machineBusyPercent: Math.round(((machine.busy - mb.busy) / (machine.total - mb.total)) * 1000) / 10,
    };
    return this.result;
  }
}
