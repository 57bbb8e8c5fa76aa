import type { ClientFrame, ServerFrame } from '@parley/shared';
import WebSocket from 'ws';

/** A WebSocket client for tests that records every frame and can wait for one. */
export class RealtimeClient {
  readonly frames: ServerFrame[] = [];
  private readonly ws: WebSocket;
  private waiters: Array<{ match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }> = [];
  closed: { code: number; reason: string } | null = null;
  private refCounter = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static connect(
    baseUrl: string,
    options: { cookie?: string; origin?: string } = {},
  ): Promise<RealtimeClient> {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.cookie = options.cookie;
    if (options.origin) headers.origin = options.origin;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/realtime`, { headers });
    const client = new RealtimeClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused: ${res.statusCode}`)),
      );
    });
  }

  nextRef(): string {
    this.refCounter += 1;
    return `r${this.refCounter}`;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor<T extends ServerFrame = ServerFrame>(
    match: (f: ServerFrame) => boolean,
    timeoutMs = 5_000,
  ): Promise<T> {
    const existing = this.frames.find(match);
    if (existing) return Promise.resolve(existing as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f as T);
        },
      });
    });
  }

  async auth(token: string): Promise<ServerFrame> {
    this.send({ type: 'auth', token });
    return this.waitFor((f) => f.type === 'ready' || f.type === 'error');
  }

  async subscribeConversation(conversationId: string, afterSeq = 0): Promise<ServerFrame> {
    const ref = this.nextRef();
    this.send({ type: 'subscribe', ref, topic: { kind: 'conversation', conversationId }, afterSeq });
    return this.waitFor(
      (f) =>
        ((f.type === 'subscribed' || f.type === 'error') && 'ref' in f && f.ref === ref) ||
        (f.type === 'resync_required' &&
          f.topic.kind === 'conversation' &&
          f.topic.conversationId === conversationId),
    );
  }

  messagesOf(conversationId: string) {
    return this.frames.flatMap((f) =>
      f.type === 'message' && f.conversationId === conversationId ? [f] : [],
    );
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
