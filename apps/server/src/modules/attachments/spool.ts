import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';

export function tooLarge(limit: number): AppError {
  return new AppError(
    'attachment_too_large',
    413,
    `The file is larger than the limit of ${formatBytes(limit)} (${limit} bytes)`,
    { details: { maxBytes: limit } },
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Counts and hashes the bytes going through, and fails the stream as soon as they pass the limit. */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  private readonly limit: number;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      done(tooLarge(this.limit));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

export interface Spooled {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Streams a request body to a file in the spool directory, never holding more than a chunk in memory.
 * Refused (too large, aborted) uploads leave nothing behind. The request itself is not destroyed on
 * refusal, so the 413 can still be sent; Node discards the rest of the body once the answer is out.
 */
export async function spoolUpload(body: Readable, spoolDir: string, limit: number): Promise<Spooled> {
  await mkdir(spoolDir, { recursive: true });
  const file = path.join(spoolDir, `${newId()}.part`);
  const meter = new Meter(limit);
  const onAbort = () => meter.destroy(new Error('upload aborted'));
  body.once('error', onAbort);
  body.once('aborted', onAbort);
  const written = pipeline(meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  body.pipe(meter);
  try {
    await written;
  } catch (error) {
    body.unpipe(meter);
    await rm(file, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('validation_failed', 400, 'The upload was interrupted');
  } finally {
    body.off('error', onAbort);
    body.off('aborted', onAbort);
  }
  return { path: file, size: meter.size, sha256: meter.hash.digest('hex') };
}
