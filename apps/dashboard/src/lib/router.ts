import { useSyncExternalStore } from 'react';

/**
 * A small history-API router: the dashboard has a handful of screens, and the server answers every
 * client-side path with the app (see the server's dashboard module).
 */
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

/**
 * Links other systems keep, mapped to the screen that shows them. The public API answers with
 * `{PUBLIC_URL}/inboxes/{inboxId}/conversations/{id}`, which opens the conversation in the inbox.
 */
function canonicalPath(pathname: string): string {
  const link = match('/inboxes/:inboxId/conversations/:conversationId', pathname);
  return link?.conversationId ? `/inbox/all/${encodeURIComponent(link.conversationId)}` : pathname;
}

function followAlias(): void {
  const canonical = canonicalPath(location.pathname);
  if (canonical !== location.pathname) history.replaceState(null, '', canonical + location.search);
}

followAlias();
window.addEventListener('popstate', () => {
  followAlias();
  notify();
});

export function navigate(target: string, options: { replace?: boolean } = {}): void {
  const url = new URL(target, location.origin);
  const to = canonicalPath(url.pathname) + url.search;
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => location.pathname + location.search;

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

/** Matches `/inbox/:view/:id?`-style patterns; returns the params or null. */
export function match(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    const w = want[i];
    const h = have[i];
    if (w === undefined) return null;
    const optional = w.endsWith('?');
    if (h === undefined) {
      if (optional) continue;
      return null;
    }
    if (w.startsWith(':')) {
      try {
        params[w.slice(1).replace(/\?$/, '')] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) return null;
  }
  return params;
}

/** Click handler for anchors that should navigate inside the app (modifier clicks open new tabs). */
export function linkHandler(to: string) {
  return (event: React.MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
}
