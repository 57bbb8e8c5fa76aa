import { ActionIcon, Box, Group, SegmentedControl, Text, Textarea, Tooltip } from '@mantine/core';
import { type CannedReply, type CannedVariable, fillVariables } from '@parley/shared';
import { IconHash, IconLock, IconMessage, IconSend } from '@tabler/icons-react';
import {
  forwardRef,
  type KeyboardEvent,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useT } from '../i18n/index.tsx';
import { realtime } from '../lib/realtime-instance.ts';
import { useReady } from '../lib/session.tsx';
import { ArticlePicker } from './ArticlePicker.tsx';
import { AttachButton } from './AttachmentPicker.tsx';
import { CannedPopover, cannedOptionId } from './composer/CannedPopover.tsx';
import { matchCanned, useCannedReplies, useCannedVariables } from './composer/canned-data.ts';
import './composer/composer-tools.css';
import { EmojiPicker } from './composer/EmojiPicker.tsx';
import { FormatButtons, type FormatKind, formatShortcut } from './composer/FormatButtons.tsx';
import {
  cannedTrigger,
  insertText,
  makeLink,
  type TextEdit,
  toggleCode,
  toggleWrap,
} from './composer/text-edit.ts';
import { useMentionAutocomplete } from './MentionAutocomplete.tsx';
import { ReviewRequestButton } from './ReviewRequest.tsx';

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(mode: ComposerMode): void;
}

const TYPING_REFRESH_MS = 3000;
const TYPING_IDLE_MS = 4000;

/**
 * Reply or private note. Enter sends, Shift+Enter breaks the line. Typing is announced only for
 * replies: a note in progress is nobody's business outside the team.
 *
 * Tools: `#shortcut` opens the canned replies (variables filled in from this conversation), the
 * toolbar formats the selection (markdown-lite, also Ctrl/Cmd+B and +I) and inserts emoji.
 */
export const Composer = forwardRef<
  ComposerHandle,
  {
    conversationId: string;
    disabled: boolean;
    onSend: (body: string, isPrivate: boolean, mentions?: string[]) => void;
  }
>(function Composer({ conversationId, disabled, onSend }, ref) {
  const t = useT();
  const { account } = useReady();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [drafts, setDrafts] = useState<Record<ComposerMode, string>>({ reply: '', note: '' });
  const input = useRef<HTMLTextAreaElement>(null);
  const typingSentAt = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const text = drafts[mode];
  // `@name` in a note mentions a colleague (MentionAutocomplete.tsx).
  const mentions = useMentionAutocomplete({
    conversationId,
    input,
    text,
    enabled: mode === 'note' && !disabled,
    onText: (value) => setDrafts((d) => ({ ...d, note: value })),
  });

  // The caret, kept so the #shortcut list follows it; a selection to restore after an edit.
  const [caret, setCaret] = useState<number | null>(null);
  const restoreSelection = useRef<[number, number] | null>(null);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();

  const cannedReplies = useCannedReplies(account.accountId, !disabled);
  const variables = useCannedVariables(conversationId);
  const trigger = caret === null ? null : cannedTrigger(text, caret);
  const query = trigger?.query ?? null;
  const matches = useMemo(
    () => (query === null ? [] : matchCanned(cannedReplies.data ?? [], query)),
    [query, cannedReplies.data],
  );
  const listOpen = trigger !== null && trigger.start !== dismissedAt && matches.length > 0 && !disabled;

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

  // A new query starts at the top of the list; a list closed with Escape opens again for a new `#`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a new query only
  useEffect(() => setActive(0), [trigger?.start, query]);
  useEffect(() => {
    if (query === null) setDismissedAt(null);
  }, [query]);

  // After a programmatic edit, put the selection where the edit says (React has set the value by now).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the text changes
  useLayoutEffect(() => {
    const selection = restoreSelection.current;
    const element = input.current;
    if (!selection || !element) return;
    restoreSelection.current = null;
    element.focus();
    element.setSelectionRange(selection[0], selection[1]);
    setCaret(selection[1]);
  }, [text]);

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

  const changeText = (value: string) => {
    setDrafts((d) => ({ ...d, [mode]: value }));
    if (value) announceTyping();
    else if (mode === 'reply') stopTyping();
  };

  const applyEdit = (edit: TextEdit) => {
    restoreSelection.current = [edit.selectionStart, edit.selectionEnd];
    changeText(edit.value);
  };

  /** The textarea's selection now (it keeps it while a toolbar button or popover is clicked). */
  const selection = (): [number, number] => {
    const element = input.current;
    return element ? [element.selectionStart, element.selectionEnd] : [text.length, text.length];
  };

  const format = (kind: FormatKind) => {
    const [start, end] = selection();
    if (kind === 'bold') applyEdit(toggleWrap(text, start, end, '**'));
    else if (kind === 'italic') applyEdit(toggleWrap(text, start, end, '*'));
    else if (kind === 'code') applyEdit(toggleCode(text, start, end));
    else applyEdit(makeLink(text, start, end));
  };

  const insertAtCaret = (value: string) => {
    const [start, end] = selection();
    applyEdit(insertText(text, start, end, value));
  };

  const insertCanned = (reply: CannedReply) => {
    if (!trigger || caret === null) return;
    const fallbacks: Partial<Record<CannedVariable, string>> = {
      'contact.first_name': t('canned.fallback.name'),
      'contact.name': t('canned.fallback.name'),
    };
    applyEdit(insertText(text, trigger.start, caret, fillVariables(reply.body, variables, fallbacks)));
  };

  /** Opens the list from the toolbar: a `#` at the caret, with a space before it if needed. */
  const startCanned = () => {
    const [start, end] = selection();
    const before = start > 0 && !/\s/.test(text[start - 1] ?? '') ? ' ' : '';
    setDismissedAt(null);
    applyEdit(insertText(text, start, end, `${before}#`));
  };

  const submit = () => {
    const body = text.trim();
    if (!body || disabled) return;
    onSend(body, mode === 'note', mode === 'note' ? mentions.mentionsFor(body) : undefined);
    setDrafts((d) => ({ ...d, [mode]: '' }));
    if (mode === 'reply') stopTyping();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing || mentions.onKeyDown(event)) return;
    if (listOpen && trigger) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((index) => (index + step + matches.length) % matches.length);
        return;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        const chosen = matches[active];
        if (chosen) insertCanned(chosen);
        return;
      }
      if (event.key === 'Escape') {
        // Closes the list only; the composer and whatever is around it stay as they are.
        event.preventDefault();
        event.stopPropagation();
        setDismissedAt(trigger.start);
        return;
      }
    }
    const shortcut = formatShortcut(event);
    if (shortcut) {
      event.preventDefault();
      format(shortcut);
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
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
      <Box className="composer__frame">
        {listOpen ? (
          <CannedPopover
            id={listId}
            replies={matches}
            active={Math.min(active, matches.length - 1)}
            onHover={setActive}
            onPick={insertCanned}
          />
        ) : null}
        {mentions.dropdown}
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
            aria-autocomplete="list"
            aria-expanded={listOpen}
            aria-controls={listOpen ? listId : undefined}
            aria-activedescendant={listOpen ? cannedOptionId(listId, active) : undefined}
            data-testid="composer-input"
            onChange={(event) => {
              changeText(event.currentTarget.value);
              setCaret(event.currentTarget.selectionEnd);
            }}
            onSelect={(event) => setCaret(event.currentTarget.selectionEnd)}
            onBlur={() => setCaret(null)}
            onKeyDown={onKeyDown}
            className="composer__input"
          />
          <Group justify="space-between" wrap="nowrap" gap="xs">
            {/* The composer's tools; further buttons (attachments…) go into this group. */}
            <Group gap={2} wrap="nowrap" className="composer__tools" data-testid="composer-tools">
              <FormatButtons disabled={disabled} onFormat={format} />
              <span className="composer__tools-divider" aria-hidden />
              <EmojiPicker disabled={disabled} onPick={insertAtCaret} />
              <AttachButton conversationId={conversationId} disabled={disabled} isNote={isNote} />
              <Tooltip label={t('canned.button')}>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size={30}
                  disabled={disabled}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={startCanned}
                  aria-label={t('canned.button')}
                  data-testid="composer-canned"
                >
                  <IconHash size={17} stroke={1.8} />
                </ActionIcon>
              </Tooltip>
            </Group>
            <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
              <Text fz="xs" c={isNote ? 'yellow.9' : 'dimmed'} truncate className="composer__hint">
                {isNote ? t('composer.noteHint') : t('composer.hint')}
              </Text>
              {isNote ? (
                <ReviewRequestButton
                  conversationId={conversationId}
                  draft={text}
                  disabled={disabled}
                  onSent={() => setDrafts((d) => ({ ...d, note: '' }))}
                />
              ) : null}
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
          </Group>
        </Box>
      </Box>
    </Box>
  );
});
