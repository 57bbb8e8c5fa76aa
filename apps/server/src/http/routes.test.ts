import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { tokenScopes } from '@parley/shared';
import {
  loginAs,
  makeAccount,
  makeToken,
  type TestAccount,
  visitorWithConversation,
} from '../../test/factories.ts';
import { startTestServer, type TestServer } from '../../test/harness.ts';
import { HttpClient } from '../../test/http-client.ts';
import type { AnyRoute } from './route.ts';
import { allRoutes } from './routes.ts';

/**
 * Every route that answers without credentials. Adding one here is a deliberate act: the walk below
 * fails for any public route that is not listed.
 */
const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/openapi.json',
  'GET /api/docs',
  'GET /api/docs/:asset',
  'GET /api/setup',
  'POST /api/setup',
  'POST /api/auth/login',
  'GET /api/client/inboxes/:inboxId',
  'POST /api/client/inboxes/:inboxId/sessions',
  'GET /api/invitations/:token',
  'POST /api/invitations/:token/accept',
  'GET /',
  'GET /assets/:file',
  'GET /*',
  'GET /widget.js',
  'GET /widget/frame',
  'GET /widget/assets/:file',
  'GET /demo',
  'GET /api/files/:attachmentId',
  'GET /help/:accountId',
  'GET /help/:accountId/articles/:slug',
].sort();

const routes = allRoutes();
const keyOf = (route: AnyRoute) => `${route.method} ${route.url}`;
const paramNames = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);

/** Puts real ids of `account` into a route's URL; parameters without a fixture get a random uuid. */
function urlFor(route: AnyRoute, values: Record<string, string>): string {
  return route.url
    .replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => values[name] ?? randomUUID())
    .replace(/\*$/, 'anything');
}

function bodyFor(route: AnyRoute): unknown {
  return route.method === 'GET' ? undefined : {};
}

let server: TestServer;
let a: TestAccount;
let b: TestAccount;
let aValues: Record<string, string>;
let bAdmin: HttpClient;
let bToken: HttpClient;

before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
  a = await makeAccount(server);
  b = await makeAccount(server);
  const { conversationId } = await visitorWithConversation(server, a.inboxId);
  aValues = { accountId: a.accountId, inboxId: a.inboxId, id: conversationId, conversationId };
  bAdmin = await loginAs(server, b.admin.email);
  bToken = new HttpClient(server.url);
  bToken.bearer = await makeToken(server, b.accountId, [...tokenScopes]);
});
after(async () => {
  await server?.close();
});

describe('route declarations', () => {
  test('every route declares an auth kind, a summary and tags', () => {
    assert.ok(routes.length > 10);
    for (const route of routes) {
      assert.ok(['public', 'session', 'account', 'visitor', 'api'].includes(route.auth), keyOf(route));
      assert.ok(route.summary.length > 0, `${keyOf(route)} has a summary`);
      assert.ok(route.tags.length > 0, `${keyOf(route)} has tags`);
    }
  });

  test('routes are unique', () => {
    const keys = routes.map(keyOf);
    assert.equal(new Set(keys).size, keys.length);
  });

  test('the public routes are exactly the listed ones', () => {
    const publicRoutes = routes
      .filter((r) => r.auth === 'public')
      .map(keyOf)
      .sort();
    assert.deepEqual(publicRoutes, PUBLIC_ROUTES);
  });

  test('every account route is under /api/accounts/:accountId and declares a policy', () => {
    for (const route of routes.filter((r) => r.auth === 'account')) {
      assert.ok(route.url.startsWith('/api/accounts/:accountId'), keyOf(route));
      assert.ok(route.policy, `${keyOf(route)} declares a policy`);
    }
  });

  test('every api route is under /api/v1 and declares a policy', () => {
    for (const route of routes.filter((r) => r.auth === 'api')) {
      assert.ok(route.url.startsWith('/api/v1/'), keyOf(route));
      assert.ok(route.policy, `${keyOf(route)} declares a policy`);
    }
  });

  test('every path parameter is validated by a params schema', () => {
    for (const route of routes) {
      const names = paramNames(route.url);
      if (names.length === 0) continue;
      assert.ok(route.params, `${keyOf(route)} validates its path parameters`);
      const probe = Object.fromEntries(names.map((n) => [n, randomUUID()]));
      const result = route.params.safeParse({ ...probe, unexpected: 'x' });
      assert.ok(!result.success, `${keyOf(route)} refuses unknown path parameters (strict schema)`);
    }
  });
});

describe('authentication walk', () => {
  test('every non-public route answers 401 unauthenticated without credentials', async () => {
    const anonymous = new HttpClient(server.url);
    for (const route of routes.filter((r) => r.auth !== 'public')) {
      const res = await anonymous.request(route.method, urlFor(route, aValues), bodyFor(route));
      assert.equal(res.status, 401, `${keyOf(route)} → ${res.status} ${res.text}`);
      assert.equal(res.body.error && (res.body.error as { code: string }).code, 'unauthenticated');
    }
  });

  test('an unknown or malformed bearer token is refused on every non-public route', async () => {
    for (const bearer of ['pat_unknown_token', 'vt1.forged.token', 'not a token']) {
      const client = new HttpClient(server.url);
      client.bearer = bearer;
      for (const route of routes.filter((r) => r.auth !== 'public')) {
        const res = await client.request(route.method, urlFor(route, aValues), bodyFor(route));
        assert.equal(res.status, 401, `${keyOf(route)} with ${bearer} → ${res.status} ${res.text}`);
      }
    }
  });

  test('a visitor token opens no agent route, and an agent session opens no visitor route', async () => {
    const { visitor } = await visitorWithConversation(server, a.inboxId);
    const agent = await loginAs(server, a.admin.email);
    for (const route of routes) {
      if (route.auth === 'session' || route.auth === 'account' || route.auth === 'api') {
        const res = await visitor.request(route.method, urlFor(route, aValues), bodyFor(route));
        assert.equal(res.status, 401, `visitor on ${keyOf(route)} → ${res.status} ${res.text}`);
      }
      if (route.auth === 'api') {
        const res = await agent.request(route.method, urlFor(route, aValues), bodyFor(route));
        assert.equal(res.status, 401, `agent session on ${keyOf(route)} → ${res.status} ${res.text}`);
      }
      if (route.auth === 'visitor') {
        const res = await agent.request(route.method, urlFor(route, aValues), bodyFor(route));
        assert.equal(res.status, 401, `agent on ${keyOf(route)} → ${res.status} ${res.text}`);
      }
    }
  });

  test('every account route answers 404 account_not_found to an agent of another account', async () => {
    for (const route of routes.filter((r) => r.auth === 'account')) {
      const res = await bAdmin.request(route.method, urlFor(route, aValues), bodyFor(route));
      assert.equal(res.status, 404, `${keyOf(route)} → ${res.status} ${res.text}`);
      assert.equal((res.body.error as { code: string }).code, 'account_not_found', keyOf(route));
    }
  });

  test('every account route answers 404 account_not_found to a token of another account', async () => {
    for (const route of routes.filter((r) => r.auth === 'account')) {
      const res = await bToken.request(route.method, urlFor(route, aValues), bodyFor(route));
      assert.equal(res.status, 404, `${keyOf(route)} → ${res.status} ${res.text}`);
      assert.equal((res.body.error as { code: string }).code, 'account_not_found', keyOf(route));
    }
  });

  test('an account id that is not a uuid is answered like a missing account', async () => {
    const admin = await loginAs(server, a.admin.email);
    for (const route of routes.filter((r) => r.auth === 'account')) {
      const res = await admin.request(
        route.method,
        urlFor(route, { ...aValues, accountId: 'not-a-uuid' }),
        bodyFor(route),
      );
      assert.equal(res.status, 404, `${keyOf(route)} → ${res.status} ${res.text}`);
    }
  });

  test('the public routes answer without credentials (no 401)', async () => {
    const anonymous = new HttpClient(server.url);
    for (const route of routes.filter((r) => r.auth === 'public')) {
      const res = await anonymous.request(
        route.method,
        urlFor(route, { ...aValues, asset: 'init.js' }),
        bodyFor(route),
      );
      assert.notEqual(res.status, 401, `${keyOf(route)} → ${res.status} ${res.text}`);
      // 503 is the dashboard's "not built yet" page when the test run skipped the build.
      assert.ok(res.status < 500 || res.status === 503, `${keyOf(route)} → ${res.status} ${res.text}`);
    }
  });

  test('a stale or garbage credential does not break public routes', async () => {
    const client = new HttpClient(server.url);
    client.bearer = 'pat_revoked_or_unknown';
    client.cookie = 'parley_session=garbage';
    for (const path of ['/healthz', '/api/setup', `/api/client/inboxes/${a.inboxId}`]) {
      const res = await client.get(path);
      assert.equal(res.status, 200, `${path} → ${res.status} ${res.text}`);
    }
  });
});
