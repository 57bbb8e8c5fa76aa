import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiToken } from '@parley/shared';
import { eq } from 'drizzle-orm';
import { loginAs, makeAccount, makeMember, makeToken } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { apiTokens } from '../../db/schema.ts';
import { sha256 } from '../../lib/crypto.ts';

/** API tokens: managed by admins, shown once, revoked at once, last use kept cheaply; per-token limits. */

let offsetMs = 0;
let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { RATE_LIMITS: 'on', API_RATE_LIMIT_PER_MINUTE: '5' },
    now: () => new Date(Date.now() + offsetMs),
  });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

describe('API token management', () => {
  test('admins create a token (the secret once), list it without the secret, and revoke it', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/api-tokens`;
    const created = await admin.post(base, {
      name: ' Shop sync ',
      scopes: ['conversation_read', 'conversation_write', 'conversation_read'],
    });
    assert.equal(created.status, 201, created.text);
    const token = created.body.token as string;
    const apiToken = created.body.apiToken as ApiToken;
    assert.match(token, /^pat_[A-Za-z0-9_-]+$/);
    assert.ok(token.startsWith(`pat_${apiToken.prefix}_`));
    assert.equal(apiToken.name, 'Shop sync');
    assert.deepEqual(apiToken.scopes, ['conversation_read', 'conversation_write']);
    assert.equal(apiToken.createdBy, account.admin.userId);
    assert.equal(apiToken.lastUsedAt, null);
    const [row] = await server.ctx.database.db.select().from(apiTokens).where(eq(apiTokens.id, apiToken.id));
    assert.equal(row?.tokenHash, sha256(token), 'only the hash is stored');

    const listed = await admin.get(base);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.apiTokens, [apiToken]);
    assert.doesNotMatch(listed.text, new RegExp(token));

    const api = new HttpClient(server.url);
    api.bearer = token;
    assert.equal((await api.get('/api/v1/conversations')).status, 200);
    const used = (await admin.get(base)).body.apiTokens as ApiToken[];
    assert.ok(used[0]?.lastUsedAt, 'last use is recorded');

    const revoked = await admin.request('DELETE', `${base}/${apiToken.id}`);
    assert.equal(revoked.status, 204, revoked.text);
    assert.equal((await api.get('/api/v1/conversations')).status, 401);
    assert.deepEqual((await admin.get(base)).body.apiTokens, []);
    const twice = await admin.request('DELETE', `${base}/${apiToken.id}`);
    assert.equal(twice.status, 404);
    assert.equal(code(twice.body), 'token_not_found');
  });

  test('only admins manage tokens; tokens cannot mint tokens; accounts are separate', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const base = `/api/accounts/${account.accountId}/api-tokens`;
    for (const role of ['supervisor', 'agent'] as const) {
      const member = await makeMember(server, account.accountId, role);
      const client = await loginAs(server, member.email);
      assert.equal((await client.get(base)).status, 403, role);
      assert.equal((await client.post(base, { name: 'x', scopes: ['inbox_read'] })).status, 403, role);
    }
    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, account.accountId, ['conversation_read', 'webhook_manage']);
    const minted = await token.post(base, { name: 'x', scopes: ['inbox_read'] });
    assert.equal(minted.status, 403);
    assert.equal(code(minted.body), 'insufficient_scope');

    const otherAdmin = await loginAs(server, other.admin.email);
    const theirs = await otherAdmin.post(`/api/accounts/${other.accountId}/api-tokens`, {
      name: 'Theirs',
      scopes: ['inbox_read'],
    });
    const admin = await loginAs(server, account.admin.email);
    const cross = await admin.request('DELETE', `${base}/${(theirs.body.apiToken as ApiToken).id}`);
    assert.equal(cross.status, 404);
    assert.equal(code(cross.body), 'token_not_found');
  });

  test('bad input is 400 with a code', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/api-tokens`;
    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['everything'] },
      { name: '', scopes: ['inbox_read'] },
      { scopes: ['inbox_read'] },
    ]) {
      const res = await admin.post(base, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
  });

  test('last use is written at most once a minute per token', async () => {
    const account = await makeAccount(server);
    const secret = await makeToken(server, account.accountId, ['conversation_read']);
    const api = new HttpClient(server.url);
    api.bearer = secret;
    const lastUsed = async () => {
      const [row] = await server.ctx.database.db
        .select({ at: apiTokens.lastUsedAt })
        .from(apiTokens)
        .where(eq(apiTokens.tokenHash, sha256(secret)));
      return row?.at?.getTime() ?? null;
    };
    await api.get('/api/v1/tags');
    const first = await lastUsed();
    assert.ok(first);
    offsetMs = 30_000;
    await api.get('/api/v1/tags');
    assert.equal(await lastUsed(), first, 'not written again within the minute');
    offsetMs = 61_000;
    await api.get('/api/v1/tags');
    assert.ok(((await lastUsed()) ?? 0) > first, 'written again after a minute');
    offsetMs = 0;
  });
});

describe('rate limit', () => {
  test('each token has its own budget per minute; beyond it 429 with Retry-After', async () => {
    const account = await makeAccount(server);
    const a = new HttpClient(server.url);
    a.bearer = await makeToken(server, account.accountId, ['conversation_read']);
    const b = new HttpClient(server.url);
    b.bearer = await makeToken(server, account.accountId, ['conversation_read']);
    for (let i = 0; i < 5; i++) assert.equal((await a.get('/api/v1/tags')).status, 200);
    // Malformed requests count too.
    const limited = await a.get('/api/v1/conversations?limit=oops');
    assert.equal(limited.status, 429, limited.text);
    assert.equal(code(limited.body), 'rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal((await b.get('/api/v1/tags')).status, 200, 'another token is not limited');
  });
});
