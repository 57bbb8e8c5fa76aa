import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { idSchema, originSchema } from '@parley/shared';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { accounts, inboxes } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { settingsOf } from '../inboxes/presenter.ts';
import { loadInbox } from '../visitors/session.ts';
import { demoPage, demoPageCsp, noDemoPage } from './demo-page.ts';

/** Where `npm run build` puts the widget (packages/widget/dist). */
export const widgetDist = fileURLToPath(new URL('../../../../../packages/widget/dist/', import.meta.url));

interface WidgetBuild {
  version: number;
  loader: Buffer;
  loaderEtag: string;
  frameHtml: Buffer;
  assets: Map<string, { body: Buffer; type: string }>;
}

const assetTypes: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const manifestSchema = z.object({
  loader: z.string(),
  frame: z.string(),
  assets: z.array(z.string().regex(/^[a-z0-9.-]{1,100}$/)),
});

const notBuilt = () =>
  new AppError(
    'service_unavailable',
    503,
    'The chat widget is not built: run `npm run build` on the server, then reload',
    { headers: { 'retry-after': '30', 'cache-control': 'no-store' } },
  );

/**
 * Reads the built widget once and again whenever manifest.json changes (a rebuild), so requests are
 * served from memory. A missing build is a 503 with a clear message, not a crash.
 */
function buildReader(dist: string): () => Promise<WidgetBuild> {
  let cached: WidgetBuild | null = null;
  return async () => {
    const manifestPath = path.join(dist, 'manifest.json');
    let version: number;
    try {
      version = (await stat(manifestPath)).mtimeMs;
    } catch {
      throw notBuilt();
    }
    if (cached && cached.version === version) return cached;
    try {
      const manifest = manifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
      const loader = await readFile(path.join(dist, manifest.loader));
      const frameHtml = await readFile(path.join(dist, manifest.frame));
      const assets = new Map<string, { body: Buffer; type: string }>();
      for (const name of manifest.assets) {
        const type = assetTypes[path.extname(name)];
        if (type) assets.set(name, { body: await readFile(path.join(dist, 'assets', name)), type });
      }
      const loaderEtag = `"${createHash('sha256').update(loader).digest('base64url').slice(0, 22)}"`;
      cached = { version, loader, loaderEtag, frameHtml, assets };
      return cached;
    } catch {
      throw notBuilt();
    }
  };
}

const socketOrigin = (publicUrl: string) => {
  const url = new URL(publicUrl);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
};

/**
 * The iframe's policy: only its own scripts and styles, its own API and socket, and — the point of it —
 * framed only by the sites the inbox lists (and Parley's own origin, for the demo page).
 */
export function frameCsp(publicUrl: string, ancestors: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    // Video and audio attachments play from the server's own (signed) file addresses.
    "media-src 'self'",
    "font-src 'self'",
    `connect-src 'self' ${socketOrigin(publicUrl)}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors 'self' ${[...new Set(ancestors)].join(' ')}`.trim(),
  ].join('; ');
}

function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  return typeof header === 'string' && header.split(',').some((tag) => tag.trim() === etag);
}

async function demoInboxId(ctx: AppContext): Promise<string | null> {
  const [row] = await ctx.database.db
    .select({ id: inboxes.id })
    .from(inboxes)
    .innerJoin(accounts, eq(accounts.id, inboxes.accountId))
    .where(and(eq(accounts.name, 'Parley Demo'), eq(inboxes.channelType, 'web')))
    .orderBy(asc(accounts.createdAt), asc(inboxes.createdAt))
    .limit(1);
  return row?.id ?? null;
}

function sendHtml(reply: FastifyReply, html: string, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** The widget's routes, reading the build from `dist` (a parameter so tests can point elsewhere). */
export function createWidgetRoutes(dist: string = widgetDist): AnyRoute[] {
  const load = buildReader(dist);
  return [
    defineRoute({
      method: 'GET',
      url: '/widget.js',
      auth: 'public',
      hidden: true,
      summary: 'The widget loader script that customer sites embed',
      tags: ['Widget'],
      produces: 'application/javascript',
      handler: async ({ request, reply }) => {
        const build = await load();
        reply
          .header('cache-control', 'public, max-age=300')
          .header('etag', build.loaderEtag)
          // Sites with Cross-Origin-Embedder-Policy may still load it.
          .header('cross-origin-resource-policy', 'cross-origin');
        if (notModified(request, build.loaderEtag)) return reply.status(304).send();
        return reply.type('application/javascript; charset=utf-8').send(build.loader);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/widget/frame',
      auth: 'public',
      hidden: true,
      summary: 'The chat iframe of an inbox',
      tags: ['Widget'],
      produces: 'text/html',
      query: z.strictObject({ inbox: idSchema, origin: originSchema.optional() }),
      handler: async ({ ctx, query, reply }) => {
        const build = await load();
        const inbox = await loadInbox(ctx, query.inbox);
        const ancestors = [...ctx.env.allowedOrigins, ...settingsOf(inbox).allowedOrigins];
        // The page says who embeds it; a site the inbox does not list gets no chat (frame-ancestors
        // enforces the same in the browser, whatever the page claims).
        if (query.origin && !ancestors.includes(query.origin)) {
          throw new AppError('origin_not_allowed', 403, 'This site is not allowed to use this inbox');
        }
        return reply
          .header('content-security-policy', frameCsp(ctx.env.PUBLIC_URL, ancestors))
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(build.frameHtml);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/widget/assets/:file',
      auth: 'public',
      hidden: true,
      summary: 'Scripts and styles of the chat iframe (content-hashed names)',
      tags: ['Widget'],
      params: z.strictObject({ file: z.string().regex(/^[a-z0-9.-]{1,100}$/) }),
      handler: async ({ params, reply }) => {
        const build = await load();
        const asset = build.assets.get(params.file);
        if (!asset) throw new AppError('not_found', 404, 'No such widget asset');
        return reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(asset.type)
          .send(asset.body);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/demo',
      auth: 'public',
      hidden: true,
      summary: 'A sample company website with the demo inbox’s widget',
      tags: ['Widget'],
      produces: 'text/html',
      handler: async ({ ctx, reply }) => {
        const inboxId = await demoInboxId(ctx);
        if (!inboxId) return sendHtml(reply.status(404), noDemoPage, demoPageCsp(ctx.env.PUBLIC_URL));
        return sendHtml(reply, demoPage(inboxId), demoPageCsp(ctx.env.PUBLIC_URL));
      },
    }),
  ];
}

/** Widget loader, iframe app and demo page (see packages/widget). */
export const widgetRoutes: AnyRoute[] = createWidgetRoutes();
