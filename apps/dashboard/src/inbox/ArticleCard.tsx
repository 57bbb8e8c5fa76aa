import { Anchor, Text } from '@mantine/core';
import type { Message } from '@parley/shared';
import { IconExternalLink, IconNotebook } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';
import './article-card.css';

/** Only web pages open from a card (attributes are data from the server, still checked as untrusted). */
function webUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * A message of kind `article` as the customer sees it: title, excerpt and the link to the public page.
 * Everything is React text; a message whose attributes make no card falls back to its plain body.
 */
export function ArticleCard({ message }: { message: Message }) {
  const t = useT();
  const title = text(message.attributes.title);
  const excerpt = text(message.attributes.excerpt);
  const url = webUrl(message.attributes.url);
  if (!title || !url) return <span>{message.body}</span>;
  return (
    <div className="article-card" data-testid="article-card">
      <Text fz={11} fw={700} tt="uppercase" c="dimmed" className="article-card__kind">
        <IconNotebook size={13} style={{ verticalAlign: -2 }} /> {t('articles.card.kind')}
      </Text>
      <Text fw={650} fz="sm" className="article-card__title">
        {title}
      </Text>
      {excerpt ? (
        <Text fz="xs" c="dimmed" lineClamp={3} className="article-card__excerpt">
          {excerpt}
        </Text>
      ) : null}
      <Anchor href={url} target="_blank" rel="noopener noreferrer" fz="xs" fw={600}>
        {t('articles.card.open')} <IconExternalLink size={12} style={{ verticalAlign: -1 }} />
      </Anchor>
    </div>
  );
}
