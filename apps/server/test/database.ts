import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, type Database } from '../src/db/connect.ts';

/** Where the PostgreSQL runs of the suite create their throwaway databases. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `PARLEY_TEST_DB=postgres` runs the suite on PostgreSQL; the default is embedded PGlite. */
export const testEngine = (): 'pglite' | 'postgres' =>
  process.env.PARLEY_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** Creates an empty PostgreSQL database for one test file and returns its URL and a drop function. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `parley_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A fresh, migrated database for one test file on the engine this run uses. */
export async function openTestDatabase(): Promise<{
  database: Database;
  url: string | undefined;
  cleanup: () => Promise<void>;
}> {
  if (testEngine() === 'postgres') {
    const created = await createPostgresDatabase();
    const database = await connectDatabase({ databaseUrl: created.url, dataDir: 'memory', poolSize: 10 });
    await database.migrate();
    return {
      database,
      url: created.url,
      cleanup: async () => {
        await database.close();
        await created.drop();
      },
    };
  }
  const database = await connectDatabase({ dataDir: 'memory' });
  await database.migrate();
  return { database, url: undefined, cleanup: () => database.close() };
}
