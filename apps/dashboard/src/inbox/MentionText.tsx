import type { Message } from '@parley/shared';
import { type ReactNode, useMemo } from 'react';
import { useMembers } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import '../notifications/notifications.css';
import { RichText } from './RichText.tsx';

/** The user ids a note mentions (`attributes.mentions`), if any. */
export function mentionedIds(message: Message): string[] {
  const value = message.attributes.mentions;
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A note's body with the `@Name` of each mentioned colleague highlighted (yours stands out). Only names
 * of people the note really mentions are marked; everything else renders as usual, as React text.
 */
export function MentionText({ message, me }: { message: Message; me: string }): ReactNode {
  const { account } = useReady();
  const members = useMembers(account.accountId);
  const ids = mentionedIds(message);
  const named = useMemo(() => {
    const byName = new Map<string, string>();
    for (const id of ids) {
      const name = members.data?.find((m) => m.userId === id)?.name;
      if (name) byName.set(name, id);
    }
    return byName;
  }, [ids, members.data]);
  if (named.size === 0) return <RichText text={message.body} />;
  // Longest names first, so "Ana Souza" wins over "Ana".
  const pattern = new RegExp(
    `@(${[...named.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|')})`,
    'g',
  );
  const parts: ReactNode[] = [];
  let last = 0;
  for (const found of message.body.matchAll(pattern)) {
    const index = found.index ?? 0;
    const name = found[1] ?? '';
    if (index > last) parts.push(<RichText key={`t${last}`} text={message.body.slice(last, index)} />);
    parts.push(
      <span
        key={`m${index}`}
        className="mention"
        data-me={named.get(name) === me || undefined}
        data-testid="mention"
      >
        @{name}
      </span>,
    );
    last = index + found[0].length;
  }
  if (last < message.body.length) parts.push(<RichText key={`t${last}`} text={message.body.slice(last)} />);
  return <>{parts}</>;
}
