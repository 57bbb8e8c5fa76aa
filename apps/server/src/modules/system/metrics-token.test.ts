import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../../test/harness.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN: 'scrape-me-please-0123' } });
});
after(async () => {
  await server?.close();
});

test('with METRICS_TOKEN set, /metrics answers only to that bearer token', async () => {
  const anonymous = await fetch(`${server.url}/metrics`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthenticated');
  const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  const right = await fetch(`${server.url}/metrics`, {
    headers: { authorization: 'Bearer scrape-me-please-0123' },
  });
  assert.equal(right.status, 200);
  assert.match(await right.text(), /parley_messages_committed_total/);
});
