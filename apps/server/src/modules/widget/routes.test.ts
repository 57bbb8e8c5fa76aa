import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { makeAccount } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { handleError } from '../../errors.ts';
import { registerRoutes } from '../../http/route.ts';
import { seedDemo } from '../demo/seed.ts';
import { createWidgetRoutes, frameCsp } from './routes.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

/** The widget routes alone, reading the build from `dist` (the real app reads packages/widget/dist). */
async function appWith(dist: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(cookie);
  app.setErrorHandler(handleError);
  registerRoutes(app, server.ctx, createWidgetRoutes(dist));
  await app.ready();
  return app;
}

function fakeBuild(loader: string): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'parley-widget-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'widget.js'), loader);
  writeFileSync(path.join(dist, 'frame.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(path.join(dist, 'assets', 'frame.abc123.js'), 'console.log(1)');
  writeFileSync(
    path.join(dist, 'manifest.json'),
    JSON.stringify({ loader: 'widget.js', frame: 'frame.html', assets: ['frame.abc123.js'] }),
  );
  return dist;
}

test('an unbuilt widget answers 503 with a clear code, not a crash', async () => {
  const app = await appWith(path.join(tmpdir(), 'parley-widget-missing'));
  const { inboxId } = await makeAccount(server);
  for (const url of ['/widget.js', `/widget/frame?inbox=${inboxId}`, '/widget/assets/frame.abc123.js']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 503, url);
    const body = res.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'service_unavailable');
    assert.match(body.error.message, /npm run build/);
  }
  await app.close();
});

test('the loader is cached briefly with an ETag, and a rebuild is picked up', async () => {
  const dist = fakeBuild('/* v1 */');
  const app = await appWith(dist);
  const first = await app.inject({ method: 'GET', url: '/widget.js' });
  assert.equal(first.statusCode, 200);
  assert.equal(first.body, '/* v1 */');
  assert.equal(first.headers['cache-control'], 'public, max-age=300');
  assert.equal(first.headers['cross-origin-resource-policy'], 'cross-origin');
  const etag = String(first.headers.etag);
  const cached = await app.inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': etag } });
  assert.equal(cached.statusCode, 304);

  writeFileSync(path.join(dist, 'widget.js'), '/* v2 */');
  const later = new Date(Date.now() + 5_000);
  utimesSync(path.join(dist, 'manifest.json'), later, later);
  const second = await app.inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': etag } });
  assert.equal(second.statusCode, 200);
  assert.equal(second.body, '/* v2 */');
  await app.close();
});

test('only assets named in the manifest are served, immutable', async () => {
  const app = await appWith(fakeBuild('x'));
  const ok = await app.inject({ method: 'GET', url: '/widget/assets/frame.abc123.js' });
  assert.equal(ok.statusCode, 200);
  assert.match(String(ok.headers['cache-control']), /immutable/);
  assert.match(String(ok.headers['content-type']), /javascript/);
  assert.equal((await app.inject({ method: 'GET', url: '/widget/assets/other.js' })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/widget/assets/manifest.json' })).statusCode, 404);
  assert.equal(
    (await app.inject({ method: 'GET', url: '/widget/assets/..%2Fmanifest.json' })).statusCode,
    400,
  );
  await app.close();
});

test('the frame may be embedded only by the inbox’s allowed origins and Parley itself', async () => {
  const app = await appWith(fakeBuild('x'));
  const { inboxId } = await makeAccount(server, {
    inboxSettings: { allowedOrigins: ['https://shop.example.com', 'http://localhost:8080'] },
  });
  const res = await app.inject({
    method: 'GET',
    url: `/widget/frame?inbox=${inboxId}&origin=${encodeURIComponent('https://shop.example.com')}`,
  });
  assert.equal(res.statusCode, 200);
  const csp = String(res.headers['content-security-policy']);
  assert.match(
    csp,
    /frame-ancestors 'self' http:\/\/localhost:3000 https:\/\/shop\.example\.com http:\/\/localhost:8080/,
  );
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'self' ws:\/\/localhost:3000/);

  const refused = await app.inject({
    method: 'GET',
    url: `/widget/frame?inbox=${inboxId}&origin=${encodeURIComponent('https://evil.example')}`,
  });
  assert.equal(refused.statusCode, 403);
  assert.equal((refused.json() as { error: { code: string } }).error.code, 'origin_not_allowed');
  const bad = await app.inject({
    method: 'GET',
    url: `/widget/frame?inbox=${inboxId}&origin=javascript:alert(1)`,
  });
  assert.equal(bad.statusCode, 400);
  const extra = await app.inject({ method: 'GET', url: `/widget/frame?inbox=${inboxId}&x=1` });
  assert.equal(extra.statusCode, 400);
  await app.close();
});

test('frameCsp names the secure socket on https', () => {
  assert.match(frameCsp('https://chat.example.com', []), /connect-src 'self' wss:\/\/chat\.example\.com/);
  assert.match(frameCsp('https://chat.example.com', []), /frame-ancestors 'self'(;|$)/);
});

test('/demo explains seed-demo until the demo account exists, then embeds its inbox', async () => {
  const app = await appWith(fakeBuild('x'));
  const missing = await app.inject({ method: 'GET', url: '/demo' });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /npm run parley -- seed-demo/);
  const { inboxId } = await seedDemo(server.ctx);
  const page = await app.inject({ method: 'GET', url: '/demo' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<script src="/widget.js" data-inbox="${inboxId}" async></script>`));
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await app.close();
});
