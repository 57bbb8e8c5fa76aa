import type { ClientFrame, ServerFrame } from '@parley/shared';

export type SocketStatus = 'idle' | 'connecting' | 'online' | 'offline';

export interface SocketHandlers {
  /** Authenticated: (re)subscribe everything from its cursor. */
  onReady(): void;
  onFrame(frame: ServerFrame): void;
  onStatus(status: SocketStatus): void;
  /** The token was refused: the session is gone. */
  onAuthFailed(): void;
}

const UNAUTHENTICATED = 4401;
const FORBIDDEN = 4403;
const RATE_LIMITED = 4429;
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

/** Exponential backoff with jitter, so a restarted server is not hit by every widget at once. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/**
 * One WebSocket to /realtime that keeps itself connected: authenticates with the visitor token,
 * reconnects with backoff (at once when the browser comes back online), and notices a dead
 * connection with its own pings.
 */
export class RealtimeSocket {
  private readonly url: string;
  private readonly token: () => string | null;
  private readonly handlers: SocketHandlers;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private authed = false;
  private stopped = true;
  status: SocketStatus = 'idle';

  constructor(url: string, token: () => string | null, handlers: SocketHandlers) {
    this.url = url;
    this.token = token;
    this.handlers = handlers;
    addEventListener('online', () => {
      if (!this.stopped && !this.ws) {
        this.attempt = 0;
        this.connect();
      }
    });
    addEventListener('offline', () => {
      if (!this.stopped) this.setStatus('offline');
    });
  }

  get ready(): boolean {
    return this.authed && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.authed = false;
    ws?.close(1000, 'bye');
    this.setStatus('idle');
  }

  /** Sends a frame if authenticated; false otherwise (the caller falls back to REST or waits). */
  send(frame: ClientFrame): boolean {
    if (!this.ready || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private setStatus(status: SocketStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private connect(): void {
    this.clearTimers();
    const token = this.token();
    if (this.stopped || !token) return;
    this.setStatus(this.attempt === 0 ? 'connecting' : 'offline');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.authed = false;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: 'auth', token } satisfies ClientFrame));
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(ws, frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.authed = false;
      this.clearTimers();
      if (this.stopped) return;
      if (event.code === UNAUTHENTICATED || event.code === FORBIDDEN) {
        this.stopped = true;
        this.setStatus('idle');
        this.handlers.onAuthFailed();
        return;
      }
      if (event.code === RATE_LIMITED) this.attempt = Math.max(this.attempt, 5);
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  private onFrame(ws: WebSocket, frame: ServerFrame): void {
    if (frame.type === 'ready') {
      this.authed = true;
      this.attempt = 0;
      this.setStatus('online');
      this.pingTimer = setInterval(() => this.heartbeat(ws), PING_EVERY_MS);
      this.handlers.onReady();
      return;
    }
    if (
      frame.type === 'error' &&
      !this.authed &&
      (frame.code === 'unauthenticated' || frame.code === 'origin_not_allowed')
    ) {
      this.stopped = true;
      this.ws = null;
      ws.close(1000, 'auth refused');
      this.setStatus('idle');
      this.handlers.onAuthFailed();
      return;
    }
    if (frame.type === 'reconnect') {
      // The node is going away: move to another one soon, not all clients in the same instant.
      this.ws = null;
      this.authed = false;
      ws.close(1000, 'reconnecting');
      this.clearTimers();
      this.attempt = 0;
      this.retryTimer = setTimeout(() => this.connect(), backoffDelay(1));
      this.setStatus('offline');
      return;
    }
    this.handlers.onFrame(frame);
  }

  private heartbeat(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (Date.now() - this.lastHeard > PING_EVERY_MS + PONG_TIMEOUT_MS) {
      // Nothing heard for too long: the connection is dead even if the browser has not noticed.
      this.ws = null;
      this.authed = false;
      ws.close(4000, 'no pong');
      this.scheduleReconnect();
      return;
    }
    ws.send(JSON.stringify({ type: 'ping' } satisfies ClientFrame));
  }

  private scheduleReconnect(): void {
    this.clearTimers();
    this.setStatus('offline');
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnect now (the page came back to the foreground, say). */
  nudge(): void {
    if (!this.stopped && !this.ws) {
      this.attempt = 0;
      this.connect();
    }
  }
}
