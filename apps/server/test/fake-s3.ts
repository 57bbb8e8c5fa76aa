import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny S3-compatible server for tests: path-style PUT, GET (with Range) and DELETE of objects in
 * one bucket, kept in memory. Like S3 it refuses every request whose SigV4 signature, payload hash or
 * date does not check out, and PUTs without a Content-Length. The signature check is written apart
 * from the server's signer (from the AWS documentation), so the two cannot share a mistake silently.
 */
export interface FakeS3 {
  url: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Every request, with the answer given: tests check what was refused and why. */
  log: Array<{ method: string; path: string; status: number; error?: string }>;
  close(): Promise<void>;
}

const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Returns null when the request is correctly signed, else the S3 error code to answer with. */
function checkSignature(
  request: IncomingMessage,
  body: Buffer,
  keys: { accessKeyId: string; secretAccessKey: string; region: string },
): string | null {
  const auth = request.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return 'AccessDenied';
  const [, accessKeyId, day, region, signedHeaders, signature] = match as unknown as string[];
  if (accessKeyId !== keys.accessKeyId) return 'InvalidAccessKeyId';
  if (region !== keys.region) return 'AuthorizationHeaderMalformed';
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) return 'AccessDenied';
  const sent = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs(Date.now() - sent) > 15 * 60_000) return 'RequestTimeTooSkewed';
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256Hex(body))
    return 'XAmzContentSHA256Mismatch';
  const names = (signedHeaders ?? '').split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!names.includes(required)) return 'AccessDenied';
  }
  const url = new URL(request.url ?? '/', 'http://fake');
  const canonicalPath = url.pathname
    .split('/')
    .map((s) => encode(decodeURIComponent(s)))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const headerLines = names.map((name) => {
    const raw = request.headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = `${request.method}\n${canonicalPath}\n${query}\n${headerLines.join('')}\n${signedHeaders}\n${payloadHash}`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${day}/${region}/s3/aws4_request\n${sha256Hex(canonical)}`;
  let key: Buffer = createHmac('sha256', `AWS4${keys.secretAccessKey}`)
    .update(day ?? '')
    .digest();
  for (const part of [region ?? '', 's3', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(signature ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : 'SignatureDoesNotMatch';
}

export async function startFakeS3(): Promise<FakeS3> {
  const keys = {
    accessKeyId: 'AKIDPARLEYTEST',
    secretAccessKey: 'parley/test+secret/key',
    region: 'eu-test-1',
  };
  const bucket = 'parley-files';
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const log: FakeS3['log'] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = new URL(request.url ?? '/', 'http://fake').pathname;
      const answer = (
        status: number,
        error?: string,
        payload?: Buffer,
        headers: Record<string, string> = {},
      ) => {
        log.push({ method: request.method ?? '', path, status, ...(error ? { error } : {}) });
        if (error) {
          response.writeHead(status, { 'content-type': 'application/xml' });
          response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error}</Code></Error>`);
          return;
        }
        response.writeHead(status, headers);
        response.end(payload);
      };
      const refused = checkSignature(request, body, keys);
      if (refused) return answer(403, refused);
      const prefix = `/${bucket}/`;
      if (!path.startsWith(prefix)) return answer(404, 'NoSuchBucket');
      const key = decodeURIComponent(path.slice(prefix.length));
      switch (request.method) {
        case 'PUT': {
          if (request.headers['content-length'] === undefined) return answer(411, 'MissingContentLength');
          objects.set(key, {
            body,
            contentType: String(request.headers['content-type'] ?? 'binary/octet-stream'),
          });
          return answer(200, undefined, undefined, { etag: `"${sha256Hex(body).slice(0, 32)}"` });
        }
        case 'GET': {
          const object = objects.get(key);
          if (!object) return answer(404, 'NoSuchKey');
          const range = /^bytes=(\d+)-(\d+)$/.exec(String(request.headers.range ?? ''));
          if (range) {
            const start = Number(range[1]);
            const end = Math.min(Number(range[2]), object.body.length - 1);
            return answer(206, undefined, object.body.subarray(start, end + 1), {
              'content-type': object.contentType,
              'content-range': `bytes ${start}-${end}/${object.body.length}`,
            });
          }
          return answer(200, undefined, object.body, { 'content-type': object.contentType });
        }
        case 'DELETE':
          objects.delete(key);
          return answer(204);
        default:
          return answer(405, 'MethodNotAllowed');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    ...keys,
    objects,
    log,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
