import type { Attachment, ErrorCode, Message } from '@parley/shared';
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { get, post } from '../lib/api.ts';

/** One file on its way: uploading (with progress), then sent as a message, or refused with a reason. */
export interface Upload {
  key: string;
  name: string;
  size: number;
  state: 'uploading' | 'sending' | 'failed';
  /** 0…1 while uploading. */
  progress: number;
  error: 'too_large' | 'empty' | 'closed' | 'failed' | null;
  /** The limit when the file was too large, in bytes. */
  maxBytes: number | null;
  cancel: (() => void) | null;
}

const EMPTY: Upload[] = [];
const uploads = new Map<string, Upload[]>();
const listeners = new Set<() => void>();
/** Whether the composer of a conversation is writing a note: dropped and pasted files follow it. */
const noteMode = new Map<string, boolean>();

function emit(): void {
  for (const listener of listeners) listener();
}

function update(conversationId: string, key: string, change: Partial<Upload> | null): void {
  const list = uploads.get(conversationId) ?? EMPTY;
  const next =
    change === null
      ? list.filter((u) => u.key !== key)
      : list.map((u) => (u.key === key ? { ...u, ...change } : u));
  if (next.length === 0) uploads.delete(conversationId);
  else uploads.set(conversationId, next);
  emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The uploads of one conversation, live. */
export function useUploads(conversationId: string): Upload[] {
  return useSyncExternalStore(subscribe, () => uploads.get(conversationId) ?? EMPTY);
}

export function dismissUpload(conversationId: string, key: string): void {
  update(conversationId, key, null);
}

export function setNoteMode(conversationId: string, isNote: boolean): void {
  noteMode.set(conversationId, isNote);
}

/** The largest file the server takes, so a too-large file is refused before a byte is sent. */
export function useAttachmentLimit(accountId: string): number | null {
  const query = useQuery({
    queryKey: ['attachment-limits', accountId],
    queryFn: () => get<{ maxBytes: number }>(`/api/accounts/${accountId}/attachments/limits`),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return query.data?.maxBytes ?? null;
}

interface UploadAnswer {
  status: number;
  attachment: Attachment | null;
  code: ErrorCode | null;
  maxBytes: number | null;
}

/** A raw-body upload over XHR: fetch cannot report upload progress. */
function sendFile(
  url: string,
  file: File,
  csrfToken: string,
  onProgress: (fraction: number) => void,
  onCancel: (cancel: () => void) => void,
): Promise<UploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: { attachment?: Attachment; error?: { code?: ErrorCode; details?: { maxBytes?: number } } } =
        {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = {};
      }
      resolve({
        status: xhr.status,
        attachment: body.attachment ?? null,
        code: body.error?.code ?? null,
        maxBytes: body.error?.details?.maxBytes ?? null,
      });
    };
    xhr.onerror = () => resolve({ status: 0, attachment: null, code: null, maxBytes: null });
    xhr.onabort = () => resolve({ status: -1, attachment: null, code: null, maxBytes: null });
    onCancel(() => xhr.abort());
    xhr.send(file);
  });
}

let counter = 0;

/**
 * Uploads files to a conversation and sends each as a message of kind `attachment` (a note when the
 * composer is in note mode). Progress and refusals show in the conversation's upload tray; the sent
 * message itself arrives through the conversation stream like any other.
 */
export function startUploads(options: {
  accountId: string;
  conversationId: string;
  files: File[];
  csrfToken: string;
  maxBytes: number | null;
}): void {
  const { accountId, conversationId, csrfToken, maxBytes } = options;
  const isPrivate = noteMode.get(conversationId) === true;
  for (const file of options.files) {
    counter += 1;
    const key = `u${counter}`;
    const tooLarge = maxBytes !== null && file.size > maxBytes;
    const entry: Upload = {
      key,
      name: file.name || 'file',
      size: file.size,
      state: tooLarge || file.size === 0 ? 'failed' : 'uploading',
      progress: 0,
      error: tooLarge ? 'too_large' : file.size === 0 ? 'empty' : null,
      maxBytes: tooLarge ? maxBytes : null,
      cancel: null,
    };
    uploads.set(conversationId, [...(uploads.get(conversationId) ?? EMPTY), entry]);
    emit();
    if (entry.state === 'failed') continue;
    void (async () => {
      const url = `/api/accounts/${accountId}/conversations/${conversationId}/attachments?name=${encodeURIComponent(entry.name)}`;
      const answer = await sendFile(
        url,
        file,
        csrfToken,
        (progress) => update(conversationId, key, { progress }),
        (cancel) => update(conversationId, key, { cancel }),
      );
      if (answer.status === -1) {
        update(conversationId, key, null);
        return;
      }
      if (!answer.attachment) {
        update(conversationId, key, {
          state: 'failed',
          cancel: null,
          error:
            answer.code === 'attachment_too_large'
              ? 'too_large'
              : answer.code === 'conversation_closed'
                ? 'closed'
                : 'failed',
          maxBytes: answer.maxBytes,
        });
        return;
      }
      update(conversationId, key, { state: 'sending', progress: 1, cancel: null });
      try {
        await post<{ message: Message }>(
          `/api/accounts/${accountId}/conversations/${conversationId}/messages`,
          {
            clientMsgId: `dash-${crypto.randomUUID()}`,
            attachmentIds: [answer.attachment.id],
            private: isPrivate,
          },
        );
        update(conversationId, key, null);
      } catch {
        update(conversationId, key, { state: 'failed', error: 'failed' });
      }
    })();
  }
}

/** Bytes in the reader's language: 512 B, 14 kB, 3.2 MB. */
export function formatBytes(bytes: number, locale: string): string {
  if (bytes < 1024) return `${new Intl.NumberFormat(locale).format(bytes)} B`;
  const units = ['kilobyte', 'megabyte', 'gigabyte'] as const;
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
