import { hmacHex } from '../../lib/crypto.ts';

/**
 * The key a webhook bot verifies signatures with, per inbox. It is derived from the server secret and
 * never stored, so no table or settings reader can leak it; rotating bumps `version`.
 */
export const botWebhookSecret = (serverSecret: string, inboxId: string, version: number): string =>
  `pbs_${hmacHex(serverSecret, `parley-bot-webhook:${inboxId}:${version}`)}`;
