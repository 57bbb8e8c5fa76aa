import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase, testEngine } from '../test/database.ts';
import { HttpClient } from '../test/http-client.ts';
import { loadEnv } from './env.ts';
import { DEMO_PASSWORD } from './modules/demo/seed.ts';
import { type RunningServer, startServer } from './server.ts';

/**
 * The command line, as an operator runs it: a real process on a temporary DATA_DIR (or a throwaway
 * PostgreSQL database), checked by exit code, output and what the API then allows.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const node = path.join(root, 'node_modules/.bin/node');
const main = path.join(root, 'apps/server/src/main.ts');

let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'parley-cli-'));
  if (testEngine() === 'postgres') {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    dropDatabase = created.drop;
  }
});
after(async () => {
  await dropDatabase?.();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: only what the test gives it, plus PATH. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [main, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A server in this process on the database the CLI wrote to (PGlite allows one process at a time). */
async function withServer<T>(fn: (server: RunningServer) => Promise<T>): Promise<T> {
  const env = loadEnv({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const server = await startServer({ env });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

describe('CLI without a database', () => {
  test('help prints the commands', async () => {
    const run = await cli(['help']);
    assert.equal(run.code, 0);
    for (const command of ['start', 'migrate', 'create-admin', 'create-token', 'revoke-token', 'seed-demo']) {
      assert.match(run.stdout, new RegExp(command));
    }
  });

  test('an invalid environment exits non-zero and lists every problem', async () => {
    const run = await cli(['migrate'], { PORT: 'eighty', DATABASE_URL: 'mysql://db/x', SECRET_KEY: 'short' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Invalid configuration/);
    assert.match(run.stderr, /PORT:/);
    assert.match(run.stderr, /DATABASE_URL:/);
    assert.match(run.stderr, /SECRET_KEY:/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'a problem list, not a stack trace');
  });

  test('create-admin refuses bad input with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /email.*password.*name.*account/],
      [
        ['--email', 'not-an-email', '--password', 'short', '--name', 'A', '--account', 'Acme'],
        /email.*password/,
      ],
      [['--email', 'a@example.test', '--password', 'long-enough-pw', '--name', 'A', '--bogus', 'x'], /bogus/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(['create-admin', ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'a message, not a stack trace');
    }
  });

  test('an unknown command exits with 2', async () => {
    const run = await cli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown command/);
  });
});

describe('CLI on a database', () => {
  let accountId = '';

  test('migrate applies the migrations', async () => {
    const run = await cli(['migrate']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Migrations applied/);
  });

  test('create-admin creates an account and refuses a taken e-mail', async () => {
    const args = [
      '--email',
      'Owner@Example.test',
      '--password',
      'a-long-password',
      '--name',
      'Owner',
      '--account',
      'Acme',
    ];
    const run = await cli(['create-admin', ...args]);
    assert.equal(run.code, 0, run.stderr);
    const match = /Account ([0-9a-f-]{36}) created/.exec(run.stdout);
    assert.ok(match, run.stdout);
    accountId = match[1] as string;
    const again = await cli(['create-admin', ...args.slice(0, -1), 'Other']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
  });

  test('create-token prints the token once, and it works with exactly its scopes', async () => {
    const bad = await cli([
      'create-token',
      '--account',
      accountId,
      '--scopes',
      'conversation_read,everything',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /scopes/);
    const unknown = await cli([
      'create-token',
      '--account',
      '00000000-0000-4000-8000-000000000000',
      '--scopes',
      'inbox_read',
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no such account/);

    const run = await cli([
      'create-token',
      '--account',
      accountId,
      '--scopes',
      'inbox_read, conversation_read',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    assert.match(token, /^pat_\S+$/, 'stdout holds only the token');
    assert.match(run.stderr, /only once/);

    await withServer(async (server) => {
      const client = new HttpClient(server.url);
      client.bearer = token;
      const base = `/api/accounts/${accountId}`;
      assert.equal((await client.get(`${base}/inboxes`)).status, 200);
      assert.equal((await client.get(`${base}/conversations`)).status, 200);
      const write = await client.post(`${base}/inboxes`, { name: 'Not allowed' });
      assert.equal(write.status, 403);
      assert.equal((write.body.error as { code: string }).code, 'insufficient_scope');
      const stranger = new HttpClient(server.url);
      stranger.bearer = `${token.slice(0, -2)}xx`;
      assert.equal((await stranger.get(`${base}/inboxes`)).status, 401);
      // The admin created on the command line can sign in.
      const admin = new HttpClient(server.url);
      const login = await admin.post('/api/auth/login', {
        email: 'owner@example.test',
        password: 'a-long-password',
      });
      assert.equal(login.status, 200, login.text);
    });
  });

  test('revoke-token revokes by id or by the token itself; it then stops working', async () => {
    const created = await cli(['create-token', '--account', accountId, '--scopes', 'conversation_read']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    for (const args of [
      [],
      ['--id', 'not-a-uuid'],
      ['--token', 'nope'],
      ['--id', accountId, '--token', token],
    ]) {
      const bad = await cli(['revoke-token', ...args]);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, /--id TOKEN_ID or --token/);
    }
    const unknown = await cli(['revoke-token', '--id', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no such token/);
    const revoked = await cli(['revoke-token', '--token', token]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked/);
    const again = await cli(['revoke-token', '--token', token]);
    assert.equal(again.code, 2, 'a revoked token is not revoked twice');
    await withServer(async (server) => {
      const client = new HttpClient(server.url);
      client.bearer = token;
      assert.equal((await client.get('/api/v1/conversations')).status, 401);
    });
  });

  test('seed-demo creates a demo account to sign in to, and is safe to run twice', async () => {
    const run = await cli(['seed-demo']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /admin@demo\.parley/);
    const again = await cli(['seed-demo']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /exists already/);
    await withServer(async (server) => {
      const admin = new HttpClient(server.url);
      const login = await admin.post('/api/auth/login', {
        email: 'admin@demo.parley',
        password: DEMO_PASSWORD,
      });
      assert.equal(login.status, 200, login.text);
      const memberships = login.body.memberships as Array<{ accountId: string; accountName: string }>;
      const demo = memberships.find((m) => m.accountName === 'Parley Demo');
      assert.ok(demo);
      const list = await admin.get(`/api/accounts/${demo.accountId}/conversations`);
      assert.equal(list.status, 200);
      const conversations = list.body.conversations as Array<{ id: string; status: string }>;
      assert.ok(conversations.length >= 3, `demo conversations: ${conversations.length}`);
      const messages = await admin.get(
        `/api/accounts/${demo.accountId}/conversations/${conversations[0]?.id}/messages`,
      );
      assert.ok((messages.body.messages as unknown[]).length > 0);
    });
  });
});
