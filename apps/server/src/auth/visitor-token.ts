import { hmacBase64Url, safeEqual } from '../lib/crypto.ts';

export interface VisitorClaims {
  /** contact identity id */
  identityId: string;
  contactId: string;
  inboxId: string;
  accountId: string;
  issuedAt: number;
}

const PREFIX = 'vt1';

/**
 * A visitor token is `vt1.<claims>.<mac>`, signed with a key derived from SECRET_KEY. The server also
 * checks on every use that the identity still exists, so deleting it revokes the token.
 */
export function signVisitorToken(secret: string, claims: VisitorClaims): string {
  const body = Buffer.from(
    JSON.stringify([claims.identityId, claims.contactId, claims.inboxId, claims.accountId, claims.issuedAt]),
  ).toString('base64url');
  return `${PREFIX}.${body}.${hmacBase64Url(`visitor:${secret}`, `${PREFIX}.${body}`)}`;
}

export function verifyVisitorToken(secret: string, token: string): VisitorClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return null;
  const expected = hmacBase64Url(`visitor:${secret}`, `${PREFIX}.${parts[1]}`);
  if (!safeEqual(expected, parts[2])) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 5) return null;
    const [identityId, contactId, inboxId, accountId, issuedAt] = decoded as unknown[];
    if (
      typeof identityId !== 'string' ||
      typeof contactId !== 'string' ||
      typeof inboxId !== 'string' ||
      typeof accountId !== 'string' ||
      typeof issuedAt !== 'number'
    ) {
      return null;
    }
    return { identityId, contactId, inboxId, accountId, issuedAt };
  } catch {
    return null;
  }
}

export const isVisitorToken = (token: string) => token.startsWith(`${PREFIX}.`);
