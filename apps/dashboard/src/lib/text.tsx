import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';

const urlPattern = /\b(?:https?:\/\/|mailto:)[^\s<>"']+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/gi;

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

/**
 * User text with links made clickable. Everything is rendered as React text nodes (escaped); there is
 * no HTML parsing anywhere in the dashboard.
 */
export function Linkified({ text }: { text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const found of text.matchAll(urlPattern)) {
    const index = found.index ?? 0;
    let raw = found[0];
    // Trailing punctuation usually ends the sentence, not the link.
    const trail = /[).,;:!?]+$/.exec(raw)?.[0] ?? '';
    if (trail) raw = raw.slice(0, -trail.length);
    const href = safeHref(raw);
    if (!href) continue;
    if (index > last) parts.push(text.slice(last, index));
    parts.push(
      <Anchor
        key={index}
        href={href}
        target="_blank"
        rel="noopener noreferrer nofollow"
        inherit
        underline="always"
      >
        {raw}
      </Anchor>,
    );
    last = index + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
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
