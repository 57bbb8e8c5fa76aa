import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ClientFrame,
  type Conversation,
  clientFrameSchema,
  closeCodes,
  type ErrorCode,
  realtimeLimits,
  type ServerFrame,
  type Topic,
} from '@parley/shared';
import { and, eq, gt, inArray } from 'drizzle-orm';
import { type WebSocket, WebSocketServer } from 'ws';
import { assertCan, conversationScope } from '../auth/policies.ts';
import {
  type AccountActor,
  type Actor,
  accountActor,
  type Principal,
  resolvePrincipal,
  SESSION_COOKIE,
} from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { conversations, inboxMembers, sessions } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { messageContent } from '../modules/attachments/message-link.ts';
import { markRead } from '../modules/conversations/reads.ts';
import { authorOf, postMessage } from '../modules/messages/commands.ts';
import {
  agentSeen,
  agentSocketAlive,
  agentSocketClosed,
  agentSocketOpened,
} from '../modules/routing/presence.ts';
import { assertOriginAllowed, loadInbox } from '../modules/visitors/session.ts';
import { changedSince, currentFeedCursor, decodeFeedCursor, FEED_CATCH_UP_LIMIT } from './account-feed.ts';
import type { BusMessage } from './bus.ts';
import { ConversationStream } from './conversation-stream.ts';
import { NotificationFeeds } from './notification-feed.ts';

interface AccountFeed {
  accountId: string;
  /** null: sees the whole account; otherwise the inboxes an agent works (plus what is assigned to them). */
  inboxIds: Set<string> | null;
  userId: string | null;
  cursor: string;
}

/** Cached authorization for one conversation on one socket; re-checked after ACTOR_TTL_MS. */
interface ConversationAccess {
  actor: Actor;
  accountId: string;
  inboxId: string;
  checkedAt: number;
}

const ACTOR_TTL_MS = 30_000;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

class Client {
  principal: Principal | null = null;
  readonly streams = new Map<string, ConversationStream>();
  readonly feeds = new Map<string, AccountFeed>();
  readonly access = new Map<string, ConversationAccess>();
  tokens: number = realtimeLimits.framesPerSecond * 2;
  refilledAt = Date.now();
  /** Frames refused for rate within the current ten-second window. */
  strikes = 0;
  strikesSince = Date.now();
  alive = true;
  readonly ws: WebSocket;
  readonly origin: string | undefined;

  constructor(ws: WebSocket, origin: string | undefined) {
    this.ws = ws;
    this.origin = origin;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The WebSocket endpoint `/realtime`: authenticates sockets, authorizes every subscribe and send,
 * and fans bus messages out to the streams of this node. See docs/realtime.md.
 */
export class RealtimeGateway {
  private readonly ctx: AppContext;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly streamsByConversation = new Map<string, Map<ConversationStream, Client>>();
  private readonly feedsByAccount = new Map<string, Set<{ client: Client; feed: AccountFeed }>>();
  private readonly notifications: NotificationFeeds<Client>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribeBus: Array<() => void> = [];
  private closing = false;

  constructor(ctx: AppContext, options: { reconcileEveryMs?: number } = {}) {
    this.ctx = ctx;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: realtimeLimits.maxFrameBytes });
    this.notifications = new NotificationFeeds<Client>({
      database: ctx.database,
      send: (client, frame) => this.send(client, frame),
      log: ctx.log,
    });
    this.unsubscribeBus.push(ctx.bus.subscribe((message) => this.onBus(message)));
    this.unsubscribeBus.push(ctx.bus.onRecovered(() => void this.reconcile('bus_recovered', true)));
    const reconcile = setInterval(
      () => void this.reconcile('reconcile', false),
      options.reconcileEveryMs ?? 3_000,
    );
    const heartbeat = setInterval(() => this.heartbeat(), realtimeLimits.heartbeatMs);
    reconcile.unref();
    heartbeat.unref();
    this.timers.push(reconcile, heartbeat);
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(request, socket, head);
    });
  }

  get socketCount(): number {
    return this.clients.size;
  }

  private async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/realtime' || this.closing) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const origin = request.headers.origin;
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    let principal: Principal | null = null;
    if (cookie) {
      // A cookie rides along with any page's request: only our own origins may use it (no CSWSH).
      if (origin && !this.ctx.env.allowedOrigins.includes(origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      try {
        const resolved = await resolvePrincipal(this.ctx, { sessionCookie: cookie });
        if (resolved.kind === 'agent') principal = resolved;
      } catch {
        principal = null;
      }
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, origin, principal));
  }

  private onConnection(ws: WebSocket, origin: string | undefined, principal: Principal | null): void {
    const client = new Client(ws, origin);
    this.clients.add(client);
    this.ctx.metrics.openSockets.set(this.clients.size);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(closeCodes.policyViolation, 'text frames only');
        return;
      }
      void this.onFrame(client, data.toString());
    });
    ws.on('close', () => this.drop(client));
    ws.on('error', () => ws.terminate());
    if (principal) {
      this.ready(client, principal);
    } else {
      const timer = setTimeout(() => {
        if (!client.principal) ws.close(closeCodes.unauthenticated, 'authentication timeout');
      }, realtimeLimits.authTimeoutMs);
      timer.unref();
    }
  }

  private ready(client: Client, principal: Principal): void {
    client.principal = principal;
    const id =
      principal.kind === 'agent'
        ? principal.userId
        : principal.kind === 'token'
          ? principal.tokenId
          : principal.kind === 'visitor'
            ? principal.contactId
            : '';
    if (principal.kind === 'anonymous') return;
    // Presence: an agent's sockets keep them from going away (routing/presence.ts).
    if (principal.kind === 'agent') agentSocketOpened(this.ctx, principal.userId);
    this.send(client, {
      type: 'ready',
      principal: { kind: principal.kind, id },
      node: this.ctx.env.nodeName,
    });
  }

  private send(client: Client, frame: ServerFrame): void {
    const ws = client.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // A consumer this far behind resumes from its cursor after reconnecting instead of growing memory.
      ws.close(closeCodes.slowConsumer, 'slow consumer');
      return;
    }
    ws.send(JSON.stringify(frame));
    this.ctx.metrics.eventsDelivered.labels(frame.type).inc();
  }

  private error(client: Client, code: ErrorCode, message: string, ref?: string): void {
    this.send(client, ref ? { type: 'error', ref, code, message } : { type: 'error', code, message });
  }

  private takeToken(client: Client): boolean {
    // RATE_LIMITS=off is for load tests, whose senders go past any one visitor's pace on purpose.
    if (this.ctx.env.RATE_LIMITS === 'off') return true;
    const now = Date.now();
    const refill = ((now - client.refilledAt) / 1000) * realtimeLimits.framesPerSecond;
    client.tokens = Math.min(realtimeLimits.framesPerSecond * 2, client.tokens + refill);
    client.refilledAt = now;
    if (client.tokens < 1) return false;
    client.tokens -= 1;
    return true;
  }

  private async onFrame(client: Client, raw: string): Promise<void> {
    if (!this.takeToken(client)) {
      // Strikes are counted per ten-second window, so an occasional burst never adds up to a close.
      if (Date.now() - client.strikesSince > 10_000) {
        client.strikes = 0;
        client.strikesSince = Date.now();
      }
      client.strikes += 1;
      if (client.strikes > realtimeLimits.framesPerSecond)
        client.ws.close(closeCodes.rateLimited, 'rate limited');
      else this.error(client, 'rate_limited', 'Too many frames; slow down');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.error(client, 'invalid_json', 'Frames must be JSON');
      return;
    }
    const parsed = clientFrameSchema.safeParse(json);
    if (!parsed.success) {
      const ref =
        typeof (json as { ref?: unknown })?.ref === 'string'
          ? (json as { ref: string }).ref.slice(0, 64)
          : undefined;
      this.error(client, 'validation_failed', parsed.error.issues[0]?.message ?? 'Invalid frame', ref);
      return;
    }
    const frame = parsed.data;
    if (frame.type !== 'ping' && client.principal?.kind === 'agent')
      void agentSeen(this.ctx, client.principal.userId);
    const ref = 'ref' in frame ? frame.ref : undefined;
    try {
      await this.handle(client, frame);
    } catch (error) {
      if (error instanceof AppError) this.error(client, error.code, error.message, ref);
      else {
        this.ctx.log.error({ err: error }, 'realtime frame failed');
        this.error(client, 'internal_error', 'Something went wrong on our side', ref);
      }
    }
  }

  private async handle(client: Client, frame: ClientFrame): Promise<void> {
    if (frame.type === 'ping') {
      this.send(client, frame.ref ? { type: 'pong', ref: frame.ref } : { type: 'pong' });
      return;
    }
    if (frame.type === 'auth') {
      if (client.principal) throw new AppError('conflict', 409, 'Already authenticated');
      const principal = await resolvePrincipal(this.ctx, { bearer: frame.token });
      if (principal.kind === 'visitor') {
        assertOriginAllowed(this.ctx, await loadInbox(this.ctx, principal.inboxId), client.origin);
      }
      this.ready(client, principal);
      return;
    }
    const principal = client.principal;
    if (!principal || principal.kind === 'anonymous')
      throw new AppError('unauthenticated', 401, 'Send an auth frame first');
    switch (frame.type) {
      case 'subscribe':
        if (frame.topic.kind === 'conversation') {
          await this.subscribeConversation(
            client,
            frame.ref,
            frame.topic.conversationId,
            frame.afterSeq ?? 0,
          );
        } else if (frame.topic.kind === 'notifications') {
          await this.subscribeNotifications(client, frame.ref, frame.topic.userId);
        } else {
          await this.subscribeAccount(client, frame.ref, frame.topic.accountId, frame.cursor);
        }
        return;
      case 'unsubscribe':
        this.unsubscribe(client, frame.topic);
        this.send(client, { type: 'unsubscribed', ref: frame.ref, topic: frame.topic, reason: 'requested' });
        return;
      case 'send': {
        // A visitor's access is their own scope, which the write statement checks again under the
        // conversation's lock (contact, inbox, blocked): re-reading it every 30 s would only add a query.
        const access = await this.conversationAccess(
          client,
          frame.conversationId,
          principal.kind !== 'visitor',
        );
        if (frame.private) {
          if (access.actor.kind === 'visitor')
            throw new AppError('forbidden', 403, 'Visitors cannot write notes');
          assertCan(access.actor, 'conversation.note');
        } else if (access.actor.kind !== 'visitor') {
          assertCan(access.actor, 'conversation.reply');
        }
        if (frame.attributes && access.actor.kind !== 'visitor')
          throw new AppError('forbidden', 403, 'Only customers press bot buttons');
        const result = await postMessage(this.ctx, {
          actor: access.actor,
          conversationId: frame.conversationId,
          author: authorOf(access.actor),
          ...messageContent(frame),
          private: frame.private ?? false,
          clientMsgId: frame.clientMsgId,
          ...(frame.attributes ? { attributes: frame.attributes } : {}),
        });
        this.send(client, { type: 'ack', ref: frame.ref, message: result.message, created: result.created });
        return;
      }
      case 'read': {
        const access = await this.conversationAccess(client, frame.conversationId, false);
        await markRead(this.ctx, access.actor, frame.conversationId, frame.seq);
        return;
      }
      case 'typing': {
        const access = await this.conversationAccess(client, frame.conversationId, false);
        const actor = access.actor;
        const who =
          actor.kind === 'visitor'
            ? { kind: 'contact' as const, id: actor.contactId, name: actor.contactName }
            : actor.kind === 'agent'
              ? { kind: 'agent' as const, id: actor.userId, name: actor.name }
              : null;
        if (!who) throw new AppError('forbidden', 403, 'Tokens do not type');
        this.ctx.bus.publish({
          t: 'typing',
          accountId: access.accountId,
          conversationId: frame.conversationId,
          actor: who,
          typing: frame.typing,
        });
        return;
      }
    }
  }

  /** Authorizes the client for one conversation, with a short cache so busy senders do not re-query. */
  private async conversationAccess(
    client: Client,
    conversationId: string,
    fresh: boolean,
  ): Promise<ConversationAccess> {
    const cached = client.access.get(conversationId);
    if (cached && (!fresh || Date.now() - cached.checkedAt < ACTOR_TTL_MS)) return cached;
    const principal = client.principal;
    if (!principal || principal.kind === 'anonymous')
      throw new AppError('unauthenticated', 401, 'Not authenticated');
    let actor: Actor;
    if (principal.kind === 'visitor') {
      actor = principal;
    } else {
      const [head] = await this.ctx.database.db
        .select({ accountId: conversations.accountId })
        .from(conversations)
        .where(eq(conversations.id, conversationId))
        .limit(1);
      if (!head) throw new AppError('conversation_not_found', 404, 'Conversation not found');
      actor = await accountActor(this.ctx, principal, head.accountId).catch(() => {
        throw new AppError('conversation_not_found', 404, 'Conversation not found');
      });
      assertCan(actor as AccountActor, 'conversation.read');
    }
    const [row] = await this.ctx.database.db
      .select({ accountId: conversations.accountId, inboxId: conversations.inboxId })
      .from(conversations)
      .where(scoped(conversationId, actor))
      .limit(1);
    if (!row) throw new AppError('conversation_not_found', 404, 'Conversation not found');
    const access = { actor, accountId: row.accountId, inboxId: row.inboxId, checkedAt: Date.now() };
    client.access.set(conversationId, access);
    return access;
  }

  private async subscribeConversation(
    client: Client,
    ref: string,
    conversationId: string,
    afterSeq: number,
  ): Promise<void> {
    const access = await this.conversationAccess(client, conversationId, true);
    const topic: Topic = { kind: 'conversation', conversationId };
    this.unsubscribe(client, topic);
    const stream = new ConversationStream({
      conversationId,
      accountId: access.accountId,
      inboxId: access.inboxId,
      afterSeq,
      hidePrivate: access.actor.kind === 'visitor',
      database: this.ctx.database,
      send: (id, prevSeq, message) =>
        this.send(client, { type: 'message', conversationId: id, prevSeq, message }),
      onError: (err) =>
        this.ctx.log.warn({ err, conversationId }, 'stream catch-up failed; the next reconcile retries'),
    });
    // Registered before reading the head, so nothing committed from here on can slip past it; what
    // arrives meanwhile is held until `subscribed` has gone out.
    this.addStream(client, stream);
    let lastSeq: number;
    try {
      const [head] = await this.ctx.database.db
        .select({ lastSeq: conversations.lastSeq })
        .from(conversations)
        .where(eq(conversations.id, conversationId));
      lastSeq = head?.lastSeq ?? 0;
    } catch (error) {
      // Not subscribed after all (the client gets the error): a stream never started would only pile up
      // live messages.
      if (client.streams.get(conversationId) === stream) this.unsubscribe(client, topic);
      throw error;
    }
    if (afterSeq > lastSeq || lastSeq - afterSeq > realtimeLimits.maxCatchUp) {
      this.unsubscribe(client, topic);
      const reason = afterSeq > lastSeq ? 'cursor_ahead' : 'too_far_behind';
      this.ctx.metrics.resyncs.labels(reason).inc();
      this.send(client, { type: 'resync_required', topic, reason });
      return;
    }
    this.send(client, { type: 'subscribed', ref, topic, lastSeq });
    await stream.start();
  }

  private async subscribeAccount(
    client: Client,
    ref: string,
    accountId: string,
    cursor: string | undefined,
  ): Promise<void> {
    const principal = client.principal;
    if (!principal || (principal.kind !== 'agent' && principal.kind !== 'token')) {
      throw new AppError('forbidden', 403, 'Only agents and tokens follow an account');
    }
    const actor = await accountActor(this.ctx, principal, accountId);
    assertCan(actor, 'conversation.read');
    const topic: Topic = { kind: 'account', accountId };
    let inboxIds: Set<string> | null = null;
    if (actor.kind === 'agent' && actor.role === 'agent') {
      const rows = await this.ctx.database.db
        .select({ inboxId: inboxMembers.inboxId })
        .from(inboxMembers)
        .where(eq(inboxMembers.userId, actor.userId));
      inboxIds = new Set(rows.map((r) => r.inboxId));
    }
    const snapshot = cursor === undefined ? null : decodeFeedCursor(cursor);
    if (cursor !== undefined && snapshot === null) {
      this.ctx.metrics.resyncs.labels('cursor_invalid').inc();
      this.send(client, { type: 'resync_required', topic, reason: 'cursor_invalid' });
      return;
    }
    this.unsubscribe(client, topic);
    const feed: AccountFeed = {
      accountId,
      inboxIds,
      userId: actor.kind === 'agent' ? actor.userId : null,
      cursor: '',
    };
    this.addFeed(client, feed);
    if (snapshot === null) {
      feed.cursor = await currentFeedCursor(this.ctx.database);
    } else {
      const changes = await changedSince(this.ctx.database, accountId, snapshot);
      if (changes.truncated) {
        this.unsubscribe(client, topic);
        this.ctx.metrics.resyncs.labels('too_far_behind').inc();
        this.send(client, { type: 'resync_required', topic, reason: 'too_far_behind' });
        return;
      }
      for (const conversation of changes.conversations) this.sendFeed(client, feed, conversation);
      feed.cursor = changes.cursor;
    }
    this.send(client, { type: 'subscribed', ref, topic, cursor: feed.cursor });
  }

  /** Only the agent themself may follow their notifications. */
  private async subscribeNotifications(client: Client, ref: string, userId: string): Promise<void> {
    const principal = client.principal;
    if (principal?.kind !== 'agent' || principal.userId !== userId)
      throw new AppError('forbidden', 403, 'Only the user themself may follow their notifications');
    await this.notifications.add(client, userId);
    this.send(client, { type: 'subscribed', ref, topic: { kind: 'notifications', userId } });
  }

  private sendFeed(client: Client, feed: AccountFeed, conversation: Conversation): void {
    if (feed.inboxIds && !feed.inboxIds.has(conversation.inboxId) && conversation.assigneeId !== feed.userId)
      return;
    this.send(client, { type: 'conversation', accountId: feed.accountId, conversation });
  }

  private addStream(client: Client, stream: ConversationStream): void {
    client.streams.set(stream.conversationId, stream);
    let byStream = this.streamsByConversation.get(stream.conversationId);
    if (!byStream) {
      byStream = new Map();
      this.streamsByConversation.set(stream.conversationId, byStream);
    }
    byStream.set(stream, client);
  }

  private addFeed(client: Client, feed: AccountFeed): void {
    client.feeds.set(feed.accountId, feed);
    let set = this.feedsByAccount.get(feed.accountId);
    if (!set) {
      set = new Set();
      this.feedsByAccount.set(feed.accountId, set);
    }
    set.add({ client, feed });
  }

  private unsubscribe(client: Client, topic: Topic): void {
    if (topic.kind === 'notifications') {
      this.notifications.remove(client, topic.userId);
    } else if (topic.kind === 'conversation') {
      const stream = client.streams.get(topic.conversationId);
      if (!stream) return;
      stream.active = false;
      client.streams.delete(topic.conversationId);
      const set = this.streamsByConversation.get(topic.conversationId);
      set?.delete(stream);
      if (set?.size === 0) this.streamsByConversation.delete(topic.conversationId);
    } else {
      const feed = client.feeds.get(topic.accountId);
      if (!feed) return;
      client.feeds.delete(topic.accountId);
      const set = this.feedsByAccount.get(topic.accountId);
      if (set) {
        for (const entry of set) if (entry.feed === feed) set.delete(entry);
        if (set.size === 0) this.feedsByAccount.delete(topic.accountId);
      }
    }
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (client.principal?.kind === 'agent') {
      agentSocketClosed(this.ctx, client.principal.userId);
      this.notifications.remove(client, client.principal.userId);
    }
    for (const conversationId of [...client.streams.keys()]) {
      this.unsubscribe(client, { kind: 'conversation', conversationId });
    }
    for (const accountId of [...client.feeds.keys()])
      this.unsubscribe(client, { kind: 'account', accountId });
    this.ctx.metrics.openSockets.set(this.clients.size);
  }

  private onBus(message: BusMessage): void {
    switch (message.t) {
      case 'message': {
        const streams = this.streamsByConversation.get(message.conversationId);
        if (!streams) return;
        for (const stream of streams.keys()) {
          if (stream.onLive(message.message)) this.ctx.metrics.gapFills.labels('out_of_order').inc();
        }
        return;
      }
      case 'queue': {
        for (const entry of message.entries) {
          for (const client of this.streamsByConversation.get(entry.conversationId)?.values() ?? []) {
            this.send(client, { type: 'queue', ...entry });
          }
        }
        return;
      }
      case 'hint': {
        for (const stream of this.streamsByConversation.get(message.conversationId)?.keys() ?? []) {
          if (stream.onHead(message.lastSeq)) this.ctx.metrics.gapFills.labels('sweeper').inc();
        }
        this.catchUpFeeds(message.accountId).catch((err: unknown) =>
          this.ctx.log.warn({ err }, 'feed catch-up after a hint failed'),
        );
        return;
      }
      case 'conversation': {
        for (const { client, feed } of this.feedsByAccount.get(message.accountId) ?? []) {
          this.sendFeed(client, feed, message.conversation);
        }
        return;
      }
      case 'typing': {
        for (const client of this.streamsByConversation.get(message.conversationId)?.values() ?? []) {
          const principal = client.principal;
          const self =
            (principal?.kind === 'visitor' &&
              message.actor.kind === 'contact' &&
              principal.contactId === message.actor.id) ||
            (principal?.kind === 'agent' &&
              message.actor.kind === 'agent' &&
              principal.userId === message.actor.id);
          if (self) continue;
          this.send(client, {
            type: 'typing',
            conversationId: message.conversationId,
            actor: message.actor,
            typing: message.typing,
          });
        }
        return;
      }
      case 'read': {
        for (const client of this.streamsByConversation.get(message.conversationId)?.values() ?? []) {
          const p = client.principal;
          // Visitors learn what agents have read, and their own position from their other tabs.
          if (p?.kind === 'visitor' && message.reader.kind === 'contact' && p.contactId !== message.reader.id)
            continue;
          this.send(client, {
            type: 'read',
            conversationId: message.conversationId,
            reader: message.reader,
            seq: message.seq,
          });
        }
        return;
      }
      case 'notification':
        this.notifications.onNotification(message.userId, message.notification);
        return;
      case 'notifications_read':
        this.notifications.onRead(message.userId, message.accountId, message.notificationIds);
        return;
      case 'sessions_revoked': {
        for (const client of this.clients) {
          const p = client.principal;
          if (
            p?.kind === 'agent' &&
            p.userId === message.userId &&
            (message.only === null || p.sessionId === message.only) &&
            p.sessionId !== message.except
          ) {
            client.ws.close(closeCodes.unauthenticated, 'session ended');
          }
        }
        return;
      }
    }
  }

  /**
   * Compares every followed conversation with the database and fetches what the bus did not bring;
   * after a bus outage it also re-reads the account feeds.
   */
  async reconcile(reason: 'reconcile' | 'bus_recovered', feeds: boolean): Promise<void> {
    const ids = [...this.streamsByConversation.keys()];
    try {
      for (let i = 0; i < ids.length; i += 1000) {
        const heads = await this.ctx.database.db
          .select({ id: conversations.id, lastSeq: conversations.lastSeq })
          .from(conversations)
          .where(inArray(conversations.id, ids.slice(i, i + 1000)));
        for (const head of heads) {
          for (const stream of this.streamsByConversation.get(head.id)?.keys() ?? []) {
            if (stream.onHead(head.lastSeq)) this.ctx.metrics.gapFills.labels(reason).inc();
          }
        }
      }
      if (feeds) for (const accountId of this.feedsByAccount.keys()) await this.catchUpFeeds(accountId);
      await this.notifications.reconcile();
      await this.closeEndedSessions();
    } catch (err) {
      this.ctx.log.warn({ err }, 'realtime reconcile failed');
    }
  }

  /**
   * Closes agent sockets whose session ended (logout, password change, expiry). The `sessions_revoked`
   * bus message does this at once; this check covers the announcements that never arrived (the node
   * that ended the session could not reach Redis) and sessions that simply expired.
   */
  private async closeEndedSessions(): Promise<void> {
    const bySession = new Map<string, Client[]>();
    for (const client of this.clients) {
      const p = client.principal;
      if (p?.kind !== 'agent') continue;
      const list = bySession.get(p.sessionId) ?? [];
      list.push(client);
      bySession.set(p.sessionId, list);
    }
    const ids = [...bySession.keys()];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const rows = await this.ctx.database.db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(inArray(sessions.id, chunk), gt(sessions.expiresAt, this.ctx.now())));
      const live = new Set(rows.map((r) => r.id));
      for (const id of chunk) {
        if (live.has(id)) continue;
        for (const client of bySession.get(id) ?? [])
          client.ws.close(closeCodes.unauthenticated, 'session ended');
      }
    }
  }

  private async catchUpFeeds(accountId: string): Promise<void> {
    for (const { client, feed } of this.feedsByAccount.get(accountId) ?? []) {
      const snapshot = decodeFeedCursor(feed.cursor);
      if (!snapshot) continue;
      const changes = await changedSince(this.ctx.database, accountId, snapshot);
      if (changes.truncated) {
        this.unsubscribe(client, { kind: 'account', accountId });
        this.send(client, {
          type: 'resync_required',
          topic: { kind: 'account', accountId },
          reason: 'too_far_behind',
        });
        continue;
      }
      for (const conversation of changes.conversations.slice(0, FEED_CATCH_UP_LIMIT)) {
        this.sendFeed(client, feed, conversation);
      }
      feed.cursor = changes.cursor;
    }
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
      if (client.principal?.kind === 'agent') agentSocketAlive(this.ctx, client.principal.userId);
    }
  }

  /** Asks every client to reconnect (to another node) and closes the sockets. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const off of this.unsubscribeBus) off();
    for (const client of this.clients) {
      this.send(client, { type: 'reconnect', reason: 'shutdown' });
      client.ws.close(closeCodes.serviceRestart, 'server restarting');
    }
    const deadline = Date.now() + 2_000;
    while (this.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const client of this.clients) client.ws.terminate();
    this.wss.close();
  }
}

function scoped(conversationId: string, actor: Actor) {
  return and(eq(conversations.id, conversationId), conversationScope(actor));
}
