import type { AttachmentUrl } from '@parley/shared';
import { hmacBase64Url, safeEqual } from '../../lib/crypto.ts';

/** Long enough to load a page of images and start a video; a later view asks for a fresh address. */
export const SIGNED_URL_TTL_MS = 10 * 60_000;

const mac = (secret: string, attachmentId: string, expires: number) =>
  hmacBase64Url(`attachment-url:${secret}`, `${attachmentId}.${expires}`);

/**
 * An address that serves one file until it expires, without credentials: the widget authenticates
 * with a bearer token, which an <img> or <video> cannot send. Relative to the server's origin.
 */
export function signFileUrl(secret: string, attachmentId: string, now: Date): AttachmentUrl {
  const expires = Math.floor((now.getTime() + SIGNED_URL_TTL_MS) / 1000);
  const signature = mac(secret, attachmentId, expires);
  return {
    url: `/api/files/${attachmentId}?expires=${expires}&signature=${signature}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

export function verifyFileSignature(
  secret: string,
  attachmentId: string,
  expires: number,
  signature: string,
  now: Date,
): boolean {
  if (expires * 1000 <= now.getTime()) return false;
  return safeEqual(mac(secret, attachmentId, expires), signature);
}
