import WebSocket from 'ws';
import type { SeededConversation } from './api.ts';
import { mapLimit } from './stats.ts';

/**
 * The client side of a run: one visitor socket per conversation and agent sockets that each follow
 * `perAgent` consecutive conversations. The same driver measures Parley and the bare relay through
 * this interface.
 */
export interface Fleet {
  readonly visitors: number;
  readonly agents: number;
  /** Sends one message from visitor `index`; `id` comes back in the ack and the agent delivery. */
  send(index: number, id: string, body: string): void;
  /** Set by the driver: a visitor's send was acknowledged (durable, for Parley). */
  onAck: (id: string) => void;
  /** Set by the driver: an agent socket received the message. */
  onDeliver: (id: string) => void;
  /** Frames the server answered with an error or sockets that closed while measuring. */
  problems(): Record<string, number>;
  /** Every frame received since connecting, by receiver and type (e.g. `agent_message`). */
  frames(): Record<string, number>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Opens a socket and queues what arrives until the caller is ready for it: the server may send its first
 * frame (`ready` for a cookie-authenticated agent) in the same packet as the handshake answer.
 */
class SetupSocket {
  readonly ws: WebSocket;
  private readonly queue: Array<Record<string, unknown>> = [];
  private waiter: ((frame: Record<string, unknown>) => void) | null = null;
  private readonly listener = (data: WebSocket.RawData) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    if (this.waiter) this.waiter(frame);
    else this.queue.push(frame);
  };

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', this.listener);
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SetupSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        headers,
        perMessageDeflate: false,
        handshakeTimeout: CONNECT_TIMEOUT_MS,
      });
      const socket = new SetupSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused: ${res.statusCode}`)),
      );
    });
  }

  /** The first frame `match` accepts; an error or resync frame fails the setup. */
  expect(
    match: (frame: Record<string, unknown>) => boolean,
    label: string,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`timed out waiting for ${label}`));
      }, CONNECT_TIMEOUT_MS);
      const take = (frame: Record<string, unknown>): boolean => {
        if (frame.type === 'error' || frame.type === 'resync_required') {
          clearTimeout(timer);
          this.waiter = null;
          reject(new Error(`${label}: ${JSON.stringify(frame)}`));
          return true;
        }
        if (!match(frame)) return false;
        clearTimeout(timer);
        this.waiter = null;
        resolve(frame);
        return true;
      };
      while (this.queue.length > 0) {
        if (take(this.queue.shift() as Record<string, unknown>)) return;
      }
      this.waiter = (frame) => void take(frame);
    });
  }

  /** Ends the setup: from now on every frame goes to `handler` as text. */
  handOver(handler: (text: string) => void): WebSocket {
    this.ws.off('message', this.listener);
    this.ws.on('message', (data) => handler(data.toString()));
    return this.ws;
  }
}

/** Reads `"key":"value"` out of a frame without parsing all of it (the client must stay cheap). */
function stringField(text: string, key: string): string | null {
  const marker = `"${key}":"`;
  const start = text.indexOf(marker);
  if (start < 0) return null;
  const from = start + marker.length;
  const end = text.indexOf('"', from);
  return end < 0 ? null : text.slice(from, end);
}

function numberField(text: string, key: string): number | null {
  const marker = `"${key}":`;
  const start = text.indexOf(marker);
  if (start < 0) return null;
  const value = Number.parseInt(text.slice(start + marker.length, start + marker.length + 16), 10);
  return Number.isFinite(value) ? value : null;
}

function countInto(problems: Record<string, number>, key: string): void {
  problems[key] = (problems[key] ?? 0) + 1;
}

export interface ParleyFleetOptions {
  /** WebSocket URLs of the nodes; with two, each conversation's visitor and agent sit on different nodes. */
  nodes: string[];
  agentCookie: string;
  accountId: string;
  conversations: SeededConversation[];
  perAgent: number;
  /** Agents also follow the account feed (the inbox list), one `conversation` frame per message each. */
  agentFeed?: boolean;
  connectConcurrency?: number;
  /** 0 agents: only visitor sockets (the idle-memory test). */
  withAgents?: boolean;
}

/** Visitors and agents speaking the Parley realtime protocol. */
export class ParleyFleet implements Fleet {
  onAck: (id: string) => void = () => {};
  onDeliver: (id: string) => void = () => {};
  private readonly visitorSockets: WebSocket[] = [];
  private readonly agentSockets: WebSocket[] = [];
  private readonly conversations: SeededConversation[];
  private readonly counts: Record<string, number> = {};
  private closing = false;
  private refs = 0;

  private constructor(conversations: SeededConversation[]) {
    this.conversations = conversations;
  }

  get visitors(): number {
    return this.visitorSockets.length;
  }

  get agents(): number {
    return this.agentSockets.length;
  }

  /** The node a conversation's visitor uses; its agent uses the other one when there are two. */
  static visitorNode(index: number, perAgent: number, nodeCount: number): number {
    return Math.floor(index / perAgent) % nodeCount;
  }

  static async connect(options: ParleyFleetOptions): Promise<ParleyFleet> {
    const fleet = new ParleyFleet(options.conversations);
    const nodeCount = options.nodes.length;
    const concurrency = options.connectConcurrency ?? 50;
    const nodeUrl = (n: number) => options.nodes[n % nodeCount] as string;
    try {
      const visitorSockets = await mapLimit(options.conversations, concurrency, async (conversation, i) => {
        const socket = await SetupSocket.open(
          nodeUrl(ParleyFleet.visitorNode(i, options.perAgent, nodeCount)),
        );
        const ws = socket.ws;
        fleet.watch(ws, 'visitor');
        ws.send(JSON.stringify({ type: 'auth', token: conversation.visitorToken }));
        await socket.expect((f) => f.type === 'ready', 'visitor ready');
        const subscribed = socket.expect((f) => f.type === 'subscribed', 'visitor subscribe');
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            ref: 's',
            topic: { kind: 'conversation', conversationId: conversation.id },
            afterSeq: conversation.lastSeq,
          }),
        );
        const frame = await subscribed;
        conversation.lastSeq = Math.max(conversation.lastSeq, Number(frame.lastSeq ?? 0));
        return socket.handOver((text) => fleet.onVisitorFrame(conversation, text));
      });
      fleet.visitorSockets.push(...visitorSockets);
      if (options.withAgents !== false) {
        const groups: SeededConversation[][] = [];
        for (let i = 0; i < options.conversations.length; i += options.perAgent) {
          groups.push(options.conversations.slice(i, i + options.perAgent));
        }
        const agentSockets = await mapLimit(groups, concurrency, async (group, g) => {
          const visitorNode = ParleyFleet.visitorNode(g * options.perAgent, options.perAgent, nodeCount);
          const socket = await SetupSocket.open(nodeUrl(visitorNode + (nodeCount > 1 ? 1 : 0)), {
            cookie: options.agentCookie,
          });
          const ws = socket.ws;
          fleet.watch(ws, 'agent');
          await socket.expect((f) => f.type === 'ready', 'agent ready');
          for (const conversation of group) {
            const ref = `c${fleet.refs++}`;
            const subscribed = socket.expect(
              (f) => f.type === 'subscribed' && f.ref === ref,
              'agent subscribe',
            );
            ws.send(
              JSON.stringify({
                type: 'subscribe',
                ref,
                topic: { kind: 'conversation', conversationId: conversation.id },
                afterSeq: conversation.lastSeq,
              }),
            );
            await subscribed;
          }
          if (options.agentFeed) {
            const subscribed = socket.expect(
              (f) => f.type === 'subscribed' && f.ref === 'feed',
              'agent feed',
            );
            ws.send(
              JSON.stringify({
                type: 'subscribe',
                ref: 'feed',
                topic: { kind: 'account', accountId: options.accountId },
              }),
            );
            await subscribed;
          }
          return socket.handOver((text) => fleet.onAgentFrame(text));
        });
        fleet.agentSockets.push(...agentSockets);
      }
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  /** Every socket ever opened, so a failed setup still closes what it opened. */
  private readonly opened: WebSocket[] = [];

  private watch(ws: WebSocket, who: string): void {
    this.opened.push(ws);
    ws.on('close', (code) => {
      if (!this.closing) countInto(this.counts, `${who}_closed_${code}`);
    });
    ws.on('error', () => countInto(this.counts, `${who}_socket_error`));
  }

  private readonly received: Record<string, number> = {};

  private onVisitorFrame(conversation: SeededConversation, text: string): void {
    // The visitor's own message comes back on its subscription; only the ack matters here.
    if (text.startsWith('{"type":"message"')) {
      countInto(this.received, 'visitor_message');
      return;
    }
    if (text.startsWith('{"type":"ack"')) {
      countInto(this.received, 'visitor_ack');
      const id = stringField(text, 'clientMsgId');
      const seq = numberField(text, 'seq');
      if (seq !== null && seq > conversation.lastSeq) conversation.lastSeq = seq;
      if (id) this.onAck(id);
      return;
    }
    this.other(text, 'visitor');
  }

  private onAgentFrame(text: string): void {
    if (text.startsWith('{"type":"message"')) {
      countInto(this.received, 'agent_message');
      const id = stringField(text, 'clientMsgId');
      if (id) this.onDeliver(id);
      return;
    }
    this.other(text, 'agent');
  }

  /** Frames that are part of normal operation and not what this bench measures. */
  private static readonly BENIGN = new Set(['pong', 'typing', 'read', 'queue', 'conversation']);

  private other(text: string, who: string): void {
    try {
      const frame = JSON.parse(text) as { type?: string; code?: string };
      countInto(this.received, `${who}_${frame.type}`);
      if (frame.type && ParleyFleet.BENIGN.has(frame.type)) return;
      countInto(this.counts, `${who}_${frame.type}${frame.code ? `_${frame.code}` : ''}`);
    } catch {
      countInto(this.counts, `${who}_unparsable`);
    }
  }

  send(index: number, id: string, body: string): void {
    const ws = this.visitorSockets[index];
    const conversation = this.conversations[index];
    if (!ws || !conversation || ws.readyState !== WebSocket.OPEN) return;
    ws.send(
      `{"type":"send","ref":"${id}","conversationId":"${conversation.id}","clientMsgId":"${id}","body":"${body}"}`,
    );
  }

  problems(): Record<string, number> {
    return { ...this.counts };
  }

  frames(): Record<string, number> {
    return { ...this.received };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.opened.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 5_000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close();
          }),
      ),
    );
  }
}

/**
 * The same topology against the bare relay (bare-server.ts): visitor `i` connects as `/v/<i>`, the agent
 * of a group as `/a/<first>/<count>`; the relay forwards each frame to the group's agent and echoes it to
 * the sender as its acknowledgement.
 */
export class BareFleet implements Fleet {
  onAck: (id: string) => void = () => {};
  onDeliver: (id: string) => void = () => {};
  private readonly visitorSockets: WebSocket[] = [];
  private readonly agentSockets: WebSocket[] = [];
  private readonly counts: Record<string, number> = {};
  private closing = false;

  get visitors(): number {
    return this.visitorSockets.length;
  }

  get agents(): number {
    return this.agentSockets.length;
  }

  static async connect(options: {
    url: string;
    count: number;
    perAgent: number;
    withAgents?: boolean;
    connectConcurrency?: number;
  }): Promise<BareFleet> {
    const fleet = new BareFleet();
    const concurrency = options.connectConcurrency ?? 50;
    try {
      if (options.withAgents !== false) {
        const groups = Array.from({ length: Math.ceil(options.count / options.perAgent) }, (_, g) => g);
        fleet.agentSockets.push(
          ...(await mapLimit(groups, concurrency, async (g) => {
            const first = g * options.perAgent;
            const count = Math.min(options.perAgent, options.count - first);
            const socket = await SetupSocket.open(`${options.url}/a/${first}/${count}`);
            fleet.watch(socket.ws, 'agent');
            return socket.handOver((text) => {
              const id = stringField(text, 'clientMsgId');
              if (id) fleet.onDeliver(id);
            });
          })),
        );
      }
      const indexes = Array.from({ length: options.count }, (_, i) => i);
      fleet.visitorSockets.push(
        ...(await mapLimit(indexes, concurrency, async (i) => {
          const socket = await SetupSocket.open(`${options.url}/v/${i}`);
          fleet.watch(socket.ws, 'visitor');
          return socket.handOver((text) => {
            const id = stringField(text, 'clientMsgId');
            if (id) fleet.onAck(id);
          });
        })),
      );
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  /** Every socket ever opened, so a failed setup still closes what it opened. */
  private readonly opened: WebSocket[] = [];

  private watch(ws: WebSocket, who: string): void {
    this.opened.push(ws);
    ws.on('close', (code) => {
      if (!this.closing) countInto(this.counts, `${who}_closed_${code}`);
    });
    ws.on('error', () => countInto(this.counts, `${who}_socket_error`));
  }

  send(index: number, id: string, body: string): void {
    const ws = this.visitorSockets[index];
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    // The same frame a Parley visitor sends, so both servers carry the same bytes.
    ws.send(
      `{"type":"send","ref":"${id}","conversationId":"00000000-0000-4000-8000-${String(index).padStart(12, '0')}","clientMsgId":"${id}","body":"${body}"}`,
    );
  }

  problems(): Record<string, number> {
    return { ...this.counts };
  }

  /** The relay sends nothing but relayed frames and echoes; they are not counted here. */
  frames(): Record<string, number> {
    return {};
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const ws of this.opened) ws.terminate();
  }
}
