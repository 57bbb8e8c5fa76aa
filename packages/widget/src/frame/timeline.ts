import type { Message, VisitorConversation } from '@parley/shared';

/**
 * What the widget holds of one conversation. `cursor` is the stream position: every visible message
 * up to it has been received (the `afterSeq` to resume from). Messages are kept sorted by seq and
 * unique; REST pages and stream frames may overlap freely.
 */
export class Timeline {
  readonly id: string;
  status: string;
  lastSeq: number;
  lastReadSeq: number;
  agentLastReadSeq: number;
  preview: string | null;
  lastActivityAt: string;
  createdAt: string;
  cursor: number;
  /** Messages above this seq arrived while the widget was running (they raise host events). */
  liveFrom: number;
  messages: Message[] = [];
  historyLoaded = false;
  hasOlder = false;
  typing: { name: string | null; until: number } | null = null;
  /** bot, requested or accepted (see the server's bot phase); null when no bot is in front. */
  botPhase: string | null;
  /** The seq the phase was last learnt from, so an older answer never overrides a newer one. */
  private phaseSeq = 0;

  constructor(conversation: VisitorConversation, cursor: number) {
    this.id = conversation.id;
    this.status = conversation.status;
    this.lastSeq = conversation.lastSeq;
    this.lastReadSeq = conversation.lastReadSeq ?? 0;
    this.agentLastReadSeq = conversation.agentLastReadSeq ?? 0;
    this.preview = conversation.lastMessagePreview ?? null;
    this.lastActivityAt = conversation.lastActivityAt;
    this.createdAt = conversation.createdAt;
    this.cursor = cursor;
    this.liveFrom = cursor;
    this.botPhase = conversation.botPhase ?? null;
    this.phaseSeq = conversation.lastSeq;
  }

  /** The place in the routing queue while the conversation waits for an agent; null otherwise. */
  queue: { position: number; waitSeconds: number | null } | null = null;
  /** It left the queue to an agent and no agent has written yet. */
  connected = false;

  /** Applies a `queue` frame or answer: a position while waiting, null once it is no longer waiting. */
  setQueue(position: number | null, waitSeconds: number | null): void {
    if (position !== null) {
      this.queue = { position, waitSeconds };
      this.connected = false;
    } else {
      if (this.queue) this.connected = true;
      this.queue = null;
    }
  }

  /** Refreshes the summary from a REST answer without moving the stream cursor. */
  refresh(conversation: VisitorConversation): void {
    this.status = conversation.status;
    this.lastSeq = Math.max(this.lastSeq, conversation.lastSeq);
    this.lastReadSeq = Math.max(this.lastReadSeq, conversation.lastReadSeq ?? 0);
    this.agentLastReadSeq = Math.max(this.agentLastReadSeq, conversation.agentLastReadSeq ?? 0);
    if (conversation.lastMessagePreview !== undefined) this.preview = conversation.lastMessagePreview;
    this.lastActivityAt = conversation.lastActivityAt;
    if (conversation.botPhase !== undefined && conversation.lastSeq >= this.phaseSeq) {
      this.botPhase = conversation.botPhase;
      this.phaseSeq = conversation.lastSeq;
    }
  }

  /**
   * Follows the bot phase through the thread: its activity items, and an agent's reply, which takes the
   * conversation from the bot at once (its activity item comes a moment later).
   */
  private notePhase(message: Message): void {
    if (message.seq <= this.phaseSeq) return;
    const attributes = message.attributes;
    if (message.kind === 'activity' && attributes.type === 'bot_phase' && typeof attributes.to === 'string') {
      this.botPhase = attributes.to;
      this.phaseSeq = message.seq;
    } else if (
      message.senderKind === 'agent' &&
      message.kind !== 'activity' &&
      (this.botPhase === 'bot' || this.botPhase === 'requested')
    ) {
      this.botPhase = 'accepted';
      this.phaseSeq = message.seq;
    }
  }

  /** Adds messages (any order, duplicates allowed); returns the ones that were new. Private ones never enter. */
  merge(incoming: readonly Message[]): Message[] {
    const added: Message[] = [];
    const bySeq = new Map(this.messages.map((m) => [m.seq, m]));
    for (const message of incoming) {
      if (message.private || message.conversationId !== this.id) continue;
      if (!bySeq.has(message.seq)) added.push(message);
      bySeq.set(message.seq, message);
    }
    for (const message of [...added].sort((a, b) => a.seq - b.seq)) this.notePhase(message);
    if (added.length === 0) return added;
    this.messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const newest = this.messages[this.messages.length - 1] as Message;
    this.lastSeq = Math.max(this.lastSeq, newest.seq);
    if (newest.kind !== 'activity') this.preview = newest.body;
    if (newest.createdAt > this.lastActivityAt) this.lastActivityAt = newest.createdAt;
    return added;
  }

  /**
   * A `message` frame of the stream. `prevSeq` must equal the cursor; otherwise something was missed
   * (`gap`: resubscribe from the cursor) or the frame is a replay (`duplicate`).
   */
  applyFrame(prevSeq: number, message: Message): 'applied' | 'gap' | 'duplicate' {
    if (message.seq <= this.cursor) return 'duplicate';
    if (prevSeq !== this.cursor) return 'gap';
    this.cursor = message.seq;
    this.merge([message]);
    return 'applied';
  }

  /** After a REST catch-up: everything up to `seq` is held. */
  advanceTo(seq: number): void {
    if (seq > this.cursor) this.cursor = seq;
  }

  /** Forgets everything (the server said our cursor is ahead of it). */
  reset(): void {
    this.messages = [];
    this.cursor = 0;
    this.historyLoaded = false;
    this.hasOlder = false;
  }

  hasClientMsgId(clientMsgId: string): boolean {
    return this.messages.some((m) => m.clientMsgId === clientMsgId && m.senderKind === 'contact');
  }

  /** Messages from the team the visitor has not read. */
  unread(): number {
    let count = 0;
    for (const m of this.messages) {
      if (m.seq > this.lastReadSeq && m.senderKind !== 'contact' && m.kind !== 'activity') count += 1;
    }
    return count;
  }

  newestSeq(): number {
    return this.messages[this.messages.length - 1]?.seq ?? 0;
  }

  /** The visitor's newest message an agent has read (where "Seen" goes), or null. */
  seenSeq(): number | null {
    let seen: number | null = null;
    for (const m of this.messages) {
      if (m.senderKind === 'contact' && m.seq <= this.agentLastReadSeq) seen = m.seq;
    }
    return seen;
  }
}
