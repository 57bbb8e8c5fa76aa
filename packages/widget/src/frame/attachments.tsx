import type { Message } from '@parley/shared';
import type { App } from './app.ts';
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (see tsconfig jsxFactory).
import { h, replaceChildren } from './dom.ts';
import type { Locale } from './i18n.ts';
import { richText } from './rich-text.tsx';

/**
 * Files in the chat: the paperclip, paste and drop in the composer (upload with progress, then a
 * message of kind `attachment`), and files shown in messages. The frame authenticates with a bearer
 * token, which an <img> cannot send, so files load from short-lived signed addresses the server
 * hands out to the visitor of the conversation only.
 */

const STRINGS: Record<
  Locale,
  Record<'attach' | 'tooLarge' | 'failed' | 'download' | 'dismiss' | 'drop', string>
> = {
  en: {
    attach: 'Attach a file',
    tooLarge: 'Too large: files can be up to {limit}.',
    failed: 'Could not send this file.',
    download: 'Download',
    dismiss: 'Dismiss',
    drop: 'Drop files to send them',
  },
  'pt-BR': {
    attach: 'Anexar um arquivo',
    tooLarge: 'Grande demais: os arquivos podem ter até {limit}.',
    failed: 'Não foi possível enviar este arquivo.',
    download: 'Baixar',
    dismiss: 'Dispensar',
    drop: 'Solte os arquivos para enviá-los',
  },
  ru: {
    attach: 'Прикрепить файл',
    tooLarge: 'Слишком большой файл: допускается не больше {limit}.',
    failed: 'Не удалось отправить файл.',
    download: 'Скачать',
    dismiss: 'Скрыть',
    drop: 'Отпустите файлы, чтобы отправить их',
  },
};

const CLIP =
  'M16.5 6.5v10.2a4.5 4.5 0 0 1-9 0V5.8a3 3 0 0 1 6 0v10a1.5 1.5 0 0 1-3 0V6.5H9v9.3a3 3 0 0 0 6 0v-10a4.5 4.5 0 0 0-9 0v10.9a6 6 0 0 0 12 0V6.5z';
const FILE = 'M6 2h8l6 6v14H4V2zm7 1.5V9h5.5z';

interface FileInfo {
  id: string;
  fileName: string;
  category: string;
  byteSize: number;
}

/** The files a message describes; attributes are untrusted JSON, so each field is checked. */
function filesOf(m: Message): FileInfo[] {
  const list = m.attributes.attachments;
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is FileInfo => {
    const f = item as Record<string, unknown> | null;
    return (
      typeof f === 'object' &&
      f !== null &&
      typeof f.id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(f.id) &&
      typeof f.fileName === 'string' &&
      typeof f.category === 'string' &&
      typeof f.byteSize === 'number'
    );
  });
}

export function formatSize(bytes: number, locale: string): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kilobyte', 'megabyte', 'gigabyte'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 ? 1 : 0,
  }).format(value);
}

const headers = (app: App): Record<string, string> =>
  app.api.token ? { authorization: `Bearer ${app.api.token}` } : {};

// ---- signed addresses ------------------------------------------------------------------------------

const urls = new Map<string, { url: string; until: number }>();

/** A signed address of a file, reused until a minute before it expires. */
async function fileUrl(app: App, id: string, fresh = false): Promise<string> {
  const known = urls.get(id);
  if (known && !fresh && known.until - Date.now() > 60_000) return known.url;
  const response = await fetch(`${app.api.base}/api/client/attachments/${id}/url`, {
    headers: headers(app),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(String(response.status));
  const body = (await response.json()) as { url: string; expiresAt: string };
  const url = `${app.api.base}${body.url}`;
  urls.set(id, { url, until: Date.parse(body.expiresAt) });
  return url;
}

/**
 * Sets an image's or player's source once its address is known. A failure is retried once with a fresh
 * address (it may have expired while the page sat open); after that the file is offered as a download.
 */
function load(app: App, el: HTMLImageElement | HTMLMediaElement, id: string, giveUp: () => void): void {
  let retried = false;
  el.addEventListener('error', () => {
    if (retried) return giveUp();
    retried = true;
    void fileUrl(app, id, true)
      .then((url) => {
        el.src = url;
      })
      .catch(giveUp);
  });
  void fileUrl(app, id)
    .then((url) => {
      el.src = url;
    })
    .catch(() => undefined);
}

/** Anchors are made by hand: their address comes later, once it has been signed. */
function anchor(className: string, ...children: Node[]): HTMLAnchorElement {
  const link = document.createElement('a');
  link.className = className;
  for (const child of children) link.appendChild(child);
  return link;
}

function fileCard(app: App, file: FileInfo): Node {
  const t = STRINGS[app.locale];
  const link = anchor(
    'pw-att-file',
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path fill="currentColor" d={FILE} />
    </svg>,
    <span class="pw-att-text">
      <span class="pw-att-name">{file.fileName}</span>
      <span class="pw-att-size">{formatSize(file.byteSize, app.locale)}</span>
    </span>,
  );
  link.download = file.fileName;
  link.title = `${t.download}: ${file.fileName}`;
  link.tabIndex = 0;
  const setHref = (url: string) => link.setAttribute('href', `${url}&download=1`);
  void fileUrl(app, file.id)
    .then(setHref)
    .catch(() => undefined);
  link.addEventListener('click', (event) => {
    // An address about to expire is renewed first; the click is then replayed.
    const known = urls.get(file.id);
    if (known && known.until - Date.now() > 60_000) return;
    event.preventDefault();
    void fileUrl(app, file.id, true).then((url) => {
      setHref(url);
      link.click();
    });
  });
  return link;
}

function fileNode(app: App, file: FileInfo): Node {
  if (file.category === 'image') {
    const img = (<img class="pw-att-img" alt={file.fileName} />) as HTMLImageElement;
    const link = anchor('pw-att-media', img);
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    // The full image opens in a tab once loaded (before that there is no address to open).
    img.addEventListener('load', () => link.setAttribute('href', img.currentSrc));
    load(app, img, file.id, () => link.replaceWith(fileCard(app, file)));
    return link;
  }
  if (file.category === 'video' || file.category === 'audio') {
    // Files from customers and agents come without caption tracks.
    const media = document.createElement(file.category);
    media.className = `pw-att-${file.category}`;
    media.controls = true;
    media.preload = 'metadata';
    media.setAttribute('aria-label', file.fileName);
    load(app, media, file.id, () => media.replaceWith(fileCard(app, file)));
    return media;
  }
  return fileCard(app, file);
}

/** The bubble of a message of kind `attachment`: its files, then its caption. */
export function attachmentBubble(app: App, m: Message): Node | null {
  const files = filesOf(m);
  if (files.length === 0) return null;
  // Without a caption the files stand on their own, without the bubble around them.
  return (
    <div class={`pw-bubble pw-att${m.body ? '' : ' pw-att--bare'}`}>
      {files.map((file) => fileNode(app, file))}
      {m.body ? <div class="pw-att-caption">{richText(m.body)}</div> : null}
    </div>
  );
}

// ---- uploading -------------------------------------------------------------------------------------

/** Set through the CSSOM: the frame's CSP allows no inline style attributes. */
function progressBar(fraction: number): Node {
  const fill = (<span />) as HTMLElement;
  fill.style.width = `${Math.round(fraction * 100)}%`;
  return <span class="pw-upload-bar">{fill}</span>;
}

interface Upload {
  name: string;
  progress: number;
  error: string | null;
}

let limit: Promise<number | null> | null = null;

function maxBytes(app: App): Promise<number | null> {
  limit ??= fetch(`${app.api.base}/api/client/attachments/limits`, {
    headers: headers(app),
    credentials: 'omit',
  })
    .then((r) => (r.ok ? (r.json() as Promise<{ maxBytes: number }>) : null))
    .then((body) => body?.maxBytes ?? null)
    .catch(() => {
      limit = null;
      return null;
    });
  return limit;
}

function xhrUpload(
  app: App,
  conversationId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{
  status: number;
  body: { attachment?: { id: string }; error?: { details?: { maxBytes?: number } } };
}> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      `${app.api.base}/api/client/conversations/${conversationId}/attachments?name=${encodeURIComponent(file.name || 'file')}`,
    );
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    if (app.api.token) xhr.setRequestHeader('authorization', `Bearer ${app.api.token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText) as object;
      } catch {
        body = {};
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: {} });
    xhr.send(file);
  });
}

const bound = new WeakSet<Element>();
let current: { app: App; send: (files: File[]) => void; button: HTMLElement } | null = null;

/**
 * The composer's file controls: a paperclip button and the tray of uploads (shown above the composer).
 * Paste into the composer and drops on the thread go to the same place. Files go to the open
 * conversation; a new conversation's first message is text (the button shows once it exists).
 */
export function attachControls(app: App, thread: HTMLElement): { button: Node; tray: Node } {
  const t = STRINGS[app.locale];
  const tray = (<ul class="pw-uploads" aria-live="polite" />) as HTMLElement;
  const uploads: Upload[] = [];
  const draw = () => {
    replaceChildren(
      tray,
      uploads.map((upload) => (
        <li class={`pw-upload${upload.error ? ' pw-upload--error' : ''}`}>
          <span class="pw-upload-name">{upload.name}</span>
          {upload.error ? (
            <span class="pw-upload-error" role="alert">
              {upload.error}
            </span>
          ) : (
            progressBar(upload.progress)
          )}
          {upload.error && (
            <button
              type="button"
              class="pw-upload-x"
              aria-label={t.dismiss}
              onClick={() => {
                uploads.splice(uploads.indexOf(upload), 1);
                draw();
              }}
            >
              ×
            </button>
          )}
        </li>
      )),
    );
  };
  const fail = (upload: Upload, message: string) => {
    upload.error = message;
    draw();
  };
  const send = (files: File[]) => {
    const view = app.view;
    if (view.kind !== 'conversation') return;
    const conversationId = view.id;
    for (const file of files) {
      const upload: Upload = { name: file.name || 'file', progress: 0, error: null };
      uploads.push(upload);
      draw();
      void (async () => {
        const max = await maxBytes(app);
        const tooLarge = (bytes: number) =>
          fail(upload, t.tooLarge.replace('{limit}', formatSize(bytes, app.locale)));
        if (max !== null && file.size > max) return tooLarge(max);
        const answer = await xhrUpload(app, conversationId, file, (progress) => {
          upload.progress = progress;
          draw();
        });
        const id = answer.body.attachment?.id;
        if (answer.status === 413) return tooLarge(answer.body.error?.details?.maxBytes ?? max ?? 0);
        if (!id) return fail(upload, t.failed);
        const sent = await fetch(`${app.api.base}/api/client/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers: { ...headers(app), 'content-type': 'application/json' },
          body: JSON.stringify({
            clientMsgId: `f-${Date.now().toString(36)}-${id.slice(-12)}`,
            attachmentIds: [id],
          }),
          credentials: 'omit',
        }).catch(() => null);
        if (!sent?.ok) return fail(upload, t.failed);
        const { message } = (await sent.json()) as { message: Message };
        app.conversations.get(conversationId)?.merge([message]);
        uploads.splice(uploads.indexOf(upload), 1);
        draw();
        app.changed();
      })();
    }
  };
  const input = (<input type="file" multiple hidden class="pw-file-input" />) as HTMLInputElement;
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    send(files);
  });
  const button = (
    <button
      type="button"
      class="pw-attach"
      aria-label={t.attach}
      title={t.attach}
      onClick={() => input.click()}
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path fill="currentColor" d={CLIP} />
      </svg>
      {input}
    </button>
  ) as HTMLElement;
  current = { app, send, button };
  showButton();
  if (!bound.has(thread)) {
    bound.add(thread);
    app.onChange(showButton);
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    thread.addEventListener('dragover', (event) => {
      if (!hasFiles(event) || current?.button.hidden) return;
      event.preventDefault();
      thread.classList.add('pw-dropping');
      thread.setAttribute('data-drop', STRINGS[app.locale].drop);
    });
    thread.addEventListener('dragleave', (event) => {
      if (event.target === thread) thread.classList.remove('pw-dropping');
    });
    thread.addEventListener('drop', (event) => {
      thread.classList.remove('pw-dropping');
      if (!hasFiles(event) || current?.button.hidden) return;
      event.preventDefault();
      current?.send(Array.from(event.dataTransfer?.files ?? []));
    });
    thread.addEventListener('paste', (event) => {
      const files = Array.from(event.clipboardData?.files ?? []);
      if (files.length === 0 || current?.button.hidden) return;
      event.preventDefault();
      current?.send(files);
    });
  }
  return { button, tray };
}

/** Files go to an open conversation only (a draft has none yet). */
function showButton(): void {
  if (!current) return;
  const view = current.app.view;
  current.button.hidden =
    view.kind !== 'conversation' || current.app.conversations.get(view.id)?.status === 'closed';
}
