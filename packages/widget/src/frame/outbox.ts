import { isRecord, type KeyValue } from './storage.ts';

/**
 * Messages the visitor wrote that the server has not confirmed yet, persisted so that a reload or a
 * network outage loses nothing. Every item keeps its clientMsgId, so sending it twice (a retry, two
 * tabs) stores it once; items are sent strictly one after another, so the server sees them in order.
 *
 * Each item is its own storage key (prefix + a sortable order), so tabs never read-modify-write a
 * shared list: one tab adding while another removes cannot lose anything.
 */
export interface OutgoingMessage {
  clientMsgId: string;
  /** Sort key: time of writing plus a per-tab counter. */
  order: string;
  /** The contact this was written as; items of another contact (after a reset) are dropped. */
  contactId: string | null;
  /** Null while the conversation does not exist yet: the first item of a draft starts it. */
  conversationId: string | null;
  draftId: string | null;
  body: string;
  createdAt: string;
  /** A pressed bot button: the body is its label. */
  attributes?: { buttonId: string };
}

/** 'requeued': the send changed the item (its conversation had closed) and it must be looked at again. */
export type SendResult = 'sent' | 'rejected' | 'requeued';

/** Runs `fn` while holding a lock shared by all tabs of this origin (Web Locks), or directly without it. */
export type LockRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

const LEASE_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Lease {
  tab: string;
  until: number;
}

function readLease(kv: KeyValue, key: string): Lease | null {
  try {
    const value: unknown = JSON.parse(kv.get(key) ?? 'null');
    return isRecord(value) && typeof value.tab === 'string' && typeof value.until === 'number'
      ? { tab: value.tab, until: value.until }
      : null;
  } catch {
    return null;
  }
}

/**
 * A lock between tabs made of a lease in shared storage, for browsers that give this frame no Web
 * Locks. A tab claims a free or expired lease, waits a moment for a competing claim to land, and keeps
 * it renewed while it works; a closed tab's lease runs out after a few seconds. Best effort: should two
 * tabs still both send an item, its clientMsgId makes the second send a no-op.
 */
export function leaseLock(kv: KeyValue, tab: string, settleMs = 60): LockRunner {
  return async (name, fn) => {
    const key = `${name}:lease`;
    const claim = () => kv.set(key, JSON.stringify({ tab, until: Date.now() + LEASE_MS }));
    for (;;) {
      const held = readLease(kv, key);
      if (!held || held.until < Date.now() || held.tab === tab) {
        claim();
        await sleep(settleMs);
        if (readLease(kv, key)?.tab === tab) break;
      } else {
        await sleep(Math.min(Math.max(held.until - Date.now(), 50), 1_000) + Math.random() * 100);
      }
    }
    const renew = setInterval(claim, LEASE_MS / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      if (readLease(kv, key)?.tab === tab) kv.remove(key);
    }
  };
}

/**
 * Web Locks where the browser allows them in this frame; the storage lease otherwise (some browsers
 * refuse locks to third-party frames: "The request was denied").
 */
export function tabLock(kv: KeyValue, tab: string = Math.random().toString(36).slice(2)): LockRunner {
  const fallback = leaseLock(kv, tab);
  let locksUsable = true;
  return async (name, fn) => {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (!locks || !locksUsable) return fallback(name, fn);
    let started = false;
    try {
      return (await locks.request(name, () => {
        started = true;
        return fn();
      })) as Awaited<ReturnType<typeof fn>>;
    } catch (error) {
      if (started) throw error;
      locksUsable = false;
      return fallback(name, fn);
    }
  };
}

function isOutgoing(value: unknown): value is OutgoingMessage {
  return (
    isRecord(value) &&
    typeof value.clientMsgId === 'string' &&
    typeof value.order === 'string' &&
    (value.contactId === null || typeof value.contactId === 'string') &&
    (value.conversationId === null || typeof value.conversationId === 'string') &&
    (value.draftId === null || typeof value.draftId === 'string') &&
    typeof value.body === 'string' &&
    typeof value.createdAt === 'string' &&
    (value.attributes === undefined ||
      (isRecord(value.attributes) && typeof value.attributes.buttonId === 'string'))
  );
}

let sequence = 0;
const tabId = Math.random().toString(36).slice(2, 8);

/** Sortable across tabs by time, and within a tab by a counter (two items in one millisecond). */
export function nextOrder(now: number = Date.now()): string {
  sequence += 1;
  return `${now.toString(36).padStart(9, '0')}-${sequence.toString(36).padStart(5, '0')}-${tabId}`;
}

export class Outbox {
  private readonly kv: KeyValue;
  private readonly prefix: string;
  private readonly lock: LockRunner;
  private flushing: Promise<'done' | 'stopped'> | null = null;
  private again = false;

  constructor(kv: KeyValue, prefix: string, lock: LockRunner = tabLock(kv)) {
    this.kv = kv;
    this.prefix = prefix;
    this.lock = lock;
  }

  /** Read from storage every time: another tab may have changed it. */
  list(): OutgoingMessage[] {
    const items: OutgoingMessage[] = [];
    for (const key of this.kv.keys()) {
      if (!key.startsWith(this.prefix)) continue;
      try {
        const value: unknown = JSON.parse(this.kv.get(key) ?? 'null');
        if (isOutgoing(value) && this.prefix + value.order === key) items.push(value);
        else this.kv.remove(key);
      } catch {
        this.kv.remove(key);
      }
    }
    return items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  }

  private put(item: OutgoingMessage): void {
    this.kv.set(this.prefix + item.order, JSON.stringify(item));
  }

  add(item: Omit<OutgoingMessage, 'order'> & { order?: string }): OutgoingMessage {
    const existing = this.list().find((i) => i.clientMsgId === item.clientMsgId);
    if (existing) return existing;
    const stored = { ...item, order: item.order ?? nextOrder() };
    this.put(stored);
    return stored;
  }

  remove(clientMsgId: string): void {
    for (const item of this.list())
      if (item.clientMsgId === clientMsgId) this.kv.remove(this.prefix + item.order);
  }

  /** Rewrites items in place (their order is kept). */
  map(change: (item: OutgoingMessage) => OutgoingMessage): void {
    for (const item of this.list()) {
      const next = change(item);
      if (next !== item) this.put({ ...next, order: item.order });
    }
  }

  /** The draft became a conversation: its remaining items go there. */
  assignConversation(draftId: string, conversationId: string): void {
    this.map((i) => (i.draftId === draftId && i.conversationId === null ? { ...i, conversationId } : i));
  }

  /** Turns the items of a conversation that no longer takes messages into a new draft. */
  moveToDraft(conversationId: string, draftId: string): void {
    this.map((i) => (i.conversationId === conversationId ? { ...i, conversationId: null, draftId } : i));
  }

  clear(): void {
    for (const item of this.list()) this.kv.remove(this.prefix + item.order);
  }

  /**
   * Sends queued items in order until the queue is empty or `send` throws (offline: try again later).
   * One tab sends at a time where Web Locks exist; a call during a run makes the run look again at
   * the end, so an item added at the last moment is not left behind.
   */
  flush(send: (item: OutgoingMessage) => Promise<SendResult>): Promise<'done' | 'stopped'> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    const run = async (): Promise<'done' | 'stopped'> => {
      for (;;) {
        this.again = false;
        // Named outside the item prefix: a lease stored under it must not look like an item.
        const result = await this.lock(`${this.prefix.replace(/:$/, '')}-send`, () => this.drain(send));
        if (result === 'stopped' || !this.again) return result;
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(send: (item: OutgoingMessage) => Promise<SendResult>): Promise<'done' | 'stopped'> {
    for (;;) {
      const head = this.list()[0];
      if (!head) return 'done';
      let result: SendResult;
      try {
        result = await send(head);
      } catch {
        return 'stopped';
      }
      if (result !== 'requeued') this.remove(head.clientMsgId);
    }
  }
}
