/**
 * Splits message text into plain text and links. Only http, https and mailto links are recognised;
 * everything else (javascript:, data:, look-alikes) stays text. Pure, so it is unit-tested in Node.
 */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\b(?:https?:\/\/|mailto:|www\.)[^\s<>"'`]+/gi;
const TRAILING_CHARS = '.,;:!?\'"»”’]}>';

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
    } else if (!TRAILING_CHARS.includes(last)) {
      break;
    }
    text = text.slice(0, -1);
  }
  return text;
}

/** Returns a safe absolute href for a candidate, or null when it is not an allowed link. */
export function safeHref(candidate: string): string | null {
  const withScheme = /^www\./i.test(candidate) ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol === 'mailto:') {
    return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(withScheme) ? url.href : null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname;
  if (!host || !(/^[\p{L}\p{N}.-]+$/u.test(host) || host.startsWith('['))) return null;
  return url.href;
}

export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  const push = (value: string) => {
    if (!value) return;
    const previous = segments[segments.length - 1];
    if (previous?.kind === 'text') previous.text += value;
    else segments.push({ kind: 'text', text: value });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    push(text.slice(last, start));
    if (href && candidate.length > 0) {
      segments.push({ kind: 'link', text: candidate, href });
      last = start + candidate.length;
    } else {
      push(match[0]);
      last = start + match[0].length;
    }
  }
  push(text.slice(last));
  return segments;
}
