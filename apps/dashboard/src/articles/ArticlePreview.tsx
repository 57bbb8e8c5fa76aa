import { Loader, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useT } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';

/**
 * The article as the public page will show it, rendered by the server while the author types.
 *
 * Why inserting this HTML is safe: it is never the author's HTML. It comes only from our own endpoint
 * (`POST …/articles/preview`), whose renderer (apps/server/src/modules/articles/render.ts) runs
 * markdown-it with raw HTML disabled, so any tag in the Markdown comes back as escaped text; it lets
 * through only http(s), mailto and relative links (javascript:, data: and the like stay plain text)
 * and images from http(s) URLs; every attribute value is escaped. On top of that the dashboard's
 * Content-Security-Policy allows no inline script, so even a renderer bug could not run code here.
 */
export function ArticlePreview({ accountId, markdown }: { accountId: string; markdown: string }) {
  const t = useT();
  const [debounced] = useDebouncedValue(markdown, 250);
  const preview = useQuery({
    queryKey: ['article-preview', accountId, debounced],
    enabled: debounced.trim() !== '',
    queryFn: () => post<{ html: string }>(`/api/accounts/${accountId}/articles/preview`, { body: debounced }),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  if (markdown.trim() === '') {
    return (
      <Text c="dimmed" fz="sm">
        {t('articles.previewEmpty')}
      </Text>
    );
  }
  if (preview.isError) {
    return (
      <Text c="red" fz="sm">
        {t('articles.previewFailed')}
      </Text>
    );
  }
  if (!preview.data) return <Loader size="sm" type="dots" />;
  return (
    <div
      className="article-body"
      data-testid="article-preview"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by our own renderer, see above.
      dangerouslySetInnerHTML={{ __html: preview.data.html }}
    />
  );
}
