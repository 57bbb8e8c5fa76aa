import {
  type ConversationFilters,
  type ConversationStatus,
  conversationStatuses,
  MAX_FILTER_TAGS,
} from '@parley/shared';
import { type ListFilter, type View, views } from './list-state.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The list's filters live in the URL (`/inbox/<view>?status=…&inbox=…&assignee=…&tags=a,b`), so a
 * filtered list can be reloaded, shared and saved. Anything malformed in it is ignored, not sent.
 */
export function filterFromUrl(view: string, search: URLSearchParams): ListFilter {
  const status = search.get('status');
  const inbox = search.get('inbox');
  const assignee = search.get('assignee');
  const tagIds = (search.get('tags') ?? '')
    .split(',')
    .filter((id) => UUID.test(id))
    .slice(0, MAX_FILTER_TAGS);
  return {
    view: (views as string[]).includes(view) ? (view as View) : 'all',
    status:
      status && (conversationStatuses as readonly string[]).includes(status)
        ? (status as ConversationStatus)
        : null,
    inboxId: inbox && UUID.test(inbox) ? inbox : null,
    assignee: assignee && (assignee === 'me' || assignee === 'none' || UUID.test(assignee)) ? assignee : null,
    tagIds: [...new Set(tagIds)],
  };
}

/** The query string of a filter (the inverse of filterFromUrl). */
export function filterSearch(filter: ListFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.inboxId) params.set('inbox', filter.inboxId);
  if (filter.assignee && filter.view !== 'mine' && filter.view !== 'unassigned')
    params.set('assignee', filter.assignee);
  if (filter.tagIds?.length) params.set('tags', filter.tagIds.join(','));
  return params;
}

/** Whether anything narrows the list beyond its view. */
export const hasFilters = (filter: ListFilter): boolean =>
  Boolean(filter.status || filter.inboxId || filter.assignee || filter.tagIds?.length);

/** A filter as a saved view stores it: the shared filters schema. */
export function toSavedFilters(filter: ListFilter): ConversationFilters {
  const saved: ConversationFilters = { view: filter.view };
  if (filter.status) saved.status = filter.status;
  if (filter.inboxId) saved.inboxId = filter.inboxId;
  if (filter.assignee && filter.view !== 'mine' && filter.view !== 'unassigned')
    saved.assignee = filter.assignee;
  if (filter.tagIds?.length) saved.tagIds = [...filter.tagIds];
  return saved;
}

/** A saved view's filters as the list uses them (filters the dashboard has no control for are left out). */
export function fromSavedFilters(saved: ConversationFilters): ListFilter {
  return {
    view: saved.view && (views as string[]).includes(saved.view) ? (saved.view as View) : 'all',
    status: saved.status ?? null,
    inboxId: saved.inboxId ?? null,
    assignee: saved.assignee ?? null,
    tagIds: saved.tagIds ?? [],
  };
}

/** Same list? Tag order does not matter. */
export function sameFilters(a: ListFilter, b: ListFilter): boolean {
  const tags = (f: ListFilter) => [...(f.tagIds ?? [])].sort().join(',');
  return (
    a.view === b.view &&
    a.status === b.status &&
    a.inboxId === b.inboxId &&
    filterSearch(a).get('assignee') === filterSearch(b).get('assignee') &&
    tags(a) === tags(b)
  );
}
