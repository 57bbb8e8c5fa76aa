import { Group, Paper, ScrollArea, Text } from '@mantine/core';
import type { Member } from '@parley/shared';
import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { PersonAvatar } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useConversation } from '../lib/conversation-store.ts';
import { useInboxMembers, useMembers } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import '../notifications/notifications.css';

const MAX_QUERY = 40;
const MAX_SHOWN = 8;

const caretOf = (element: HTMLTextAreaElement): number | null =>
  element.selectionStart === element.selectionEnd ? element.selectionStart : null;

/**
 * The `@` being typed before the caret: it starts a word (line start or after a space) and what follows
 * it up to the caret is the query (names have spaces, so spaces are allowed, line breaks are not).
 */
export function mentionTrigger(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at === -1) return null;
  if (at > 0 && !/\s/.test(before[at - 1] ?? '')) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || /[\n@]/.test(query) || query.startsWith(' ')) return null;
  return { start: at, query };
}

/** Members whose name starts with the query, or has a word that does (case and accents ignored). */
export function matchMembers(members: Member[], query: string): Member[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query.trim());
  const scored = members.flatMap((m) => {
    const name = fold(m.name);
    if (q === '' || name.startsWith(q)) return [{ m, rank: 0 }];
    if (name.split(/\s+/).some((word) => word.startsWith(q))) return [{ m, rank: 1 }];
    return [];
  });
  return scored
    .sort((a, b) => a.rank - b.rank || a.m.name.localeCompare(b.m.name))
    .slice(0, MAX_SHOWN)
    .map((s) => s.m);
}

/** The user ids of picked mentions whose `@Name` is still in the text. */
export function mentionsIn(text: string, picked: Map<string, string>): string[] {
  return [...picked].filter(([, name]) => text.includes(`@${name}`)).map(([id]) => id);
}

export interface MentionAutocomplete {
  /** The list above the composer while an `@name` is typed (null otherwise). */
  dropdown: ReactNode;
  /** Lets the list have arrows, Enter, Tab and Escape first; true when it used the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** The people mentioned in `body` (picked from the list and still named in it). */
  mentionsFor: (body: string) => string[];
}

/**
 * `@` in a private note opens a list of colleagues who may see the conversation (admins and
 * supervisors, the agents of its inbox, its assignee); picking one writes `@Name` and remembers who
 * it was, so the note carries the mention as a user id. Focus stays in the textarea.
 */
export function useMentionAutocomplete({
  conversationId,
  input,
  text,
  enabled,
  onText,
}: {
  conversationId: string;
  input: RefObject<HTMLTextAreaElement | null>;
  text: string;
  enabled: boolean;
  onText: (value: string) => void;
}): MentionAutocomplete {
  const { session, account } = useReady();
  const conversation = useConversation(conversationId);
  const members = useMembers(account.accountId);
  const inboxMembers = useInboxMembers(
    account.accountId,
    conversation?.inboxId ?? '',
    enabled && !!conversation,
  );
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const picked = useRef(new Map<string, string>());
  const pendingCaret = useRef<number | null>(null);
  const listId = useId();

  // The caret moves without the text changing (clicks, arrows): follow it from the element. Not on
  // `input`: a state change there would re-render before React's own onChange and lose the keystroke.
  useEffect(() => {
    const element = input.current;
    if (!element || !enabled) return;
    const update = () => setCaret(caretOf(element));
    const events = ['click', 'keyup', 'select', 'focus'] as const;
    for (const type of events) element.addEventListener(type, update);
    update();
    return () => {
      for (const type of events) element.removeEventListener(type, update);
    };
  }, [input, enabled]);

  // The text changed: the caret is where the typing left it, or after a name just inserted.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the text changes
  useLayoutEffect(() => {
    const element = input.current;
    if (!element) return;
    const at = pendingCaret.current;
    if (at === null) {
      if (document.activeElement === element) setCaret(caretOf(element));
      return;
    }
    pendingCaret.current = null;
    element.focus();
    element.setSelectionRange(at, at);
    setCaret(at);
  }, [text]);

  useEffect(() => {
    if (text === '') picked.current.clear();
  }, [text]);

  const candidates = useMemo(() => {
    const inbox = new Set(inboxMembers.data ?? []);
    return (members.data ?? []).filter(
      (m) =>
        m.userId !== session.user.id &&
        (m.role !== 'agent' || inbox.has(m.userId) || m.userId === conversation?.assigneeId),
    );
  }, [members.data, inboxMembers.data, session.user.id, conversation?.assigneeId]);

  const trigger = enabled && caret !== null ? mentionTrigger(text, caret) : null;
  const matches = useMemo(
    () => (trigger ? matchMembers(candidates, trigger.query) : []),
    [trigger?.query, candidates, trigger],
  );
  const open = trigger !== null && trigger.start !== dismissedAt;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query starts at the top
  useEffect(() => setActive(0), [trigger?.start, trigger?.query]);
  useEffect(() => {
    if (!trigger) setDismissedAt(null);
  }, [trigger]);

  const pick = (member: Member) => {
    if (!trigger || caret === null) return;
    const inserted = `@${member.name} `;
    picked.current.set(member.userId, member.name);
    pendingCaret.current = trigger.start + inserted.length;
    onText(text.slice(0, trigger.start) + inserted + text.slice(caret));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === 'Escape') {
      event.preventDefault();
      setDismissedAt(trigger.start);
      return true;
    }
    if (matches.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + matches.length) % matches.length);
      return true;
    }
    if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      event.preventDefault();
      const member = matches[active];
      if (member) pick(member);
      return true;
    }
    return false;
  };

  const dropdown = open ? (
    <MentionList id={listId} members={matches} active={active} onHover={setActive} onPick={pick} />
  ) : null;

  return { dropdown, onKeyDown, mentionsFor: (body) => mentionsIn(body, picked.current) };
}

function MentionList({
  id,
  members,
  active,
  onHover,
  onPick,
}: {
  id: string;
  members: Member[];
  active: number;
  onHover: (index: number) => void;
  onPick: (member: Member) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="mention-anchor">
      <Paper className="mention-popover" shadow="md" withBorder radius="md" data-testid="mention-popover">
        <Text fz="xs" fw={650} c="dimmed" tt="uppercase" px="sm" pt={8} pb={4}>
          {t('mention.title')}
        </Text>
        {members.length === 0 ? (
          <Text fz="sm" c="dimmed" px="sm" pb="sm">
            {t('mention.none')}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={260} type="auto">
            <div role="listbox" id={id} aria-label={t('mention.title')} className="mention-popover__list">
              {members.map((member, index) => (
                // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard drives the list from the textarea.
                <div
                  key={member.userId}
                  role="option"
                  tabIndex={-1}
                  aria-selected={index === active}
                  className="mention-popover__option"
                  data-active={index === active || undefined}
                  data-testid="mention-option"
                  data-user-id={member.userId}
                  onMouseDown={(event) => event.preventDefault()}
                  onMouseMove={() => index !== active && onHover(index)}
                  onClick={() => onPick(member)}
                >
                  <Group gap={8} wrap="nowrap">
                    <PersonAvatar name={member.name} seed={member.userId} size={26} />
                    <Text fz="sm" fw={600} truncate>
                      {member.name}
                    </Text>
                    <Text fz="xs" c="dimmed" truncate>
                      {t(`role.${member.role}`)}
                    </Text>
                  </Group>
                </div>
              ))}
            </div>
          </ScrollArea.Autosize>
        )}
      </Paper>
    </div>
  );
}
