import type { SavedView, Tag } from '@parley/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { get } from '../lib/api.ts';

/** The same key as the rules settings use, so every screen shares one tag list. */
export const tagsKey = (accountId: string) => ['tags', accountId] as const;
export const savedViewsKey = (accountId: string) => ['saved-views', accountId] as const;

export function useTags(accountId: string) {
  return useQuery({
    queryKey: tagsKey(accountId),
    queryFn: async () => (await get<{ tags: Tag[] }>(`/api/accounts/${accountId}/tags`)).tags,
    staleTime: 30_000,
  });
}

/** Tags by id; an id nobody here knows yet (a colleague just created it) refreshes the list once. */
export function useTagLookup(accountId: string): (id: string) => Tag | undefined {
  const tags = useTags(accountId);
  const queryClient = useQueryClient();
  const byId = useMemo(() => new Map((tags.data ?? []).map((tag) => [tag.id, tag])), [tags.data]);
  return useCallback(
    (id: string) => {
      const found = byId.get(id);
      if (!found && tags.isSuccess && !asked.has(id)) {
        asked.add(id);
        void queryClient.invalidateQueries({ queryKey: tagsKey(accountId) });
      }
      return found;
    },
    [byId, tags.isSuccess, queryClient, accountId],
  );
}
const asked = new Set<string>();

export function useSavedViews(accountId: string) {
  return useQuery({
    queryKey: savedViewsKey(accountId),
    queryFn: async () => (await get<{ views: SavedView[] }>(`/api/accounts/${accountId}/saved-views`)).views,
    staleTime: 60_000,
  });
}
