import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assertCan, type PolicyName } from '../auth/policies.ts';
import {
  type AccountActor,
  type AgentPrincipal,
  accountActor,
  type Principal,
  resolvePrincipal,
  SESSION_COOKIE,
  type VisitorPrincipal,
} from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { AppError, unauthenticated, validationError } from '../errors.ts';
import { safeEqual } from '../lib/crypto.ts';

/**
 * How a route authenticates. Every route declares one; `public` is an explicit marker, checked by a
 * test that walks all routes.
 */
export type AuthKind = 'public' | 'session' | 'account' | 'visitor' | 'api';

type AuthFor<K extends AuthKind> = K extends 'public'
  ? { principal: Principal; actor: null }
  : K extends 'session'
    ? { principal: AgentPrincipal; actor: null }
    : K extends 'account' | 'api'
      ? { principal: Principal; actor: AccountActor }
      : { principal: VisitorPrincipal; actor: VisitorPrincipal };

export interface RateLimitRule {
  key: string;
  limit: number;
  windowMs: number;
}

export interface RouteInput<K extends AuthKind, P, Q, B> {
  ctx: AppContext;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
  principal: AuthFor<K>['principal'];
  actor: AuthFor<K>['actor'];
}

export interface RouteSpec<K extends AuthKind = AuthKind, P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  auth: K;
  /**
   * Required for account and api routes: the function-level policy checked before the handler runs.
   * `api` routes (the public API under /api/v1) take their account from the API token, so their URLs
   * carry no account id; a dashboard session cannot call them.
   */
  policy?: PolicyName;
  summary: string;
  tags: string[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response?: z.ZodType;
  status?: number;
  /** Content type of the response when it is not JSON (shown in the OpenAPI document). */
  produces?: string;
  /** Hidden routes (docs UI assets) stay out of the OpenAPI document. */
  hidden?: boolean;
  /**
   * The handler reads the request body itself as a stream (`request.body`), whatever its type and past
   * the global body limit: file uploads, which enforce their own limit (see registerRawBodyRoutes).
   */
  rawBody?: boolean;
  /** Shown in the OpenAPI document beside the request body and the success response. */
  example?: { request?: unknown; response?: unknown };
  /** Set by `idempotent()` (http/idempotency.ts): the route honours an Idempotency-Key header. */
  idempotent?: boolean;
  rateLimit?: (request: FastifyRequest, body: B) => RateLimitRule[];
  handler: (input: RouteInput<K, P, Q, B>) => Promise<unknown>;
}

/** Identity function that checks a route definition against its auth kind and schemas. */
export function defineRoute<
  K extends AuthKind,
  P = Record<string, never>,
  Q = Record<string, never>,
  B = undefined,
>(spec: RouteSpec<K, P, Q, B>): RouteSpec<K, P, Q, B> {
  return spec;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes; each was checked by defineRoute.
export type AnyRoute = RouteSpec<AuthKind, any, any, any>;

export const emptyObject = z.strictObject({});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * PostgreSQL cannot store NUL in text or JSON, and no legitimate client sends it; refusing it here
 * keeps every route (and every future one) from turning it into a database error.
 */
function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  if (containsNul(value)) {
    throw new AppError('validation_failed', 400, `Invalid ${where}: text may not contain NUL characters`);
  }
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * Public routes need no credentials, so a stale cookie or a revoked token must not break them: a
 * credential that does not resolve is simply ignored there.
 */
async function principalOf(ctx: AppContext, request: FastifyRequest, auth: AuthKind): Promise<Principal> {
  const credentials = () => ({ sessionCookie: request.cookies[SESSION_COOKIE], bearer: bearerOf(request) });
  if (auth !== 'public') return resolvePrincipal(ctx, credentials());
  try {
    return await resolvePrincipal(ctx, credentials());
  } catch (error) {
    if (error instanceof AppError && error.status === 401) return { kind: 'anonymous' };
    throw error;
  }
}

/**
 * Registers routes with the order every handler follows: auth → validate → rate limit → handler.
 * Authentication comes first so that a caller without credentials learns nothing about a route's
 * inputs (every protected route answers 401 alike); rate limits follow validation because some
 * limits are keyed by a validated field (the e-mail of a login).
 */
export function registerRoutes(app: FastifyInstance, ctx: AppContext, routes: AnyRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const principal = await principalOf(ctx, request, route.auth);
        let actor: AccountActor | VisitorPrincipal | null = null;
        if (route.auth === 'session') {
          if (principal.kind !== 'agent') throw unauthenticated();
        } else if (route.auth === 'visitor') {
          if (principal.kind !== 'visitor') throw unauthenticated('A visitor token is required');
          actor = principal;
        } else if (route.auth === 'account') {
          if (principal.kind === 'anonymous' || principal.kind === 'visitor') throw unauthenticated();
        } else if (route.auth === 'api') {
          if (principal.kind !== 'token') {
            throw unauthenticated('The public API needs an API token: "Authorization: Bearer <token>"');
          }
        }
        // Only routes that act with the agent's authority need CSRF protection; public routes
        // (login, setup) do not use the session even when a cookie comes along.
        if (principal.kind === 'agent' && route.auth !== 'public' && UNSAFE.has(route.method)) {
          checkCsrf(ctx, request, principal);
        }
        if (route.auth === 'account') {
          const accountId = z.uuid().safeParse((request.params as Record<string, unknown>).accountId);
          if (!accountId.success) throw new AppError('account_not_found', 404, 'Account not found');
          const accountScoped = await accountActor(ctx, principal, accountId.data);
          if (route.policy) assertCan(accountScoped, route.policy);
          actor = accountScoped;
        } else if (route.auth === 'api' && principal.kind === 'token') {
          // Per token, before validation: malformed requests count too.
          if (ctx.env.RATE_LIMITS === 'on') {
            ctx.rateLimiter.hit(`api:${principal.tokenId}`, ctx.env.API_RATE_LIMIT_PER_MINUTE, 60_000);
          }
          const tokenActor = await accountActor(ctx, principal, principal.accountId);
          if (route.policy) assertCan(tokenActor, route.policy);
          actor = tokenActor;
        }
        const params = parse(route.params, request.params, 'path parameters');
        const query = parse(route.query, request.query, 'query string');
        const body = parse(route.body, route.method === 'GET' ? undefined : request.body, 'body');
        if (route.rateLimit && ctx.env.RATE_LIMITS === 'on') {
          for (const rule of route.rateLimit(request, body))
            ctx.rateLimiter.hit(rule.key, rule.limit, rule.windowMs);
        }
        const result = await route.handler({
          ctx,
          params,
          query,
          body,
          request,
          reply,
          principal: principal as never,
          actor: actor as never,
        });
        if (reply.sent) return reply;
        reply.status(route.status ?? 200);
        return result;
      },
    });
  }
}

/**
 * Routes that stream their body (uploads) live in their own encapsulated context, whose only parser
 * hands the request stream to the handler unread: no JSON parsing and no global body limit there,
 * while every other route keeps both.
 */
export async function registerRawBodyRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  routes: AnyRoute[],
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    registerRoutes(scope, ctx, routes);
  });
}

/** Cookie-authenticated writes must echo the session's CSRF token and come from an allowed origin. */
function checkCsrf(ctx: AppContext, request: FastifyRequest, principal: AgentPrincipal): void {
  if (request.headers.authorization) return;
  const origin = request.headers.origin;
  if (origin && !ctx.env.allowedOrigins.includes(origin)) {
    throw new AppError('csrf_failed', 403, 'Cross-origin request refused');
  }
  const token = request.headers['x-csrf-token'];
  if (typeof token !== 'string' || !safeEqual(token, principal.csrfToken)) {
    throw new AppError('csrf_failed', 403, 'Missing or wrong X-CSRF-Token header');
  }
}
