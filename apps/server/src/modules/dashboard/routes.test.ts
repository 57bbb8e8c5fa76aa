import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { dashboardCsp, dashboardDist } from './routes.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const html = { accept: 'text/html,application/xhtml+xml' };
const built = existsSync(path.join(dashboardDist, 'index.html'));

describe('serving the dashboard', () => {
  test('the app answers at / and at client-side paths, with a strict CSP (or a clear 503 before a build)', async () => {
    for (const url of [
      '/',
      '/inbox/all',
      '/inbox/all/0192aa6e-5e77-7b2b-9d55-1d2f3c4b5a69?status=open',
      '/invite/abc',
    ]) {
      const res = await fetch(`${server.url}${url}`, { headers: html });
      if (built) {
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.equal(res.headers.get('cache-control'), 'no-cache');
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /object-src 'none'/);
        assert.match(await res.text(), /<div id="root">/);
      } else {
        assert.equal(res.status, 503, url);
        assert.match(await res.text(), /npm run build/);
      }
    }
  });

  test('hashed assets are served with a long cache; names cannot climb out of the folder', async () => {
    if (built) {
      const asset = readdirSync(path.join(dashboardDist, 'assets')).find((f) => f.endsWith('.js'));
      assert.ok(asset);
      const res = await fetch(`${server.url}/assets/${asset}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
    }
    assert.equal((await fetch(`${server.url}/assets/nope-123.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/assets/..%2F..%2Fpackage.json`)).status, 400);
    assert.equal((await fetch(`${server.url}/assets/.env`)).status, 400);
  });

  test('server paths and non-HTML requests never get the app', async () => {
    for (const url of ['/api/nope', '/realtime/x', '/widget/nope', '/metrics/x', '/healthz/x', '/demo/x']) {
      const res = await fetch(`${server.url}${url}`, { headers: html });
      assert.equal(res.status, 404, url);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'route_not_found');
    }
    const json = await fetch(`${server.url}/inbox/all`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 404);
    const post = await fetch(`${server.url}/inbox/all`, { method: 'POST', headers: html });
    assert.equal(post.status, 404);
  });

  test('the CSP lets the app talk to its own socket and nothing else', () => {
    assert.match(dashboardCsp('https://chat.example.com'), /connect-src 'self' wss:\/\/chat\.example\.com/);
    assert.match(dashboardCsp('http://localhost:3000'), /connect-src 'self' ws:\/\/localhost:3000/);
  });
});
