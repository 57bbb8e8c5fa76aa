/**
 * Markdown-lite: the little formatting people use in chat messages — **bold**, *italic*, `code`,
 * ```code blocks```, [labelled links](https://…) and bare web and mail addresses. It is parsed into a
 * tree of tokens that each client renders with its own text-only primitives (React text, the widget's
 * JSX factory). Nothing here ever produces HTML, so no message can become markup; links are only ever
 * http, https or mailto, validated here and normalised by the URL parser.
 *
 * The rules are kept deliberately small: emphasis and code spans stay within one line, markers that do
 * not close are plain text, and emphasis nests only a few levels deep. Every step is linear or close to
 * it, so a hostile message cannot make a client spin.
 *
 * This file has no imports: the widget bundles it on its own (`@parley/shared/markdown-lite`).
 */

export type MarkdownNode =
  | { type: 'text'; text: string }
  | { type: 'bold'; children: MarkdownNode[] }
  | { type: 'italic'; children: MarkdownNode[] }
  | { type: 'code'; text: string }
  | { type: 'code_block'; text: string }
  | { type: 'link'; href: string; children: MarkdownNode[] };

/** Emphasis inside emphasis beyond this depth is shown as the literal markers. */
const MAX_DEPTH = 4;
/** Characters a backslash makes literal. */
const ESCAPABLE = new Set(['\\', '`', '*', '_', '[', ']', '(', ')', '#', '~', '>', '{', '}']);
const URL_START = /(?:https?:\/\/|mailto:|www\.)[^\s<>"'`]+/iy;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/y;
/** Punctuation that usually ends the sentence rather than the link. */
const TRAILING = '.,;:!?\'"»”’]}>*';

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * A safe absolute href for what someone wrote as a link target, or null when it is not an http, https
 * or mailto link. `www.` gets https; a bare e-mail address gets mailto.
 */
export function safeHref(candidate: string): string | null {
  let raw = candidate.trim();
  if (/^www\./i.test(raw)) raw = `https://${raw}`;
  else if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(raw)) raw = `mailto:${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol === 'mailto:') {
    return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(raw) ? url.href : null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname;
  if (!host || !(/^[\p{L}\p{N}.-]+$/u.test(host) || host.startsWith('['))) return null;
  return url.href;
}

/** True for an href that `safeHref` could have produced; renderers check again before using one. */
export function isSafeHref(href: string): boolean {
  return /^(?:https?:\/\/|mailto:)/i.test(href);
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

/** Drops sentence punctuation after a link; keeps a ")" that closes a "(" inside the link. */
function trimTrailing(raw: string): string {
  let text = raw;
  while (text.length > 0) {
    const last = text[text.length - 1] as string;
    if (last === ')') {
      if (count(text, ')') <= count(text, '(')) break;
    } else if (!TRAILING.includes(last)) {
      break;
    }
    text = text.slice(0, -1);
  }
  return text;
}

function runLength(s: string, at: number, char: string): number {
  let n = 0;
  while (s[at + n] === char) n += 1;
  return n;
}

function lineEnd(s: string, from: number): number {
  const end = s.indexOf('\n', from);
  return end === -1 ? s.length : end;
}

/** Where a run of exactly `length` backticks closes a code span on the same line, or -1. */
function codeSpanClose(s: string, from: number, length: number): number {
  const end = lineEnd(s, from);
  let j = from;
  while (j < end) {
    if (s[j] === '`') {
      const run = runLength(s, j, '`');
      if (run === length) return j;
      j += run;
    } else {
      j += 1;
    }
  }
  return -1;
}

type Delimiter = '*' | '**';

function canOpen(s: string, at: number, delimiter: Delimiter): boolean {
  const next = s[at + delimiter.length];
  return next !== undefined && !isSpace(next) && !isWordChar(s[at - 1]);
}

function canClose(s: string, at: number, delimiter: Delimiter): boolean {
  return !isSpace(s[at - 1]) && !isWordChar(s[at + delimiter.length]);
}

/** Where the emphasis opened before `from` closes on the same line (skipping code spans), or -1. */
function emphasisClose(s: string, from: number, delimiter: Delimiter): number {
  const end = lineEnd(s, from);
  let j = from;
  while (j < end) {
    const c = s[j];
    if (c === '\\') {
      j += 2;
    } else if (c === '`') {
      const run = runLength(s, j, '`');
      const close = codeSpanClose(s, j + run, run);
      j = close === -1 ? j + run : close + run;
    } else if (c === '*') {
      const run = runLength(s, j, '*');
      // "**" closes bold at the end of a run ("***" ends italic and bold); "*" closes italic at the
      // start of a run, but never on a lone "**" (that belongs to a bold inside).
      const at = delimiter === '**' ? j + run - 2 : j;
      const fits = delimiter === '**' ? run >= 2 : run !== 2;
      if (fits && at > from && canClose(s, at, delimiter)) return at;
      j += run;
    } else {
      j += 1;
    }
  }
  return -1;
}

interface Context {
  depth: number;
  /** Links are not allowed inside a link's label. */
  links: boolean;
  /** Code blocks exist only at the top level. */
  blocks: boolean;
}

function parseInline(s: string, context: Context): MarkdownNode[] {
  const nodes: MarkdownNode[] = [];
  let text = '';
  const flush = () => {
    if (text) nodes.push({ type: 'text', text });
    text = '';
  };
  // Memos that keep hostile input (thousands of unclosed markers) linear: once a search failed up to
  // a line end, later searches of the same kind on that line fail too.
  const missUntil: Record<Delimiter | ']' | ')', number> = { '*': -1, '**': -1, ']': -1, ')': -1 };
  let emailRunEnd = -1;
  let emailRunHasAt = false;

  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;

    if (c === '\\' && i + 1 < s.length && ESCAPABLE.has(s[i + 1] as string)) {
      text += s[i + 1];
      i += 2;
      continue;
    }

    if (c === '`') {
      const run = runLength(s, i, '`');
      if (context.blocks && run >= 3) {
        const close = s.indexOf('```', i + run);
        if (close !== -1) {
          // A block takes the line breaks next to its fences: they separate it, they are not content.
          if (text.endsWith('\n')) text = text.slice(0, -1);
          flush();
          let body = s.slice(i + run, close);
          if (body.startsWith('\n')) body = body.slice(1);
          if (body.endsWith('\n')) body = body.slice(0, -1);
          nodes.push({ type: 'code_block', text: body });
          i = close + runLength(s, close, '`');
          if (s[i] === '\n') i += 1;
          continue;
        }
      }
      const close = codeSpanClose(s, i + run, run);
      if (close > i + run) {
        flush();
        nodes.push({ type: 'code', text: s.slice(i + run, close) });
        i = close + run;
      } else {
        text += s.slice(i, i + run);
        i += run;
      }
      continue;
    }

    if (c === '*') {
      const run = runLength(s, i, '*');
      const candidates: Delimiter[] = run >= 2 ? ['**', '*'] : ['*'];
      let matched = false;
      if (context.depth < MAX_DEPTH) {
        for (const delimiter of candidates) {
          if (i < missUntil[delimiter] || !canOpen(s, i, delimiter)) continue;
          const close = emphasisClose(s, i + delimiter.length, delimiter);
          if (close === -1) {
            missUntil[delimiter] = lineEnd(s, i);
            continue;
          }
          flush();
          nodes.push({
            type: delimiter === '**' ? 'bold' : 'italic',
            children: parseInline(s.slice(i + delimiter.length, close), {
              ...context,
              depth: context.depth + 1,
              blocks: false,
            }),
          });
          i = close + delimiter.length;
          matched = true;
          break;
        }
      }
      if (!matched) {
        text += s.slice(i, i + run);
        i += run;
      }
      continue;
    }

    if (c === '[' && context.links && i >= missUntil[']']) {
      const end = lineEnd(s, i);
      const closeBracket = s.indexOf(']', i + 1);
      if (closeBracket === -1 || closeBracket > end) {
        missUntil[']'] = end;
      } else if (s[closeBracket + 1] === '(' && closeBracket >= missUntil[')']) {
        const target = linkTarget(s, closeBracket + 2, end);
        if (target === 'unclosed') missUntil[')'] = end;
        const href = typeof target === 'object' ? safeHref(target.url) : null;
        if (typeof target === 'object' && href) {
          const label = s.slice(i + 1, closeBracket);
          flush();
          nodes.push({
            type: 'link',
            href,
            children: label.trim()
              ? parseInline(label, { depth: context.depth + 1, links: false, blocks: false })
              : [{ type: 'text', text: target.url }],
          });
          i = target.end;
          continue;
        }
      }
      text += c;
      i += 1;
      continue;
    }

    if (context.links && !isWordChar(s[i - 1])) {
      if ('hHmMwW'.includes(c)) {
        URL_START.lastIndex = i;
        const found = URL_START.exec(s);
        if (found) {
          const candidate = trimTrailing(found[0]);
          const href = candidate ? safeHref(candidate) : null;
          if (href) {
            flush();
            nodes.push({ type: 'link', href, children: [{ type: 'text', text: candidate }] });
            i += candidate.length;
          } else {
            // Not a link we allow: the whole candidate stays text (so no part of it is tried again).
            text += found[0];
            i += found[0].length;
          }
          continue;
        }
      }
      if (isWordChar(c) && !/[.+-]/.test(s[i - 1] ?? '')) {
        if (i >= emailRunEnd) {
          emailRunEnd = i;
          while (emailRunEnd < s.length && !isSpace(s[emailRunEnd])) emailRunEnd += 1;
          emailRunHasAt = s.slice(i, emailRunEnd).includes('@');
        }
        if (emailRunHasAt) {
          EMAIL.lastIndex = i;
          const found = EMAIL.exec(s);
          const address = found ? trimTrailing(found[0]) : '';
          const href = address ? safeHref(address) : null;
          if (href) {
            flush();
            nodes.push({ type: 'link', href, children: [{ type: 'text', text: address }] });
            i += address.length;
            continue;
          }
        }
      }
    }

    text += c;
    i += 1;
  }
  flush();
  return nodes;
}

/** Longer link targets are not links (browsers cut URLs near here anyway); keeps the search short. */
const MAX_TARGET = 2048;

/**
 * The URL of `(url)` after a link label: no spaces, balanced parentheses, on the same line. 'unclosed'
 * when no ")" follows on the line at all, so no later label on that line can find a target either.
 */
function linkTarget(
  s: string,
  from: number,
  end: number,
): { url: string; end: number } | 'invalid' | 'unclosed' {
  let depth = 0;
  let sawClose = false;
  const stop = Math.min(end, from + MAX_TARGET);
  for (let j = from; j < stop; j += 1) {
    const c = s[j];
    if (c === ' ' || c === '\t') return 'invalid';
    if (c === '(') depth += 1;
    else if (c === ')') {
      if (depth === 0) return j > from ? { url: s.slice(from, j), end: j + 1 } : 'invalid';
      depth -= 1;
      sawClose = true;
    }
  }
  return sawClose || stop < end ? 'invalid' : 'unclosed';
}

/** Parses message text into tokens. Always succeeds; anything it does not recognise is text. */
export function parseMarkdownLite(source: string): MarkdownNode[] {
  return parseInline(source, { depth: 0, links: true, blocks: true });
}

/** The text a reader sees, without markers: for previews, notifications and search snippets. */
export function markdownToPlainText(nodes: MarkdownNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text' || node.type === 'code') out += node.text;
    else if (node.type === 'code_block') out += `\n${node.text}\n`;
    else out += markdownToPlainText(node.children);
  }
  return out;
}
