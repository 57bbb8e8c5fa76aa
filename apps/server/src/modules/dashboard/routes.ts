import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { errorBody } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';

/** The built dashboard (`npm run build` writes it); the server only serves files from here. */
export const dashboardDist = fileURLToPath(new URL('../../../../dashboard/dist/', import.meta.url));

/** Paths that belong to the server, never to the single-page app. */
const serverPrefixes = [
  '/api',
  '/realtime',
  '/widget',
  '/demo',
  '/metrics',
  '/healthz',
  '/readyz',
  '/assets',
];

const contentTypes: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built app loads only its own scripts (no inline script, no eval). Styles allow 'unsafe-inline'
 * because the component library sets CSS variables through style attributes. The socket endpoint is
 * named explicitly for browsers whose 'self' does not cover ws: and wss:.
 */
export function dashboardCsp(publicUrl: string): string {
  const url = new URL(publicUrl);
  const socket = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${socket}`,
    "media-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
  ].join('; ');
}

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title></head>
<body style="font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 36rem; line-height: 1.5">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first), then reload this page.</p>
</body></html>`;

async function sendIndex(ctx: AppContext, reply: FastifyReply): Promise<FastifyReply> {
  let html: Buffer;
  try {
    html = await readFile(path.join(dashboardDist, 'index.html'));
  } catch {
    return reply
      .status(503)
      .header('retry-after', '30')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(notBuilt);
  }
  return reply
    .header('content-security-policy', dashboardCsp(ctx.env.PUBLIC_URL))
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(html);
}

const wantsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

const isServerPath = (pathname: string): boolean =>
  serverPrefixes.some(
    (prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}.`),
  );

/** The agent dashboard: its page for `/` and every client-side route, and its hashed assets. */
export const dashboardRoutes = [
  defineRoute({
    method: 'GET',
    url: '/',
    auth: 'public',
    hidden: true,
    summary: 'The agent dashboard',
    tags: ['Dashboard'],
    handler: async ({ ctx, reply }) => sendIndex(ctx, reply),
  }),
  defineRoute({
    method: 'GET',
    url: '/assets/:file',
    auth: 'public',
    hidden: true,
    summary: 'Dashboard assets (content-hashed, cached for a year)',
    tags: ['Dashboard'],
    // Flat file names only: nothing can climb out of the assets folder.
    params: z.strictObject({ file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/) }),
    handler: async ({ params, reply }) => {
      const file = path.join(dashboardDist, 'assets', params.file);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        return reply.status(404).send(errorBody('not_found', 'No such asset'));
      }
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(contentTypes[path.extname(file)] ?? 'application/octet-stream')
        .send(await readFile(file));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/*',
    auth: 'public',
    hidden: true,
    summary: 'Client-side routes of the dashboard (browsers asking for HTML get the app)',
    tags: ['Dashboard'],
    handler: async ({ ctx, request, reply }) => {
      const pathname = request.url.split('?')[0] ?? '/';
      if (isServerPath(pathname) || !wantsHtml(request)) {
        return reply
          .status(404)
          .send(errorBody('route_not_found', `No route for ${request.method} ${pathname}`));
      }
      return sendIndex(ctx, reply);
    },
  }),
];
