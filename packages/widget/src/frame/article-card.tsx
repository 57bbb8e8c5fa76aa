import type { Message } from '@parley/shared';
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (see tsconfig jsxFactory).
import { h } from './dom.ts';

/** Only a web page may open from a card: http(s) and nothing else (attributes are untrusted input). */
function webUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/**
 * An article the team sent: its title, an excerpt and a link that opens the public page in a new tab
 * (noopener: the page gets no handle on the chat). Null when the attributes are not a usable card, so
 * the caller shows the message's text instead.
 */
export function articleCard(m: Message, labels: { kind: string; read: string }): Node | null {
  const title = text(m.attributes.title, 200);
  const url = webUrl(m.attributes.url);
  if (m.kind !== 'article' || !title || !url) return null;
  const excerpt = text(m.attributes.excerpt, 300);
  return (
    <div class="pw-bubble pw-bubble--card pw-article">
      <span class="pw-card-kind">{labels.kind}</span>
      <span class="pw-article-title">{title}</span>
      {excerpt && <span class="pw-article-excerpt">{excerpt}</span>}
      <a class="pw-article-link" href={url} target="_blank" rel="noopener noreferrer">
        {labels.read}
        <span aria-hidden="true"> →</span>
      </a>
    </div>
  );
}
