import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  /** The request path: tests give each endpoint its own. */
  path: string;
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  headers: IncomingHttpHeaders;
}

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

/**
 * An HTTP server on loopback that records webhook requests. What it answers is decided per request by
 * `answer` (500s to force retries, redirects, slow answers); by default 200.
 */
export async function startWebhookReceiver() {
  const received: ReceivedHook[] = [];
  let answer: (hook: ReceivedHook) => Answer = () => ({ status: 200, body: 'ok' });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hook: ReceivedHook = {
        path: request.url ?? '',
        id: String(request.headers['webhook-id'] ?? ''),
        timestamp: String(request.headers['webhook-timestamp'] ?? ''),
        signatures: String(request.headers['webhook-signature'] ?? '')
          .split(' ')
          .filter(Boolean),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
      };
      received.push(hook);
      const a = answer(hook);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(a.status, a.headers ?? {});
        response.end(a.body ?? '');
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answerWith(fn: (hook: ReceivedHook) => Answer) {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a Standard Webhooks signature the way a receiver would, written independently of the
 * server's signing code: base64 HMAC-SHA256 over "id.timestamp.body" with the secret's key bytes.
 */
export function signedWith(secret: string, hook: ReceivedHook): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${hook.id}.${hook.timestamp}.${hook.body}`)
    .digest('base64');
  return hook.signatures.includes(`v1,${expected}`);
}
