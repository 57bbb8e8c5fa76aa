import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing: the secret is `whsec_` + base64 key bytes; each signature is
 * `v1,` + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")). During a secret rotation
 * both secrets sign, space-separated in one header, so receivers can switch at their own pace.
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export function signatureOf(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

export function signatureHeader(
  secrets: string[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets.map((secret) => signatureOf(secret, id, timestampSeconds, body)).join(' ');
}
