import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, parse as pgliteParse, protocol as pgliteProtocol } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query surface as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** Positional-parameter SQL for the hot paths; a `name` makes PostgreSQL keep the plan per connection. */
export interface RawExecutor {
  query<T extends Record<string, unknown>>(text: string, values: unknown[], name?: string): Promise<T[]>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Runs raw SQL and returns its rows; for the few queries the query builder cannot express. */
  rows<T extends Record<string, unknown>>(query: SQL, executor?: DbOrTx): Promise<T[]>;
  /** A transaction driven with raw SQL (the message write path), outside the query builder's overhead. */
  rawTransaction<T>(fn: (executor: RawExecutor) => Promise<T>): Promise<T>;
  /** Raw SQL outside a transaction: each statement is its own (the message writer's single-statement batches). */
  readonly raw: RawExecutor;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
const MIGRATION_LOCK_KEY = 727_274_001;

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; `memory` keeps it in memory (tests). */
  dataDir: string | 'memory';
  poolSize?: number;
}

export async function connectDatabase(options: ConnectOptions): Promise<Database> {
  return options.databaseUrl
    ? connectPostgres(options.databaseUrl, options.poolSize ?? 10)
    : connectPglite(options.dataDir);
}

async function rowsOf<T>(executor: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function connectPglite(dataDir: string): Promise<Database> {
  let client: PGlite;
  if (dataDir === 'memory') {
    client = new PGlite();
  } else {
    const dir = path.resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    client = new PGlite(dir);
  }
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  const prepared = new Set<string>();
  // PGlite's `query` waits for any open transaction; a named statement run outside one must wait too, or it
  // would land inside another caller's transaction (runExclusive only orders single calls).
  const lock = client as unknown as Partial<PgliteTransactionLock>;
  const outsideTransactions = <T>(fn: () => Promise<T>): Promise<T> =>
    lock._runExclusiveTransaction ? lock._runExclusiveTransaction(fn) : client.transaction<T>(fn);
  return {
    kind: 'pglite',
    db,
    rows: (query, executor) => rowsOf(executor ?? db, query),
    rawTransaction: (fn) =>
      client.transaction((tx) =>
        fn({
          query: async <T extends Record<string, unknown>>(
            text: string,
            values: unknown[],
            name?: string,
          ) => {
            const texts = name ? scalarTexts(values) : null;
            if (name && texts) return preparedQuery<T>(client, prepared, name, text, texts);
            return (await tx.query<T>(text, values)).rows;
          },
        }),
      ),
    raw: {
      query: async <T extends Record<string, unknown>>(text: string, values: unknown[], name?: string) => {
        const texts = name ? scalarTexts(values) : null;
        if (name && texts)
          return outsideTransactions(() => preparedQuery<T>(client, prepared, name, text, texts));
        return (await client.query<T>(text, values)).rows;
      },
    },
    migrate: () => migratePglite(drizzlePglite({ client, schema }), { migrationsFolder }),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** The lock PGlite's own `query` and `transaction` take (not part of its typed API). */
interface PgliteTransactionLock {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * PGlite's `query` parses and plans its statement on every call, and everything PGlite does runs on the
 * server's one thread: for the message write path, planning cost about three times the execution. Named
 * statements are parsed once per database (like node-postgres's named statements on PostgreSQL) and then
 * only bound and executed, through PGlite's wire-protocol entry point. Prepared statements outlive the
 * transaction that created them, even one that rolled back.
 */
async function preparedQuery<T extends Record<string, unknown>>(
  client: PGlite,
  prepared: Set<string>,
  name: string,
  text: string,
  values: Array<string | null>,
): Promise<T[]> {
  const { serialize } = pgliteProtocol;
  return client.runExclusive(async () => {
    if (!prepared.has(name)) {
      // On its own, so a failing first execution cannot leave a statement behind that we think is missing.
      await client.execProtocol(concat([serialize.parse({ name, text }), serialize.sync()]), {
        syncToFs: false,
      });
      prepared.add(name);
    }
    const message = concat([
      serialize.bind({ statement: name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    // Throws on an error response; the Sync in the same message has already ended the failed cycle.
    const { messages } = await client.execProtocol(message, { syncToFs: false });
    return (pgliteParse.parseResults(messages, client.parsers)[0]?.rows ?? []) as T[];
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Parameters as PostgreSQL text, or null when one is not a plain scalar (those take `query`). */
function scalarTexts(values: unknown[]): Array<string | null> | null {
  const texts: Array<string | null> = [];
  for (const value of values) {
    if (value === null || value === undefined) texts.push(null);
    else if (typeof value === 'string') texts.push(value);
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
      texts.push(String(value));
    else if (value instanceof Date) texts.push(value.toISOString());
    else return null;
  }
  return texts;
}

async function connectPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    rows: (query, executor) => rowsOf(executor ?? db, query),
    raw: {
      query: async <T extends Record<string, unknown>>(text: string, values: unknown[], name?: string) =>
        (await pool.query<T>(name ? { name, text, values } : { text, values })).rows,
    },
    rawTransaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T extends Record<string, unknown>>(text: string, values: unknown[], name?: string) =>
            (await client.query<T>(name ? { name, text, values } : { text, values })).rows,
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    migrate: async () => {
      // Several nodes may start at once: one migrates, the others wait and then find nothing to do.
      const lockClient = await pool.connect();
      try {
        await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg({ client: pool, schema }), { migrationsFolder });
      } finally {
        await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        lockClient.release();
      }
    },
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
}

/** Lets raw positional SQL run inside a query-builder transaction (no plan caching there). */
export function rawExecutorOf(executor: DbOrTx): RawExecutor {
  return {
    query: async <T extends Record<string, unknown>>(text: string, values: unknown[]) => {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = [];
      parts.forEach((part, index) => {
        chunks.push(index % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`);
      });
      return rowsOf<T>(executor, sql.join(chunks));
    },
  };
}
