/**
 * The loader: the only Parley code that runs on the customer's page. It adds a launcher button and
 * the chat iframe, forwards `Parley(...)` commands to the iframe and host events back to the page,
 * and keeps the iframe's storage in the page's localStorage when the browser gives third-party
 * frames none. It never puts strings into the page as HTML: every node is built with createElement
 * and textContent, styles are set through the CSSOM (allowed under a strict style-src).
 * Kept tiny on purpose (budget: 3 KB gzip), so it validates with plain checks instead of a library.
 */
import type { FrameMessage, HostLabels, HostMessage } from '../bridge.ts';

type Listener = (value: unknown) => void;
interface ParleyApi {
  (...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  loaded?: boolean;
}

const CHAT_ICON =
  'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16a1 1 0 0 1-1-1z';
const CLOSE_ICON =
  'M6.7 5.3 12 10.6l5.3-5.3 1.4 1.4-5.3 5.3 5.3 5.3-1.4 1.4-5.3-5.3-5.3 5.3-1.4-1.4 5.3-5.3-5.3-5.3z';
const EASE = '.2s cubic-bezier(.2,.8,.2,1)';
const HEX = /^#[0-9a-f]{6}$/i;

(() => {
  const win = window as unknown as { Parley?: ParleyApi };
  const doc = document;
  if (win.Parley?.loaded) return;
  const script =
    (doc.currentScript as HTMLScriptElement | null) ??
    doc.querySelector<HTMLScriptElement>('script[data-inbox][src*="widget.js"]');
  const inbox = script?.getAttribute('data-inbox') ?? '';
  const warn = (text: string) => console.warn(`[Parley] ${text}`);
  if (!script || !/^[0-9a-f-]{36}$/i.test(inbox) || location.origin === 'null')
    return warn('widget.js needs data-inbox and an http(s) page');
  const base = script.src.replace(/\/widget\.js([?#].*)?$/, '');
  const parleyOrigin = new URL(base).origin;
  const storagePrefix = `parley:v1:${inbox}:`;

  const listeners: Record<string, Listener[]> = {};
  const pending: HostMessage[] = [];
  let ready = false;
  let isOpen = false;
  let wantOpen = false;
  let unread = 0;
  let side = 'right';
  // Translated labels arrive with `ready`, before the launcher is shown.
  let labels = {} as HostLabels;
  const mobileQuery = matchMedia('(max-width: 479px)');

  const make = <K extends keyof HTMLElementTagNameMap>(tag: K, css: string) => {
    const node = doc.createElement(tag);
    node.style.cssText = css;
    return node;
  };
  const attr = (node: Element, name: string, value: string) => node.setAttribute(name, value);

  const host = make('div', 'display:none');
  attr(host, 'data-parley', '');
  const root = host.attachShadow({ mode: 'open' });
  const launcher = make(
    'button',
    `position:fixed;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;padding:0;margin:0;cursor:pointer;display:flex;align-items:center;justify-content:center;box-shadow:0 6px 16px rgba(15,23,42,.18),0 2px 4px rgba(15,23,42,.12);z-index:2147483000`,
  );
  launcher.type = 'button';
  attr(launcher, 'aria-haspopup', 'dialog');
  attr(launcher, 'aria-controls', 'parley-frame');
  const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  attr(svg, 'viewBox', '0 0 24 24');
  attr(svg, 'width', '28');
  attr(svg, 'height', '28');
  attr(svg, 'aria-hidden', 'true');
  const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
  attr(path, 'fill', 'currentColor');
  svg.append(path);
  const badge = make(
    'span',
    'position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;background:#e11d48;color:#fff;font:600 11px/20px system-ui,sans-serif;text-align:center;box-shadow:0 0 0 2px #fff',
  );
  attr(badge, 'aria-hidden', 'true');
  launcher.append(svg, badge);

  const frame = make(
    'iframe',
    'position:fixed;border:0;background:transparent;color-scheme:normal;z-index:2147483000',
  );
  frame.id = 'parley-frame';
  // Links the agent sends may open in a new tab; the frame may never navigate the page itself.
  attr(
    frame,
    'sandbox',
    'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox',
  );
  frame.src = `${base}/widget/frame?inbox=${inbox}&origin=${encodeURIComponent(location.origin)}`;
  root.append(frame, launcher);

  const send = (message: HostMessage) => frame.contentWindow?.postMessage(message, parleyOrigin);
  const post = (message: HostMessage) => (ready ? send(message) : pending.push(message));

  const emit = (name: string, value?: unknown) => {
    for (const fn of listeners[name] ?? []) {
      try {
        fn(value);
      } catch (error) {
        console.error(error); // a failing host callback must not break the widget
      }
    }
  };

  const layout = () => {
    const mobile = mobileQuery.matches;
    const edge = side;
    const other = side === 'left' ? 'right' : 'left';
    launcher.style.setProperty(edge, '20px');
    launcher.style.removeProperty(other);
    launcher.style.display = mobile && isOpen ? 'none' : 'flex';
    frame.style.cssText += mobile
      ? ';inset:0;width:100%;height:100%;border-radius:0;box-shadow:none'
      : `;top:auto;${other}:auto;${edge}:20px;bottom:92px;width:384px;height:min(680px,calc(100% - 112px));border-radius:16px;box-shadow:0 18px 50px rgba(15,23,42,.22),0 3px 10px rgba(15,23,42,.08)`;
    frame.style.cssText += `;transform-origin:bottom ${edge};transition:opacity ${EASE},transform ${EASE},visibility 0s linear ${isOpen ? '0s' : '.2s'};visibility:${isOpen ? 'visible' : 'hidden'};opacity:${isOpen ? 1 : 0};transform:${isOpen ? 'none' : 'translateY(16px) scale(.98)'}`;
    attr(frame, 'aria-hidden', String(!isOpen));
    attr(path, 'd', isOpen ? CLOSE_ICON : CHAT_ICON);
    attr(launcher, 'aria-expanded', String(isOpen));
    const count = unread > 0 ? `, ${labels.unread.replace('{n}', String(unread))}` : '';
    attr(launcher, 'aria-label', isOpen ? labels.close : labels.open + count);
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.style.display = unread > 0 && !isOpen ? 'block' : 'none';
    frame.title = labels.frame;
  };

  const setOpen = (open: boolean) => {
    if (!ready) {
      wantOpen = open;
      return;
    }
    if (open === isOpen) return;
    const hadFocus = doc.activeElement === host;
    isOpen = open;
    layout();
    post({ ns: 'parley', type: 'visibility', open, mobile: mobileQuery.matches });
    if (open) frame.focus();
    else if (hadFocus) launcher.focus();
    emit(open ? 'open' : 'close');
  };

  launcher.onclick = () => setOpen(!isOpen);
  doc.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen && doc.activeElement === host) setOpen(false);
  });
  mobileQuery.addEventListener?.('change', () => {
    layout();
    if (isOpen) post({ ns: 'parley', type: 'visibility', open: true, mobile: mobileQuery.matches });
  });

  const str = (value: unknown, max = 200): value is string =>
    typeof value === 'string' && value.length <= max;
  const takeLabels = (value: unknown) => {
    const v = value as Partial<HostLabels> | null;
    if (v && str(v.open) && str(v.close) && str(v.frame) && str(v.unread)) labels = v as HostLabels;
  };
  const ours = (key: unknown): key is string => str(key) && key.startsWith(storagePrefix);
  const storage = () => {
    try {
      return localStorage;
    } catch {
      return null;
    }
  };

  addEventListener('storage', (event) => {
    // Another tab of this site changed the widget's storage: tell our frame.
    if (ours(event.key)) send({ ns: 'parley', type: 'stored', key: event.key, value: event.newValue });
  });

  addEventListener('message', (event: MessageEvent) => {
    // Only the Parley iframe we created may talk to us.
    if (event.origin !== parleyOrigin || event.source !== frame.contentWindow) return;
    const data = event.data as FrameMessage | null;
    if (data?.ns !== 'parley') return;
    switch (data.type) {
      case 'hello': {
        const snapshot: Record<string, string> = {};
        const s = storage();
        for (let i = 0; s && i < s.length; i += 1) {
          const key = s.key(i);
          if (ours(key)) snapshot[key] = s.getItem(key) ?? '';
        }
        send({ ns: 'parley', type: 'init', storage: snapshot });
        return;
      }
      case 'store':
        if (ours(data.key) && (data.value === null || str(data.value, 40_000))) {
          try {
            if (data.value === null) storage()?.removeItem(data.key);
            else storage()?.setItem(data.key, data.value);
          } catch {
            // Quota or privacy mode: the frame keeps its copy for this page view.
          }
        }
        return;
      case 'ready':
        if (!HEX.test(data.color) || !HEX.test(data.fg)) return;
        launcher.style.background = data.color;
        launcher.style.color = data.fg;
        side = data.position === 'left' ? 'left' : 'right';
        takeLabels(data.labels);
        if (!ready) {
          ready = true;
          host.style.display = 'block';
          for (const message of pending.splice(0)) send(message);
          send({
            ns: 'parley',
            type: 'page',
            page: { url: location.href, title: doc.title, referrer: doc.referrer },
          });
        }
        layout();
        if (wantOpen) setOpen(true);
        return;
      case 'labels':
        takeLabels(data.labels);
        return layout();
      case 'request':
        return setOpen(data.action === 'open');
      case 'unread':
        if (typeof data.count === 'number' && data.count >= 0 && data.count !== unread) {
          unread = Math.floor(data.count);
          if (ready) layout();
          emit('unread', unread);
        }
        return;
      case 'message': {
        // A copy of the plain fields, so the page gets data and never a live object of ours.
        const { conversationId, kind, body, senderName, createdAt } = data.message ?? {};
        if (str(body, 10_000)) emit('message', { conversationId, kind, body, senderName, createdAt });
        return;
      }
    }
  });

  const api: ParleyApi = (...args: unknown[]) => {
    const [command, value, extra] = args;
    if (command === 'open' || command === 'close') setOpen(command === 'open');
    else if (command === 'toggle') setOpen(ready ? !isOpen : !wantOpen);
    else if (command === 'identify' && value && typeof value === 'object') {
      // Only plain fields cross the bridge (a host object may hold functions that cannot be cloned).
      const { id, name, email, timestamp, signature } = value as Record<string, never>;
      post({ ns: 'parley', type: 'identify', identity: { id, name, email, timestamp, signature } });
    } else if (command === 'reset') post({ ns: 'parley', type: 'reset' });
    else if (command === 'locale' && str(value, 35)) post({ ns: 'parley', type: 'locale', locale: value });
    else if (command === 'on' && typeof value === 'string' && typeof extra === 'function') {
      listeners[value] = [...(listeners[value] ?? []), extra as Listener];
    } else if (command === 'off' && typeof value === 'string') {
      listeners[value] = (listeners[value] ?? []).filter((fn) => fn !== extra);
    } else warn(`unknown command ${String(command)}`);
  };
  const queued = win.Parley?.q ?? [];
  api.loaded = true;
  win.Parley = api;
  const mount = () => {
    doc.body.append(host);
    for (const args of queued) api(...Array.from(args));
  };
  if (doc.body) mount();
  else doc.addEventListener('DOMContentLoaded', mount);
})();
