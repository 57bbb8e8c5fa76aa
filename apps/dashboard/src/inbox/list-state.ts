import { type Conversation, type ConversationStatus, HISTORY_AFTER_MS } from '@parley/shared';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { get, qs } from '../lib/api.ts';
import { byActivity, conversationStore, useConversations } from '../lib/conversation-store.ts';
import { keys } from '../lib/queries.ts';

export type View =
  | 'mine'
  | 'unassigned'
  | 'all'
  | 'bot'
  | 'requested'
  | 'accepted'
  | 'queued'
  | 'snoozed'
  | 'done'
  | 'history';
export const views: View[] = [
  'mine',
  'unassigned',
  'all',
  'bot',
  'requested',
  'accepted',
  'queued',
  'snoozed',
  'done',
  'history',
];
/** The views kept in the compact switcher of narrow screens. */
export const primaryViews = ['mine', 'unassigned', 'all'] as const;
export const botViews = ['bot', 'requested', 'accepted'] as const;
export const lifecycleViews = ['queued', 'snoozed', 'done', 'history'] as const;

export interface ListFilter {
  view: View;
  status: ConversationStatus | null;
  inboxId: string | null;
  /** `me`, `none` or a member's id; the mine and unassigned views decide it themselves. */
  assignee?: string | null;
  /** Any of these tags. */
  tagIds?: readonly string[];
}

export function matches(c: Conversation, filter: ListFilter, me: string): boolean {
  if (filter.view === 'mine' && c.assigneeId !== me) return false;
  if (filter.view === 'unassigned' && c.assigneeId !== null) return false;
  // The same rules as the server's views, so live changes move conversations in and out of the list.
  if (
    (filter.view === 'bot' || filter.view === 'requested' || filter.view === 'accepted') &&
    c.botPhase !== filter.view
  )
    return false;
  if (
    filter.view === 'queued' &&
    (c.queuedAt === null || c.assigneeId !== null || (c.status !== 'new' && c.status !== 'open'))
  )
    return false;
  if (filter.view === 'snoozed' && c.snoozedUntil === null) return false;
  if (filter.view === 'done' && c.status !== 'solved' && c.status !== 'closed') return false;
  if (filter.view === 'history' && Date.parse(c.lastActivityAt) >= Date.now() - HISTORY_AFTER_MS)
    return false;
  if (filter.status && c.status !== filter.status) return false;
  if (filter.inboxId && c.inboxId !== filter.inboxId) return false;
  if (!assigneeMatches(c, filter, me)) return false;
  if (filter.tagIds?.length && !c.tagIds.some((id) => filter.tagIds?.includes(id))) return false;
  return true;
}

/** The assignee filter as the server reads it: the mine and unassigned views win over the filter bar. */
export function assigneeParam(filter: ListFilter): string | undefined {
  if (filter.view === 'mine') return 'me';
  if (filter.view === 'unassigned') return 'none';
  return filter.assignee ?? undefined;
}

function assigneeMatches(c: Conversation, filter: ListFilter, me: string): boolean {
  if (filter.view === 'mine' || filter.view === 'unassigned' || !filter.assignee) return true;
  if (filter.assignee === 'none') return c.assigneeId === null;
  return c.assigneeId === (filter.assignee === 'me' ? me : filter.assignee);
}

/**
 * The list for a filter: REST pages (newest activity first) merged with live feed changes. A live
 * conversation is shown when it matches the filter and falls inside the loaded window, so the list
 * never shows a hole where older pages have not been loaded yet.
 */
export function useConversationList(accountId: string, filter: ListFilter, me: string) {
  const query = useInfiniteQuery({
    queryKey: [
      ...keys.conversations(accountId),
      filter.view,
      filter.status,
      filter.inboxId,
      filter.assignee ?? null,
      filter.tagIds?.join(',') ?? '',
    ],
    queryFn: ({ pageParam }) =>
      get<{ conversations: Conversation[]; nextCursor: string | null }>(
        `/api/accounts/${accountId}/conversations${qs({
          assignee: assigneeParam(filter),
          view:
            filter.view === 'mine' || filter.view === 'unassigned' || filter.view === 'all'
              ? undefined
              : filter.view,
          status: filter.status,
          inboxId: filter.inboxId,
          tagIds: filter.tagIds?.join(','),
          cursor: pageParam,
          limit: 30,
        })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  useEffect(() => {
    if (query.data) conversationStore.upsert(query.data.pages.flatMap((p) => p.conversations));
  }, [query.data]);
  const all = useConversations();
  const conversations = useMemo(() => {
    const loaded = query.data?.pages.flatMap((p) => p.conversations) ?? [];
    const oldest = query.hasNextPage ? loaded.at(-1)?.lastActivityAt : undefined;
    return all
      .filter((c) => matches(c, filter, me) && (!oldest || c.lastActivityAt >= oldest))
      .sort(byActivity);
  }, [all, filter, me, query.data, query.hasNextPage]);
  return { query, conversations };
}
