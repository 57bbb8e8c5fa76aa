import type { ClientFrame, Conversation, Message, Notification, ServerFrame } from '@parley/shared';
import { ApiError } from './api.ts';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface AccountHandlers {
  onConversation(conversation: Conversation): void;
  /** The feed could not resume: reload the list over REST (the new subscription is already live). */
  onResync(): void;
}

export interface ConversationHandlers {
  /** The highest seq the view holds contiguously (0 when it holds nothing yet). */
  lastSeq(): number;
  onMessage(message: Message): void;
  onTyping?(actor: { kind: 'contact' | 'agent'; id: string; name: string | null }, typing: boolean): void;
  onRead?(reader: { kind: 'contact' | 'agent'; id: string; name: string | null }, seq: number): void;
  /** Too far behind or ahead to resume: reload the newest page over REST, then resubscribe. */
  onResync(): void;
}

export interface NotificationHandlers {
  /** (Re)subscribed: load the list and count over REST now (the topic has no backlog). */
  onSubscribed(): void;
  onNotification(notification: Notification): void;
  /** Marked read elsewhere; `ids` null: all of the account's. */
  onRead(accountId: string, ids: string[] | null): void;
}

interface AccountSub {
  handlers: AccountHandlers;
  cursor: string | undefined;
}

interface ConversationSub {
  handlers: ConversationHandlers;
  resubscribing: boolean;
}

interface Pending {
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The dashboard's one WebSocket. It authenticates with the session cookie, resumes every subscription
 * after a reconnect (account feeds from their cursor, conversations from the last seq the view holds),
 * detects gaps with prevSeq and resubscribes, and reconnects with backoff and jitter.
 */
export class RealtimeConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private refCounter = 0;
  private stopped = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly accounts = new Map<string, AccountSub>();
  private readonly conversations = new Map<string, ConversationSub>();
  private readonly notificationSubs = new Map<string, NotificationHandlers>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  state: ConnectionState = 'offline';
  /** Called when the server closes the socket because the session ended. */
  onSessionEnded: () => void = () => {};

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.clearTimers();
    this.ws?.close(1000, 'bye');
    this.ws = null;
    this.setState('offline');
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connect(): void {
    this.setState('connecting');
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/realtime`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      for (const [ref, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new ApiError(0, 'network_error', 'Connection lost'));
        this.pending.delete(ref);
      }
      this.setState('offline');
      if (event.code === 4401) {
        // The session ended (or was revoked); start() again once a valid session is confirmed.
        this.stopped = true;
        this.onSessionEnded();
        return;
      }
      if (!this.stopped) this.scheduleReconnect(event.code === 1012 ? 300 : undefined);
    };
  }

  private scheduleReconnect(fixedDelay?: number): void {
    this.attempt += 1;
    const base = fixedDelay ?? Math.min(30_000, 500 * 2 ** Math.min(this.attempt, 6));
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.pongTimer = null;
  }

  private raw(frame: ClientFrame): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private nextRef(): string {
    this.refCounter += 1;
    return `d${this.refCounter}`;
  }

  private onReady(): void {
    this.attempt = 0;
    this.setState('online');
    this.pingTimer = setInterval(() => {
      if (!this.raw({ type: 'ping', ref: this.nextRef() })) return;
      if (this.pongTimer) return;
      // No answer at all means a half-open socket: drop it and reconnect.
      this.pongTimer = setTimeout(() => this.ws?.close(4000, 'pong timeout'), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
    for (const [accountId, sub] of this.accounts) this.sendAccountSubscribe(accountId, sub);
    for (const [conversationId, sub] of this.conversations)
      this.sendConversationSubscribe(conversationId, sub);
    for (const userId of this.notificationSubs.keys()) this.sendNotificationsSubscribe(userId);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.onReady();
        return;
      case 'pong':
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        return;
      case 'reconnect':
        return;
      case 'subscribed':
        if (frame.topic.kind === 'account') {
          const sub = this.accounts.get(frame.topic.accountId);
          if (sub) sub.cursor = frame.cursor;
        } else if (frame.topic.kind === 'notifications') {
          this.notificationSubs.get(frame.topic.userId)?.onSubscribed();
        } else {
          const sub = this.conversations.get(frame.topic.conversationId);
          if (sub) sub.resubscribing = false;
        }
        this.settle(frame.ref, frame);
        return;
      case 'conversation':
        this.accounts.get(frame.accountId)?.handlers.onConversation(frame.conversation);
        return;
      case 'message': {
        const sub = this.conversations.get(frame.conversationId);
        if (!sub || sub.resubscribing) return;
        const held = sub.handlers.lastSeq();
        if (frame.message.seq <= held) return;
        if (frame.prevSeq !== held) {
          // A gap: ask for everything after what we hold; frames until then are dropped.
          this.resubscribeConversation(frame.conversationId);
          return;
        }
        sub.handlers.onMessage(frame.message);
        return;
      }
      case 'typing':
        this.conversations.get(frame.conversationId)?.handlers.onTyping?.(frame.actor, frame.typing);
        return;
      case 'read':
        this.conversations.get(frame.conversationId)?.handlers.onRead?.(frame.reader, frame.seq);
        return;
      case 'notification':
        for (const handlers of this.notificationSubs.values()) handlers.onNotification(frame.notification);
        return;
      case 'notifications_read':
        for (const handlers of this.notificationSubs.values())
          handlers.onRead(frame.accountId, frame.notificationIds);
        return;
      case 'resync_required':
        if (frame.topic.kind === 'account') {
          const sub = this.accounts.get(frame.topic.accountId);
          if (!sub) return;
          sub.cursor = undefined;
          this.sendAccountSubscribe(frame.topic.accountId, sub);
          sub.handlers.onResync();
        } else if (frame.topic.kind === 'conversation') {
          const sub = this.conversations.get(frame.topic.conversationId);
          if (!sub) return;
          sub.resubscribing = true;
          sub.handlers.onResync();
        }
        return;
      case 'ack':
        this.settle(frame.ref, frame);
        return;
      case 'error':
        if (frame.ref) {
          const pending = this.pending.get(frame.ref);
          if (pending) {
            clearTimeout(pending.timer);
            this.pending.delete(frame.ref);
            pending.reject(new ApiError(400, frame.code, frame.message));
          }
        }
        return;
      case 'unsubscribed':
        return;
    }
  }

  private settle(ref: string | undefined, frame: ServerFrame): void {
    if (!ref) return;
    const pending = this.pending.get(ref);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(ref);
    pending.resolve(frame);
  }

  private request(frame: ClientFrame & { ref: string }): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(frame.ref);
        reject(new ApiError(0, 'network_error', 'The server did not answer in time'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(frame.ref, { resolve, reject, timer });
      if (!this.raw(frame)) {
        clearTimeout(timer);
        this.pending.delete(frame.ref);
        reject(new ApiError(0, 'network_error', 'Not connected'));
      }
    });
  }

  private sendAccountSubscribe(accountId: string, sub: AccountSub): void {
    this.raw({
      type: 'subscribe',
      ref: this.nextRef(),
      topic: { kind: 'account', accountId },
      ...(sub.cursor ? { cursor: sub.cursor } : {}),
    });
  }

  private sendConversationSubscribe(conversationId: string, sub: ConversationSub): void {
    sub.resubscribing = true;
    const sent = this.raw({
      type: 'subscribe',
      ref: this.nextRef(),
      topic: { kind: 'conversation', conversationId },
      afterSeq: sub.handlers.lastSeq(),
    });
    if (!sent) sub.resubscribing = false;
  }

  subscribeAccount(accountId: string, handlers: AccountHandlers): () => void {
    const sub: AccountSub = { handlers, cursor: undefined };
    this.accounts.set(accountId, sub);
    if (this.state === 'online') this.sendAccountSubscribe(accountId, sub);
    return () => {
      if (this.accounts.get(accountId) !== sub) return;
      this.accounts.delete(accountId);
      this.raw({ type: 'unsubscribe', ref: this.nextRef(), topic: { kind: 'account', accountId } });
    };
  }

  subscribeConversation(conversationId: string, handlers: ConversationHandlers): () => void {
    const sub: ConversationSub = { handlers, resubscribing: false };
    this.conversations.set(conversationId, sub);
    if (this.state === 'online') this.sendConversationSubscribe(conversationId, sub);
    return () => {
      if (this.conversations.get(conversationId) !== sub) return;
      this.conversations.delete(conversationId);
      this.raw({ type: 'unsubscribe', ref: this.nextRef(), topic: { kind: 'conversation', conversationId } });
    };
  }

  private sendNotificationsSubscribe(userId: string): void {
    this.raw({ type: 'subscribe', ref: this.nextRef(), topic: { kind: 'notifications', userId } });
  }

  /** Follows the signed-in agent's own notifications (every account; frames say which). */
  subscribeNotifications(userId: string, handlers: NotificationHandlers): () => void {
    this.notificationSubs.set(userId, handlers);
    if (this.state === 'online') this.sendNotificationsSubscribe(userId);
    return () => {
      if (this.notificationSubs.get(userId) !== handlers) return;
      this.notificationSubs.delete(userId);
      this.raw({ type: 'unsubscribe', ref: this.nextRef(), topic: { kind: 'notifications', userId } });
    };
  }

  /** Resumes a conversation from the seq the view now holds (after a gap or a REST reload). */
  resubscribeConversation(conversationId: string): void {
    const sub = this.conversations.get(conversationId);
    if (!sub || this.state !== 'online') return;
    this.sendConversationSubscribe(conversationId, sub);
  }

  /** Sends a message; resolves with the stored message from the ack (idempotent on clientMsgId). */
  async send(input: { conversationId: string; clientMsgId: string; body: string; private: boolean }) {
    const frame = await this.request({
      type: 'send',
      ref: this.nextRef(),
      conversationId: input.conversationId,
      clientMsgId: input.clientMsgId,
      body: input.body,
      private: input.private,
    });
    if (frame.type !== 'ack') throw new ApiError(0, 'internal_error', 'Unexpected answer');
    return frame.message;
  }

  typing(conversationId: string, typing: boolean): void {
    this.raw({ type: 'typing', conversationId, typing });
  }

  read(conversationId: string, seq: number): boolean {
    return this.raw({ type: 'read', conversationId, seq });
  }
}
