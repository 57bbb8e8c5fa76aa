import type { Message } from '@parley/shared';
import type { App, View } from './app.ts';
import { articleCard } from './article-card.tsx';
import { attachControls, attachmentBubble } from './attachments.tsx';
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (see tsconfig jsxFactory).
import { h, replaceChildren } from './dom.ts';
import { format } from './i18n.ts';
import { richText } from './rich-text.tsx';
import type { Timeline } from './timeline.ts';

const icon = (d: string, size = 20) => (
  <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
    <path fill="currentColor" d={d} />
  </svg>
);
const ICONS = {
  back: 'M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z',
  close: 'M6.7 5.3 12 10.6l5.3-5.3 1.4 1.4-5.3 5.3 5.3 5.3-1.4 1.4-5.3-5.3-5.3 5.3-1.4-1.4 5.3-5.3-5.3-5.3z',
  send: 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z',
  chevron: 'M9.3 5.3 8 6.7l5.3 5.3L8 17.3l1.3 1.4 6.7-6.7z',
  chat: 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16a1 1 0 0 1-1-1z',
};
const CARD_KINDS = new Set(['attachment', 'article', 'flow', 'call', 'survey']);
/** The server's button id for "talk to a human" (kept here: the frame bundles no schemas). */
const HUMAN_BUTTON_ID = 'human';

/** The buttons of a bot menu, if the message carries well-formed ones (they are untrusted input). */
function buttonsOf(m: Message): Array<{ id: string; label: string }> {
  const raw = m.kind === 'flow' ? m.attributes.buttons : undefined;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (b): b is { id: string; label: string } =>
        typeof b === 'object' &&
        b !== null &&
        typeof (b as { id?: unknown }).id === 'string' &&
        /^[A-Za-z0-9_-]{1,40}$/.test((b as { id: string }).id) &&
        typeof (b as { label?: unknown }).label === 'string' &&
        (b as { label: string }).label.trim() !== '',
    )
    .slice(0, 10)
    .map((b) => ({ id: b.id, label: b.label.trim().slice(0, 80) }));
}

/** The text of a bot phase item, or null for one the visitor need not see. */
/** The visitor's place in line and the estimated wait, or that an agent has the conversation now. */
function queueText(timeline: Timeline, t: App['t']): string | null {
  if (timeline.queue) {
    const wait = timeline.queue.waitSeconds;
    const place = format(t.queuePosition, { n: timeline.queue.position });
    if (wait === null) return place;
    return `${place} ${wait < 60 ? t.queueWaitShort : format(t.queueWait, { m: Math.round(wait / 60) })}`;
  }
  return timeline.connected ? t.queueConnected : null;
}

function phaseText(m: Message, t: App['t']): string | null | undefined {
  if (m.kind !== 'activity' || m.attributes.type !== 'bot_phase') return undefined;
  if (m.attributes.to === 'requested') return t.humanRequested;
  if (m.attributes.to === 'accepted') return t.agentJoined;
  return null;
}
const GROUP_GAP_MS = 5 * 60_000;

function initials(name: string | null): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return (
    letters
      .map((p) => Array.from(p ?? '')[0] ?? '')
      .join('')
      .toUpperCase() || '•'
  );
}

function timeOf(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date().toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(
    locale,
    today ? { hour: 'numeric', minute: '2-digit' } : { day: 'numeric', month: 'short' },
  ).format(date);
}

interface Keyed {
  key: string;
  sig: string;
  build: () => Node;
}

/** Keeps a list's nodes in step with `items`, rebuilding only the ones whose signature changed. */
function reconcile(
  list: HTMLElement,
  cache: Map<string, { node: Node; sig: string }>,
  items: Keyed[],
  animate = true,
): void {
  const wanted = new Set(items.map((i) => i.key));
  for (const [key, entry] of cache) {
    if (!wanted.has(key)) {
      entry.node.parentNode?.removeChild(entry.node);
      cache.delete(key);
    }
  }
  items.forEach((item, index) => {
    let entry = cache.get(item.key);
    if (!entry || entry.sig !== item.sig) {
      const node = item.build();
      if (node instanceof Element) {
        node.setAttribute('data-key', item.key);
        // Only a node that is new (not a rebuilt one) animates in.
        if (!entry && animate) node.classList.add('pw-enter');
      }
      if (entry) entry.node.parentNode?.replaceChild(node, entry.node);
      entry = { node, sig: item.sig };
      cache.set(item.key, entry);
    }
    const at = list.childNodes[index];
    if (at !== entry.node) list.insertBefore(entry.node, at ?? null);
  });
}

interface Screen {
  readonly key: string;
  readonly el: HTMLElement;
  update(): void;
  focus(): void;
}

/** The shell: header, status line, the current screen and the live region. */
export class Ui {
  private readonly app: App;
  private readonly root: HTMLElement;
  private readonly header: HTMLElement;
  private readonly main: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly live: HTMLElement;
  private screen: Screen | null = null;
  private lastAnnouncement = '';
  private wasOpen = false;
  private screenLocale = '';

  constructor(app: App, root: HTMLElement) {
    this.app = app;
    this.root = root;
    this.header = (<header class="pw-header" />) as HTMLElement;
    this.statusLine = (<div class="pw-status" role="status" />) as HTMLElement;
    this.main = (<main class="pw-main" />) as HTMLElement;
    this.live = (<div class="pw-sr" aria-live="polite" aria-atomic="true" />) as HTMLElement;
    replaceChildren(root, this.header, this.statusLine, this.main, this.live);
    root.setAttribute('role', 'dialog');
    root.setAttribute('aria-labelledby', 'pw-title');
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && app.hostOrigin) {
        event.preventDefault();
        app.requestClose();
      }
    });
  }

  render(): void {
    const app = this.app;
    const t = app.t;
    const config = app.config;
    if (!config) return;
    const view = app.view;
    const key = screenKey(view);
    // A language change rebuilds the screen so that every label and placeholder follows.
    if (!this.screen || this.screen.key !== key || this.screenLocale !== app.locale) {
      this.screenLocale = app.locale;
      this.screen = view.kind === 'home' ? new HomeScreen(app) : new ThreadScreen(app, view);
      replaceChildren(this.main, this.screen.el);
      if (app.open) this.screen.focus();
    }
    this.root.dataset.view = view.kind === 'home' ? 'home' : 'thread';
    this.root.classList.toggle('pw-mobile', app.mobile);
    this.renderHeader();

    const offline = !app.online || app.status === 'offline';
    this.statusLine.textContent = !app.online ? t.offline : app.status === 'offline' ? t.reconnecting : '';
    this.statusLine.hidden = !offline;

    this.screen.update();
    if (app.open && !this.wasOpen) this.screen.focus();
    this.wasOpen = app.open;
    if (app.announcement && app.announcement !== this.lastAnnouncement) {
      this.lastAnnouncement = app.announcement;
      this.live.textContent = app.announcement;
    }
  }

  private renderHeader(): void {
    const app = this.app;
    const t = app.t;
    const config = app.config;
    if (!config) return;
    if (!this.headerParts) this.headerParts = this.buildHeader(config.title || config.name);
    const parts = this.headerParts;
    const home = app.view.kind === 'home';
    let subtitle = home ? config.greeting || t.replyTime : t.replyTime;
    if (app.view.kind === 'conversation') {
      const current = app.conversations.get(app.view.id);
      subtitle = (current && app.typingLabel(current)) || t.replyTime;
    }
    parts.back.hidden = home || app.conversations.size === 0;
    parts.back.setAttribute('aria-label', t.back);
    parts.close.setAttribute('aria-label', t.minimize);
    parts.title.textContent = config.title || config.name;
    parts.avatar.textContent = initials(config.title || config.name);
    this.header.classList.toggle('pw-header--back', !parts.back.hidden);
    parts.subtitle.textContent = subtitle;
  }

  private headerParts: {
    back: HTMLElement;
    close: HTMLElement;
    title: HTMLElement;
    subtitle: HTMLElement;
    avatar: HTMLElement;
  } | null = null;

  private buildHeader(initialTitle: string) {
    const app = this.app;
    const back = (
      <button type="button" class="pw-icon-btn" onClick={() => app.go({ kind: 'home' })}>
        {icon(ICONS.back)}
      </button>
    ) as HTMLElement;
    const close = (
      <button type="button" class="pw-icon-btn" onClick={() => app.requestClose()}>
        {icon(ICONS.close)}
      </button>
    ) as HTMLElement;
    close.hidden = !app.hostOrigin;
    const title = (
      <h1 class="pw-title" id="pw-title">
        {initialTitle}
      </h1>
    ) as HTMLElement;
    const subtitle = (<p class="pw-subtitle" />) as HTMLElement;
    const avatar = (
      <span class="pw-header-avatar" aria-hidden="true">
        {initials(initialTitle)}
      </span>
    ) as HTMLElement;
    replaceChildren(
      this.header,
      back,
      avatar,
      <div class="pw-heading">
        {title}
        {subtitle}
      </div>,
      close,
    );
    return { back, close, title, subtitle, avatar };
  }
}

function screenKey(view: View): string {
  return view.kind === 'home' ? 'home' : 'thread';
}

/** The conversation list and the way to start a new one. */
class HomeScreen implements Screen {
  readonly key = 'home';
  readonly el: HTMLElement;
  private readonly app: App;
  private readonly list: HTMLElement;
  private readonly cache = new Map<string, { node: Node; sig: string }>();
  private readonly listCard: HTMLElement;
  private readonly startButton: HTMLButtonElement;
  private readonly startLabel: HTMLElement;
  private readonly startHint: HTMLElement;
  private readonly listTitle: HTMLElement;

  constructor(app: App) {
    this.app = app;
    this.startLabel = (<span class="pw-start-title" />) as HTMLElement;
    this.startHint = (<span class="pw-start-hint" />) as HTMLElement;
    this.startButton = (
      <button type="button" class="pw-start" onClick={() => app.newConversation()}>
        <span class="pw-start-text">
          {this.startLabel}
          {this.startHint}
        </span>
        <span class="pw-start-icon">{icon(ICONS.send, 18)}</span>
      </button>
    ) as HTMLButtonElement;
    this.listTitle = (
      <h2 class="pw-card-title" id="pw-list-title">
        {app.t.yourConversations}
      </h2>
    ) as HTMLElement;
    this.list = (<ul class="pw-conv-list" aria-labelledby="pw-list-title" />) as HTMLElement;
    this.listCard = (
      <section class="pw-card">
        {this.listTitle}
        {this.list}
      </section>
    ) as HTMLElement;
    this.el = (
      <div class="pw-home">
        <div class="pw-card pw-start-card">{this.startButton}</div>
        {this.listCard}
        <p class="pw-powered">{app.t.poweredBy}</p>
      </div>
    ) as HTMLElement;
  }

  update(): void {
    const app = this.app;
    const t = app.t;
    this.startLabel.textContent = app.conversations.size > 0 ? t.newConversation : t.sendUsAMessage;
    this.startHint.textContent = t.replyTime;
    this.listTitle.textContent = t.yourConversations;
    const conversations = app.sortedConversations();
    this.listCard.hidden = conversations.length === 0;
    reconcile(
      this.list,
      this.cache,
      conversations.map((c) => {
        const unread = c.unread();
        const when = timeOf(c.lastActivityAt, app.locale);
        const preview = c.preview ?? t.noPreview;
        return {
          key: c.id,
          sig: `${unread}|${when}|${preview}|${c.status}|${app.locale}`,
          build: () => (
            <li>
              <button
                type="button"
                class={`pw-conv${unread > 0 ? ' pw-conv--unread' : ''}`}
                onClick={() => app.go({ kind: 'conversation', id: c.id })}
              >
                <span class="pw-avatar pw-avatar--team" aria-hidden="true">
                  {icon(ICONS.chat, 18)}
                </span>
                <span class="pw-conv-text">
                  <span class="pw-conv-top">
                    <span class="pw-conv-title">{app.config?.title || t.conversation}</span>
                    <span class="pw-conv-time">{when}</span>
                  </span>
                  <span class="pw-conv-preview">{preview}</span>
                </span>
                {unread > 0 ? (
                  <span class="pw-count">
                    <span aria-hidden="true">{unread}</span>
                    <span class="pw-sr">{format(t.unread, { n: unread })}</span>
                  </span>
                ) : (
                  <span class="pw-chevron">{icon(ICONS.chevron, 18)}</span>
                )}
              </button>
            </li>
          ),
        };
      }),
    );
  }

  focus(): void {
    this.startButton.focus();
  }
}

interface Row {
  message: Message | null;
  pending: ReturnType<App['pendingFor']>[number] | null;
}

/** One conversation (or a draft of a new one): messages, typing, the composer or the pre-chat form. */
class ThreadScreen implements Screen {
  readonly key = 'thread';
  readonly el: HTMLElement;
  private readonly app: App;
  private readonly scroller: HTMLElement;
  private readonly list: HTMLElement;
  private readonly cache = new Map<string, { node: Node; sig: string }>();
  private readonly footer: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly queueLine: HTMLElement;
  private readonly botBar: HTMLElement;
  private readonly humanButton: HTMLButtonElement;
  private footerMode: 'composer' | 'prechat' | 'verify' | null = null;
  private scrolled = false;
  private target = '';
  private textarea: HTMLTextAreaElement | null = null;
  private firstField: HTMLElement | null = null;

  constructor(app: App, _view: View) {
    this.app = app;
    this.list = (<ol class="pw-messages" />) as HTMLElement;
    this.scroller = (
      <section class="pw-scroll" aria-label={app.t.messages} tabindex="0">
        {this.list}
      </section>
    ) as HTMLElement;
    this.notice = (<p class="pw-notice" hidden />) as HTMLElement;
    this.queueLine = (
      <p class="pw-notice pw-queue" role="status" aria-live="polite" hidden />
    ) as HTMLElement;
    this.footer = (<div class="pw-footer" />) as HTMLElement;
    // While a bot holds the conversation the visitor can always ask for a person.
    this.humanButton = (
      <button
        type="button"
        class="pw-human"
        onClick={() => void app.send(app.t.talkToHuman, { buttonId: HUMAN_BUTTON_ID })}
      />
    ) as HTMLButtonElement;
    this.botBar = (
      <div class="pw-botbar" hidden>
        {this.humanButton}
      </div>
    ) as HTMLElement;
    this.el = (
      <div class="pw-thread">
        {this.scroller}
        {this.queueLine}
        {this.notice}
        {this.botBar}
        {this.footer}
      </div>
    ) as HTMLElement;
  }

  private timeline(): Timeline | undefined {
    const view = this.app.view;
    return view.kind === 'conversation' ? this.app.conversations.get(view.id) : undefined;
  }

  update(): void {
    const app = this.app;
    const t = app.t;
    const timeline = this.timeline();
    const view = app.view;
    const target =
      view.kind === 'conversation' ? view.id : view.kind === 'draft' ? `draft:${view.draftId}` : '';
    // Another conversation (not a draft becoming its conversation): start again at its bottom.
    if (this.target && this.target !== target && !this.target.startsWith('draft:')) this.scrolled = false;
    this.target = target;
    const nearBottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 60;
    const beforeHeight = this.scroller.scrollHeight;
    const firstKeyBefore = this.list.firstElementChild?.getAttribute('data-key');

    const items: Keyed[] = [];
    if (timeline?.hasOlder) {
      items.push({
        key: 'older',
        sig: app.locale,
        build: () => (
          <li class="pw-older">
            <button type="button" class="pw-link-btn" onClick={() => void app.loadOlder(timeline.id)}>
              {t.earlier}
            </button>
          </li>
        ),
      });
    }
    const greeting = app.config?.greeting;
    if (greeting && !timeline?.hasOlder) {
      items.push({
        key: 'greeting',
        sig: greeting,
        build: () =>
          this.bubble({
            text: greeting,
            mine: false,
            name: app.config?.title || app.config?.name || '',
            first: true,
            last: true,
            meta: '',
          }),
      });
    }
    const rows: Row[] = [
      ...(timeline?.messages ?? []).map((message) => ({ message, pending: null })),
      ...app.pendingFor(app.view).map((pending) => ({ message: null, pending })),
    ];
    const seen = timeline?.seenSeq() ?? null;
    // A menu's buttons are offered until the visitor answers (or has something on its way).
    let lastContactSeq = 0;
    for (const m of timeline?.messages ?? []) if (m.senderKind === 'contact') lastContactSeq = m.seq;
    const answering = rows.some((r) => r.pending !== null);
    let menuOffersHuman = false;
    rows.forEach((row, index) => {
      const previous = rows[index - 1];
      const next = rows[index + 1];
      const first = !previous || !sameGroup(previous, row);
      const last = !next || !sameGroup(row, next);
      if (row.message) {
        const m = row.message;
        if (phaseText(m, t) === null) return;
        const isSeen = seen === m.seq;
        const choices = m.seq > lastContactSeq && !answering ? buttonsOf(m) : [];
        if (choices.some((c) => c.id === HUMAN_BUTTON_ID)) menuOffersHuman = true;
        items.push({
          key: `m${m.conversationId}:${m.seq}`,
          sig: `${first}${last}${isSeen}${app.locale}${choices.length}`,
          build: () => this.messageNode(m, first, last, isSeen, choices),
        });
      } else if (row.pending) {
        const p = row.pending;
        const label = p.state === 'failed' ? t.notSent : p.state === 'waiting' ? t.waiting : t.sending;
        items.push({
          key: `p${p.clientMsgId}`,
          sig: `${first}${last}${p.state}${app.locale}`,
          build: () => {
            const node = this.bubble({ text: p.body, mine: true, name: '', first, last, meta: label });
            (node as HTMLElement).classList.add('pw-msg--pending', `pw-msg--${p.state}`);
            return node;
          },
        });
      }
    });
    const typing = timeline ? app.typingLabel(timeline) : null;
    if (typing) {
      items.push({
        key: 'typing',
        sig: typing,
        build: () => (
          <li class="pw-msg pw-msg--them pw-first pw-last pw-typing">
            <div class="pw-col">
              <div class="pw-bubble">
                <span class="pw-sr">{typing}</span>
                <span class="pw-dot" />
                <span class="pw-dot" />
                <span class="pw-dot" />
              </div>
            </div>
          </li>
        ),
      });
    }
    reconcile(this.list, this.cache, items, this.scrolled);

    if (!this.scrolled && this.list.childNodes.length > 0) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.scrolled = this.scroller.scrollHeight > 0;
    } else if (
      firstKeyBefore &&
      this.list.firstElementChild?.getAttribute('data-key') !== firstKeyBefore &&
      !nearBottom
    ) {
      // Older messages were added above: keep what the visitor was reading in place.
      this.scroller.scrollTop += this.scroller.scrollHeight - beforeHeight;
    } else if (nearBottom) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }

    const closed = timeline?.status === 'closed';
    const queued = !closed && timeline ? queueText(timeline, t) : null;
    this.queueLine.hidden = queued === null;
    // Rewriting the same text would make screen readers announce it again.
    if ((queued ?? '') !== this.queueLine.textContent) this.queueLine.textContent = queued ?? '';
    this.notice.hidden = !closed && !app.blocked;
    this.notice.textContent = app.blocked ? t.blockedNotice : closed ? t.closedNotice : '';
    this.botBar.hidden = closed || timeline?.botPhase !== 'bot' || answering || menuOffersHuman;
    this.humanButton.textContent = t.talkToHuman;
    this.renderFooter();
  }

  private renderFooter(): void {
    const app = this.app;
    const mode = app.needsVerification()
      ? 'verify'
      : app.prechatFields().length > 0 && app.view.kind === 'draft'
        ? 'prechat'
        : 'composer';
    if (mode === this.footerMode && mode !== 'prechat') return;
    if (mode === 'prechat' && this.footerMode === 'prechat') {
      this.updatePrechat();
      return;
    }
    const hadFocus = this.footer.contains(document.activeElement);
    this.footerMode = mode;
    this.textarea = null;
    this.firstField = null;
    if (mode === 'verify') {
      replaceChildren(this.footer, <p class="pw-notice">{app.t.verificationNeeded}</p>);
    } else if (mode === 'prechat') {
      replaceChildren(this.footer, this.prechatForm());
    } else {
      replaceChildren(this.footer, this.composer());
    }
    if (hadFocus || app.open) this.focus();
  }

  private composer(): Node {
    const app = this.app;
    const t = app.t;
    const textarea = (
      <textarea
        id="pw-input"
        class="pw-input"
        rows="1"
        maxlength="10000"
        placeholder={t.placeholder}
        aria-label={t.messageLabel}
        autocomplete="off"
      />
    ) as HTMLTextAreaElement;
    this.textarea = textarea;
    const resize = () => {
      textarea.style.height = 'auto';
      textarea.style.height = `${Math.min(textarea.scrollHeight, 132)}px`;
    };
    const submit = () => {
      const text = textarea.value;
      if (!text.trim()) return;
      textarea.value = '';
      resize();
      void app.send(text);
    };
    textarea.addEventListener('input', () => {
      resize();
      app.composing(textarea.value.trim().length > 0);
    });
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    const files = attachControls(app, this.el);
    return (
      <form
        class="pw-composer"
        onSubmit={(event: Event) => {
          event.preventDefault();
          submit();
          textarea.focus();
        }}
      >
        {files.tray}
        {files.button}
        {textarea}
        <button type="submit" class="pw-send" aria-label={t.send}>
          {icon(ICONS.send, 18)}
        </button>
      </form>
    );
  }

  private prechatForm(): Node {
    const app = this.app;
    const t = app.t;
    const fields = app.prechatFields();
    const inputs: Array<{
      key: string;
      type: string;
      required: boolean;
      input: HTMLInputElement;
      error: HTMLElement;
    }> = [];
    const body = fields.map((field) => {
      const id = `pw-f-${field.key}`;
      const label =
        field.label || (field.key === 'name' ? t.name : field.key === 'email' ? t.email : field.key);
      const error = (<p class="pw-field-error" id={`${id}-error`} />) as HTMLElement;
      const input = (
        <input
          id={id}
          class="pw-field-input"
          name={field.key}
          type={field.type}
          required={field.required}
          maxlength={field.type === 'email' ? '254' : '500'}
          autocomplete={
            field.key === 'name'
              ? 'name'
              : field.type === 'email'
                ? 'email'
                : field.type === 'tel'
                  ? 'tel'
                  : 'off'
          }
          aria-describedby={`${id}-error`}
        />
      ) as HTMLInputElement;
      inputs.push({ key: field.key, type: field.type, required: field.required, input, error });
      return (
        <div class="pw-field">
          <label for={id} class="pw-field-label">
            {label}
            {!field.required && <span class="pw-optional"> ({t.optional})</span>}
          </label>
          {input}
          {error}
        </div>
      );
    });
    this.firstField = inputs[0]?.input ?? null;
    const formError = (<p class="pw-form-error" role="alert" />) as HTMLElement;
    const submit = (
      <button type="submit" class="pw-primary">
        {t.startChat}
      </button>
    ) as HTMLButtonElement;
    this.prechatParts = { formError, submit };
    return (
      <form
        class="pw-prechat"
        novalidate
        onSubmit={(event: Event) => {
          event.preventDefault();
          let firstInvalid: HTMLInputElement | null = null;
          const values: Record<string, string> = {};
          for (const field of inputs) {
            const value = field.input.value.trim();
            let problem = '';
            if (field.required && !value) problem = t.required;
            else if (value && field.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
              problem = t.invalidEmail;
            else if (value && field.type === 'tel' && !/^\+?[\d\s().-]{5,30}$/.test(value))
              problem = t.invalidPhone;
            field.error.textContent = problem;
            field.input.setAttribute('aria-invalid', String(problem !== ''));
            if (problem && !firstInvalid) firstInvalid = field.input;
            values[field.key] = value;
          }
          if (firstInvalid) {
            (firstInvalid as HTMLInputElement).focus();
            return;
          }
          void app.submitPrechat(values);
        }}
      >
        <p class="pw-prechat-intro">{t.prechatIntro}</p>
        {body}
        {formError}
        {submit}
      </form>
    );
  }

  private prechatParts: { formError: HTMLElement; submit: HTMLButtonElement } | null = null;

  private updatePrechat(): void {
    const parts = this.prechatParts;
    if (!parts) return;
    parts.formError.textContent = this.app.prechatError ?? '';
    parts.submit.disabled = this.app.busy;
  }

  private messageNode(
    m: Message,
    first: boolean,
    last: boolean,
    seen: boolean,
    choices: Array<{ id: string; label: string }>,
  ): Node {
    const app = this.app;
    const t = app.t;
    if (m.kind === 'activity' || (m.senderKind === 'system' && m.kind === 'text')) {
      return (
        <li class="pw-activity">
          <span>{phaseText(m, t) ?? m.body}</span>
        </li>
      );
    }
    const mine = m.senderKind === 'contact';
    const time = timeOf(m.createdAt, app.locale);
    const meta = [last ? time : '', seen ? t.seen : ''].filter(Boolean).join(' · ');
    if (m.kind === 'flow' && buttonsOf(m).length > 0) {
      // A bot menu: its text, and its options as buttons that send their label.
      return this.wrap(
        mine,
        first,
        last,
        m.senderName,
        <div class="pw-menu">
          <div class="pw-bubble">{richText(m.body)}</div>
          {choices.length > 0 && (
            <div class="pw-choices">
              {choices.map((choice) => (
                <button
                  type="button"
                  class="pw-choice"
                  onClick={() => void app.send(choice.label, { buttonId: choice.id })}
                >
                  {choice.label}
                </button>
              ))}
            </div>
          )}
        </div>,
        meta,
      );
    }
    const article = m.kind === 'article' ? articleCard(m, { kind: t.article, read: t.readArticle }) : null;
    if (article) return this.wrap(mine, first, last, m.senderName, article, meta);
    const files = m.kind === 'attachment' ? attachmentBubble(app, m) : null;
    if (files) return this.wrap(mine, first, last, m.senderName, files, meta);
    if (CARD_KINDS.has(m.kind)) {
      const kindLabel = t[m.kind as 'attachment' | 'article' | 'flow' | 'call' | 'survey'];
      return this.wrap(
        mine,
        first,
        last,
        m.senderName,
        <div class="pw-bubble pw-bubble--card">
          <span class="pw-card-kind">{kindLabel}</span>
          <span class="pw-card-body">{richText(m.body)}</span>
        </div>,
        meta,
      );
    }
    return this.wrap(mine, first, last, m.senderName, <div class="pw-bubble">{richText(m.body)}</div>, meta);
  }

  private bubble(options: {
    text: string;
    mine: boolean;
    name: string;
    first: boolean;
    last: boolean;
    meta: string;
  }): Node {
    return this.wrap(
      options.mine,
      options.first,
      options.last,
      options.name,
      <div class="pw-bubble">{richText(options.text)}</div>,
      options.meta,
    );
  }

  private wrap(
    mine: boolean,
    first: boolean,
    last: boolean,
    name: string | null,
    bubble: Node,
    meta: string,
  ): Node {
    const t = this.app.t;
    const who = mine ? t.you : name || t.team;
    const classes = [
      'pw-msg',
      mine ? 'pw-msg--me' : 'pw-msg--them',
      first ? 'pw-first' : '',
      last ? 'pw-last' : '',
    ];
    return (
      <li class={classes.filter(Boolean).join(' ')}>
        {!mine && (
          <span class="pw-avatar" aria-hidden="true">
            {first ? initials(who) : ''}
          </span>
        )}
        <div class="pw-col">
          {first && !mine && <span class="pw-name">{who}</span>}
          <span class="pw-sr">{`${who}: `}</span>
          {bubble}
          {meta && <span class="pw-meta">{meta}</span>}
        </div>
      </li>
    );
  }

  focus(): void {
    // On phones, focusing an input opens the keyboard over the conversation: focus the messages instead.
    const target = this.app.mobile ? this.scroller : (this.textarea ?? this.firstField ?? this.scroller);
    target.focus({ preventScroll: true });
  }
}

function sameGroup(a: Row, b: Row): boolean {
  const kindA = a.message
    ? a.message.senderKind === 'contact'
      ? 'me'
      : `${a.message.senderKind}:${a.message.senderId}`
    : 'me';
  const kindB = b.message
    ? b.message.senderKind === 'contact'
      ? 'me'
      : `${b.message.senderKind}:${b.message.senderId}`
    : 'me';
  if (kindA !== kindB) return false;
  if (a.message?.kind === 'activity' || b.message?.kind === 'activity') return false;
  const timeA = Date.parse(a.message?.createdAt ?? a.pending?.createdAt ?? '');
  const timeB = Date.parse(b.message?.createdAt ?? b.pending?.createdAt ?? '');
  return Number.isNaN(timeA) || Number.isNaN(timeB) || Math.abs(timeB - timeA) < GROUP_GAP_MS;
}
