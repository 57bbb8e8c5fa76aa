import { createHash } from 'node:crypto';
import type { SearchQuery } from '@parley/shared';
import { AppError } from '../../errors.ts';

/**
 * Where the next page starts. Results come in windows (see windows.ts): a range of the history,
 * newest first, whose matches are ranked together. A cursor names the window's upper end, the window
 * itself once its first page has found it (its lower end, inclusive, and how it is searched), and the
 * last result shown in it (rank, then time and id). Times keep PostgreSQL's six fractional digits.
 * `q` ties the cursor to the search it came from.
 */
export interface Position {
  t: string;
  id: string;
}

export type Bound = Position & { inclusive: boolean };
export type Plan = 'scan' | 'index';

export interface SearchCursor {
  q: string;
  /** Null: from the newest document on. */
  upper: Bound | null;
  /** Null until the window's first page has found it; `lower` null means to the oldest document. */
  window: { lower: Position | null; plan: Plan } | null;
  after: (Position & { rank: string }) | null;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Ranks are PostgreSQL reals printed in their shortest exact form.
const RANK = /^(\d+(\.\d+)?(e[+-]?\d+)?|NaN|Infinity)$/;

/** The search a cursor belongs to: everything in the query but the page. */
export function queryFingerprint(query: SearchQuery): string {
  const { cursor: _cursor, limit: _limit, ...search } = query;
  const canonical = JSON.stringify(Object.entries(search).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export const firstPage = (fingerprint: string): SearchCursor => ({
  q: fingerprint,
  upper: null,
  window: null,
  after: null,
});

export const encodeCursor = (cursor: SearchCursor): string =>
  Buffer.from(JSON.stringify(cursor)).toString('base64url');

const isPosition = (value: unknown): value is Position =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Position).t === 'string' &&
  TIME.test((value as Position).t) &&
  !Number.isNaN(Date.parse((value as Position).t)) &&
  typeof (value as Position).id === 'string' &&
  UUID.test((value as Position).id);

function isWindow(value: unknown): value is SearchCursor['window'] {
  if (value === null) return true;
  const w = value as { lower?: unknown; plan?: unknown } | undefined;
  return (
    typeof w === 'object' &&
    (w.lower === null || isPosition(w.lower)) &&
    (w.plan === 'scan' || w.plan === 'index')
  );
}

export function decodeCursor(text: string, fingerprint: string): SearchCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const c = parsed as Partial<SearchCursor> | null;
  const valid =
    c !== null &&
    typeof c === 'object' &&
    c.q === fingerprint &&
    (c.upper === null || (isPosition(c.upper) && typeof c.upper.inclusive === 'boolean')) &&
    isWindow(c.window) &&
    (c.after === null ||
      (isPosition(c.after) && typeof c.after.rank === 'string' && RANK.test(c.after.rank))) &&
    // A position inside a window needs the window.
    (c.after === null || c.window !== null);
  if (!valid) throw new AppError('cursor_invalid', 400, 'The cursor is not one this search issued');
  return c as SearchCursor;
}
