import { errorBodySchema } from '@parley/shared';
import { z } from 'zod';
import type { AnyRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersFor(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const exampleOf = (example: unknown): JsonSchema => (example === undefined ? {} : { example });

const idempotencyKeyParameter: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Retry safely: the same key with the same request replays the first answer (header Idempotent-Replayed: true); with another request it is 422 idempotency_key_reused. Kept for 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const securityFor: Record<AnyRoute['auth'], JsonSchema[]> = {
  public: [],
  session: [{ sessionCookie: [] }],
  account: [{ sessionCookie: [] }, { apiToken: [] }],
  visitor: [{ visitorToken: [] }],
  api: [{ apiToken: [] }],
};

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function buildOpenApi(routes: AnyRoute[], serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const errorSchema = toSchema(errorBodySchema, 'output');
  for (const route of routes) {
    if (route.hidden) continue;
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const status = String(route.status ?? 200);
    const responses: Record<string, JsonSchema> = {
      [status]: {
        description: 'Success',
        ...(route.response
          ? {
              content: {
                'application/json': {
                  schema: toSchema(route.response, 'output'),
                  ...exampleOf(route.example?.response),
                },
              },
            }
          : route.produces
            ? { content: { [route.produces]: { schema: { type: 'string' } } } }
            : {}),
      },
      '4XX': {
        description: 'Client error with a stable code',
        content: { 'application/json': { schema: errorSchema } },
      },
    };
    const operation: JsonSchema = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      tags: route.tags,
      security: securityFor[route.auth],
      parameters: [
        ...parametersFor(route.params, 'path'),
        ...parametersFor(route.query, 'query'),
        ...(route.idempotent ? [idempotencyKeyParameter] : []),
      ],
      responses,
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': { schema: toSchema(route.body, 'input'), ...exampleOf(route.example?.request) },
        },
      };
    }
    if (route.rawBody) {
      // Uploads take the file itself as the body, in any Content-Type.
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley API',
      version: '0.1.0',
      description:
        'Public API under /api/v1 (an API token: `Authorization: Bearer pat_…`, limited to its scopes; 403 insufficient_scope names the missing one; per-token rate limit with 429 and Retry-After; POSTs accept Idempotency-Key), agent API (session cookie with X-CSRF-Token, or an API token), Client API for visitors (visitor token) and operations endpoints. Errors always carry a stable `error.code`.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
        apiToken: { type: 'http', scheme: 'bearer', description: 'An account API token (pat_…)' },
        visitorToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A visitor token (vt1.…) from the Client API',
        },
      },
    },
    paths,
  };
}
