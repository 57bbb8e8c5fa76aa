import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tokenScopes } from '@parley/shared';
import { and, eq, sql } from 'drizzle-orm';
import { makeAccount, makeMember, makeToken } from '../../test/factories.ts';
import { startTestServer, type TestServer } from '../../test/harness.ts';
import { HttpClient } from '../../test/http-client.ts';
import { accountMembers, apiTokens, conversations, idempotencyKeys, jobs } from '../db/schema.ts';
import { sha256 } from '../lib/crypto.ts';
import { CLEANUP_JOB, IDEMPOTENCY_TTL_MS } from './idempotency.ts';

/** Idempotency-Key on the public API's POSTs: replay, reuse, concurrency, release and expiry. */

let offsetMs = 0;
let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { RATE_LIMITS: 'off' },
    now: () => new Date(Date.now() + offsetMs),
    jobPollMs: 0,
  });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
let counter = 0;
const newKey = () => `key-${Date.now()}-${counter++}`;

async function setup() {
  const account = await makeAccount(server);
  const api = new HttpClient(server.url);
  const token = await makeToken(server, account.accountId, [...tokenScopes]);
  api.bearer = token;
  return { account, api, token };
}

const withKey = (api: HttpClient, path: string, body: unknown, key: string) =>
  api.request('POST', path, body, { 'idempotency-key': key });

async function conversationCount(accountId: string): Promise<number> {
  const [row] = await server.ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.accountId, accountId));
  return Number(row?.n ?? 0);
}

const drift = (email: string) => ({ email, message: { body: 'Hello' } });

describe('Idempotency-Key', () => {
  test('the same key and body replays the first answer without doing the work again', async () => {
    const { account, api } = await setup();
    const key = newKey();
    const first = await withKey(api, '/api/v1/conversations/new', drift('a@example.test'), key);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    // The same body with its keys in another order is the same request.
    const again = await withKey(
      api,
      '/api/v1/conversations/new',
      { message: { body: 'Hello' }, email: 'a@example.test' },
      key,
    );
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(await conversationCount(account.accountId), 1);

    // 201 routes replay their status too.
    const created = await withKey(
      api,
      '/api/v1/conversations',
      { email: 'b@example.test', message: { clientMsgId: 'c1', body: 'Hi' } },
      key.concat('-2'),
    );
    assert.equal(created.status, 201);
    const replayed = await withKey(
      api,
      '/api/v1/conversations',
      { email: 'b@example.test', message: { clientMsgId: 'c1', body: 'Hi' } },
      key.concat('-2'),
    );
    assert.equal(replayed.status, 201);
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(replayed.body, created.body);

    // Without a key, nothing is remembered.
    await api.post('/api/v1/conversations/new', drift('a@example.test'));
    await api.post('/api/v1/conversations/new', drift('a@example.test'));
    assert.equal(await conversationCount(account.accountId), 4);
  });

  test('the same key with another body or path is 422 idempotency_key_reused', async () => {
    const { api } = await setup();
    const key = newKey();
    assert.equal((await withKey(api, '/api/v1/conversations/new', drift('a@example.test'), key)).status, 200);
    const other = await withKey(api, '/api/v1/conversations/new', drift('b@example.test'), key);
    assert.equal(other.status, 422);
    assert.equal(code(other.body), 'idempotency_key_reused');
    const otherPath = await withKey(
      api,
      '/api/v1/conversations',
      { email: 'a@example.test', message: { clientMsgId: 'x', body: 'Hello' } },
      key,
    );
    assert.equal(otherPath.status, 422);
    assert.equal(code(otherPath.body), 'idempotency_key_reused');
  });

  test('keys belong to one caller: another token’s request with the same key runs', async () => {
    const { account, api } = await setup();
    const second = new HttpClient(server.url);
    second.bearer = await makeToken(server, account.accountId, [...tokenScopes]);
    const key = newKey();
    const a = await withKey(api, '/api/v1/conversations/new', drift('a@example.test'), key);
    const b = await withKey(second, '/api/v1/conversations/new', drift('a@example.test'), key);
    assert.equal(b.status, 200);
    assert.equal(b.headers.get('idempotent-replayed'), null);
    assert.notEqual(a.body.id, b.body.id);
  });

  test('concurrent duplicates: one runs, the others get its answer or 409', async () => {
    const { account, api } = await setup();
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        withKey(api, '/api/v1/conversations/new', drift('c@example.test'), key),
      ),
    );
    assert.equal(await conversationCount(account.accountId), 1);
    const ok = answers.filter((a) => a.status === 200);
    assert.ok(ok.length >= 1);
    for (const answer of ok) assert.equal(answer.body.id, ok[0]?.body.id);
    assert.equal(ok.filter((a) => a.headers.get('idempotent-replayed') === null).length, 1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      assert.equal(answer.status, 409, answer.text);
      assert.equal(code(answer.body), 'idempotency_key_in_use');
      assert.equal(answer.headers.get('retry-after'), '1');
    }
  });

  test('a request still running makes a duplicate wait, then 409; an abandoned one is taken over', async () => {
    const { account, api, token } = await setup();
    const [tokenRow] = await server.ctx.database.db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, sha256(token)));
    assert.ok(tokenRow);
    const key = newKey();
    const body = drift('d@example.test');
    // Learn the request hash from a first run, then pretend it is still running.
    await withKey(api, '/api/v1/conversations/new', body, key);
    const [stored] = await server.ctx.database.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.callerId, tokenRow.id), eq(idempotencyKeys.key, key)));
    assert.ok(stored);
    await server.ctx.database.db
      .update(idempotencyKeys)
      .set({ responseStatus: null, responseBody: null, createdAt: server.ctx.now() })
      .where(eq(idempotencyKeys.key, key));
    const started = Date.now();
    const busy = await withKey(api, '/api/v1/conversations/new', body, key);
    assert.equal(busy.status, 409, busy.text);
    assert.equal(code(busy.body), 'idempotency_key_in_use');
    assert.ok(Date.now() - started >= 1_500, 'it waited for the first request');

    // A claim a minute old without an answer belongs to a request that died: the retry runs.
    await server.ctx.database.db
      .update(idempotencyKeys)
      .set({ createdAt: new Date(server.ctx.now().getTime() - 120_000) })
      .where(eq(idempotencyKeys.key, key));
    const retried = await withKey(api, '/api/v1/conversations/new', body, key);
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
    assert.equal(await conversationCount(account.accountId), 2);
  });

  test('a failed request releases its key, so the retry runs again', async () => {
    const { account, api } = await setup();
    const agent = await makeMember(server, account.accountId, 'agent');
    await server.ctx.database.db
      .update(accountMembers)
      .set({ capacity: 0 })
      .where(eq(accountMembers.userId, agent.userId));
    const started = await api.post('/api/v1/conversations/new', drift('e@example.test'));
    const key = newKey();
    const path = `/api/v1/conversations/${started.body.id}/assign`;
    const full = await withKey(api, path, { assigneeId: agent.userId }, key);
    assert.equal(full.status, 409);
    assert.equal(code(full.body), 'capacity_reached');
    await server.ctx.database.db
      .update(accountMembers)
      .set({ capacity: 5 })
      .where(eq(accountMembers.userId, agent.userId));
    const retried = await withKey(api, path, { assigneeId: agent.userId }, key);
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
  });

  test('a malformed key is 400 validation_failed', async () => {
    const { api } = await setup();
    for (const key of ['', 'x'.repeat(256), 'with space', 'ünïcödé']) {
      const res = await api.request('POST', '/api/v1/conversations/new', drift('f@example.test'), {
        'idempotency-key': key,
      });
      assert.equal(res.status, 400, `${JSON.stringify(key)} → ${res.text}`);
      assert.equal(code(res.body), 'validation_failed');
    }
  });

  test('keys expire after a day; a durable job deletes them', async () => {
    const { account, api } = await setup();
    const [scheduled] = await server.ctx.database.db.select().from(jobs).where(eq(jobs.kind, CLEANUP_JOB));
    assert.ok(scheduled, 'the cleanup is scheduled at start');
    const key = newKey();
    await withKey(api, '/api/v1/conversations/new', drift('g@example.test'), key);
    offsetMs = IDEMPOTENCY_TTL_MS + 2 * 60 * 60_000;
    try {
      // Expired: the key is free again, even for another body.
      const other = await withKey(api, '/api/v1/conversations/new', drift('h@example.test'), key);
      assert.equal(other.status, 200, other.text);
      assert.equal(other.headers.get('idempotent-replayed'), null);
      const old = newKey();
      await server.ctx.database.db.insert(idempotencyKeys).values({
        accountId: account.accountId,
        callerId: account.admin.userId,
        key: old,
        requestHash: 'x',
        responseStatus: 200,
        responseBody: {},
        createdAt: new Date(Date.now() - IDEMPOTENCY_TTL_MS - 60_000),
      });
      await server.ctx.jobs.runDue();
      const left = await server.ctx.database.db
        .select({ key: idempotencyKeys.key })
        .from(idempotencyKeys)
        .where(eq(idempotencyKeys.accountId, account.accountId));
      assert.deepEqual(
        left.map((r) => r.key),
        [key],
        'only the fresh claim is left',
      );
      const [next] = await server.ctx.database.db.select().from(jobs).where(eq(jobs.kind, CLEANUP_JOB));
      assert.ok(next && next.runAt.getTime() > server.ctx.now().getTime(), 'rescheduled');
    } finally {
      offsetMs = 0;
    }
  });
});
