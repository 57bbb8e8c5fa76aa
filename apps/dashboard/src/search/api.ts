import type { SearchResult, SearchType, Tag } from '@parley/shared';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';

/** What the search screen asks for; empty values are left out of the request. */
export interface SearchParams {
  q: string;
  type: SearchType;
  inboxId: string | null;
  status: string | null;
  assigneeId: string | null;
  tagId: string | null;
  /** Days as YYYY-MM-DD in the agent's own time zone. */
  from: string | null;
  to: string | null;
}

/** A day's start in the browser's time zone, as the instant the API takes. */
const startOfDay = (day: string, plusDays = 0) => {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + plusDays).toISOString();
};

export function searchQueryString(params: SearchParams, cursor: string | null): string {
  const messages = params.type === 'messages';
  return qs({
    q: params.q,
    type: params.type,
    inboxId: params.inboxId ?? undefined,
    tagId: params.tagId ?? undefined,
    status: messages ? (params.status ?? undefined) : undefined,
    assigneeId: messages ? (params.assigneeId ?? undefined) : undefined,
    from: messages && params.from ? startOfDay(params.from) : undefined,
    // "To" is the last day included: messages before the next day's start.
    to: messages && params.to ? startOfDay(params.to, 1) : undefined,
    cursor: cursor ?? undefined,
    limit: 20,
  });
}

export function useSearch(accountId: string, params: SearchParams) {
  return useInfiniteQuery({
    queryKey: ['search', accountId, params],
    enabled: params.q.trim().length > 0,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<SearchResult>(`/api/accounts/${accountId}/search${searchQueryString(params, pageParam)}`),
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}

export function useTags(accountId: string) {
  return useQuery({
    queryKey: ['tags', accountId],
    queryFn: async () => (await get<{ tags: Tag[] }>(`/api/accounts/${accountId}/tags`)).tags,
    staleTime: 60_000,
  });
}
