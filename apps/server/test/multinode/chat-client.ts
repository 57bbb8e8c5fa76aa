/**
 * A chat client that behaves like a well-written widget or dashboard tab: it follows one
 * conversation, resumes after every disconnect from the last seq it holds (on whatever node it
 * reaches), and retries every un-acknowledged send with the same clientMsgId until it is acked.
 * It also keeps the books the multi-node tests judge the server by: every delivery in arrival
 * order, duplicates before dedupe, order violations and gaps in the `prevSeq` chain.
 */
import type { Message, ServerFrame } from '@parley/shared';
import WebSocket from 'ws';
import { sleep } from './cluster.ts';

export type ChatAuth = { kind: 'visitor'; token: string } | { kind: 'agent'; cookie: string };

export interface ChatClientOptions {
  name: string;
  conversationId: string;
  auth: ChatAuth;
  /** Base URLs of the nodes that may be reached now; a reconnect picks one at random. */
  nodes: () => string[];
  /** REST read of the conversation after a seq, for `resync_required` (the documented fallback). */
  readAfter: (baseUrl: string, afterSeq: number) => Promise<{ messages: Message[]; lastSeq: number }>;
  /** An un-acked send is sent again after this long on the same socket. */
  ackTimeoutMs?: number;
}

interface PendingSend {
  body: string;
  queuedAt: number;
  messageId: string | null;
  attempts: number;
  lastSentAt: number;
  /** The generation of the socket it was last sent on. */
  sentOn: number;
}

interface Waiter {
  match: (frame: ServerFrame) => boolean;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ChatStats {
  name: string;
  deliveries: number;
  uniqueSeqs: number;
  rawDuplicates: number;
  orderViolations: number;
  prevSeqBreaks: number;
  /** Message frames that came before their subscription's `subscribed` (the protocol says after). */
  framesBeforeSubscribed: number;
  restRecovered: number;
  reconnects: number;
  connectFailures: number;
  serverInitiatedCloses: number;
  reconnectFrames: number;
  resyncs: number;
  resends: number;
  ackTimeouts: number;
  sendErrors: Record<string, number>;
  ackIdMismatches: number;
  /** Acks with created=false: a retry whose first attempt had been stored (its answer was lost). */
  ackedAsAlreadyStored: number;
  maxResumeMs: number;
  closeCodes: Record<string, number>;
  nodesUsed: Record<string, number>;
}

export class ChatClient {
  readonly name: string;
  readonly conversationId: string;
  private readonly options: ChatClientOptions;
  private ws: WebSocket | null = null;
  private generation = 0;
  private subscribed = false;
  private stopped = false;
  private reconnecting: Promise<void> | null = null;
  private waiters = new Map<number, Waiter[]>();
  private refCounter = 0;
  private readonly refs = new Map<string, string>();
  private watchdog: NodeJS.Timeout | null = null;

  /** Where the socket is connected now. */
  nodeUrl: string | null = null;
  /** The cursor: the highest seq held. */
  maxHeld = 0;
  /** Seq of the previous message on the current subscription, to check each frame's prevSeq. */
  private chainSeq = 0;
  /** Between sending `subscribe` and receiving `subscribed`. */
  private awaitingSubscribed = false;
  readonly held = new Map<number, Message>();
  /** When each seq first arrived. */
  readonly receivedAt = new Map<number, number>();
  /** Every seq in the order it arrived, duplicates included. */
  readonly arrivals: number[] = [];
  readonly pending = new Map<string, PendingSend>();
  readonly events: string[] = [];
  fatal: Error | null = null;

  readonly stats: ChatStats;

  constructor(options: ChatClientOptions) {
    this.options = options;
    this.name = options.name;
    this.conversationId = options.conversationId;
    this.stats = {
      name: options.name,
      deliveries: 0,
      uniqueSeqs: 0,
      rawDuplicates: 0,
      orderViolations: 0,
      prevSeqBreaks: 0,
      framesBeforeSubscribed: 0,
      restRecovered: 0,
      reconnects: 0,
      connectFailures: 0,
      serverInitiatedCloses: 0,
      reconnectFrames: 0,
      resyncs: 0,
      resends: 0,
      ackTimeouts: 0,
      sendErrors: {},
      ackIdMismatches: 0,
      ackedAsAlreadyStored: 0,
      maxResumeMs: 0,
      closeCodes: {},
      nodesUsed: {},
    };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get connected(): boolean {
    return this.subscribed && this.ws?.readyState === WebSocket.OPEN;
  }

  get unacked(): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.messageId === null) n++;
    return n;
  }

  log(line: string): void {
    this.events.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (this.events.length > 400) this.events.shift();
  }

  /** Connects to `url` (or a random node) and keeps the conversation followed until `stop()`. */
  async start(url?: string): Promise<void> {
    this.watchdog = setInterval(() => this.checkAcks(), 500);
    this.watchdog.unref();
    await this.reconnect('start', url);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await this.reconnecting?.catch(() => {});
    const ws = this.ws;
    this.ws = null;
    this.subscribed = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2_000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close();
      });
    }
  }

  /** Queues a message; it is sent now if connected, and again after every reconnect until acked. */
  send(clientMsgId: string, body: string): void {
    if (this.pending.has(clientMsgId)) throw new Error(`clientMsgId ${clientMsgId} reused`);
    this.pending.set(clientMsgId, {
      body,
      queuedAt: Date.now(),
      messageId: null,
      attempts: 0,
      lastSentAt: 0,
      sentOn: -1,
    });
    if (this.connected) this.transmit(clientMsgId);
  }

  private transmit(clientMsgId: string): void {
    const entry = this.pending.get(clientMsgId);
    const ws = this.ws;
    if (!entry || entry.messageId !== null || !ws || ws.readyState !== WebSocket.OPEN) return;
    this.refCounter += 1;
    const ref = `${this.name}-${this.refCounter}`;
    this.refs.set(ref, clientMsgId);
    if (entry.attempts > 0) this.stats.resends += 1;
    entry.attempts += 1;
    entry.lastSentAt = Date.now();
    entry.sentOn = this.generation;
    ws.send(
      JSON.stringify({
        type: 'send',
        ref,
        conversationId: this.conversationId,
        clientMsgId,
        body: entry.body,
      }),
    );
  }

  private checkAcks(): void {
    if (!this.connected) return;
    const timeout = this.options.ackTimeoutMs ?? 8_000;
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (entry.messageId === null && entry.sentOn === this.generation && now - entry.lastSentAt > timeout) {
        this.stats.ackTimeouts += 1;
        this.log(`ack timeout for ${id}; sending again`);
        this.transmit(id);
      }
    }
  }

  /**
   * Closes the socket (abruptly when `abrupt`), connects to `url` or a random reachable node,
   * re-subscribes from the cursor and sends again whatever is un-acked. Concurrent calls share one run.
   */
  reconnect(reason: string, url?: string, abrupt = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reconnecting) return this.reconnecting;
    const run = async () => {
      const startedAt = Date.now();
      this.subscribed = false;
      const old = this.ws;
      this.ws = null;
      this.generation += 1;
      if (old) {
        if (abrupt) old.terminate();
        else old.close();
      }
      if (reason !== 'start') this.stats.reconnects += 1;
      const deadline = Date.now() + 20_000;
      let preferred = url;
      for (let attempt = 0; !this.stopped; attempt++) {
        const nodes = this.options.nodes();
        const target = preferred ?? nodes[Math.floor(Math.random() * nodes.length)];
        preferred = undefined;
        try {
          if (!target) throw new Error('no node reachable');
          await this.connectOnce(target);
          const took = Date.now() - startedAt;
          this.stats.maxResumeMs = Math.max(this.stats.maxResumeMs, took);
          this.log(`resumed on ${target} after ${reason} in ${took} ms from seq ${this.maxHeld}`);
          return;
        } catch (error) {
          this.stats.connectFailures += 1;
          this.log(`connect to ${target} failed (${(error as Error).message})`);
          const socket = this.ws as WebSocket | null;
          this.ws = null;
          this.subscribed = false;
          socket?.terminate();
          if (Date.now() > deadline) {
            this.fatal = new Error(`${this.name} could not resume within 20 s: ${(error as Error).message}`);
            throw this.fatal;
          }
          await sleep(Math.min(100 * (attempt + 1), 500));
        }
      }
    };
    this.reconnecting = run().finally(() => {
      this.reconnecting = null;
    });
    return this.reconnecting;
  }

  private async connectOnce(baseUrl: string): Promise<void> {
    const generation = ++this.generation;
    const headers: Record<string, string> = {};
    if (this.options.auth.kind === 'agent') headers.cookie = this.options.auth.cookie;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/realtime`, {
      headers,
      handshakeTimeout: 3_000,
    });
    this.ws = ws;
    ws.on('message', (data) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(data.toString()) as ServerFrame;
      } catch {
        this.log('unparseable frame');
        return;
      }
      this.onFrame(generation, frame);
    });
    ws.on('close', (code) => this.onClose(generation, code));
    ws.on('error', () => {});
    // Listening before the handshake ends: a cookie socket's `ready` can arrive in the same packet.
    const ready = this.waitFor(generation, (f) => f.type === 'ready' || f.type === 'error', 'ready');
    ready.catch(() => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake ${res.statusCode}`)));
      ws.once('close', () => reject(new Error('closed during handshake')));
    });
    if (this.options.auth.kind === 'visitor')
      ws.send(JSON.stringify({ type: 'auth', token: this.options.auth.token }));
    const answer = await ready;
    if (answer.type !== 'ready') throw new Error(`auth refused: ${JSON.stringify(answer)}`);
    this.stats.nodesUsed[answer.node] = (this.stats.nodesUsed[answer.node] ?? 0) + 1;
    for (let resync = 0; ; resync++) {
      const ref = `sub-${generation}-${resync}`;
      const afterSeq = this.maxHeld;
      this.chainSeq = afterSeq;
      const subscribed = this.waitFor(
        generation,
        (f) =>
          ((f.type === 'subscribed' || f.type === 'error') && 'ref' in f && f.ref === ref) ||
          f.type === 'resync_required',
        'subscribed',
      );
      this.awaitingSubscribed = true;
      ws.send(
        JSON.stringify({
          type: 'subscribe',
          ref,
          topic: { kind: 'conversation', conversationId: this.conversationId },
          afterSeq,
        }),
      );
      const result = await subscribed;
      if (result.type === 'subscribed') break;
      if (result.type !== 'resync_required' || resync >= 3)
        throw new Error(`subscribe failed: ${JSON.stringify(result)}`);
      // The server cannot replay this far: reload the missing range over REST, then follow again.
      this.stats.resyncs += 1;
      this.log(`resync_required (${result.reason}) at seq ${this.maxHeld}`);
      for (let page = 0; page < 50; page++) {
        const { messages, lastSeq } = await this.options.readAfter(baseUrl, this.maxHeld);
        for (const message of messages) this.accept(message, 'rest');
        if (messages.length === 0 || this.maxHeld >= lastSeq) break;
      }
    }
    this.nodeUrl = baseUrl;
    this.subscribed = true;
    for (const id of this.pending.keys()) this.transmit(id);
  }

  private waitFor(generation: number, match: (f: ServerFrame) => boolean, what: string, timeoutMs = 5_000) {
    return new Promise<ServerFrame>((resolve, reject) => {
      const list = this.waiters.get(generation) ?? [];
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.set(
            generation,
            (this.waiters.get(generation) ?? []).filter((w) => w !== waiter),
          );
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs),
      };
      list.push(waiter);
      this.waiters.set(generation, list);
    });
  }

  private onFrame(generation: number, frame: ServerFrame): void {
    // Acks are answers about stored messages: valid whichever socket brought them.
    if (frame.type === 'ack') {
      this.onAck(frame.ref, frame.message, frame.created);
      return;
    }
    // Anything else from a socket this client already left would only be noise.
    if (generation !== this.generation) return;
    const waiters = this.waiters.get(generation);
    if (waiters) {
      const left = waiters.filter((w) => {
        if (!w.match(frame)) return true;
        clearTimeout(w.timer);
        w.resolve(frame);
        return false;
      });
      this.waiters.set(generation, left);
    }
    switch (frame.type) {
      case 'subscribed':
      case 'resync_required':
        this.awaitingSubscribed = false;
        return;
      case 'message':
        if (frame.conversationId !== this.conversationId) return;
        if (this.awaitingSubscribed) {
          this.stats.framesBeforeSubscribed += 1;
          this.log(`seq ${frame.message.seq} arrived before subscribed`);
        }
        if (frame.prevSeq !== this.chainSeq) {
          this.stats.prevSeqBreaks += 1;
          this.log(
            `prevSeq ${frame.prevSeq} but the chain was at ${this.chainSeq} (seq ${frame.message.seq})`,
          );
        }
        this.chainSeq = frame.message.seq;
        this.accept(frame.message, 'socket');
        return;
      case 'error': {
        const clientMsgId = frame.ref ? this.refs.get(frame.ref) : undefined;
        this.stats.sendErrors[frame.code] = (this.stats.sendErrors[frame.code] ?? 0) + 1;
        if (!clientMsgId)
          this.log(`error frame ${frame.code} (ref ${frame.ref ?? 'none'}): ${frame.message}`);
        if (clientMsgId) {
          this.log(`send ${clientMsgId} answered ${frame.code}: ${frame.message}`);
          // A retryable answer (conflict, internal error, rate limit): try again shortly.
          setTimeout(() => {
            if (this.connected) this.transmit(clientMsgId);
          }, 250);
        }
        return;
      }
      case 'reconnect':
        this.stats.reconnectFrames += 1;
        this.log(`server asked to reconnect (${frame.reason})`);
        void this.reconnect('reconnect frame').catch(() => {});
        return;
      default:
        return;
    }
  }

  private onClose(generation: number, code: number): void {
    this.stats.closeCodes[code] = (this.stats.closeCodes[code] ?? 0) + 1;
    for (const waiter of this.waiters.get(generation) ?? []) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`socket closed (${code})`));
    }
    this.waiters.delete(generation);
    if (generation !== this.generation || this.stopped) return;
    this.stats.serverInitiatedCloses += 1;
    this.log(`socket closed by the server side (${code})`);
    this.subscribed = false;
    if (this.reconnecting) return;
    setTimeout(() => void this.reconnect(`close ${code}`).catch(() => {}), 20 + Math.random() * 150);
  }

  private onAck(ref: string, message: Message, created: boolean): void {
    const clientMsgId = this.refs.get(ref);
    this.refs.delete(ref);
    const entry = clientMsgId ? this.pending.get(clientMsgId) : undefined;
    if (!entry) return;
    if (entry.messageId !== null && entry.messageId !== message.id) this.stats.ackIdMismatches += 1;
    if (!created && entry.messageId === null) this.stats.ackedAsAlreadyStored += 1;
    entry.messageId = message.id;
  }

  /** The client's own dedupe by seq, counting what it had to drop or saw out of turn. */
  private accept(message: Message, source: 'socket' | 'rest'): void {
    if (source === 'socket') this.stats.deliveries += 1;
    else this.stats.restRecovered += 1;
    this.arrivals.push(message.seq);
    const known = this.held.get(message.seq);
    if (known) {
      if (source === 'socket') this.stats.rawDuplicates += 1;
      if (known.id !== message.id) this.log(`seq ${message.seq} arrived as two different messages`);
      return;
    }
    if (message.seq < this.maxHeld) {
      this.stats.orderViolations += 1;
      this.log(`seq ${message.seq} arrived after ${this.maxHeld}`);
    }
    this.held.set(message.seq, message);
    this.receivedAt.set(message.seq, Date.now());
    this.stats.uniqueSeqs = this.held.size;
    this.maxHeld = Math.max(this.maxHeld, message.seq);
  }

  /** Seqs in 1..lastSeq this client never received. */
  missing(lastSeq: number): number[] {
    const out: number[] = [];
    for (let seq = 1; seq <= lastSeq; seq++) if (!this.held.has(seq)) out.push(seq);
    return out;
  }
}
