import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { trustProxyOf } from './env.ts';
import { errorBody, handleError } from './errors.ts';
import { registerRawBodyRoutes, registerRoutes } from './http/route.ts';
import { allRoutes } from './http/routes.ts';

/** The HTTP application: plugins, one error renderer, security headers, metrics and every route. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = ctx.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: ctx.env.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOf(ctx.env),
    // Keys such as __proto__ in JSON bodies are dropped instead of polluting prototypes.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors raised before routing (a badly percent-encoded URL) get the same error body as the rest.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
  });
  await app.register(cookie);

  // JSON is the only body the API reads. text/plain would let a cross-site form post without a CORS
  // preflight, so it is refused (415) like every other type. An empty body counts as no body, so
  // clients that always send Content-Type: application/json can call routes that take none.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorBody('route_not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    // A response that states its own frame-ancestors (the widget iframe) decides who may frame it.
    const csp = reply.getHeader('content-security-policy');
    const ownsFraming = typeof csp === 'string' && csp.includes('frame-ancestors');
    if (!reply.hasHeader('x-frame-options') && !ownsFraming) reply.header('x-frame-options', 'DENY');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  const routes = allRoutes();
  const parsed = routes.filter((route) => !route.rawBody);
  const streamed = routes.filter((route) => route.rawBody);
  registerRoutes(app, ctx, parsed);
  await registerRawBodyRoutes(app, ctx, streamed);
  return app;
}
