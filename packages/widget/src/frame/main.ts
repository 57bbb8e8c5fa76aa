import { BRIDGE_NS, parseHostMessage } from '../bridge.ts';
import { App } from './app.ts';
import { bridgedStorage, frameStorage, type KeyValue, memoryStorage } from './storage.ts';
import { Ui } from './views.tsx';

/**
 * The frame's own storage, or — when the browser blocks storage for third-party frames — the page's,
 * kept by the loader (asked for with `hello`, answered with `init`).
 */
function chooseStorage(hostOrigin: string | null): Promise<KeyValue> {
  const own = frameStorage();
  if (own || !hostOrigin) return Promise.resolve(own ?? memoryStorage());
  return new Promise((resolve) => {
    let bridged: ReturnType<typeof bridgedStorage> | null = null;
    const timer = setTimeout(() => resolve(memoryStorage()), 3_000);
    addEventListener('message', (event) => {
      if (event.source !== window.parent || event.origin !== hostOrigin) return;
      const message = parseHostMessage(event.data);
      if (message?.type === 'init' && !bridged) {
        clearTimeout(timer);
        bridged = bridgedStorage(message.storage, (key, value) =>
          window.parent.postMessage({ ns: BRIDGE_NS, type: 'store', key, value }, hostOrigin),
        );
        resolve(bridged);
      } else if (message?.type === 'stored') {
        bridged?.apply(message.key, message.value);
      }
    });
    window.parent.postMessage({ ns: BRIDGE_NS, type: 'hello' }, hostOrigin);
  });
}

/**
 * Entry of the iframe app. `inbox` and `origin` (the embedding page's origin, which the server has
 * checked against the inbox's allowed origins before serving this page) come from the frame URL.
 */
function validOrigin(value: string | null): value is string {
  if (!value) return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

function boot(): void {
  const params = new URLSearchParams(location.search);
  const inboxId = params.get('inbox') ?? '';
  const origin = params.get('origin');
  const embedded = window.parent !== window;
  if (!/^[0-9a-f-]{36}$/i.test(inboxId)) return;
  if (embedded && !validOrigin(origin)) return;
  // Where the browser tells us who embeds us, it must be the origin we were told (and that was allowed).
  const ancestors = location.ancestorOrigins;
  if (embedded && ancestors && ancestors.length > 0 && ancestors[0] !== origin) return;
  const root = document.getElementById('app');
  if (!root) return;
  const base = location.origin + location.pathname.replace(/\/widget\/frame\/?$/, '');
  const hostOrigin = embedded ? origin : null;
  void chooseStorage(hostOrigin).then(async (kv) => {
    const app = new App({ base, inboxId, hostOrigin, kv });
    const ui = new Ui(app, root);
    app.onChange(() => ui.render());
    if (await app.start()) document.body.classList.add('pw-ready');
  });
}

boot();
