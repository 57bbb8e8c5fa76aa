import type { Article, ArticleList, ArticleStatus } from '@parley/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get, qs } from '../lib/api.ts';

export const articleKeys = {
  all: (accountId: string) => ['articles', accountId] as const,
  list: (accountId: string, filters: ArticleFilters) => ['articles', accountId, 'list', filters] as const,
  one: (accountId: string, id: string) => ['articles', accountId, 'one', id] as const,
};

export interface ArticleFilters {
  q?: string;
  category?: string | null;
  status?: ArticleStatus | null;
}

export function useArticleList(accountId: string, filters: ArticleFilters, enabled = true) {
  return useQuery({
    queryKey: articleKeys.list(accountId, filters),
    enabled,
    queryFn: () =>
      get<ArticleList>(
        `/api/accounts/${accountId}/articles${qs({
          q: filters.q?.trim() || undefined,
          category: filters.category,
          status: filters.status,
        })}`,
      ),
    // Typing in the search box keeps the last answer on screen instead of flashing a loader.
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function useArticle(accountId: string, id: string | null) {
  return useQuery({
    queryKey: articleKeys.one(accountId, id ?? ''),
    enabled: id !== null,
    queryFn: async () =>
      (await get<{ article: Article }>(`/api/accounts/${accountId}/articles/${id}`)).article,
  });
}
