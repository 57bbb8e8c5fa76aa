import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for requests with the signature in the Authorization header, as S3 and
 * S3-compatible stores (MinIO, R2, B2…) take it. Written out here because the whole of it is a few
 * hashes, and an SDK would be the server's largest dependency.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign besides host, x-amz-date and x-amz-content-sha256 (e.g. content-type, range). */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  credentials: SigV4Credentials;
  now: Date;
}

export const EMPTY_PAYLOAD_HASH = createHash('sha256').update('').digest('hex');

const hmac = (key: Buffer | string, value: string) => createHmac('sha256', key).update(value).digest();
const hex = (value: string) => createHash('sha256').update(value).digest('hex');

/** RFC 3986 encoding as SigV4 wants it: only unreserved characters stay as they are. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** S3 encodes each path segment once (no double encoding, unlike the other services). */
function canonicalUri(url: URL): string {
  return url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** `20130524T000000Z` and `20130524`. */
function stamps(now: Date): { amzDate: string; day: string } {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return { amzDate, day: amzDate.slice(0, 8) };
}

export function signingKey(credentials: SigV4Credentials, day: string): Buffer {
  const kDate = hmac(`AWS4${credentials.secretAccessKey}`, day);
  const kRegion = hmac(kDate, credentials.region);
  const kService = hmac(kRegion, credentials.service);
  return hmac(kService, 'aws4_request');
}

/**
 * The headers to send with the request: the given ones plus x-amz-date, x-amz-content-sha256 and
 * authorization. `host` is signed but not returned: fetch sets it from the URL, to the same value.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const { amzDate, day } = stamps(input.now);
  const all: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    all[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ');
  }
  all.host = input.url.host;
  all['x-amz-date'] = amzDate;
  all['x-amz-content-sha256'] = input.payloadHash;
  const names = Object.keys(all).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.url),
    canonicalQuery(input.url),
    `${names.map((name) => `${name}:${all[name]}`).join('\n')}\n`,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.credentials.region}/${input.credentials.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(input.credentials, day))
    .update(stringToSign)
    .digest('hex');
  const { host: _host, ...headers } = all;
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
