import { ActionIcon, Text, Tooltip } from '@mantine/core';
import { attachmentsOf, type Message, type MessageAttachment } from '@parley/shared';
import { IconDownload, IconFile, IconFileMusic, IconMovie } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useReady } from '../lib/session.tsx';
import { formatBytes } from './attachment-uploads.ts';
import './attachments.css';

/** Same-origin with the agent's session cookie; the server answers only readers of the conversation. */
const fileUrl = (accountId: string, id: string, download = false) =>
  `/api/accounts/${accountId}/attachments/${id}${download ? '?download=1' : ''}`;

function FileCard({ accountId, file }: { accountId: string; file: MessageAttachment }) {
  const { t, locale } = useI18n();
  const Icon = file.category === 'audio' ? IconFileMusic : file.category === 'video' ? IconMovie : IconFile;
  return (
    <div className="attachment-file" data-testid="attachment-file">
      <Icon size={26} stroke={1.5} className="attachment-file__icon" />
      <div className="attachment-file__text">
        <Text fz="sm" fw={600} truncate title={file.fileName}>
          {file.fileName}
        </Text>
        <Text fz="xs" c="dimmed">
          {formatBytes(file.byteSize, locale)}
        </Text>
      </div>
      <Tooltip label={t('attachments.download')}>
        <ActionIcon
          component="a"
          href={fileUrl(accountId, file.id, true)}
          download={file.fileName}
          variant="light"
          radius="xl"
          aria-label={`${t('attachments.download')}: ${file.fileName}`}
          data-testid="attachment-download"
        >
          <IconDownload size={16} />
        </ActionIcon>
      </Tooltip>
    </div>
  );
}

function AttachmentItem({ accountId, file }: { accountId: string; file: MessageAttachment }) {
  const { t } = useI18n();
  // A file the browser cannot show after all (a codec it lacks) falls back to its download card.
  const [broken, setBroken] = useState(false);
  const url = fileUrl(accountId, file.id);
  if (broken || file.category === 'file') return <FileCard accountId={accountId} file={file} />;
  if (file.category === 'image') {
    return (
      <a
        className="attachment-image"
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        title={t('attachments.open')}
        data-testid="attachment-image"
      >
        <img src={url} alt={file.fileName} loading="lazy" onError={() => setBroken(true)} />
      </a>
    );
  }
  if (file.category === 'video') {
    return (
      // biome-ignore lint/a11y/useMediaCaption: files from customers and agents come without captions
      <video
        className="attachment-video"
        src={url}
        controls
        preload="metadata"
        aria-label={file.fileName}
        onError={() => setBroken(true)}
        data-testid="attachment-video"
      />
    );
  }
  return (
    <div className="attachment-audio" data-testid="attachment-audio">
      {/* biome-ignore lint/a11y/useMediaCaption: recordings from customers and agents come without captions */}
      <audio
        src={url}
        controls
        preload="metadata"
        aria-label={file.fileName}
        onError={() => setBroken(true)}
      />
      <Text fz="xs" c="dimmed" truncate>
        {file.fileName}
      </Text>
    </div>
  );
}

/**
 * The files of a message of kind `attachment`, then its caption: images and video inline, audio with a
 * player, anything else as a card with its name, size and a download button. Names are shown as text.
 */
export function AttachmentView({ message, caption }: { message: Message; caption: ReactNode }) {
  const { account } = useReady();
  const files = attachmentsOf(message);
  return (
    <div className="attachments" data-bare={caption ? undefined : true} data-testid="attachments">
      {files.map((file) => (
        <AttachmentItem key={file.id} accountId={account.accountId} file={file} />
      ))}
      {caption ? <div className="attachments__caption">{caption}</div> : null}
    </div>
  );
}
