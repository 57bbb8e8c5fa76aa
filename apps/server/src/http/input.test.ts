import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { tokenScopes } from '@parley/shared';
import { z } from 'zod';
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
 * Malformed and hostile input, for every route in the route list: whatever arrives, the answer is a
 * 4xx with a stable code, never a 500. New routes are covered as soon as they are listed.
 */

const BODY_LIMIT = 64 * 1024;
const routes = allRoutes();
const keyOf = (route: AnyRoute) => `${route.method} ${route.url}`;
// Uploads (rawBody) take any bytes as the file itself; attachments.test.ts covers what they refuse.
const withBody = routes.filter((r) => r.method !== 'GET' && !r.rawBody);

let server: TestServer;
let account: TestAccount;
let values: Record<string, string>;
let agent: HttpClient;
let visitor: HttpClient;
/** The public API (auth kind `api`) takes an API token with every scope. */
let apiToken: HttpClient;

before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off', BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
  account = await makeAccount(server);
  const started = await visitorWithConversation(server, account.inboxId);
  visitor = started.visitor;
  agent = await loginAs(server, account.admin.email);
  apiToken = new HttpClient(server.url);
  apiToken.bearer = await makeToken(server, account.accountId, [...tokenScopes]);
  values = {
    accountId: account.accountId,
    inboxId: account.inboxId,
    id: started.conversationId,
    conversationId: started.conversationId,
    asset: 'init.js',
  };
});
after(async () => {
  await server?.close();
});

function urlFor(route: AnyRoute, overrides: Record<string, string> = {}): string {
  const all = { ...values, ...overrides };
  return route.url
    .replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(all[name] ?? randomUUID()))
    .replace(/\*$/, 'anything');
}

interface Answer {
  status: number;
  code: string | undefined;
  text: string;
}

/** Sends raw bytes with the credentials a route needs, so bodies can be as broken as we like. */
async function send(
  route: AnyRoute,
  options: { path?: string; body?: string | Uint8Array; contentType?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const who =
    route.auth === 'visitor'
      ? visitor
      : route.auth === 'api'
        ? apiToken
        : route.auth === 'public'
          ? null
          : agent;
  if (who?.cookie) headers.cookie = who.cookie;
  if (who?.csrfToken && route.method !== 'GET') headers['x-csrf-token'] = who.csrfToken;
  if (who?.bearer) headers.authorization = `Bearer ${who.bearer}`;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null && options.body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${server.url}${options.path ?? urlFor(route)}`, {
    method: route.method,
    headers,
    body: options.body,
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code, text };
}

function expectCode(answer: Answer, status: number, code: string, what: string): void {
  assert.equal(answer.status, status, `${what} → ${answer.status} ${answer.text}`);
  assert.equal(answer.code, code, `${what} → ${answer.text}`);
}

/** Values of every JSON type plus a few edge cases; each is tried where the schema refuses it. */
const wrongJsonValues: unknown[] = [
  12345,
  -1,
  1.5,
  'text',
  '',
  true,
  null,
  [],
  [1, 2],
  {},
  { nested: { deeper: true } },
  'x'.repeat(20_000),
  '2024-01-01T00:00:00Z',
];
const wrongQueryValues = ['abc', '-1', '1.5', '', 'x'.repeat(300), '99999999999999', '1e999', 'null'];

function propertiesOf(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  return Object.keys(json.properties ?? {});
}

describe('bodies', () => {
  test('malformed JSON answers 400 invalid_json on every route that takes a body', async () => {
    for (const route of withBody) {
      for (const body of ['{"a":', '{a:1}', "{'a':1}", '[1,2', '{"a":1}}', 'nul']) {
        expectCode(await send(route, { body }), 400, 'invalid_json', `${keyOf(route)} ${body}`);
      }
    }
  });

  test('a body of the wrong top-level type answers 400 validation_failed', async () => {
    for (const route of withBody.filter((r) => r.body)) {
      for (const body of ['[]', '"text"', '42', 'true', 'null']) {
        expectCode(await send(route, { body }), 400, 'validation_failed', `${keyOf(route)} ${body}`);
      }
    }
  });

  test('fields of the wrong type answer 400 validation_failed', async () => {
    let tried = 0;
    for (const route of withBody.filter((r) => r.body)) {
      const schema = route.body as z.ZodType;
      for (const property of propertiesOf(schema)) {
        for (const value of wrongJsonValues) {
          const candidate = { [property]: value };
          const local = schema.safeParse(candidate);
          const refusedHere = !local.success && local.error.issues.some((i) => i.path[0] === property);
          const answer = await send(route, { body: JSON.stringify(candidate) });
          if (refusedHere) {
            expectCode(
              answer,
              400,
              'validation_failed',
              `${keyOf(route)} ${property}=${JSON.stringify(value)}`,
            );
            tried += 1;
          } else {
            assert.ok(answer.status < 500, `${keyOf(route)} ${property} → ${answer.status} ${answer.text}`);
          }
        }
      }
    }
    assert.ok(tried > 20, `wrong-type probes tried: ${tried}`);
  });

  test('unknown fields answer 400 validation_failed naming them', async () => {
    for (const route of withBody.filter((r) => r.body)) {
      const answer = await send(route, { body: JSON.stringify({ notAField: 1 }) });
      expectCode(answer, 400, 'validation_failed', keyOf(route));
      assert.match(answer.text, /unrecognized_keys/, keyOf(route));
    }
  });

  test('a body over BODY_LIMIT_BYTES answers 413 payload_too_large', async () => {
    const big = JSON.stringify({ body: 'x'.repeat(BODY_LIMIT + 10) });
    for (const route of withBody) {
      expectCode(await send(route, { body: big }), 413, 'payload_too_large', keyOf(route));
    }
  });

  test('a content type other than JSON answers 415 unsupported_media_type', async () => {
    const types = [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
    ];
    for (const route of withBody) {
      for (const contentType of types) {
        const answer = await send(route, { body: '{"a":1}', contentType });
        expectCode(answer, 415, 'unsupported_media_type', `${keyOf(route)} as ${contentType}`);
      }
      const untyped = await send(route, { body: new TextEncoder().encode('{"a":1}'), contentType: null });
      expectCode(untyped, 415, 'unsupported_media_type', `${keyOf(route)} without a content type`);
    }
  });

  test('an empty JSON body is read as no body', async () => {
    // Routes without a body really run here (logout among them), so they act on a session of their own.
    const saved = agent;
    agent = await loginAs(server, account.admin.email);
    const bodiless = withBody.filter((r) => !r.body);
    for (const route of [...withBody.filter((r) => r.body), ...bodiless]) {
      const answer = await send(route, { body: '' });
      assert.ok(answer.status < 500, `${keyOf(route)} → ${answer.status} ${answer.text}`);
      if (route.body) expectCode(answer, 400, 'validation_failed', keyOf(route));
    }
    agent = saved;
  });
});

describe('query strings and path parameters', () => {
  test('query parameters of the wrong type answer 400 validation_failed', async () => {
    let tried = 0;
    for (const route of routes.filter((r) => r.query)) {
      const schema = route.query as z.ZodType;
      for (const property of propertiesOf(schema)) {
        for (const value of wrongQueryValues) {
          const local = schema.safeParse({ [property]: value });
          const answer = await send(route, {
            path: `${urlFor(route)}?${new URLSearchParams({ [property]: value })}`,
          });
          if (!local.success) {
            expectCode(
              answer,
              400,
              'validation_failed',
              `${keyOf(route)} ?${property}=${value.slice(0, 20)}`,
            );
            tried += 1;
          } else {
            assert.ok(answer.status < 500, `${keyOf(route)} ?${property}=${value} → ${answer.text}`);
          }
        }
        const twice = await send(route, { path: `${urlFor(route)}?${property}=1&${property}=2` });
        assert.ok(twice.status < 500, `${keyOf(route)} repeated ${property} → ${twice.text}`);
      }
    }
    assert.ok(tried > 10, `wrong-type query probes tried: ${tried}`);
  });

  test('unknown query parameters answer 400 validation_failed', async () => {
    for (const route of routes.filter((r) => r.query)) {
      const answer = await send(route, { path: `${urlFor(route)}?notAParameter=1` });
      expectCode(answer, 400, 'validation_failed', keyOf(route));
    }
  });

  test('path parameters the schema refuses answer 4xx, never 500', async () => {
    const bad = ['not-a-uuid', '1', "x' or '1'='1", '00000000-0000-0000-0000-00000000000g', '%2e%2e', '%00'];
    for (const route of routes.filter((r) => r.params)) {
      for (const name of [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string)) {
        for (const value of bad) {
          const answer = await send(route, {
            path: urlFor(route, { [name]: value }),
            ...(route.method === 'GET' ? {} : { body: '{}' }),
          });
          assert.ok(
            answer.status >= 400 && answer.status < 500,
            `${keyOf(route)} :${name}=${value} → ${answer.status} ${answer.text}`,
          );
          if (name !== 'accountId' && answer.status === 400) assert.equal(answer.code, 'validation_failed');
        }
      }
    }
  });

  test('a path with broken percent-encoding answers 400 with a stable code', async () => {
    const route = routes.find((r) => r.url === '/api/client/inboxes/:inboxId');
    assert.ok(route);
    for (const path of ['/api/client/inboxes/%E0%A4%A', '/api/client/inboxes/%', '/api/client/%zz/x']) {
      const answer = await send(route, { path });
      assert.ok(answer.status >= 400 && answer.status < 500, `${path} → ${answer.status}`);
      assert.ok(answer.code, `${path} → ${answer.text}`);
    }
  });

  test('an unknown route answers 404 route_not_found', async () => {
    const res = await fetch(`${server.url}/api/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'route_not_found');
  });
});

describe('hostile payloads', () => {
  const sessionRoute = () => {
    const route = routes.find(
      (r) => r.method === 'POST' && r.url === '/api/client/inboxes/:inboxId/sessions',
    );
    assert.ok(route);
    return route;
  };

  test('__proto__ and constructor keys never reach Object.prototype', async () => {
    const hostile = [
      '{"__proto__":{"polluted":"yes"},"name":"Proto"}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"name":"Ctor"}',
      '{"name":"Nested","identity":{"__proto__":{"polluted":"yes"},"id":"x","timestamp":1}}',
      '[{"__proto__":{"polluted":"yes"}}]',
    ];
    for (const route of withBody) {
      for (const body of hostile) {
        const answer = await send(route, { body });
        assert.ok(answer.status < 500, `${keyOf(route)} ${body} → ${answer.status} ${answer.text}`);
      }
    }
    for (const route of routes.filter((r) => r.query)) {
      const answer = await send(route, {
        path: `${urlFor(route)}?__proto__=x&constructor[prototype][polluted]=yes&__proto__[polluted]=yes`,
      });
      assert.ok(answer.status < 500, `${keyOf(route)} → ${answer.status}`);
    }
    const probe: Record<string, unknown> = {};
    assert.equal(probe.polluted, undefined);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    // A __proto__ key is dropped, not an error: the valid rest of the body still works.
    const created = await send(sessionRoute(), { body: '{"__proto__":{"name":"Injected"},"name":"Plain"}' });
    assert.equal(created.status, 201, created.text);
    assert.match(created.text, /"name":"Plain"/);
  });

  test('deeply nested JSON is refused without crashing', async () => {
    const depth = 20_000;
    const arrays = `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const protoDeep = `{"name":${'{"__proto__":'.repeat(2_000)}1${'}'.repeat(2_000)}}`;
    for (const route of withBody) {
      for (const body of [arrays, objects, protoDeep]) {
        const answer = await send(route, { body });
        // A route that takes no body ignores one (it parses fine); what matters there is no crash.
        const refused = route.body ? answer.status >= 400 : true;
        assert.ok(refused && answer.status < 500, `${keyOf(route)} → ${answer.status} ${answer.text}`);
      }
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('huge strings are refused by length limits', async () => {
    const huge = 'x'.repeat(BODY_LIMIT - 100);
    expectCode(
      await send(sessionRoute(), { body: JSON.stringify({ name: huge }) }),
      400,
      'validation_failed',
      'huge name',
    );
    const post = routes.find(
      (r) => r.method === 'POST' && r.url === '/api/client/conversations/:id/messages',
    );
    assert.ok(post);
    expectCode(
      await send(post, { body: JSON.stringify({ clientMsgId: 'huge', body: huge }) }),
      400,
      'validation_failed',
      'huge message',
    );
  });

  test('invalid UTF-8, lone surrogates and NUL characters never cause a 500', async () => {
    const encoder = new TextEncoder();
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    const bodies: Array<string | Uint8Array> = [
      new Uint8Array(invalidUtf8),
      '{"name":"\\ud800 lone"}',
      '{"name":"a\\u0000b"}',
      encoder.encode('{"name":"emoji 🙂 and ünïcödé"}'),
    ];
    for (const route of withBody) {
      for (const body of bodies) {
        const answer = await send(route, { body });
        assert.ok(answer.status < 500, `${keyOf(route)} → ${answer.status} ${answer.text}`);
      }
    }
    const post = routes.find(
      (r) => r.method === 'POST' && r.url === '/api/client/conversations/:id/messages',
    );
    assert.ok(post);
    const nul = await send(post, { body: '{"clientMsgId":"nul-1","body":"before\\u0000after"}' });
    expectCode(nul, 400, 'validation_failed', 'NUL in a message');
    const ok = await send(post, { body: '{"clientMsgId":"utf-1","body":"emoji 🙂 and \\ud800"}' });
    assert.equal(ok.status, 201, ok.text);
    const query = routes.find(
      (r) => r.method === 'GET' && r.url === '/api/accounts/:accountId/conversations',
    );
    assert.ok(query);
    const nulQuery = await send(query, { path: `${urlFor(query)}?cursor=%00abc` });
    assert.ok(nulQuery.status >= 400 && nulQuery.status < 500, nulQuery.text);
  });
});
