import MarkdownIt from 'markdown-it';

/**
 * Article Markdown → HTML that is safe to put in any page we serve (the public help page, the
 * dashboard's preview). Safety comes from what the renderer can produce, not from cleaning up after it:
 * - raw HTML is never passed through (`html: false`; the html rules escape as a second guard), so
 *   `<script>`, `<img onerror>` and HTML blocks come out as visible text;
 * - every link destination (inline, reference, autolink, bare URL) goes through `validateLink`, after
 *   markdown-it has decoded entities and percent-encoded the rest, and only http(s), mailto and
 *   relative references pass; a refused link stays plain text;
 * - images render only from absolute http(s) URLs; any other source leaves the alt text;
 * - links carry rel="noopener noreferrer nofollow"; markdown-it escapes every attribute value.
 */

const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);

/**
 * A URL as a browser reads it: ASCII tab and newline are removed anywhere and C0 controls and spaces
 * are trimmed at both ends, so "java\nscript:" is judged as "javascript:".
 */
const asBrowserReads = (url: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these characters, so must we.
  url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');

/**
 * The lower-case scheme of a URL, '' for a relative reference (no ':' before the first '/', '?' or
 * '#'), or null when the part before the colon is no valid scheme (percent-encoded letters, say), which
 * callers refuse like any unknown scheme.
 */
function schemeOf(url: string): string | null {
  const cleaned = asBrowserReads(url);
  const end = cleaned.search(/[/?#]/);
  const head = end === -1 ? cleaned : cleaned.slice(0, end);
  const colon = head.indexOf(':');
  if (colon === -1) return '';
  const scheme = head.slice(0, colon).toLowerCase();
  return /^[a-z][a-z0-9+.-]*$/.test(scheme) ? scheme : null;
}

/** Links: http(s), mailto and relative references (paths, fragments, queries). */
export function isAllowedLink(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme === '' || (scheme !== null && LINK_SCHEMES.has(scheme));
}

/** Images: absolute http(s) URLs only (no data:, no relative paths into our own origin). */
export function isAllowedImage(url: string): boolean {
  return /^https?:\/\/[^/\\]/i.test(asBrowserReads(url)) && isAllowedLink(url);
}

function createRenderer() {
  const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: false });
  md.validateLink = isAllowedLink;

  const escapeHtml = md.utils.escapeHtml;
  md.renderer.rules.html_block = (tokens, idx) => `<p>${escapeHtml(tokens[idx]?.content ?? '')}</p>\n`;
  md.renderer.rules.html_inline = (tokens, idx) => escapeHtml(tokens[idx]?.content ?? '');

  const defaultImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (!token || !defaultImage) return '';
    if (!isAllowedImage(String(token.attrGet('src') ?? ''))) {
      return escapeHtml(self.renderInlineAsText(token.children ?? [], options, env));
    }
    token.attrSet('loading', 'lazy');
    token.attrSet('referrerpolicy', 'no-referrer');
    return defaultImage(tokens, idx, options, env, self);
  };

  md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx];
    if (!token) return '';
    token.attrSet('rel', 'noopener noreferrer nofollow');
    // Pages outside the article open beside it (and never replace the dashboard around a preview).
    if (/^https?:/i.test(asBrowserReads(String(token.attrGet('href') ?? ''))))
      token.attrSet('target', '_blank');
    return self.renderToken(tokens, idx, options);
  };
  return md;
}

const renderer = createRenderer();

/** Safe HTML for an article body (see the top of this file for what makes it safe). */
export function renderArticle(markdown: string): string {
  return renderer.render(markdown);
}

/**
 * The words of an article without any markup, for excerpts and cards: text of paragraphs, headings,
 * lists and tables (code blocks left out), whitespace collapsed. Only the first `scan` characters of
 * the Markdown are read, which is plenty for an excerpt.
 */
export function articlePlainText(markdown: string, scan = 4000): string {
  const parts: string[] = [];
  for (const token of renderer.parse(markdown.slice(0, scan), {})) {
    if (token.type !== 'inline') continue;
    for (const child of token.children ?? []) {
      if (child.type === 'text' || child.type === 'code_inline') parts.push(child.content);
      else if (child.type === 'softbreak' || child.type === 'hardbreak') parts.push(' ');
      else if (child.type === 'image') parts.push(child.content);
    }
    parts.push(' ');
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** About `length` characters of plain text, cut at a word boundary when one is near. */
export function articleExcerpt(markdown: string, length = 200): string {
  const text = articlePlainText(markdown);
  const chars = Array.from(text);
  if (chars.length <= length) return text;
  const cut = chars.slice(0, length).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
