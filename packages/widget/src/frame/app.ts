import type { Message, ServerFrame, VisitorConversation, VisitorSession } from '@parley/shared';
import {
  BRIDGE_NS,
  type FrameMessage,
  type HostLabels,
  type IdentifyPayload,
  type PageInfo,
  parseHostMessage,
} from '../bridge.ts';
import { ApiError, ClientApi, NetworkError, type PublicInbox } from './api.ts';
import { format, type Locale, pickLocale, type Strings, stringsFor } from './i18n.ts';
import { Outbox, type OutgoingMessage, type SendResult } from './outbox.ts';
import { backoffDelay, RealtimeSocket, type SocketStatus } from './socket.ts';
import { isRecord, type KeyValue, memoryStorage, readJson } from './storage.ts';
import { foregroundFor, isHexColor, shade } from './theme.ts';
import { Timeline } from './timeline.ts';

export interface StoredSession {
  token: string;
  contactId: string;
  name: string | null;
  email: string | null;
  /** The host's user id this session was created for (identify), or null for an anonymous visitor. */
  identityId: string | null;
}

export type View =
  | { kind: 'home' }
  | { kind: 'conversation'; id: string }
  | { kind: 'draft'; draftId: string };

type ChannelMessage =
  | { type: 'session' }
  | { type: 'outbox' }
  | { type: 'conversation'; conversation: VisitorConversation; draftId: string | null };

const MAX_SUBSCRIPTIONS = 20;
const TYPING_SEND_EVERY_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const AGENT_TYPING_TTL_MS = 8_000;
const QUEUE_POLL_MS = 30_000;

function isSession(value: unknown): value is StoredSession {
  return (
    isRecord(value) &&
    typeof value.token === 'string' &&
    typeof value.contactId === 'string' &&
    (value.identityId === null || typeof value.identityId === 'string')
  );
}

/** Client-generated ids for messages; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix}-${Date.now().toString(36)}-${hex}`;
}

/**
 * The iframe app's state and everything that changes it: the session, the conversations and their
 * streams, the outbox, the bridge to the host page and the other tabs. Views read it and call its
 * methods; `changed()` asks them to redraw.
 */
export class App {
  readonly inboxId: string;
  readonly hostOrigin: string | null;
  readonly api: ClientApi;
  readonly kv: KeyValue;
  readonly outbox: Outbox;
  readonly socket: RealtimeSocket;
  private readonly channel: BroadcastChannel | null;
  private readonly sessionKey: string;
  private readonly outboxPrefix: string;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  config: PublicInbox | null = null;
  locale: Locale;
  localeOverride = false;
  t: Strings;
  session: StoredSession | null = null;
  identity: IdentifyPayload | null = null;
  readonly conversations = new Map<string, Timeline>();
  view: View = { kind: 'home' };
  open: boolean;
  mobile = false;
  status: SocketStatus = 'idle';
  online = navigator.onLine;
  /** Items the server refused for good (validation); shown as not delivered until the page reloads. */
  failed: OutgoingMessage[] = [];
  prechatError: string | null = null;
  /** The team blocked this visitor: what they write is refused (contact_blocked) until they are unblocked. */
  blocked = false;
  busy = false;
  announcement = '';
  /** Subscribe requests on their way (conversation id → ref); frames for these are replays to come. */
  private readonly subscriptions = new Map<string, string>();
  /** Conversations this socket follows (subscription confirmed). */
  private readonly following = new Set<string>();
  private refCounter = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAttempt = 0;
  private page: PageInfo | null = null;
  private contextSentFor: string | null = null;
  private unreadPosted = -1;
  private readyPosted = false;
  private typingOn: { conversationId: string; at: number } | null = null;
  private typingIdle: ReturnType<typeof setTimeout> | null = null;
  private listeners: Array<() => void> = [];
  private scheduled = false;
  private readonly queueTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: { base: string; inboxId: string; hostOrigin: string | null; kv?: KeyValue }) {
    this.inboxId = options.inboxId;
    this.hostOrigin = options.hostOrigin;
    this.open = options.hostOrigin === null;
    this.api = new ClientApi(options.base, options.inboxId);
    this.kv = options.kv ?? memoryStorage();
    this.sessionKey = `parley:v1:${options.inboxId}:session`;
    this.outboxPrefix = `parley:v1:${options.inboxId}:outbox:`;
    this.outbox = new Outbox(this.kv, this.outboxPrefix);
    this.locale = pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
    this.t = stringsFor(this.locale);
    this.channel =
      typeof BroadcastChannel === 'function' ? new BroadcastChannel(`parley:${options.inboxId}`) : null;
    const wsUrl = `${options.base.replace(/^http/, 'ws')}/realtime`;
    this.socket = new RealtimeSocket(wsUrl, () => this.session?.token ?? null, {
      onReady: () => this.onSocketReady(),
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => {
        this.status = status;
        this.changed();
      },
      onAuthFailed: () => this.sessionLost(),
    });
  }

  // ---- rendering hooks -------------------------------------------------------------------------

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Batches redraws into one microtask (requestAnimationFrame stalls in hidden frames). */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
      this.postUnread();
    });
  }

  // ---- start-up --------------------------------------------------------------------------------

  async start(): Promise<boolean> {
    for (let attempt = 0; !this.config; attempt += 1) {
      try {
        this.config = await this.api.inbox();
      } catch (error) {
        // A missing or refused inbox stays invisible: the loader never shows a launcher.
        if (error instanceof ApiError && error.status < 500) return false;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
      }
    }
    this.applyTheme(this.config);
    addEventListener('message', (event) => this.onHostMessage(event));
    addEventListener('online', () => {
      this.online = true;
      this.retryAttempt = 0;
      void this.flush();
      this.changed();
    });
    addEventListener('offline', () => {
      this.online = false;
      this.changed();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this.socket.nudge();
        this.markReadIfVisible();
      }
    });
    this.channel?.addEventListener('message', (event) => this.onChannel(event.data as ChannelMessage));
    // Other tabs write the same storage: follow their session, and their outbox (which may have
    // started a conversation). Works where BroadcastChannel does not; duplicates are harmless.
    this.kv.onExternalChange((key) => {
      if (key === this.sessionKey) this.onChannel({ type: 'session' });
      else if (key.startsWith(this.outboxPrefix)) this.onOutboxElsewhere();
    });

    this.session = readJson(this.kv, this.sessionKey, isSession);
    this.api.token = this.session?.token ?? null;
    if (this.session) {
      await this.loadConversations();
      this.socket.start();
    }
    this.view = this.initialView();
    this.readyPosted = true;
    this.postToHost({
      ns: BRIDGE_NS,
      type: 'ready',
      color: this.config.color,
      fg: foregroundFor(this.config.color),
      position: this.config.position === 'left' ? 'left' : 'right',
      labels: this.hostLabels(),
    });
    if (this.outbox.list().length > 0) void this.flush();
    this.changed();
    return true;
  }

  private applyTheme(config: PublicInbox): void {
    const color = isHexColor(config.color) ? config.color : '#4f46e5';
    const style = document.documentElement.style;
    style.setProperty('--pw-brand', color);
    style.setProperty('--pw-brand-fg', foregroundFor(color));
    style.setProperty('--pw-brand-dark', shade(color, 0.28));
    style.setProperty('--pw-brand-tint', shade(color, -0.9));
    document.documentElement.lang = this.locale;
  }

  private hostLabels(): HostLabels {
    return { open: this.t.open, close: this.t.close, frame: this.t.frame, unread: this.t.unread };
  }

  initialView(): View {
    const latest = this.sortedConversations()[0];
    if (!latest) return { kind: 'draft', draftId: newId('d') };
    return { kind: 'home' };
  }

  sortedConversations(): Timeline[] {
    return [...this.conversations.values()].sort((a, b) => (a.lastActivityAt < b.lastActivityAt ? 1 : -1));
  }

  // ---- the host page ---------------------------------------------------------------------------

  postToHost(message: FrameMessage): void {
    if (this.hostOrigin) window.parent.postMessage(message, this.hostOrigin);
  }

  private onHostMessage(event: MessageEvent): void {
    // Only the page that embeds us, from the origin the server allowed to frame us.
    if (!this.hostOrigin || event.source !== window.parent || event.origin !== this.hostOrigin) return;
    const message = parseHostMessage(event.data);
    if (!message) return;
    switch (message.type) {
      case 'visibility':
        this.setOpen(message.open, message.mobile);
        return;
      case 'identify':
        void this.identify(message.identity);
        return;
      case 'reset':
        void this.reset();
        return;
      case 'locale':
        this.setLocale(message.locale);
        return;
      case 'page':
        this.page = message.page;
        void this.sendContext();
        return;
    }
  }

  requestClose(): void {
    this.postToHost({ ns: BRIDGE_NS, type: 'request', action: 'close' });
  }

  setOpen(open: boolean, mobile: boolean): void {
    this.open = open || this.hostOrigin === null;
    this.mobile = mobile;
    if (this.open && this.view.kind === 'home' && this.conversations.size === 0)
      this.view = this.initialView();
    if (this.open && this.view.kind === 'conversation') void this.ensureHistory(this.view.id);
    this.markReadIfVisible();
    this.changed();
  }

  setLocale(tag: string): void {
    this.locale = pickLocale([tag]);
    this.localeOverride = true;
    this.t = stringsFor(this.locale);
    document.documentElement.lang = this.locale;
    this.postToHost({ ns: BRIDGE_NS, type: 'labels', labels: this.hostLabels() });
    this.changed();
  }

  private postUnread(): void {
    if (!this.readyPosted) return;
    let total = 0;
    for (const conversation of this.conversations.values()) total += conversation.unread();
    if (total === this.unreadPosted) return;
    this.unreadPosted = total;
    this.postToHost({ ns: BRIDGE_NS, type: 'unread', count: total });
  }

  private async sendContext(): Promise<void> {
    const page = this.page;
    const session = this.session;
    if (!page || !session || this.contextSentFor === session.token || !/^https?:/.test(page.url)) return;
    this.contextSentFor = session.token;
    try {
      await this.api.context({
        url: page.url,
        ...(page.title ? { title: page.title.slice(0, 300) } : {}),
        ...(page.referrer ? { referrer: page.referrer.slice(0, 2000) } : {}),
        locale: (navigator.language || 'en').slice(0, 35),
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone?.slice(0, 64),
      });
    } catch {
      // Context is a nicety for agents; never worth an error for the visitor.
    }
  }

  // ---- session ---------------------------------------------------------------------------------

  private setSession(session: VisitorSession, identityId: string | null, broadcast: boolean): StoredSession {
    const stored: StoredSession = {
      token: session.token,
      contactId: session.contact.id,
      name: session.contact.name,
      email: session.contact.email,
      identityId,
    };
    this.session = stored;
    this.kv.set(this.sessionKey, JSON.stringify(stored));
    this.api.token = session.token;
    if (broadcast) this.broadcast({ type: 'session' });
    this.socket.start();
    void this.sendContext();
    return stored;
  }

  /** Identity fields for a new session, from Parley('identify', …). */
  private identityBody(): {
    name?: string;
    email?: string;
    identity?: { id: string; timestamp: number; signature?: string };
  } {
    const id = this.identity;
    if (!id) return {};
    const body: ReturnType<App['identityBody']> = {};
    if (id.name?.trim()) body.name = id.name.trim().slice(0, 120);
    if (id.email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(id.email)) body.email = id.email;
    if (id.id && id.timestamp) {
      body.identity = {
        id: id.id,
        timestamp: id.timestamp,
        ...(id.signature ? { signature: id.signature } : {}),
      };
    }
    return body;
  }

  needsVerification(): boolean {
    return !!this.config?.requireIdentityVerification && !this.session && !this.identity?.signature;
  }

  /** Fields of the pre-chat form still to ask (identify may already have given name and e-mail). */
  prechatFields(): PublicInbox['preChatForm']['fields'] {
    const form = this.config?.preChatForm;
    if (!form?.enabled || this.session) return [];
    const known = this.identityBody();
    return form.fields.filter(
      (f) => !(f.key === 'name' && known.name) && !(f.key === 'email' && known.email),
    );
  }

  /** Creates the session if there is none (another tab may have made one meanwhile). */
  async ensureSession(
    extra: { name?: string; email?: string; attributes?: Record<string, string> } = {},
  ): Promise<StoredSession> {
    if (this.session) return this.session;
    const stored = readJson(this.kv, this.sessionKey, isSession);
    if (stored) {
      this.adoptStoredSession(stored);
      return stored;
    }
    const body = { ...this.identityBody(), ...extra };
    const created = await this.api.createSession(body);
    const session = this.setSession(created, body.identity?.id ?? null, true);
    this.changed();
    return session;
  }

  private adoptStoredSession(stored: StoredSession): void {
    this.session = stored;
    this.api.token = stored.token;
    this.socket.start();
    void this.loadConversations();
  }

  async submitPrechat(values: Record<string, string>): Promise<void> {
    this.busy = true;
    this.prechatError = null;
    this.changed();
    const { name, email, ...rest } = values;
    const attributes = Object.fromEntries(Object.entries(rest).filter(([, v]) => v.trim() !== ''));
    try {
      await this.ensureSession({
        ...(name?.trim() ? { name: name.trim() } : {}),
        ...(email?.trim() ? { email: email.trim() } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      });
    } catch (error) {
      this.prechatError = error instanceof NetworkError ? this.t.offline : this.t.error;
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /** Forget the session: the server refused it, or the host logged its user out. */
  private clearSession(keepOutbox: boolean): void {
    this.socket.stop();
    this.session = null;
    this.api.token = null;
    this.contextSentFor = null;
    this.kv.remove(this.sessionKey);
    this.conversations.clear();
    this.subscriptions.clear();
    this.following.clear();
    if (!keepOutbox) this.outbox.clear();
    this.view = this.initialView();
  }

  private sessionLost(): void {
    // The visitor's unsent words survive: they go to a new conversation of the next session.
    const draftId = newId('d');
    this.clearSession(true);
    this.outbox.map((item) => ({
      ...item,
      contactId: null,
      conversationId: null,
      draftId: item.conversationId ? draftId : item.draftId,
    }));
    this.broadcast({ type: 'session' });
    this.changed();
  }

  async identify(identity: IdentifyPayload): Promise<void> {
    this.identity = identity;
    const session = this.session ?? readJson(this.kv, this.sessionKey, isSession);
    const verified = !!(identity.id && identity.timestamp && identity.signature);
    // Another user logged in on this browser, or an anonymous visitor logged in: their own session.
    const otherUser =
      session && identity.id && session.identityId !== identity.id && (verified || session.identityId);
    if (otherUser) {
      this.clearSession(false);
      this.broadcast({ type: 'session' });
    }
    if (verified && !this.session) {
      try {
        await this.ensureSession();
        await this.loadConversations();
        if (this.view.kind === 'draft' && this.conversations.size > 0) this.view = { kind: 'home' };
      } catch {
        // Retried when the visitor writes.
      }
    }
    this.changed();
  }

  async reset(): Promise<void> {
    this.identity = null;
    this.clearSession(false);
    this.broadcast({ type: 'session' });
    this.changed();
  }

  // ---- conversations ---------------------------------------------------------------------------

  private addConversation(conversation: VisitorConversation, cursor: number): Timeline {
    const existing = this.conversations.get(conversation.id);
    if (existing) {
      existing.refresh(conversation);
      return existing;
    }
    const timeline = new Timeline(conversation, cursor);
    this.conversations.set(conversation.id, timeline);
    return timeline;
  }

  async loadConversations(): Promise<void> {
    let list: VisitorConversation[];
    try {
      list = await this.api.conversations();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.sessionLost();
      return;
    }
    for (const conversation of list) this.addConversation(conversation, conversation.lastSeq);
    // Unread messages are counted from what is actually there (own and private ones do not count).
    await Promise.all(
      [...this.conversations.values()]
        .filter((c) => c.lastSeq > c.lastReadSeq && c.messages.length === 0)
        .slice(0, MAX_SUBSCRIPTIONS)
        .map(async (c) => {
          try {
            const page = await this.api.messages(c.id, { afterSeq: c.lastReadSeq, limit: 50 });
            c.merge(page.messages);
          } catch {
            // Counted later when the conversation is opened.
          }
        }),
    );
    if (this.socket.ready)
      for (const c of this.sortedConversations().slice(0, MAX_SUBSCRIPTIONS)) this.subscribe(c);
    this.changed();
  }

  /** Loads the newest page of a conversation the first time it is shown. */
  async ensureHistory(conversationId: string): Promise<void> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.historyLoaded) return;
    conversation.historyLoaded = true;
    try {
      const page = await this.api.messages(conversationId, { limit: 50 });
      conversation.merge(page.messages);
      conversation.hasOlder = (page.messages[0]?.seq ?? 1) > 1 && page.messages.length >= 50;
      if (this.socket.ready) this.subscribe(conversation);
    } catch {
      conversation.historyLoaded = false;
    }
    this.markReadIfVisible();
    this.changed();
  }

  async loadOlder(conversationId: string): Promise<void> {
    const conversation = this.conversations.get(conversationId);
    const oldest = conversation?.messages[0]?.seq;
    if (!conversation || !oldest) return;
    try {
      const page = await this.api.messages(conversationId, { beforeSeq: oldest, limit: 50 });
      conversation.merge(page.messages);
      conversation.hasOlder = page.messages.length >= 50;
    } catch {
      // The button stays; the visitor can try again.
    }
    this.changed();
  }

  go(view: View): void {
    this.view = view;
    if (view.kind === 'conversation') void this.ensureHistory(view.id);
    this.markReadIfVisible();
    this.changed();
  }

  newConversation(): void {
    this.go({ kind: 'draft', draftId: newId('d') });
  }

  // ---- realtime --------------------------------------------------------------------------------

  /** Follows a conversation from its cursor; `again` re-subscribes one already followed (a gap). */
  private subscribe(conversation: Timeline, again = false): void {
    const id = conversation.id;
    if (!again && (this.following.has(id) || this.subscriptions.has(id))) return;
    this.following.delete(id);
    this.refCounter += 1;
    const ref = `s${this.refCounter}`;
    this.subscriptions.set(conversation.id, ref);
    const sent = this.socket.send({
      type: 'subscribe',
      ref,
      topic: { kind: 'conversation', conversationId: conversation.id },
      afterSeq: conversation.cursor,
    });
    if (!sent) this.subscriptions.delete(conversation.id);
  }

  private onSocketReady(): void {
    // Every subscription died with the old socket: resume each from its cursor.
    this.subscriptions.clear();
    this.following.clear();
    for (const conversation of this.sortedConversations().slice(0, MAX_SUBSCRIPTIONS))
      this.subscribe(conversation);
    if (this.view.kind === 'conversation') {
      const current = this.conversations.get(this.view.id);
      if (current) this.subscribe(current);
    }
    void this.flush();
    this.changed();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'subscribed': {
        if (frame.topic.kind !== 'conversation') return;
        const id = frame.topic.conversationId;
        if (this.subscriptions.get(id) === frame.ref) {
          this.subscriptions.delete(id);
          this.following.add(id);
          // Queue frames are not replayed: ask where we stand now that changes will reach us.
          void this.askQueue(id);
        }
        return;
      }
      case 'queue': {
        const conversation = this.conversations.get(frame.conversationId);
        if (!conversation) return;
        conversation.setQueue(frame.position, frame.estimatedWaitSeconds);
        this.changed();
        return;
      }
      case 'message': {
        const conversation = this.conversations.get(frame.conversationId);
        // While a (re)subscribe is on its way, the new subscription replays everything after the cursor.
        if (!conversation || this.subscriptions.has(frame.conversationId)) return;
        const result = conversation.applyFrame(frame.prevSeq, frame.message);
        if (result === 'gap') this.subscribe(conversation, true);
        else if (result === 'applied') this.onNewMessage(conversation, frame.message);
        return;
      }
      case 'resync_required': {
        if (frame.topic.kind !== 'conversation') return;
        const conversation = this.conversations.get(frame.topic.conversationId);
        if (!conversation) return;
        this.subscriptions.set(conversation.id, 'resync');
        this.following.delete(conversation.id);
        void this.resync(conversation, frame.reason);
        return;
      }
      case 'typing': {
        const conversation = this.conversations.get(frame.conversationId);
        if (!conversation || frame.actor.kind !== 'agent') return;
        conversation.typing = frame.typing
          ? { name: frame.actor.name, until: Date.now() + AGENT_TYPING_TTL_MS }
          : null;
        if (frame.typing) setTimeout(() => this.changed(), AGENT_TYPING_TTL_MS + 50);
        this.changed();
        return;
      }
      case 'read': {
        const conversation = this.conversations.get(frame.conversationId);
        if (!conversation) return;
        if (frame.reader.kind === 'agent') {
          conversation.agentLastReadSeq = Math.max(conversation.agentLastReadSeq, frame.seq);
        } else if (this.session && frame.reader.id === this.session.contactId) {
          // Read in another tab of this visitor.
          conversation.lastReadSeq = Math.max(conversation.lastReadSeq, frame.seq);
        }
        this.changed();
        return;
      }
      case 'error': {
        if (!frame.ref) return;
        for (const [id, ref] of this.subscriptions) {
          if (ref === frame.ref) {
            this.subscriptions.delete(id);
            this.following.delete(id);
            if (frame.code === 'conversation_not_found') this.conversations.delete(id);
          }
        }
        this.changed();
        return;
      }
      case 'unsubscribed':
        if (frame.topic.kind === 'conversation' && frame.reason === 'access_revoked') {
          this.following.delete(frame.topic.conversationId);
          this.conversations.delete(frame.topic.conversationId);
          this.changed();
        }
        return;
      default:
        return;
    }
  }

  /**
   * The server cannot continue from our cursor: read what we missed over REST (or, when our cursor
   * is ahead of the server's, start over from its newest page), then subscribe again.
   */
  private async resync(
    conversation: Timeline,
    reason: 'cursor_ahead' | 'too_far_behind' | 'cursor_invalid',
  ): Promise<void> {
    try {
      if (reason === 'cursor_ahead') {
        conversation.reset();
        const page = await this.api.messages(conversation.id, { limit: 50 });
        conversation.merge(page.messages);
        conversation.historyLoaded = true;
        conversation.hasOlder = page.messages.length >= 50;
        conversation.advanceTo(Math.max(page.lastSeq, conversation.newestSeq()));
      } else {
        for (let pages = 0; pages < 50; pages += 1) {
          const page = await this.api.messages(conversation.id, {
            afterSeq: conversation.cursor,
            limit: 200,
          });
          for (const m of conversation.merge(page.messages)) this.onNewMessage(conversation, m);
          const newest = page.messages[page.messages.length - 1]?.seq ?? conversation.cursor;
          conversation.advanceTo(newest);
          if (page.messages.length < 200) {
            // The page was read after lastSeq: holding the whole page means holding up to lastSeq too.
            conversation.advanceTo(page.lastSeq);
            break;
          }
        }
      }
    } catch {
      // Offline again: the socket reconnects and subscribes from the cursor we have.
    }
    this.subscriptions.delete(conversation.id);
    if (this.socket.ready) this.subscribe(conversation, true);
    this.changed();
  }

  /**
   * Reads the conversation's place in the queue. Only the first 50 of an inbox's queue get a frame
   * whenever the line moves, so a visitor further back asks again every half minute while waiting.
   */
  private async askQueue(id: string): Promise<void> {
    const pending = this.queueTimers.get(id);
    if (pending) clearTimeout(pending);
    this.queueTimers.delete(id);
    try {
      const info = await this.api.queue(id);
      const conversation = this.conversations.get(id);
      if (!conversation) return;
      conversation.setQueue(info.waiting ? info.position : null, info.estimatedWaitSeconds);
      if (info.waiting && (info.position === null || info.position > 50)) {
        this.queueTimers.set(
          id,
          setTimeout(() => void this.askQueue(id), QUEUE_POLL_MS),
        );
      }
      this.changed();
    } catch {
      // Offline or gone: the next subscribe asks again.
    }
  }

  private onNewMessage(conversation: Timeline, message: Message): void {
    if (message.senderKind === 'agent' && message.kind !== 'activity') conversation.connected = false;
    if (
      message.senderKind === 'contact' ||
      message.kind === 'activity' ||
      message.seq <= conversation.liveFrom
    ) {
      this.markReadIfVisible();
      this.changed();
      return;
    }
    conversation.typing = null;
    this.announcement = `${message.senderName ?? this.t.team}: ${message.body}`.slice(0, 500);
    this.postToHost({
      ns: BRIDGE_NS,
      type: 'message',
      message: {
        conversationId: message.conversationId,
        kind: message.kind,
        body: message.body,
        senderName: message.senderName,
        createdAt: message.createdAt,
      },
    });
    this.markReadIfVisible();
    this.changed();
  }

  /** The visitor is looking at a conversation: tell the agents (read receipts) and clear the badge. */
  markReadIfVisible(): void {
    if (!this.open || this.view.kind !== 'conversation' || document.visibilityState !== 'visible') return;
    const conversation = this.conversations.get(this.view.id);
    if (!conversation) return;
    const newest = conversation.newestSeq();
    if (newest <= conversation.lastReadSeq) return;
    conversation.lastReadSeq = newest;
    const sent = this.socket.send({ type: 'read', conversationId: conversation.id, seq: newest });
    if (!sent) void this.api.markRead(conversation.id, newest).catch(() => undefined);
    this.changed();
  }

  // ---- typing ----------------------------------------------------------------------------------

  composing(hasText: boolean): void {
    if (this.view.kind !== 'conversation') return;
    const conversationId = this.view.id;
    if (!hasText) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    const on = this.typingOn;
    if (!on || on.conversationId !== conversationId || now - on.at > TYPING_SEND_EVERY_MS) {
      if (this.socket.send({ type: 'typing', conversationId, typing: true })) {
        this.typingOn = { conversationId, at: now };
      }
    }
    if (this.typingIdle) clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    if (this.typingIdle) clearTimeout(this.typingIdle);
    this.typingIdle = null;
    const on = this.typingOn;
    this.typingOn = null;
    if (on) this.socket.send({ type: 'typing', conversationId: on.conversationId, typing: false });
  }

  // ---- sending ---------------------------------------------------------------------------------

  /**
   * Queues a message (persisted first, so nothing typed is lost) and tries to send the queue. A pressed
   * bot button is sent as its label with the button's id.
   */
  async send(text: string, attributes?: { buttonId: string }): Promise<void> {
    const body = text.trim().slice(0, 10_000);
    if (!body) return;
    let view = this.view;
    if (view.kind === 'home') return;
    if (view.kind === 'conversation' && this.conversations.get(view.id)?.status === 'closed') {
      view = { kind: 'draft', draftId: newId('d') };
      this.view = view;
    }
    this.stopTyping();
    this.outbox.add({
      clientMsgId: newId('m'),
      contactId: this.session?.contactId ?? null,
      conversationId: view.kind === 'conversation' ? view.id : null,
      draftId: view.kind === 'draft' ? view.draftId : null,
      body,
      createdAt: new Date().toISOString(),
      ...(attributes ? { attributes } : {}),
    });
    this.broadcast({ type: 'outbox' });
    this.changed();
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!navigator.onLine) return;
    const result = await this.outbox.flush((item) => this.sendItem(item));
    this.broadcast({ type: 'outbox' });
    if (result === 'stopped') {
      // Offline or the server is struggling: try again later (and at once when the browser is back online).
      this.retryTimer = setTimeout(() => void this.flush(), backoffDelay(this.retryAttempt));
      this.retryAttempt += 1;
    } else {
      this.retryAttempt = 0;
    }
    this.changed();
  }

  private async sendItem(item: OutgoingMessage): Promise<SendResult> {
    const session = await this.ensureSession().catch((error: unknown) => {
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) return null;
      throw error;
    });
    if (!session) {
      this.failed.push(item);
      return 'rejected';
    }
    if (item.contactId !== null && item.contactId !== session.contactId) return 'rejected';
    try {
      if (item.conversationId) {
        const { message } = await this.api.postMessage(item.conversationId, {
          clientMsgId: item.clientMsgId,
          body: item.body,
          ...(item.attributes ? { attributes: item.attributes } : {}),
        });
        this.conversations.get(item.conversationId)?.merge([message]);
        this.blocked = false;
        return 'sent';
      }
      const conversation = await this.api.startConversation({
        clientMsgId: item.clientMsgId,
        body: item.body,
        ...(item.attributes ? { attributes: item.attributes } : {}),
      });
      this.blocked = false;
      const timeline = this.addConversation(conversation, 0);
      if (item.draftId) this.outbox.assignConversation(item.draftId, conversation.id);
      try {
        const page = await this.api.messages(conversation.id, { limit: 50 });
        timeline.merge(page.messages);
        timeline.historyLoaded = true;
        // A complete first page holds everything: the stream can start after it.
        if (page.messages.length < 50) timeline.advanceTo(Math.max(page.lastSeq, timeline.newestSeq()));
      } catch {
        // The stream brings them.
      }
      if (this.view.kind === 'draft' && this.view.draftId === item.draftId)
        this.view = { kind: 'conversation', id: conversation.id };
      if (this.socket.ready) this.subscribe(timeline);
      this.broadcast({ type: 'conversation', conversation, draftId: item.draftId });
      this.markReadIfVisible();
      return 'sent';
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) {
        this.sessionLost();
        throw error;
      }
      if (error.code === 'conversation_closed' && item.conversationId) {
        // The conversation was closed meanwhile: what the visitor wrote starts a new one.
        const draftId = newId('d');
        this.outbox.moveToDraft(item.conversationId, draftId);
        const closed = this.conversations.get(item.conversationId);
        if (closed) closed.status = 'closed';
        if (this.view.kind === 'conversation' && this.view.id === item.conversationId)
          this.view = { kind: 'draft', draftId };
        return 'requeued';
      }
      if (error.status >= 500 || error.status === 429 || error.status === 408) throw error;
      if (error.code === 'contact_blocked') this.blocked = true;
      this.failed.push(item);
      return 'rejected';
    }
  }

  /** What the current view shows as not yet confirmed by the server. */
  pendingFor(view: View): Array<OutgoingMessage & { state: 'sending' | 'waiting' | 'failed' }> {
    const online = this.online && navigator.onLine;
    const matches = (i: OutgoingMessage) =>
      view.kind === 'conversation'
        ? i.conversationId === view.id
        : view.kind === 'draft' && i.conversationId === null && i.draftId === view.draftId;
    const timeline = view.kind === 'conversation' ? this.conversations.get(view.id) : undefined;
    const notDelivered = (i: OutgoingMessage) => !timeline?.hasClientMsgId(i.clientMsgId);
    return [
      ...this.outbox
        .list()
        .filter(
          (i) =>
            matches(i) &&
            notDelivered(i) &&
            (i.contactId === null || i.contactId === this.session?.contactId),
        )
        .map((i) => ({ ...i, state: online ? ('sending' as const) : ('waiting' as const) })),
      ...this.failed.filter(matches).map((i) => ({ ...i, state: 'failed' as const })),
    ];
  }

  // ---- other tabs ------------------------------------------------------------------------------

  private broadcast(message: ChannelMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel: nothing to tell.
    }
  }

  private onChannel(message: ChannelMessage): void {
    if (!isRecord(message)) return;
    switch (message.type) {
      case 'session': {
        const stored = readJson(this.kv, this.sessionKey, isSession);
        if (stored?.token === this.session?.token) return;
        if (!stored) {
          this.clearSession(true);
        } else {
          this.clearSession(true);
          this.adoptStoredSession(stored);
        }
        this.changed();
        return;
      }
      case 'outbox':
        this.changed();
        if (this.outbox.list().length > 0) void this.flush();
        return;
      case 'conversation': {
        if (!this.session || !isRecord(message.conversation) || typeof message.conversation.id !== 'string')
          return;
        const known = this.conversations.has(message.conversation.id);
        const timeline = this.addConversation(message.conversation, known ? message.conversation.lastSeq : 0);
        if (this.socket.ready) this.subscribe(timeline);
        if (this.view.kind === 'draft' && this.view.draftId === message.draftId) {
          this.go({ kind: 'conversation', id: timeline.id });
        }
        this.changed();
        return;
      }
    }
  }

  /** Another tab queued or sent something: redraw, help send, and pick up conversations it started. */
  private onOutboxElsewhere(): void {
    this.changed();
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.outbox.list().length > 0) void this.flush();
      if (this.session) void this.loadConversations();
    }, 300);
  }

  typingLabel(conversation: Timeline): string | null {
    const typing = conversation.typing;
    if (!typing || typing.until < Date.now()) return null;
    return typing.name ? format(this.t.typing, { name: typing.name }) : this.t.someoneTyping;
  }
}
