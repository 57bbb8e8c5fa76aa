import { createHash } from 'node:crypto';
import type { SearchQuery } from '@parley/shared';
import { AppError } from '../../errors.ts';

/**
 * Where the next page starts. Results come in windows of the newest matches; a cursor names the
 * window (every match at or older than `window`, or strictly older when `after` is false) and the
 * last result shown inside it (rank, then time and id). Times keep PostgreSQL's six fractional
 * digits. `q` ties the cursor to the search it came from.
 */
export interface Position {
  t: string;
  id: string;
}

export interface SearchCursor {
  q: string;
  window: (Position & { inclusive: boolean }) | null;
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
    (c.window === null || (isPosition(c.window) && typeof c.window.inclusive === 'boolean')) &&
    (c.after === null ||
      (isPosition(c.after) && typeof c.after.rank === 'string' && RANK.test(c.after.rank)));
  if (!valid) throw new AppError('cursor_invalid', 400, 'The cursor is not one this search issued');
  return c as SearchCursor;
}
