import { Box, Button, Group, Loader, Text, Tooltip } from '@mantine/core';
import type { Message } from '@parley/shared';
import { IconAlertCircle, IconArrowDown, IconCheck, IconClock, IconLock } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { PersonAvatar } from '../components/common.tsx';
import { type Translate, useI18n } from '../i18n/index.tsx';
import { ArticleCard } from './ArticleCard.tsx';
import { AttachmentView } from './AttachmentView.tsx';
import { useScrollToSeq } from './focus-seq.ts';
import { MentionText, mentionedIds } from './MentionText.tsx';
import type { PendingMessage } from './messages-state.ts';
import { ReviewCard } from './ReviewCard.tsx';
import { RichText } from './RichText.tsx';

type Item =
  | { type: 'top'; key: string }
  | { type: 'message'; key: string; message: Message; continued: boolean; dayLabel: string | null }
  | { type: 'pending'; key: string; pending: PendingMessage };

const GROUP_MS = 5 * 60_000;

function sameAuthor(a: Message, b: Message): boolean {
  return (
    a.senderKind === b.senderKind &&
    a.senderId === b.senderId &&
    a.private === b.private &&
    a.kind !== 'activity' &&
    b.kind !== 'activity' &&
    new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() < GROUP_MS
  );
}

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

type Attributes = {
  type?: unknown;
  to?: unknown;
  assigneeName?: unknown;
  assigneeId?: unknown;
  teamName?: unknown;
  until?: unknown;
  reason?: unknown;
  previousAssigneeName?: unknown;
};
const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const statuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;

/** A sentence for an activity item (status, assignment, transfer…); unknown kinds show their raw text. */
function activityText(
  message: Message,
  t: Translate,
  me: string,
  formatDate: (iso: string) => string,
): string {
  const who = message.senderId === me ? t('conversation.you') : (message.senderName ?? t('activity.system'));
  const a = message.attributes as Attributes;
  const to = text(a.to);
  switch (a.type) {
    case 'status_changed': {
      const status = statuses.find((s) => s === to);
      return t('activity.status_changed', { name: who, status: status ? t(`status.${status}`) : (to ?? '') });
    }
    case 'assigned': {
      const assignee =
        a.assigneeId === me ? t('conversation.you') : (text(a.assigneeName) ?? t('assign.someone'));
      if (message.senderKind === 'system') return t('activity.assignedAuto', { assignee });
      if (a.assigneeId === message.senderId) return t('activity.took', { name: who });
      return t('activity.assigned', { name: who, assignee });
    }
    case 'unassigned':
      if (a.reason === 'agent_offline')
        return t('routingExtra.agentOffline', {
          name: text(a.previousAssigneeName) ?? t('routingExtra.someone'),
        });
      return t('activity.unassigned', { name: who });
    case 'transferred':
      return t('activity.transferred', { name: who, team: text(a.teamName) ?? '' });
    case 'snoozed':
      return t('activity.snoozed', {
        name: who,
        until: text(a.until) ? formatDate(text(a.until) ?? '') : '',
      });
    case 'priority_changed': {
      const priority = priorities.find((p) => p === to);
      return t('activity.priority_changed', {
        name: who,
        priority: priority ? t(`priority.${priority}`) : (to ?? ''),
      });
    }
    case 'bot_phase':
      if (to === 'bot' || to === 'requested' || to === 'accepted') return t(`activity.bot_phase.${to}`);
      return t('activity.generic', { name: who, text: message.body });
    default:
      return t('activity.generic', { name: who, text: message.body });
  }
}

const Bubble = memo(function Bubble({
  message,
  continued,
  me,
  seen,
  contactName,
}: {
  message: Message;
  continued: boolean;
  me: string;
  seen: boolean;
  contactName: string;
}) {
  const { t, formatTime } = useI18n();
  const fromCustomer = message.senderKind === 'contact';
  const note = message.private;
  const author =
    message.senderId === me
      ? t('conversation.you')
      : (message.senderName ?? (fromCustomer ? contactName : t('conversation.someone')));
  return (
    <div
      className="msg"
      data-side={fromCustomer ? 'left' : 'right'}
      data-kind={note ? 'note' : message.kind}
      data-continued={continued || undefined}
      data-seq={message.seq}
    >
      {fromCustomer ? (
        <div className="msg__avatar">
          {continued ? null : (
            <PersonAvatar name={message.senderName} seed={message.senderId ?? 'contact'} size={32} />
          )}
        </div>
      ) : null}
      <div className="msg__column">
        {continued ? null : (
          <Group gap={6} className="msg__meta" justify={fromCustomer ? 'flex-start' : 'flex-end'}>
            {note ? (
              <Text fz="xs" fw={700} c="yellow.9" className="msg__note-label">
                <IconLock size={12} style={{ verticalAlign: -1 }} /> {t('conversation.privateNote')}
              </Text>
            ) : null}
            <Text fz="xs" fw={600}>
              {author}
            </Text>
            <Text fz="xs" c="dimmed">
              {formatTime(message.createdAt)}
            </Text>
          </Group>
        )}
        <Tooltip
          label={formatTime(message.createdAt)}
          position={fromCustomer ? 'right' : 'left'}
          disabled={!continued}
        >
          <div className="msg__bubble" data-testid={note ? 'note-bubble' : 'message-bubble'}>
            {message.kind === 'attachment' ? (
              <AttachmentView
                message={message}
                caption={message.body ? <RichText text={message.body} /> : null}
              />
            ) : message.kind === 'article' ? (
              <ArticleCard message={message} />
            ) : note && mentionedIds(message).length > 0 ? (
              <MentionText message={message} me={me} />
            ) : (
              <RichText text={message.body} />
            )}
          </div>
        </Tooltip>
        {note ? <ReviewCard message={message} me={me} /> : null}
        {seen ? (
          <Text fz={11} c="dimmed" ta="right" mt={2} className="msg__seen">
            <IconCheck size={11} style={{ verticalAlign: -1 }} /> {t('conversation.seen')}
          </Text>
        ) : null}
      </div>
    </div>
  );
});

function PendingBubble({ pending, onRetry }: { pending: PendingMessage; onRetry: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <div
      className="msg"
      data-side="right"
      data-kind={pending.private ? 'note' : 'text'}
      data-pending={pending.state}
    >
      <div className="msg__column">
        {pending.private ? (
          <Group gap={6} className="msg__meta" justify="flex-end">
            <Text fz="xs" fw={700} c="yellow.9">
              <IconLock size={12} style={{ verticalAlign: -1 }} /> {t('conversation.privateNote')}
            </Text>
          </Group>
        ) : null}
        <div className="msg__bubble">
          <RichText text={pending.body} />
        </div>
        <Group gap={4} justify="flex-end" mt={2}>
          {pending.state === 'failed' ? (
            <>
              <Text fz={11} c="red">
                <IconAlertCircle size={11} style={{ verticalAlign: -1 }} /> {t('conversation.failed')}
              </Text>
              <Button
                variant="subtle"
                size="compact-xs"
                color="red"
                onClick={() => onRetry(pending.clientMsgId)}
              >
                {t('conversation.retry')}
              </Button>
            </>
          ) : (
            <Text fz={11} c="dimmed">
              <IconClock size={11} style={{ verticalAlign: -1 }} /> {t('conversation.sending')}
            </Text>
          )}
        </Group>
      </div>
    </div>
  );
}

/**
 * The thread, virtualized: only the rows near the viewport are in the DOM, so a conversation with tens of
 * thousands of messages scrolls like a short one. It sticks to the bottom while you are there, keeps
 * your place when older pages are added above, and loads them as you near the top.
 */
export function MessageList({
  messages,
  pending,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onRetry,
  me,
  contactReadSeq,
  contactName,
  focusSeq = null,
}: {
  messages: Message[];
  pending: PendingMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientMsgId: string) => void;
  me: string;
  contactReadSeq: number;
  /** How to call a customer who gave no name (the list's "Visitor #n"). */
  contactName: string;
  /** Open at this item instead of the newest (a notification's `?seq=`). */
  focusSeq?: number | null;
}) {
  const { t, formatDate } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [settled, setSettled] = useState(false);
  const [atEnd, setAtEnd] = useState(true);
  const atEndRef = useRef(true);

  const todayKey = dayKey(new Date().toISOString());
  const yesterdayKey = dayKey(new Date(Date.now() - 86_400_000).toISOString());
  const items: Item[] = [{ type: 'top', key: 'top' }];
  messages.forEach((message, index) => {
    const previous = messages[index - 1];
    const day = dayKey(message.createdAt);
    const newDay = !previous || dayKey(previous.createdAt) !== day;
    const dayLabel = newDay
      ? day === todayKey
        ? t('conversation.today')
        : day === yesterdayKey
          ? t('conversation.yesterday')
          : formatDate(message.createdAt)
      : null;
    items.push({
      type: 'message',
      key: `m${message.seq}`,
      message,
      continued: !newDay && previous !== undefined && sameAuthor(previous, message),
      dayLabel,
    });
  });
  for (const p of pending) items.push({ type: 'pending', key: `p${p.clientMsgId}`, pending: p });

  let seenSeq = 0;
  for (const m of messages) {
    if (m.senderKind !== 'contact' && !m.private && m.kind !== 'activity' && m.seq <= contactReadSeq)
      seenSeq = m.seq;
  }

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => {
      const item = items[index];
      if (!item || item.type === 'top') return 56;
      if (item.type === 'pending') return 64;
      const base = item.message.kind === 'activity' ? 36 : item.continued ? 40 : 66;
      return base + Math.floor(item.message.body.length / 60) * 20 + (item.dayLabel ? 40 : 0);
    },
    getItemKey: (index) => items[index]?.key ?? index,
    overscan: 8,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: 64,
    paddingStart: 8,
    paddingEnd: 12,
    onChange: (instance) => {
      const end = instance.isAtEnd(80);
      atEndRef.current = end;
      setAtEnd(end);
    },
  });

  // When the thread's box shrinks or grows (composer lines, typing line, window), stay at the bottom
  // if that is where the reader was.
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      if (atEndRef.current) virtualizer.scrollToEnd();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [virtualizer]);

  // Open at the newest message, once the first page is in.
  useLayoutEffect(() => {
    if (settled || messages.length === 0) return;
    virtualizer.scrollToEnd();
    const frame = requestAnimationFrame(() => {
      virtualizer.scrollToEnd();
      setSettled(true);
    });
    return () => cancelAnimationFrame(frame);
  }, [messages.length, settled, virtualizer]);

  useScrollToSeq({
    seq: focusSeq,
    ready: settled,
    index: items.findIndex((item) => item.type === 'message' && item.message.seq === focusSeq),
    oldestSeq: messages[0]?.seq ?? null,
    hasOlder,
    loadingOlder,
    onLoadOlder,
    scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: 'center' }),
    container: scrollRef,
  });

  const virtualItems = virtualizer.getVirtualItems();
  const topVisible = virtualItems[0]?.index === 0;
  useEffect(() => {
    if (settled && topVisible && hasOlder && !loadingOlder) onLoadOlder();
  }, [settled, topVisible, hasOlder, loadingOlder, onLoadOlder]);

  return (
    <Box className="thread">
      <div ref={scrollRef} className="thread__scroll" data-testid="message-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualItems.map((row) => {
            const item = items[row.index];
            if (!item) return null;
            return (
              <div
                key={row.key}
                data-index={row.index}
                ref={virtualizer.measureElement}
                className="thread__row"
                style={{ transform: `translateY(${row.start}px)` }}
              >
                {item.type === 'top' ? (
                  <Group justify="center" py="md" mih={56}>
                    {loadingOlder ? (
                      <Group gap="xs">
                        <Loader size="xs" type="dots" />
                        <Text fz="xs" c="dimmed">
                          {t('conversation.loadingOlder')}
                        </Text>
                      </Group>
                    ) : !hasOlder ? (
                      <Text fz="xs" c="dimmed" data-testid="thread-start">
                        {t('conversation.start')}
                      </Text>
                    ) : null}
                  </Group>
                ) : item.type === 'pending' ? (
                  <PendingBubble pending={item.pending} onRetry={onRetry} />
                ) : (
                  <>
                    {item.dayLabel ? (
                      <div className="thread__day">
                        <span>{item.dayLabel}</span>
                      </div>
                    ) : null}
                    {item.message.kind === 'activity' || item.message.senderKind === 'system' ? (
                      <div className="activity" data-seq={item.message.seq}>
                        <span>{activityText(item.message, t, me, formatDate)}</span>
                      </div>
                    ) : (
                      <Bubble
                        message={item.message}
                        continued={item.continued}
                        me={me}
                        seen={item.message.seq === seenSeq}
                        contactName={contactName}
                      />
                    )}
                  </>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {!atEnd && settled ? (
        <Button
          className="thread__jump"
          size="xs"
          radius="xl"
          variant="white"
          leftSection={<IconArrowDown size={14} />}
          onClick={() => virtualizer.scrollToEnd({ behavior: 'smooth' })}
        >
          {t('conversation.newMessages')}
        </Button>
      ) : null}
    </Box>
  );
}
