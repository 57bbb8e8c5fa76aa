import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { buildOpenApi } from '../../http/openapi.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { safeEqual } from '../../lib/crypto.ts';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const docsAssets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const docsHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div><script src="/api/docs/swagger-ui-bundle.js"></script><script src="/api/docs/init.js"></script></body></html>`;
const docsInit = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true });`;

/** Operations endpoints, the OpenAPI document and its browsable docs. */
export function systemRoutes(allRoutes: () => AnyRoute[]): AnyRoute[] {
  let openapi: Record<string, unknown> | null = null;
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      auth: 'public',
      summary: 'Liveness: the process is up',
      tags: ['Operations'],
      response: z.object({ status: z.literal('ok') }),
      handler: async () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      auth: 'public',
      summary:
        'Readiness: database reachable (503 if not); Redis reported as degraded when configured and down',
      tags: ['Operations'],
      response: z.object({
        status: z.enum(['ok', 'degraded', 'unavailable']),
        checks: z.object({
          database: z.enum(['ok', 'down']),
          redis: z.enum(['ok', 'down', 'not_configured']),
        }),
      }),
      handler: async ({ ctx, reply }) => {
        const database = await ctx.database.ping().then(
          () => 'ok' as const,
          () => 'down' as const,
        );
        const redis =
          ctx.bus.kind === 'memory'
            ? ('not_configured' as const)
            : ctx.bus.healthy
              ? ('ok' as const)
              : ('down' as const);
        const status = database === 'down' ? 'unavailable' : redis === 'down' ? 'degraded' : 'ok';
        if (database === 'down') reply.status(503);
        return reply.send({ status, checks: { database, redis } });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      auth: 'public',
      summary: 'Prometheus metrics of this node (Bearer METRICS_TOKEN when the operator sets one)',
      tags: ['Operations'],
      produces: 'text/plain',
      handler: async ({ ctx, reply, request }) => {
        const expected = ctx.env.METRICS_TOKEN;
        if (expected && !safeEqual(request.headers.authorization ?? '', `Bearer ${expected}`)) {
          throw new AppError('unauthenticated', 401, 'Metrics need the metrics token');
        }
        reply.header('content-type', ctx.metrics.registry.contentType);
        return reply.send(await ctx.metrics.registry.metrics());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/openapi.json',
      auth: 'public',
      summary: 'This OpenAPI 3.1 document',
      tags: ['Operations'],
      handler: async ({ ctx }) => {
        openapi ??= buildOpenApi(allRoutes(), ctx.env.PUBLIC_URL);
        return openapi;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/docs',
      auth: 'public',
      hidden: true,
      summary: 'API documentation',
      tags: ['Operations'],
      handler: async ({ reply }) => reply.type('text/html; charset=utf-8').send(docsHtml),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/docs/:asset',
      auth: 'public',
      hidden: true,
      summary: 'API documentation assets',
      tags: ['Operations'],
      params: z.strictObject({ asset: z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) }),
      handler: async ({ params, reply }) => {
        reply.header('cache-control', 'public, max-age=3600');
        if (params.asset === 'init.js')
          return reply.type('application/javascript; charset=utf-8').send(docsInit);
        const type = docsAssets[params.asset] ?? 'application/octet-stream';
        return reply.type(type).send(await readFile(path.join(swaggerDir, params.asset)));
      },
    }),
  ];
}
