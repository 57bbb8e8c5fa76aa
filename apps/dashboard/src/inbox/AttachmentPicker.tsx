import { ActionIcon, CloseButton, Progress, Text, Tooltip } from '@mantine/core';
import { IconAlertCircle, IconPaperclip, IconUpload } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useReady } from '../lib/session.tsx';
import {
  dismissUpload,
  formatBytes,
  setNoteMode,
  startUploads,
  type Upload,
  useAttachmentLimit,
  useUploads,
} from './attachment-uploads.ts';
import './attachments.css';

/** The composer's paperclip: pick files and send each as a message (a note in note mode). */
export function AttachButton({
  conversationId,
  disabled,
  isNote,
}: {
  conversationId: string;
  disabled: boolean;
  isNote: boolean;
}) {
  const { t } = useI18n();
  const { account, session } = useReady();
  const maxBytes = useAttachmentLimit(account.accountId);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setNoteMode(conversationId, isNote), [conversationId, isNote]);
  const label = isNote ? t('attachments.attachNote') : t('attachments.attach');
  return (
    <>
      <Tooltip label={label}>
        <ActionIcon
          variant="subtle"
          color="gray"
          size={30}
          disabled={disabled}
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => input.current?.click()}
          aria-label={label}
          data-testid="attach-button"
        >
          <IconPaperclip size={17} stroke={1.8} />
        </ActionIcon>
      </Tooltip>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = '';
          if (files.length === 0) return;
          startUploads({
            accountId: account.accountId,
            conversationId,
            files,
            csrfToken: session.csrfToken,
            maxBytes,
          });
        }}
      />
    </>
  );
}

function UploadRow({ conversationId, upload }: { conversationId: string; upload: Upload }) {
  const { t, locale } = useI18n();
  const failed = upload.state === 'failed';
  const reason =
    upload.error === 'too_large'
      ? t('attachments.tooLarge', { limit: upload.maxBytes ? formatBytes(upload.maxBytes, locale) : '?' })
      : upload.error === 'empty'
        ? t('attachments.empty')
        : upload.error === 'closed'
          ? t('attachments.closed')
          : t('attachments.failed');
  return (
    <div className="upload" data-state={upload.state} data-testid="upload-item">
      {failed ? (
        <IconAlertCircle size={18} className="upload__icon upload__icon--error" />
      ) : (
        <IconUpload size={18} className="upload__icon" />
      )}
      <div className="upload__main">
        <div className="upload__line">
          <Text fz="sm" fw={500} truncate className="upload__name">
            {upload.name}
          </Text>
          <Text fz="xs" c="dimmed" className="upload__size">
            {formatBytes(upload.size, locale)}
          </Text>
        </div>
        {failed ? (
          <Text fz="xs" c="red.7" role="alert" data-testid="upload-error">
            {reason}
          </Text>
        ) : (
          <Progress
            size="sm"
            radius="xl"
            value={Math.round(upload.progress * 100)}
            animated={upload.state === 'sending'}
            aria-label={upload.state === 'sending' ? t('attachments.sending') : t('attachments.uploading')}
          />
        )}
      </div>
      {failed || upload.cancel ? (
        <CloseButton
          size="sm"
          aria-label={failed ? t('attachments.dismiss') : t('attachments.cancel')}
          onClick={() => (failed ? dismissUpload(conversationId, upload.key) : upload.cancel?.())}
        />
      ) : null}
    </div>
  );
}

/**
 * Files dropped on or pasted into the conversation pane are sent like picked ones; the tray above the
 * composer shows their progress and any refusal (too large, closed conversation). Rendered inside the
 * pane, it listens on its parent so the whole pane is the drop target.
 */
export function AttachmentDropZone({
  conversationId,
  disabled,
}: {
  conversationId: string;
  disabled: boolean;
}) {
  const { t, locale } = useI18n();
  const { account, session } = useReady();
  const maxBytes = useAttachmentLimit(account.accountId);
  const list = useUploads(conversationId);
  const anchor = useRef<HTMLDivElement>(null);
  // The pane's box while files are dragged over it: the overlay covers exactly the pane.
  const [dragging, setDragging] = useState<DOMRect | null>(null);
  const latest = useRef({ maxBytes, disabled });
  latest.current = { maxBytes, disabled };

  useEffect(() => {
    const pane = anchor.current?.parentElement;
    if (!pane) return;
    let depth = 0;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const send = (files: File[]) => {
      if (files.length === 0 || latest.current.disabled) return;
      startUploads({
        accountId: account.accountId,
        conversationId,
        files,
        csrfToken: session.csrfToken,
        maxBytes: latest.current.maxBytes,
      });
    };
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(pane.getBoundingClientRect());
    };
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(null);
    };
    const onDrop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(null);
      send(Array.from(event.dataTransfer?.files ?? []));
    };
    const onPaste = (event: ClipboardEvent) => {
      const files = Array.from(event.clipboardData?.files ?? []);
      if (files.length === 0) return;
      // Pasted files (a screenshot) are sent; pasted text keeps going into the composer.
      event.preventDefault();
      send(files);
    };
    pane.addEventListener('dragenter', onEnter);
    pane.addEventListener('dragover', onOver);
    pane.addEventListener('dragleave', onLeave);
    pane.addEventListener('drop', onDrop);
    pane.addEventListener('paste', onPaste);
    return () => {
      pane.removeEventListener('dragenter', onEnter);
      pane.removeEventListener('dragover', onOver);
      pane.removeEventListener('dragleave', onLeave);
      pane.removeEventListener('drop', onDrop);
      pane.removeEventListener('paste', onPaste);
    };
  }, [account.accountId, conversationId, session.csrfToken]);

  return (
    <div ref={anchor} className="uploads" data-testid="upload-tray">
      {dragging && !disabled ? (
        <div
          className="drop-overlay"
          data-testid="drop-overlay"
          style={{ top: dragging.top, left: dragging.left, width: dragging.width, height: dragging.height }}
        >
          <div className="drop-overlay__card">
            <IconUpload size={28} />
            <Text fw={600}>{t('attachments.dropHere')}</Text>
            {maxBytes ? (
              <Text fz="sm" c="dimmed">
                {t('attachments.dropHint', { limit: formatBytes(maxBytes, locale) })}
              </Text>
            ) : null}
          </div>
        </div>
      ) : null}
      {list.map((upload) => (
        <UploadRow key={upload.key} conversationId={conversationId} upload={upload} />
      ))}
    </div>
  );
}
