import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Outbound HTTP to addresses an account admin typed in (bot webhooks, webhook subscriptions). Such a URL must not become a
 * way into the server's own network (SSRF): loopback, private, link-local, carrier-grade NAT, cloud
 * metadata, multicast and reserved addresses are refused unless the operator allowlisted them
 * (BOT_WEBHOOK_ALLOWLIST). The check runs on the address the connection actually uses (inside the DNS
 * lookup of the request), so a name that resolves differently the second time (DNS rebinding) gains
 * nothing; redirects are never followed.
 */

const FORBIDDEN = new BlockList();
for (const [network, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, bits, 'ipv4');
}
for (const [network, bits] of [
  ['::', 128],
  ['::1', 128],
  // NAT64 and 6to4 addresses can carry any IPv4 address, private ones included (IPv4-mapped ones are
  // refused in addressAllowed: a BlockList would apply a ::ffff:0:0/96 rule to every IPv4 address).
  ['64:ff9b::', 96],
  ['2002::', 16],
  ['2001::', 32],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, bits, 'ipv6');
}

/** What the operator allows besides public addresses. */
export interface Allowlist {
  hosts: Set<string>;
  addresses: BlockList;
}

const NAMED_RANGES: Record<string, Array<[string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

export function parseAllowlist(value: string): Allowlist {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const named = NAMED_RANGES[entry];
    if (named) {
      for (const [network, bits, family] of named) addresses.addSubnet(network, bits, family);
      continue;
    }
    const [address, bits] = entry.split('/');
    const version = isIP(address ?? '');
    if (version !== 0 && address) {
      const family = version === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) addresses.addAddress(address, family);
      else addresses.addSubnet(address, Number(bits), family);
    } else {
      hosts.add(entry);
    }
  }
  return { hosts, addresses };
}

export class OutboundRefused extends Error {}

/** Whether a connection to `address` (resolved from `host`) is allowed. */
export function addressAllowed(address: string, host: string, allowlist: Allowlist): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (allowlist.hosts.has(host.toLowerCase()) || allowlist.addresses.check(address, family)) return true;
  if (version === 6 && isIpv4Mapped(address)) return false;
  return !FORBIDDEN.check(address, family);
}

/** ::ffff:a.b.c.d in any spelling (::ffff:7f00:1, 0:0:0:0:0:ffff:127.0.0.1…). */
function isIpv4Mapped(address: string): boolean {
  const lower = address.toLowerCase().replace(/%.*$/, '');
  const [head = '', tail = ''] = lower.includes('::') ? lower.split('::') : [lower, ''];
  const parts = (text: string) => (text === '' ? [] : text.split(':'));
  const left = parts(head);
  const right = parts(tail).flatMap((p) => (p.includes('.') ? ['v4', 'v4'] : [p]));
  const zeros = 8 - left.length - right.length;
  if (zeros < 0) return false;
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...right];
  return groups.slice(0, 5).every((g) => Number.parseInt(g, 16) === 0) && groups[5] === 'ffff';
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/** A DNS lookup that refuses the whole name if any of its addresses is forbidden. */
export function guardedLookup(allowlist: Allowlist): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) {
        callback(error, '', 4);
        return;
      }
      const list = addresses as LookupAddress[];
      const refused = list.find((a) => !addressAllowed(a.address, hostname, allowlist));
      if (refused || list.length === 0) {
        callback(new OutboundRefused(`${hostname} resolves to a forbidden address`), '', 4);
        return;
      }
      if (options.all) {
        (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, list);
      } else {
        const first = list[0] as LookupAddress;
        callback(null, first.address, first.family);
      }
    });
  };
}

/** Refuses a URL whose host is a literal forbidden address before any connection is tried. */
export function assertUrlAllowed(url: URL, allowlist: Allowlist): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused('only http(s) URLs');
  const host = bare(url.hostname);
  if (isIP(host) !== 0 && !addressAllowed(host, host, allowlist)) {
    throw new OutboundRefused(`${host} is a forbidden address`);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (!allowlist.hosts.has(host) && !allowlist.addresses.check('127.0.0.1', 'ipv4'))
      throw new OutboundRefused(`${host} is a forbidden address`);
  }
}

export interface OutboundResponse {
  status: number;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` and reads at most 64 KiB of the answer. Redirects are followed only when asked
 * (`maxRedirects`), only the method-keeping ones (307, 308), and each new location goes through the
 * same checks as the first URL — literal address, and the guarded lookup of the connection itself.
 */
export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { allowlist: Allowlist; timeoutMs: number; userAgent?: string; maxRedirects?: number },
): Promise<OutboundResponse> {
  const answer = await postOnce(new URL(rawUrl), body, headers, options);
  const redirectsLeft = options.maxRedirects ?? 0;
  if ((answer.status === 307 || answer.status === 308) && answer.location && redirectsLeft > 0) {
    const next = new URL(answer.location, rawUrl);
    return postJson(next.toString(), body, headers, { ...options, maxRedirects: redirectsLeft - 1 });
  }
  return { status: answer.status, body: answer.body };
}

async function postOnce(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { allowlist: Allowlist; timeoutMs: number; userAgent?: string },
): Promise<OutboundResponse & { location: string | undefined }> {
  assertUrlAllowed(url, options.allowlist);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': options.userAgent ?? 'Parley-Bot/1',
        },
        lookup: guardedLookup(options.allowlist),
        signal: AbortSignal.timeout(options.timeoutMs),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(new Error('the answer is larger than 64 KiB'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            location: response.headers.location,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
