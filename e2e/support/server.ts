import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../apps/server/test/harness.ts';

/** Asks the OS for a free loopback port (so PUBLIC_URL can name the port before the server starts). */
export async function freePort(): Promise<number> {
  const probe = createHttpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A real Parley server for browser tests, reachable at http://localhost:<port> (its PUBLIC_URL, so
 * cookies, CSRF and origin checks behave as in production). The dashboard and widget are served from
 * their built `dist` folders, so run `npm run build` first (the test script does).
 */
export async function startE2EServer(
  env: Record<string, string> = {},
): Promise<TestServer & { publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const server = await startTestServer({
    env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: publicUrl, RATE_LIMITS: 'off', ...env },
  });
  return Object.assign(server, { publicUrl });
}

/**
 * A customer's website on another origin (http://127.0.0.1:<port>, while Parley is on localhost), serving
 * one HTML page per path from `pages`.
 */
export async function startHostSite(
  pages: Record<string, string>,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createHttpServer((request, response) => {
    const page = pages[(request.url ?? '/').split('?')[0] ?? '/'];
    if (page === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
