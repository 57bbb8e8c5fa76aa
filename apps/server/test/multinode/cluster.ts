/**
 * Real processes for the multi-node tests: a private redis-server, Parley server processes started
 * through the CLI (`main.ts start`) on one throwaway PostgreSQL database, and the fixtures (account,
 * agent, visitor) those tests share. Everything started here is stopped by `Cluster.close()`, and as
 * a last resort killed when the test process exits, so a failing test leaves nothing running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectDatabase, type Database } from '../../src/db/connect.ts';
import { addMember, createAccount, upsertUser } from '../../src/modules/accounts/commands.ts';
import { createInbox } from '../../src/modules/inboxes/commands.ts';
import { createPostgresDatabase } from '../database.ts';
import { HttpClient } from '../http-client.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const SECRET = 'multinode-secret-key-0123456789abcdef0123456789';
export const PASSWORD = 'a-long-test-password';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every child still running; killed synchronously if the test process exits without cleaning up. */
const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', killChildren);
// A run interrupted from outside (Ctrl-C, a CI timeout) must not leave servers and Redis behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });
}

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Keeps the last part of a child's output for failure messages. */
class OutputTail {
  private text = '';
  append(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-20_000);
  }
  toString(): string {
    return this.text;
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A redis-server of our own, on its own port, that tests may stop and start again. */
export class RedisProcess {
  readonly port: number;
  private child: ChildProcess | null = null;
  private readonly output = new OutputTail();

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child);
    child.stdout?.on('data', (c: Buffer) => this.output.append(c));
    child.stderr?.on('data', (c: Buffer) => this.output.append(c));
    this.child = child;
    await waitUntil(
      `redis on port ${this.port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited:\n${this.output}`);
        return this.output.toString().includes('Ready to accept connections');
      },
      10_000,
    );
  }

  /** Stops Redis abruptly (SIGKILL): connected nodes see their connections drop. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill('SIGKILL');
    await exitOf(child);
  }
}

/**
 * A TCP relay in front of Redis, so a test can cut one node off the bus (connections dropped, new
 * ones refused) while Redis and the other nodes carry on.
 */
export class TcpProxy {
  readonly port: number;
  private readonly targetPort: number;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(port: number, targetPort: number) {
    this.port = port;
    this.targetPort = targetPort;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), targetPort);
    await proxy.restore();
    return proxy;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface NodeOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
}

/** One Parley server process, started the way an operator starts it. */
export class NodeProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly output = new OutputTail();
  private readonly dataDir: string;

  private constructor(name: string, port: number, child: ChildProcess, dataDir: string) {
    this.name = name;
    this.port = port;
    this.child = child;
    this.dataDir = dataDir;
    child.stdout?.on('data', (c: Buffer) => this.output.append(c));
    child.stderr?.on('data', (c: Buffer) => this.output.append(c));
    this.exited = exitOf(child);
    void this.exited.then(() => rmSync(this.dataDir, { recursive: true, force: true }));
  }

  static async start(options: NodeOptions): Promise<NodeProcess> {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-node-'));
    const child = spawn(process.execPath, ['apps/server/src/main.ts', 'start'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? tmpdir(),
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_NAME: options.name,
        SECRET_KEY: SECRET,
        LOG_LEVEL: 'warn',
        RATE_LIMITS: 'off',
        PUBLIC_URL: `http://localhost:${port}`,
        DATA_DIR: dataDir,
        DATABASE_POOL_SIZE: '10',
        ...options.env,
      },
    });
    track(child);
    const node = new NodeProcess(options.name, port, child, dataDir);
    try {
      await waitUntil(
        `node ${options.name} to be ready`,
        async () => {
          if (child.exitCode !== null) throw new Error(`node ${options.name} exited:\n${node.logs()}`);
          const res = await fetch(`${node.url}/readyz`);
          return res.status === 200;
        },
        30_000,
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output.toString();
  }

  async readyz(): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
    const res = await fetch(`${this.url}/readyz`);
    return { status: res.status, body: (await res.json()) as never };
  }

  /** A crash: no shutdown code runs. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop; resolves with the exit code. */
  async sigterm(): Promise<number | null> {
    if (this.alive) this.child.kill('SIGTERM');
    const { code } = await this.exited;
    return code;
  }
}

export interface Fixture {
  accountId: string;
  inboxId: string;
  adminEmail: string;
  adminUserId: string;
}

/**
 * One test file's world: a throwaway database, a private Redis and any number of nodes. The test
 * process keeps its own connection to the database for fixtures and for checking what was stored.
 */
export class Cluster {
  readonly database: Database;
  readonly databaseUrl: string;
  readonly redis: RedisProcess;
  readonly nodes: NodeProcess[] = [];
  private readonly proxies: TcpProxy[] = [];
  private readonly dropDatabase: () => Promise<void>;
  private counter = 0;

  private constructor(db: Database, url: string, drop: () => Promise<void>, redis: RedisProcess) {
    this.database = db;
    this.databaseUrl = url;
    this.dropDatabase = drop;
    this.redis = redis;
  }

  static async create(): Promise<Cluster> {
    const created = await createPostgresDatabase();
    let redis: RedisProcess | null = null;
    try {
      const database = await connectDatabase({ databaseUrl: created.url, dataDir: 'memory', poolSize: 4 });
      // Migrated once here, so nodes starting side by side find the schema ready.
      await database.migrate();
      redis = await RedisProcess.start();
      return new Cluster(database, created.url, created.drop, redis);
    } catch (error) {
      await redis?.stop();
      await created.drop();
      throw error;
    }
  }

  async startNode(name: string, env: Record<string, string> = {}): Promise<NodeProcess> {
    const node = await NodeProcess.start({
      name,
      databaseUrl: this.databaseUrl,
      redisUrl: this.redis.url,
      env,
    });
    this.nodes.push(node);
    return node;
  }

  /** A relay to this cluster's Redis that a test can cut; give its URL to one node as REDIS_URL. */
  async redisProxy(): Promise<TcpProxy> {
    const proxy = await TcpProxy.start(this.redis.port);
    this.proxies.push(proxy);
    return proxy;
  }

  liveNodes(): NodeProcess[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** An account with an admin and a web inbox, written straight into the database. */
  async fixture(): Promise<Fixture> {
    const db = this.database.db;
    const unique = `${Date.now().toString(36)}${(this.counter++).toString(36)}`;
    const account = await createAccount(db, `Multinode ${unique}`);
    const adminEmail = `admin-${unique}@example.test`;
    const admin = await upsertUser(db, { email: adminEmail, name: 'Agent Admin', password: PASSWORD });
    await addMember(db, account.id, admin.id, 'admin');
    const inbox = await createInbox(db, account.id, { name: 'Website', channelType: 'web' });
    return { accountId: account.id, inboxId: inbox.id, adminEmail, adminUserId: admin.id };
  }

  /** A signed-in agent (session cookie + CSRF token) talking to `node`. */
  async login(node: NodeProcess, email: string): Promise<HttpClient> {
    const client = new HttpClient(node.url);
    const res = await client.post('/api/auth/login', { email, password: PASSWORD });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return client;
  }

  /** A visitor with a token (Client API) and an open conversation whose first message is seq 1. */
  async visitorWithConversation(
    node: NodeProcess,
    inboxId: string,
  ): Promise<{ visitor: HttpClient; token: string; conversationId: string }> {
    const visitor = new HttpClient(node.url);
    const session = await visitor.post(`/api/client/inboxes/${inboxId}/sessions`, { name: 'Visitor' });
    if (session.status !== 201) throw new Error(`visitor session failed: ${session.status} ${session.text}`);
    const token = session.body.token as string;
    visitor.bearer = token;
    const started = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: `first-${this.counter++}`, body: 'Hello, I need help' },
    });
    if (started.status !== 201) throw new Error(`start failed: ${started.status} ${started.text}`);
    return { visitor, token, conversationId: (started.body.conversation as { id: string }).id };
  }

  /** The node logs, for a failure message. */
  logs(): string {
    return this.nodes.map((n) => `--- ${n.name} (port ${n.port}) ---\n${n.logs().slice(-4_000)}`).join('\n');
  }

  /** Runs a test body; on failure the nodes' recent logs are added to the error. */
  async diagnose<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof Error) error.message += `\n\nnode logs:\n${this.logs()}`;
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill9()));
    await Promise.all(this.proxies.map((p) => p.cut()));
    await this.redis.stop();
    await this.database.close().catch(() => {});
    await this.dropDatabase();
  }
}

/**
 * One cluster per test file: created before the file's tests and closed after them. `use` receives it
 * (test files keep it in a module variable their tests read).
 */
export function clusterPerFile(use: (cluster: Cluster) => void): void {
  let started: Cluster | undefined;
  before(
    async () => {
      started = await Cluster.create();
      use(started);
    },
    { timeout: 30_000 },
  );
  after(
    async () => {
      await started?.close();
    },
    { timeout: 30_000 },
  );
}
