/**
 * Work a transaction leaves for after its commit: routing a conversation that became routable, filling
 * an agent's freed capacity from the queue, telling waiting customers their new place. Each runs in its
 * own short transaction, so no transaction ever waits for a conversation lock while it holds an agent's.
 */
export class Followups {
  /** Conversations to route, with an agent to skip (the one who just gave it up). */
  readonly route = new Map<string, { exclude: string | null }>();
  /** Agents whose capacity grew: serve the queue to them. Key: account:user. */
  readonly drain = new Map<string, { accountId: string; userId: string }>();
  /**
   * Conversations that went into the queue: checked once more after commit, in case capacity freed by a
   * transaction that committed while this one was deciding (its drain could not see them yet).
   */
  readonly recheck = new Map<string, { exclude: string | null }>();
  /** Inboxes whose queue changed: the waiting customers hear their new positions. Key: account:inbox. */
  readonly queues = new Map<string, { accountId: string; inboxId: string }>();
  /** Conversations that left the queue (assigned, solved…): their customers hear it. */
  readonly left = new Map<string, { accountId: string; conversationId: string }>();

  routeLater(conversationId: string, exclude: string | null = null): void {
    this.route.set(conversationId, { exclude });
  }

  drainFor(accountId: string, userId: string): void {
    this.drain.set(`${accountId}:${userId}`, { accountId, userId });
  }

  queueChanged(accountId: string, inboxId: string): void {
    this.queues.set(`${accountId}:${inboxId}`, { accountId, inboxId });
  }

  leftQueue(accountId: string, inboxId: string, conversationId: string): void {
    this.left.set(conversationId, { accountId, conversationId });
    this.queueChanged(accountId, inboxId);
  }

  merge(other: Followups): void {
    for (const [id, value] of other.route) this.route.set(id, value);
    for (const [key, value] of other.drain) this.drain.set(key, value);
    for (const [id, value] of other.recheck) this.recheck.set(id, value);
    for (const [key, value] of other.queues) this.queues.set(key, value);
    for (const [key, value] of other.left) this.left.set(key, value);
  }

  get empty(): boolean {
    return this.route.size + this.drain.size + this.recheck.size + this.queues.size + this.left.size === 0;
  }
}
