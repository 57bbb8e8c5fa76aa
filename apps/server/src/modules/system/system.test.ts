import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { loginAs, makeAccount, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { allRoutes } from '../../http/routes.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

describe('health', () => {
  test('/healthz answers ok with security headers', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  test('/readyz reports its checks as JSON, and 503 when the database is down', async () => {
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok', checks: { database: 'ok', redis: 'not_configured' } });

    const database = server.ctx.database as { ping: () => Promise<void> };
    const ping = database.ping;
    database.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const down = await fetch(`${server.url}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), {
        status: 'unavailable',
        checks: { database: 'down', redis: 'not_configured' },
      });
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'liveness does not depend on it');
    } finally {
      database.ping = ping;
    }
  });
});

describe('metrics', () => {
  test('/metrics exposes the HTTP, realtime, message, delivery and outbox metrics', async () => {
    // Some traffic first, so that the counters have something to count.
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const agent = await loginAs(server, account.admin.email);
    const socket = await RealtimeClient.connect(server.url, { cookie: agent.cookie ?? '' });
    await socket.waitFor((f) => f.type === 'ready');
    await socket.subscribeConversation(conversationId, 0);
    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'm',
      body: 'hi',
    });
    await socket.waitFor((f) => f.type === 'message' && f.message.seq === 2);

    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    for (const name of [
      'parley_http_request_duration_seconds',
      'parley_realtime_open_sockets',
      'parley_messages_committed_total',
      'parley_events_delivered_total',
      'parley_outbox_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is declared`);
    }
    // Routes are labelled by their pattern, not by the raw URL (ids would explode the label set).
    assert.match(
      text,
      /parley_http_request_duration_seconds_count\{[^}]*route="\/api\/client\/conversations\/:id\/messages"/,
    );
    assert.doesNotMatch(text, new RegExp(conversationId));
    const gauge = /^parley_realtime_open_sockets (\d+)/m.exec(text);
    assert.ok(gauge && Number(gauge[1]) >= 1, 'the open socket is counted');
    const committed = /^parley_messages_committed_total (\d+)/m.exec(text);
    assert.ok(committed && Number(committed[1]) >= 2, 'both messages are counted');
    assert.match(text, /^parley_events_delivered_total\{[^}]*\} [1-9]/m);
    await socket.close();
  });

  test('unmatched URLs share one label', async () => {
    await fetch(`${server.url}/api/no-such-thing-${Date.now()}`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.doesNotMatch(text, /no-such-thing/);
  });
});

describe('API documentation', () => {
  interface Operation {
    parameters: Array<{ name: string; in: string; required: boolean }>;
    requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
    security: unknown[];
    responses: Record<string, unknown>;
    operationId: string;
  }

  test('/api/openapi.json is OpenAPI 3.1 and lists every non-hidden route with its request schema', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.info.title);
    const operationIds = new Set<string>();
    const visible = allRoutes().filter((r) => !r.hidden);
    for (const route of visible) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.url} is documented`);
      assert.ok(!operationIds.has(operation.operationId), `operationId ${operation.operationId} is unique`);
      operationIds.add(operation.operationId);
      for (const name of [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1])) {
        assert.ok(
          operation.parameters.some((p) => p.in === 'path' && p.name === name && p.required),
          `${route.url} documents :${name}`,
        );
      }
      if (route.query) {
        const json = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as {
          properties?: Record<string, unknown>;
        };
        for (const name of Object.keys(json.properties ?? {})) {
          assert.ok(
            operation.parameters.some((p) => p.in === 'query' && p.name === name),
            `${route.url} documents ?${name}`,
          );
        }
      }
      if (route.body) {
        const schema = operation.requestBody?.content['application/json'].schema;
        assert.ok(schema, `${route.method} ${route.url} documents its body`);
        assert.equal(schema.type, 'object');
        assert.equal(schema.additionalProperties, false, `${route.url}: unknown fields are refused, say so`);
      } else if (route.rawBody) {
        const content = operation.requestBody?.content as Record<string, unknown> | undefined;
        assert.ok(content?.['application/octet-stream'], `${route.url} documents its upload`);
      } else {
        assert.equal(operation.requestBody, undefined);
      }
      assert.equal(operation.security.length > 0, route.auth !== 'public', `${route.url} security`);
      assert.ok(operation.responses['4XX'], `${route.url} documents its error body`);
    }
    const documented = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    assert.equal(documented, visible.length, 'hidden routes stay out');
    assert.ok(!doc.paths['/api/docs'] && !doc.paths['/api/docs/{asset}']);
    // Every reference resolves inside the document.
    const text = JSON.stringify(doc);
    for (const ref of text.match(/"\$ref":"([^"]+)"/g) ?? []) {
      assert.match(ref, /"#\/components\//, `unresolvable ${ref}`);
    }
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
      'apiToken',
      'sessionCookie',
      'visitorToken',
    ]);
  });

  test('/api/docs serves its page and the assets the page loads', async () => {
    const page = await fetch(`${server.url}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/api\/docs\/[^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(assets.length >= 3, `assets: ${assets.join(', ')}`);
    for (const asset of assets) {
      const res = await fetch(`${server.url}${asset}`);
      assert.equal(res.status, 200, asset);
      const type = res.headers.get('content-type') ?? '';
      assert.match(type, asset.endsWith('.css') ? /^text\/css/ : /^application\/javascript/, asset);
      assert.ok((await res.arrayBuffer()).byteLength > 10, `${asset} has content`);
    }
    const init = await (await fetch(`${server.url}/api/docs/init.js`)).text();
    assert.match(init, /\/api\/openapi\.json/);
    for (const bad of ['package.json', '..%2Fpackage.json', 'swagger-ui.js']) {
      const res = await fetch(`${server.url}/api/docs/${bad}`);
      assert.ok(res.status >= 400 && res.status < 500, `${bad} → ${res.status}`);
    }
  });
});
