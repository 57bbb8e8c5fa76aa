import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { ByteRange, FileStorage } from '../../storage/storage.ts';
import { servedInline } from './detect.ts';
import { contentDisposition } from './names.ts';
import type { AttachmentRow } from './presenter.ts';

/**
 * One `bytes=` range (the only form players and browsers send for media): `a-b`, `a-` or `-n`.
 * Null when there is no usable header (serve everything); 'unsatisfiable' past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sends a stored file so that it can never act as a page of ours: the detected type only (dangerous
 * ones were stored as application/octet-stream), no sniffing, a sandboxing CSP with nothing allowed,
 * and `inline` only for images, video and audio a browser just displays — everything else downloads.
 */
export async function sendAttachment(
  request: FastifyRequest,
  reply: FastifyReply,
  storage: FileStorage,
  row: AttachmentRow,
  options: { download: boolean; cacheSeconds: number },
): Promise<FastifyReply> {
  const inline = !options.download && servedInline(row.contentType);
  const range = parseRange(request.headers.range, row.byteSize);
  if (range === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${row.byteSize}`)
      .send({ error: { code: 'validation_failed', message: 'The requested range is outside the file' } });
  }
  let stream: Awaited<ReturnType<FileStorage['read']>>;
  try {
    stream = await storage.read(row.storageKey, range ?? undefined);
  } catch (error) {
    request.log.warn({ err: error, attachmentId: row.id }, 'stored file missing or unreadable');
    throw new AppError('attachment_not_found', 404, 'Attachment not found');
  }
  reply
    .header('content-type', row.contentType)
    .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', row.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', `private, max-age=${options.cacheSeconds}`)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${row.sha256.slice(0, 32)}"`);
  if (range) {
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${row.byteSize}`)
      .header('content-length', String(range.end - range.start + 1));
  } else {
    reply.status(200).header('content-length', String(row.byteSize));
  }
  return reply.send(stream);
}
