import { type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { encodeCursor, type Position, type SearchCursor } from './cursor.ts';

/**
 * How many of the newest matches one window ranks. Ranking every match of a common word would read
 * the whole history, so its cost would grow with the account's age; a window keeps the cost of a page
 * the same at ten thousand messages and at millions. The trade-off: relevance orders results within a
 * window, and windows come newest first, so a strong match older than the newest 200 shows on a
 * later page rather than the first.
 */
export const WINDOW = 200;

/** The columns every windowed search returns beside its own. */
export type WindowRow = {
  window_size: number;
  newest_at: string | null;
  newest_id: string | null;
  oldest_at: string | null;
  oldest_id: string | null;
  /** Null on the one row that only carries the window's figures (nothing left in it). */
  id: string | null;
  rank: string | null;
  cursor_at: string | null;
};

export interface WindowedSearch {
  /** The tsquery, repeated where needed (a constant for the planner). */
  query: SQL;
  /** The document's table in the candidate scan, as `(created_at, id)` of its rows. */
  position: SQL;
  /**
   * `select <table>.id, <table>.created_at, <table>.search from … where … and ${bound}
   * order by created_at desc, id desc`: the matches the caller may see, newest first.
   */
  candidates: (bound: SQL) => SQL;
  /** Extra columns of a result, and joins from `page` (id, created_at, rank) that provide them. */
  columns: SQL;
  joins: SQL;
}

const utc = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function boundOf(position: SQL, window: SearchCursor['window']): SQL {
  if (!window) return sql`true`;
  const operator = window.inclusive ? sql`<=` : sql`<`;
  return sql`${position} ${operator} (${window.t}::timestamptz, ${window.id}::uuid)`;
}

function afterOf(after: SearchCursor['after']): SQL {
  if (!after) return sql`true`;
  return sql`(ranked.rank < ${after.rank}::real
    or (ranked.rank = ${after.rank}::real and (ranked.created_at, ranked.id) < (${after.t}::timestamptz, ${after.id}::uuid)))`;
}

/** One window: its matches ranked, the page after `after`, and the window's own figures. */
function windowStatement(search: WindowedSearch, cursor: SearchCursor, take: number): SQL {
  return sql`with cand as materialized (
      ${search.candidates(boundOf(search.position, cursor.window))}
      limit ${WINDOW}
    ),
    ranked as (select cand.id, cand.created_at, ts_rank_cd(cand.search, ${search.query}) as rank from cand),
    page as (
      select ranked.id, ranked.created_at, ranked.rank from ranked
      where ${afterOf(cursor.after)}
      order by ranked.rank desc, ranked.created_at desc, ranked.id desc
      limit ${take}
    ),
    stats as (
      select (select count(*)::int from cand) as window_size,
        (select ${utc(sql`cand.created_at`)} from cand order by cand.created_at desc, cand.id desc limit 1) as newest_at,
        (select cand.id from cand order by cand.created_at desc, cand.id desc limit 1) as newest_id,
        (select ${utc(sql`cand.created_at`)} from cand order by cand.created_at, cand.id limit 1) as oldest_at,
        (select cand.id from cand order by cand.created_at, cand.id limit 1) as oldest_id
    )
    select stats.window_size, stats.newest_at, stats.newest_id, stats.oldest_at, stats.oldest_id,
      page.id, page.rank::text as rank, ${utc(sql`page.created_at`)} as cursor_at, ${search.columns}
    from stats
    left join (page ${search.joins}) on true
    order by page.rank desc, page.created_at desc, page.id desc`;
}

/**
 * A page of results, in relevance order inside each window; when a window runs out before the page
 * is full the next (older) window fills the rest, so only the last page is short. A page reads at
 * most two windows since a window holds more than a page.
 */
export async function searchWindows<Row extends WindowRow>(
  ctx: AppContext,
  search: WindowedSearch,
  start: SearchCursor,
  limit: number,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const rows: Row[] = [];
  let cursor = start;
  // Two rounds at most: a window holds more results than a page, so the second one fills it or ends.
  for (let round = 0; round < 2; round++) {
    const want = limit - rows.length;
    const found = await ctx.database.rows<Row>(windowStatement(search, cursor, want + 1));
    const results = found.filter((r) => r.id !== null);
    const figures = found[0];
    rows.push(...results.slice(0, want));
    // The first page of a window pins it to its newest match, so later matches do not shift it.
    const window =
      cursor.window ??
      (figures?.newest_at && figures.newest_id
        ? { t: figures.newest_at, id: figures.newest_id, inclusive: true }
        : null);
    const last = rows.at(-1);
    if (results.length > want && last?.rank && last.cursor_at && last.id) {
      const after = { rank: last.rank, t: last.cursor_at, id: last.id };
      return { rows, nextCursor: encodeCursor({ q: cursor.q, window, after }) };
    }
    if (!figures || figures.window_size < WINDOW || !figures.oldest_at || !figures.oldest_id) {
      return { rows, nextCursor: null };
    }
    const older: Position & { inclusive: boolean } = {
      t: figures.oldest_at,
      id: figures.oldest_id,
      inclusive: false,
    };
    cursor = { q: cursor.q, window: older, after: null };
    if (rows.length === limit) return { rows, nextCursor: encodeCursor(cursor) };
  }
  return { rows, nextCursor: encodeCursor(cursor) };
}
