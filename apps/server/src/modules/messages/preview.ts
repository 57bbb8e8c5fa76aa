import { markdownToPlainText, parseMarkdownLite } from '@parley/shared/markdown-lite';

/** The inbox list shows text, not formatting markers; only bodies that may hold markers are parsed. */
export function messagePreview(body: string): string {
  const text = /[*_`[]/.test(body) ? markdownToPlainText(parseMarkdownLite(body)) : body;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
