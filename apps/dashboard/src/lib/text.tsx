/**
 * Only web and mail links are ever made clickable; anything else (javascript:, data:…) stays text.
 * Returns null for a link we refuse.
 */
export function safeHref(raw: string): string | null {
  const candidate = raw.includes('@') && !/^[a-z]+:/i.test(raw) ? `mailto:${raw}` : raw;
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return url.href;
  } catch {
    return null;
  }
  return null;
}

/** Up to two initials for an avatar. */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = words[0]?.[0] ?? '';
  const second = words.length > 1 ? (words.at(-1)?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}

const palette = ['indigo', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'violet', 'blue', 'green'];

/** A stable colour per person, so the same contact always looks the same. */
export function colorFor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  return palette[Math.abs(hash) % palette.length] ?? 'indigo';
}
