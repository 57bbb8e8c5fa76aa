import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Child, freePort, ROOT, spawnChild, spawnNode, waitReady } from './procs.ts';
import { sleep } from './stats.ts';

export type Engine = 'pglite' | 'postgres' | 'postgres-redis-2';

export const ADMIN_PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789abcdef';

/** Targets not yet destroyed: an interrupted bench still drops its databases and data directories. */
const undestroyed = new Set<ParleyTarget>();
process.on('exit', () => {
  for (const target of undestroyed) target.destroySync();
});

export interface ParleyNode {
  name: string;
  url: string;
  wsUrl: string;
  child: Child;
}

/**
 * One Parley installation under test: its database (a PGlite directory or a throwaway PostgreSQL
 * database), a private Redis for the two-node setup, and the server processes. Nodes can be
 * restarted on the same data so every scenario starts from a fresh process.
 */
export class ParleyTarget {
  readonly engine: Engine;
  nodes: ParleyNode[] = [];
  private readonly dataDir: string;
  private databaseUrl: string | null = null;
  private databaseName: string | null = null;
  private redis: Child | null = null;
  private redisUrl: string | null = null;
  /** Extra Node flags for the next start (e.g. --cpu-prof). */
  nodeFlags: string[];
  private readonly extraEnv: Record<string, string>;
  /** Where the server's code is run from: the working tree, or a snapshot of HEAD. */
  private readonly serverRoot: string;

  constructor(
    engine: Engine,
    options: { nodeFlags?: string[]; env?: Record<string, string>; serverRoot?: string } = {},
  ) {
    this.engine = engine;
    this.serverRoot = options.serverRoot ?? ROOT;
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
    this.nodeFlags = options.nodeFlags ?? [];
    undestroyed.add(this);
    this.extraEnv = options.env ?? {};
  }

  get nodeCount(): number {
    return this.engine === 'postgres-redis-2' ? 2 : 1;
  }

  get redisPid(): number | null {
    return this.redis?.pid ?? null;
  }

  get dbName(): string | null {
    return this.databaseName;
  }

  get dbUrl(): string | null {
    return this.databaseUrl;
  }

  async prepare(): Promise<void> {
    if (this.engine !== 'pglite') {
      this.databaseName = `parley_bench_${process.pid}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
      await admin.connect();
      try {
        await admin.query(`create database ${this.databaseName}`);
      } finally {
        await admin.end();
      }
      const url = new URL(ADMIN_PG_URL);
      url.pathname = `/${this.databaseName}`;
      this.databaseUrl = url.toString();
    }
    if (this.engine === 'postgres-redis-2') {
      // A private Redis: the bus channel is global to a Redis server, and other work shares the default one.
      const port = await freePort();
      this.redis = spawnChild(
        'redis',
        '/usr/bin/redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxclients',
          '1000',
        ],
        {},
      );
      this.redisUrl = `redis://127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (this.redis.output().includes('Ready to accept connections')) break;
        if (Date.now() > deadline) throw new Error(`redis did not start:\n${this.redis.output()}`);
        await sleep(50);
      }
    }
  }

  async start(): Promise<void> {
    if (this.nodes.length > 0) throw new Error('already started');
    for (let i = 0; i < this.nodeCount; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = {
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        SECRET_KEY,
        DATA_DIR: this.dataDir,
        LOG_LEVEL: 'warn',
        RATE_LIMITS: 'off',
        NODE_NAME: `bench-${i + 1}`,
        ...this.extraEnv,
      };
      if (this.databaseUrl) env.DATABASE_URL = this.databaseUrl;
      if (this.redisUrl) env.REDIS_URL = this.redisUrl;
      const name = `parley-${i + 1}`;
      const child = spawnNode(
        name,
        [...this.nodeFlags, 'apps/server/src/main.ts', 'start'],
        env,
        this.serverRoot,
      );
      await waitReady(child, `${url}/readyz`);
      this.nodes.push({ name, url, wsUrl: `ws://127.0.0.1:${port}/realtime`, child });
    }
  }

  async stop(): Promise<void> {
    const nodes = this.nodes;
    this.nodes = [];
    await Promise.all(nodes.map((n) => n.child.stop()));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Activity counters of our database: transactions and row changes per table. Diffed around a run
   * and divided by the messages it stored, they show what one message costs the database.
   */
  async dbStats(): Promise<Record<string, number> | null> {
    if (!this.databaseUrl) return null;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const out: Record<string, number> = {};
      const { rows: db } = await client.query<Record<string, string>>(
        `select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, blks_hit, blks_read
           from pg_stat_database where datname = current_database()`,
      );
      for (const [k, v] of Object.entries(db[0] ?? {})) out[k] = Number(v);
      const { rows: tables } = await client.query<{ relname: string; ins: string; upd: string; hot: string }>(
        `select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot
           from pg_stat_user_tables where relname in ('messages', 'events', 'conversations', 'conversation_participants', 'jobs')`,
      );
      for (const t of tables) {
        out[`${t.relname}_inserted`] = Number(t.ins);
        out[`${t.relname}_updated`] = Number(t.upd);
        out[`${t.relname}_hot_updated`] = Number(t.hot);
      }
      return out;
    } finally {
      await client.end();
    }
  }

  /** Last-resort cleanup at exit (children are killed by procs.ts). */
  destroySync(): void {
    if (this.databaseName) {
      try {
        const url = new URL(ADMIN_PG_URL);
        execFileSync(
          'psql',
          [
            '-h',
            url.hostname,
            '-p',
            url.port || '5432',
            '-U',
            url.username || 'postgres',
            '-d',
            url.pathname.slice(1) || 'postgres',
            '-c',
            `drop database if exists ${this.databaseName} with (force)`,
          ],
          { stdio: 'ignore', timeout: 10_000 },
        );
      } catch {
        // best effort
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    undestroyed.delete(this);
  }

  async destroy(): Promise<void> {
    undestroyed.delete(this);
    await this.stop();
    await this.redis?.stop();
    this.redis = null;
    if (this.databaseName) {
      const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${this.databaseName} with (force)`);
      } finally {
        await admin.end();
      }
      this.databaseName = null;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
