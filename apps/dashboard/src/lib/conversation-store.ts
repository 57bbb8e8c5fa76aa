import type { Conversation } from '@parley/shared';
import { useSyncExternalStore } from 'react';

/**
 * Every conversation the dashboard knows, by id, from REST pages and the account feed alike. Feed
 * frames are state, not deltas: the highest `version` wins. The agent's own read position comes only
 * from REST and from marking read here, so it survives feed updates.
 */
export class ConversationStore {
  private readonly byId = new Map<string, Conversation>();
  private readonly listeners = new Set<() => void>();
  private snapshot: Conversation[] = [];
  private dirty = false;

  get(id: string): Conversation | undefined {
    return this.byId.get(id);
  }

  /** Merges conversations; returns the previous state of each one that changed (undefined if new). */
  upsert(conversations: Conversation[]): Array<{ before: Conversation | undefined; after: Conversation }> {
    const changed: Array<{ before: Conversation | undefined; after: Conversation }> = [];
    for (const incoming of conversations) {
      const before = this.byId.get(incoming.id);
      if (before && incoming.version < before.version) continue;
      const after: Conversation = {
        ...incoming,
        myLastReadSeq: Math.max(incoming.myLastReadSeq ?? 0, before?.myLastReadSeq ?? 0),
      };
      if (before && before.version === after.version && before.myLastReadSeq === after.myLastReadSeq)
        continue;
      this.byId.set(incoming.id, after);
      changed.push({ before, after });
    }
    if (changed.length > 0) this.emit();
    return changed;
  }

  /** Moves the agent's read position forward locally (the server is told separately). */
  markRead(id: string, seq: number): void {
    const current = this.byId.get(id);
    if (!current || (current.myLastReadSeq ?? 0) >= seq) return;
    this.byId.set(id, { ...current, myLastReadSeq: seq });
    this.emit();
  }

  clear(): void {
    this.byId.clear();
    this.emit();
  }

  private emit(): void {
    this.dirty = true;
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  all = (): Conversation[] => {
    if (this.dirty) {
      this.snapshot = [...this.byId.values()];
      this.dirty = false;
    }
    return this.snapshot;
  };
}

export const conversationStore = new ConversationStore();

export function useConversations(): Conversation[] {
  return useSyncExternalStore(conversationStore.subscribe, conversationStore.all);
}

export function useConversation(id: string | undefined): Conversation | undefined {
  return useSyncExternalStore(conversationStore.subscribe, () =>
    id ? conversationStore.get(id) : undefined,
  );
}

/** Messages the agent has not seen; activity and their own messages count too, so it is an upper bound. */
export const unreadOf = (c: Conversation): number => Math.max(0, c.lastSeq - (c.myLastReadSeq ?? 0));

/** Newest activity first, ties broken by id (the server's order). */
export const byActivity = (a: Conversation, b: Conversation): number =>
  a.lastActivityAt === b.lastActivityAt
    ? b.id.localeCompare(a.id)
    : b.lastActivityAt.localeCompare(a.lastActivityAt);
