import { attachmentSchema, attachmentUploadQuerySchema, attachmentUrlSchema, idSchema } from '@parley/shared';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { defineRoute, emptyObject } from '../../http/route.ts';
import { uploadAttachment } from './commands.ts';
import { findAttachment, findReadableAttachment } from './queries.ts';
import { sendAttachment } from './serve.ts';
import { SIGNED_URL_TTL_MS, signFileUrl, verifyFileSignature } from './signed-url.ts';
import { storageOf } from './store.ts';

const MINUTE = 60_000;
const agentUploadParams = z.strictObject({ accountId: idSchema, conversationId: idSchema });
const visitorUploadParams = z.strictObject({ conversationId: idSchema });
const agentFileParams = z.strictObject({ accountId: idSchema, attachmentId: idSchema });
const fileParams = z.strictObject({ attachmentId: idSchema });
const downloadQuery = z.strictObject({ download: z.enum(['1']).optional() });
const signedQuery = z.strictObject({
  expires: z.coerce.number().int().min(0).max(4_102_444_800),
  signature: z.string().min(1).max(100),
});
const limitsSchema = z.object({ maxBytes: z.number().int() });
const uploadResponse = z.object({ attachment: attachmentSchema });

const UPLOAD_SUMMARY =
  'Upload a file as the raw body (any Content-Type; name in ?name= or an X-File-Name header, ' +
  'percent-encoded). The type comes from the bytes. 413 attachment_too_large over the limit';

/** The uploader's name for the file: `?name=`, else the X-File-Name header (percent-encoded UTF-8). */
function fileNameOf(request: FastifyRequest, query: { name?: string | undefined }): string | undefined {
  if (query.name !== undefined) return query.name;
  const header = request.headers['x-file-name'];
  if (typeof header !== 'string') return undefined;
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}

function declaredLength(request: FastifyRequest): number | null {
  const header = request.headers['content-length'];
  const value = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(value) ? value : null;
}

/**
 * Files in conversations: uploaded first (agents and visitors), then sent as a message of kind
 * `attachment` naming their ids, and served only to those who may read the conversation.
 */
export const attachmentRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:conversationId/attachments',
    auth: 'account',
    policy: 'attachment.upload',
    rawBody: true,
    summary: `${UPLOAD_SUMMARY}; then send it with attachmentIds in a message`,
    tags: ['Attachments'],
    params: agentUploadParams,
    query: attachmentUploadQuerySchema,
    response: uploadResponse,
    status: 201,
    rateLimit: (request) => [{ key: `upload:${request.ip}`, limit: 120, windowMs: MINUTE }],
    handler: async ({ ctx, actor, params, query, request }) => ({
      attachment: await uploadAttachment(ctx, actor, {
        conversationId: params.conversationId,
        body: request.body,
        declaredLength: declaredLength(request),
        fileName: fileNameOf(request, query),
      }),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/attachments/limits',
    auth: 'account',
    policy: 'attachment.upload',
    summary: 'The largest file an upload may be, so clients can refuse before sending',
    tags: ['Attachments'],
    params: z.strictObject({ accountId: idSchema }),
    response: limitsSchema,
    handler: async ({ ctx }) => ({ maxBytes: ctx.env.ATTACHMENT_MAX_BYTES }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/attachments/:attachmentId',
    auth: 'account',
    policy: 'attachment.read',
    summary: 'Download a file of a conversation you may read (?download=1 forces a download)',
    tags: ['Attachments'],
    params: agentFileParams,
    query: downloadQuery,
    produces: 'application/octet-stream',
    handler: async ({ ctx, actor, params, query, request, reply }) => {
      const row = await findReadableAttachment(ctx.database.db, actor, params.attachmentId);
      return sendAttachment(request, reply, storageOf(ctx), row, {
        download: query.download === '1',
        cacheSeconds: 3600,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/conversations/:conversationId/attachments',
    auth: 'visitor',
    rawBody: true,
    summary: `${UPLOAD_SUMMARY}; then send it with attachmentIds in a message`,
    tags: ['Client API'],
    params: visitorUploadParams,
    query: attachmentUploadQuerySchema,
    response: uploadResponse,
    status: 201,
    rateLimit: (request) => [{ key: `visitor-upload:${request.ip}`, limit: 30, windowMs: MINUTE }],
    handler: async ({ ctx, actor, params, query, request }) => ({
      attachment: await uploadAttachment(ctx, actor, {
        conversationId: params.conversationId,
        body: request.body,
        declaredLength: declaredLength(request),
        fileName: fileNameOf(request, query),
      }),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/client/attachments/limits',
    auth: 'visitor',
    summary: 'The largest file an upload may be',
    tags: ['Client API'],
    query: emptyObject,
    response: limitsSchema,
    handler: async ({ ctx }) => ({ maxBytes: ctx.env.ATTACHMENT_MAX_BYTES }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/client/attachments/:attachmentId/url',
    auth: 'visitor',
    summary: 'A short-lived address of a file of your conversation, for <img>, <video> and downloads',
    tags: ['Client API'],
    params: fileParams,
    query: emptyObject,
    response: attachmentUrlSchema,
    rateLimit: (request) => [{ key: `visitor-file-url:${request.ip}`, limit: 300, windowMs: MINUTE }],
    handler: async ({ ctx, actor, params, reply }) => {
      const row = await findReadableAttachment(ctx.database.db, actor, params.attachmentId);
      reply.header('cache-control', 'no-store');
      return signFileUrl(ctx.env.SECRET_KEY, row.id, ctx.now());
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/files/:attachmentId',
    auth: 'public',
    summary: 'A file by its signed address (from /api/client/attachments/{id}/url); 403 once expired',
    tags: ['Client API'],
    params: fileParams,
    query: signedQuery.extend({ download: z.enum(['1']).optional() }),
    produces: 'application/octet-stream',
    handler: async ({ ctx, params, query, request, reply }) => {
      const now = ctx.now();
      if (
        !verifyFileSignature(ctx.env.SECRET_KEY, params.attachmentId, query.expires, query.signature, now)
      ) {
        throw new AppError('forbidden', 403, 'This file address is invalid or has expired');
      }
      const row = await findAttachment(ctx.database.db, params.attachmentId);
      const left = Math.max(0, Math.floor((query.expires * 1000 - now.getTime()) / 1000));
      return sendAttachment(request, reply, storageOf(ctx), row, {
        download: query.download === '1',
        cacheSeconds: Math.min(left, SIGNED_URL_TTL_MS / 1000),
      });
    },
  }),
];
