import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { EMPTY_PAYLOAD_HASH, type SigV4Credentials, signRequest, uriEncode } from './sigv4.ts';
import { assertSafeKey, type ByteRange, type FileStorage, type SpooledFile } from './storage.ts';

export interface S3Options {
  bucket: string;
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 (MinIO). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  spoolDir: string;
  /** Tests pin the clock; the store accepts signatures within 15 minutes of its own time. */
  now?: () => Date;
}

/** An S3-compatible bucket, addressed path-style, every request signed with SigV4 and sent with fetch. */
export class S3Storage implements FileStorage {
  readonly kind = 's3' as const;
  readonly spoolDir: string;
  private readonly options: S3Options;
  private readonly credentials: SigV4Credentials;

  constructor(options: S3Options) {
    this.options = options;
    this.spoolDir = options.spoolDir;
    this.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: 's3',
    };
  }

  private urlOf(key: string): URL {
    assertSafeKey(key);
    const base = this.options.endpoint.replace(/\/+$/, '');
    return new URL(`${base}/${uriEncode(this.options.bucket)}/${key}`);
  }

  private headers(method: string, url: URL, payloadHash: string, extra: Record<string, string> = {}) {
    return signRequest({
      method,
      url,
      headers: extra,
      payloadHash,
      credentials: this.credentials,
      now: this.options.now?.() ?? new Date(),
    });
  }

  async put(key: string, file: SpooledFile): Promise<void> {
    const url = this.urlOf(key);
    try {
      // The whole payload is signed: its hash was taken while the upload streamed in.
      const headers = this.headers('PUT', url, file.sha256, {
        'content-length': String(file.size),
        'content-type': file.contentType,
      });
      const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
      const response = await fetch(url, { method: 'PUT', headers, body, duplex: 'half' } as RequestInit);
      if (!response.ok) throw await storeError('PUT', response);
      await response.body?.cancel();
    } finally {
      await rm(file.path, { force: true });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const url = this.urlOf(key);
    const extra: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const response = await fetch(url, { headers: this.headers('GET', url, EMPTY_PAYLOAD_HASH, extra) });
    if (!response.ok || !response.body) throw await storeError('GET', response);
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async remove(key: string): Promise<void> {
    const url = this.urlOf(key);
    const response = await fetch(url, {
      method: 'DELETE',
      headers: this.headers('DELETE', url, EMPTY_PAYLOAD_HASH),
    });
    // S3 answers 204 whether or not the object existed.
    if (!response.ok && response.status !== 404) throw await storeError('DELETE', response);
    await response.body?.cancel();
  }
}

async function storeError(method: string, response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? 'unknown';
  return new Error(`S3 ${method} failed: ${response.status} ${code}`);
}
