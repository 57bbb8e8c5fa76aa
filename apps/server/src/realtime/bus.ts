import type { Conversation, Message, Notification } from '@parley/shared';

/**
 * What travels between nodes after a commit. The database stays the source of truth: a bus message
 * that is lost is recovered from the database (gap fill, reconcile), never the other way round.
 */
export type BusMessage =
  | {
      t: 'message';
      accountId: string;
      inboxId: string;
      conversationId: string;
      message: Message;
    }
  | { t: 'conversation'; accountId: string; inboxId: string; conversation: Conversation }
  | {
      t: 'typing';
      accountId: string;
      conversationId: string;
      actor: { kind: 'contact' | 'agent'; id: string; name: string | null };
      typing: boolean;
    }
  | {
      t: 'read';
      accountId: string;
      conversationId: string;
      reader: { kind: 'contact' | 'agent'; id: string; name: string | null };
      seq: number;
    }
  /**
   * Sockets of ended sessions must close: `only` names the one session (logout); otherwise every session of
   * the user but `except` (password change).
   */
  | { t: 'sessions_revoked'; userId: string; only: string | null; except: string | null }
  /** "This conversation has messages up to lastSeq": sent by the outbox sweeper, which has no payloads. */
  | { t: 'hint'; accountId: string; conversationId: string; lastSeq: number }
  /** Routing queue places changed: each conversation's followers hear theirs (null: no longer waiting). */
  | {
      t: 'queue';
      accountId: string;
      entries: Array<{
        conversationId: string;
        position: number | null;
        estimatedWaitSeconds: number | null;
      }>;
    }
  /** A notification for one user, delivered to that user's own sockets only. */
  | { t: 'notification'; userId: string; notification: Notification }
  /** Some (ids) or all (null) of a user's notifications in an account were marked read. */
  | { t: 'notifications_read'; userId: string; accountId: string; notificationIds: string[] | null };

export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  /**
   * Delivers to this node's subscribers and sends to the other nodes. Resolves true once the other nodes
   * can hear it, false when they could not be told (they catch up from the database); never rejects.
   */
  publish(message: BusMessage): Promise<boolean>;
  subscribe(handler: BusHandler): () => void;
  /** Called after a period in which messages from other nodes may have been missed. */
  onRecovered(handler: () => void): () => void;
  readonly healthy: boolean;
  readonly kind: 'memory' | 'redis';
  close(): Promise<void>;
}

/** One node: publishing is a local fan-out on the next tick. */
export class MemoryBus implements Bus {
  readonly kind = 'memory';
  readonly healthy = true;
  private readonly handlers = new Set<BusHandler>();

  publish(message: BusMessage): Promise<boolean> {
    queueMicrotask(() => {
      for (const handler of this.handlers) handler(message);
    });
    return Promise.resolve(true);
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onRecovered(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
