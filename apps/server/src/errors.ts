import type { ErrorBody, ErrorCode } from '@parley/shared';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';

/** An error the client can act on: a stable code, an HTTP status and a human message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (code: ErrorCode, what: string) => new AppError(code, 404, `${what} not found`);
export const forbidden = (message = 'You may not do this') => new AppError('forbidden', 403, message);
export const unauthenticated = (message = 'Authentication required') =>
  new AppError('unauthenticated', 401, message);
export const conflict = (code: ErrorCode, message: string) => new AppError(code, 409, message);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 429, 'Too many requests; try again later', {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    details: { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) },
  });

export function validationError(error: ZodError, where: string): AppError {
  return new AppError('validation_failed', 400, `Invalid ${where}`, {
    details: error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
      code: i.code,
    })),
  });
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Maps framework errors (body parsing, limits) to our codes. Anything unknown is a 500 and is logged. */
function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const fe = error as Partial<FastifyError> & { type?: string };
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 400, 'The request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 413, 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 415, 'Send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', 400, 'The body length does not match Content-Length');
    case 'FST_ERR_BAD_URL':
      return new AppError('validation_failed', 400, 'The URL is not validly encoded');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('route_not_found', 404, 'No such route');
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new AppError('unsupported_media_type', 415, 'Send a Content-Type header');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('unsupported_media_type', 415, 'Unsupported Content-Type');
  }
  if (error instanceof SyntaxError)
    return new AppError('invalid_json', 400, 'The request body is not valid JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('payload_too_large', 413, 'The request body is too large');
    if (fe.statusCode === 415) return new AppError('unsupported_media_type', 415, 'Unsupported Content-Type');
    return new AppError('validation_failed', 400, 'The request could not be read');
  }
  return null;
}

/**
 * Database errors arrive wrapped (the query builder puts the driver's error in `cause`); the SQLSTATE
 * of the innermost error that has one decides how we answer.
 */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Errors the database raised because of what the client sent. Validation should catch these first;
 * this is the safety net that keeps a value the schemas missed from becoming a 500.
 */
function fromDatabase(error: unknown): AppError | null {
  const state = sqlStateOf(error);
  if (!state) return null;
  // Class 22: data exceptions (out-of-range numbers, malformed values, NUL in text).
  if (state.startsWith('22')) {
    return new AppError('validation_failed', 400, 'A value in the request is out of range or malformed');
  }
  // Unique violations and serialization failures: another request changed the same thing first.
  if (state === '23505' || state === '40001' || state === '40P01') {
    return new AppError('conflict', 409, 'A concurrent change got there first; retry');
  }
  return null;
}

/** The one place errors become HTTP responses. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(error) ?? fromDatabase(error);
  if (appError) {
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (!(error instanceof AppError) && sqlStateOf(error)) {
      request.log.warn({ err: error }, 'database refused a request value');
    }
    void reply
      .status(appError.status)
      .headers(appError.headers)
      .send(errorBody(appError.code, appError.message, appError.details));
    return;
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    void reply
      .status(503)
      .header('retry-after', '5')
      .send(errorBody('service_unavailable', 'The database is unavailable; retry shortly'));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(errorBody('internal_error', 'Something went wrong on our side'));
}

/** Connection refused, server shutting down or restarting, connection lost or not established. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqlStateOf(error);
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '08006' ||
    code === '08001' ||
    code === '08003'
  );
}
