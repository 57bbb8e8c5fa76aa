import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Env, loadEnv } from '../src/env.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import { openTestDatabase } from './database.ts';

export const TEST_SECRET = 'test-secret-key-0123456789abcdef0123456789abcdef';

export interface TestServer extends RunningServer {
  close(): Promise<void>;
}

/**
 * Starts a real server on a random loopback port with a fresh database of this run's engine.
 * Extra environment (REDIS_URL, RATE_LIMITS…) comes through `env`.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    now?: () => Date;
    reconcileEveryMs?: number;
    jobPollMs?: number;
  } = {},
): Promise<TestServer> {
  const { database, cleanup } = await openTestDatabase();
  const env: Env = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-test-')),
    PUBLIC_URL: 'http://localhost:3000',
    ...options.env,
  });
  const server = await startServer({
    env,
    database,
    now: options.now,
    reconcileEveryMs: options.reconcileEveryMs,
    jobPollMs: options.jobPollMs,
    sweep: { everyMs: 500, afterMs: 1_000 },
  });
  return {
    ...server,
    close: async () => {
      await server.stop();
      await cleanup();
    },
  };
}
