import { ActionIcon, Box, Group, SegmentedControl, Text, Textarea, Tooltip } from '@mantine/core';
import { IconLock, IconMessage, IconSend } from '@tabler/icons-react';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { realtime } from '../lib/realtime-instance.ts';
import { ArticlePicker } from './ArticlePicker.tsx';

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(mode: ComposerMode): void;
}

const TYPING_REFRESH_MS = 3000;
const TYPING_IDLE_MS = 4000;

/**
 * Reply or private note. Enter sends, Shift+Enter breaks the line. Typing is announced only for
 * replies: a note in progress is nobody's business outside the team.
 */
export const Composer = forwardRef<
  ComposerHandle,
  { conversationId: string; disabled: boolean; onSend: (body: string, isPrivate: boolean) => void }
>(function Composer({ conversationId, disabled, onSend }, ref) {
  const t = useT();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [drafts, setDrafts] = useState<Record<ComposerMode, string>>({ reply: '', note: '' });
  const input = useRef<HTMLTextAreaElement>(null);
  const typingSentAt = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const text = drafts[mode];

  useImperativeHandle(ref, () => ({
    focus: (next) => {
      setMode(next);
      requestAnimationFrame(() => input.current?.focus());
    },
  }));

  const stopTyping = () => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = null;
    if (typingSentAt.current !== 0) {
      realtime.typing(conversationId, false);
      typingSentAt.current = 0;
    }
  };

  // Leaving the conversation ends any typing announcement.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per conversation by design
  useEffect(() => {
    setDrafts({ reply: '', note: '' });
    setMode('reply');
    return stopTyping;
  }, [conversationId]);

  const announceTyping = () => {
    if (mode !== 'reply') return;
    const now = Date.now();
    if (now - typingSentAt.current > TYPING_REFRESH_MS) {
      realtime.typing(conversationId, true);
      typingSentAt.current = now;
    }
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const submit = () => {
    const body = text.trim();
    if (!body || disabled) return;
    onSend(body, mode === 'note');
    setDrafts((d) => ({ ...d, [mode]: '' }));
    if (mode === 'reply') stopTyping();
  };

  const isNote = mode === 'note';
  return (
    <Box className="composer" data-mode={mode}>
      <Group justify="space-between" mb={8} gap="xs">
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(value) => {
            if (value === 'note') stopTyping();
            setMode(value as ComposerMode);
            input.current?.focus();
          }}
          data={[
            {
              value: 'reply',
              label: (
                <Group gap={6} wrap="nowrap">
                  <IconMessage size={14} />
                  <span>{t('composer.reply')}</span>
                </Group>
              ),
            },
            {
              value: 'note',
              label: (
                <Group gap={6} wrap="nowrap">
                  <IconLock size={14} />
                  <span>{t('composer.note')}</span>
                </Group>
              ),
            },
          ]}
          color={isNote ? 'yellow' : undefined}
          data-testid="composer-mode"
        />
        {isNote ? null : <ArticlePicker conversationId={conversationId} disabled={disabled} />}
      </Group>
      <Box className="composer__box">
        <Textarea
          ref={input}
          variant="unstyled"
          autosize
          minRows={2}
          maxRows={10}
          placeholder={isNote ? t('composer.notePlaceholder') : t('composer.replyPlaceholder')}
          value={text}
          disabled={disabled}
          aria-label={isNote ? t('composer.note') : t('composer.reply')}
          data-testid="composer-input"
          onChange={(event) => {
            const value = event.currentTarget.value;
            setDrafts((d) => ({ ...d, [mode]: value }));
            if (value) announceTyping();
            else if (mode === 'reply') stopTyping();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
          className="composer__input"
        />
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text fz="xs" c={isNote ? 'yellow.9' : 'dimmed'} truncate visibleFrom="sm">
            {isNote ? t('composer.noteHint') : t('composer.hint')}
          </Text>
          <Tooltip label={isNote ? t('composer.addNote') : t('composer.send')}>
            <ActionIcon
              size={36}
              radius="md"
              color={isNote ? 'yellow' : 'brand'}
              variant="filled"
              onClick={submit}
              disabled={disabled || text.trim() === ''}
              aria-label={isNote ? t('composer.addNote') : t('composer.send')}
              data-testid="composer-send"
            >
              <IconSend size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Box>
    </Box>
  );
});
