import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from './stats.ts';

/** The repository root: the bench always runs the server from the working tree. */
export const ROOT = new URL('../../../', import.meta.url).pathname;

/** File descriptors each child asks for (soft limit, capped by the hard limit of the shell). */
export const WANTED_FDS = 30_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The soft and hard limit on open files of a process, from /proc. */
export function fdLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const parts = line?.trim().split(/\s+/) ?? [];
    const soft = Number(parts[3]);
    const hard = Number(parts[4]);
    return Number.isFinite(soft) && Number.isFinite(hard) ? { soft, hard } : null;
  } catch {
    return null;
  }
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * Seconds a process's main thread has spent runnable but waiting for a CPU (/proc/<pid>/schedstat):
 * on a shared 2-core machine this is where latency goes when other work holds the cores.
 */
export function runQueueSeconds(pid: number): number {
  try {
    const [, waited] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
    return Number(waited) / 1e9;
  } catch {
    return Number.NaN;
  }
}

/** The scheduler state of a process's main thread: R running, S sleeping, D waiting on disk, … */
export function threadState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return '?';
  }
}

/** Bytes a process has read and written through the kernel (page cache included) so far. */
export function ioBytes(pid: number): { read: number; write: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(io)?.[1] ?? Number.NaN);
    return { read: field('rchar'), write: field('wchar') };
  } catch {
    return { read: Number.NaN, write: Number.NaN };
  }
}

/** Busy and total CPU seconds of the whole machine, to see what else was running. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

/** Children still running; killed if the bench exits early, so nothing outlives it. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote, for error reports. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a Node child with the same Node as this process. */
export function spawnNode(name: string, args: string[], env: Record<string, string>, cwd = ROOT): Child {
  return spawnChild(name, process.execPath, args, env, cwd);
}

/**
 * Starts a child. The shell raises the open-files limit first (up to the hard limit) and then execs,
 * so `pid` is the program itself.
 */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): Child {
  const script = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  const proc = spawn('/bin/sh', ['-c', script, command, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const pid = proc.pid;
  return {
    name,
    proc,
    pid,
    output: () => tail,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timeout = sleep(15_000).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Polls `url` until it answers 200, the child exits, or the deadline passes. */
export async function waitReady(child: Child, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) {
      throw new Error(`${child.name} exited with ${child.proc.exitCode}:\n${child.output()}`);
    }
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} did not become ready in ${timeoutMs} ms:\n${child.output()}`);
}
