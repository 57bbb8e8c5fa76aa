import { type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { type Bound, encodeCursor, type Plan, type Position, type SearchCursor } from './cursor.ts';

/**
 * How search stays about as fast at millions of documents as at thousands.
 *
 * Results come in *windows*: a range of the history, newest first, holding at most WINDOW matches
 * the caller may see, which are ranked together (ts_rank_cd) and paged; the next window continues
 * where one ended. Ranking every match of a common word would read the whole history; a window bounds
 * the work. The trade-off: relevance orders results within a window and windows come newest first,
 * so a strong match older than the newest hundred shows on a later page rather than the first.
 *
 * How a window's matches are found depends on the length of the words' GIN posting lists, which is
 * what the index reads: the planner's estimate of the documents holding any of the words (its
 * statistics count words well; what it gets wrong is the price of reading a long list, far below
 * what it costs).
 * - Short lists (RARE_POSTINGS or fewer): the GIN index over the rest of the history.
 * - Long lists (more than POSTING_LIMIT): a *scan*, documents read newest first in time order until
 *   WINDOW matches are found, at most SCAN_ROWS of them, so its cost does not depend on the history's
 *   length. When that leaves the page short (a rare combination of common words, a narrow filter),
 *   the window reads on, up to EXTEND_ROWS more, until the page is full.
 * - In between: a *probe* reads the newest PROBE_ROWS documents the same way, then the GIN index
 *   covers about INDEX_ROWS documents further back at most (a time span estimated from the probe's
 *   pace), so a moderately common word with a narrow filter does not read years of history in one
 *   request.
 * A window holds fewer than WINDOW matches when it ran out of range first, so a page may be short and
 * still have a next cursor.
 */
/** The sizes above; tests lower some of them to reach every plan with little data. */
export const limits = {
  WINDOW: 100,
  // Enough to pin the window and measure the pace of writing; the index reads on from there.
  PROBE_ROWS: 300,
  SCAN_ROWS: 4_000,
  EXTEND_ROWS: 8_000,
  POSTING_LIMIT: 10_000,
  RARE_POSTINGS: 2_000,
  INDEX_ROWS: 20_000,
};
/** The lower end of a position range at a given time: the smallest uuid sorts first. */
const FIRST_ID = '00000000-0000-0000-0000-000000000000';
const HOUR_MS = 3_600_000;

/** One searchable table (messages, contacts) as the window machinery needs it. */
export interface DocumentSource {
  /** The table, by name; its rows have id, created_at, search. */
  table: SQL;
  /** The tsquery, repeated where needed (a constant for the planner). */
  query: SQL;
  /** Conditions on the table's own columns (account, kind, dates), against the table's name. */
  own: SQL;
  /** Columns the visibility check needs, carried through a scan (e.g. `, messages.conversation_id`). */
  carried: SQL;
  /** Joins and ` and …` conditions keeping what the caller may see, for rows called `row`. */
  visibleJoins: (row: SQL) => SQL;
  visibleWhere: (row: SQL) => SQL;
  /** Result columns, and joins from `page` (id, created_at, rank) that provide them. */
  columns: SQL;
  joins: SQL;
}

/** The columns every result row has beside its source's. */
export type RankedRow = { id: string; rank: string; cursor_at: string };

type Runner = <T extends Record<string, unknown>>(statement: SQL) => Promise<T[]>;
type Range = { upper: Bound | null; lower: Position | null };

const utc = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function rangeOf(source: DocumentSource, range: Range): SQL {
  const position = sql`(${source.table}.created_at, ${source.table}.id)`;
  const upper = range.upper
    ? sql`${position} ${range.upper.inclusive ? sql`<=` : sql`<`} (${range.upper.t}::timestamptz, ${range.upper.id}::uuid)`
    : sql`true`;
  const lower = range.lower
    ? sql`${position} >= (${range.lower.t}::timestamptz, ${range.lower.id}::uuid)`
    : sql`true`;
  return sql`${upper} and ${lower}`;
}

/**
 * Documents holding any of the query's words: the GIN index reads the posting lists of all the words
 * of a query (even for "a b", where few documents hold both). The words are taken from the tsquery's
 * text form, where each one is quoted with its inner quotes doubled.
 */
export const anyWordQuery = (query: SQL) => sql`(
  select string_agg(w[1] || coalesce(w[2], ''), ' | ')
  from regexp_matches(${query}::text, '(''(?:[^'']|'''')*'')(:\\*)?', 'g') w)::tsquery`;

/** The planner's estimate of the documents holding any of `words`, planned with them as a constant. */
async function postingsOf(run: Runner, source: DocumentSource, words: string | null): Promise<number> {
  if (!words) return 0;
  const t = source.table;
  const [row] = await run<{ 'QUERY PLAN': unknown }>(
    sql`explain (format json) select 1 from ${t} where ${t}.search @@ ${words}::tsquery`,
  );
  const raw = row?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{
    Plan?: { 'Plan Rows'?: number };
  }>;
  return Number(plan?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

type ScanRow = { n: string | number; id: string; at: string; visible: boolean };

/**
 * Reads the range's documents newest first (never the GIN index: the word test is outside the
 * LIMIT), at most `rows` of them, and stops as soon as `need` visible matches are found: PostgreSQL
 * pulls rows through the LIMITs one at a time, so a common word reads a few hundred documents and a
 * rare combination as many as it takes, within `rows`. The first document read and the `rows`-th
 * (when reached) come back too: the first pins a new window's upper end, the last is where the
 * window ends when it ran out of rows before matches. Visibility is checked only on matches.
 */
async function scan(run: Runner, source: DocumentSource, range: Range, rows: number, need: number) {
  const t = source.table;
  // Visibility is computed once per match in the middle query (OFFSET 0 keeps it from being merged
  // into the outer one, which would repeat it); no ORDER BY above the scan, which would read it all.
  const found = await run<ScanRow>(sql`
    select v.n, v.id, ${utc(sql`v.created_at`)} as at, v.visible
    from (
      select s.n, s.id, s.created_at,
        coalesce(s.hit and exists (select 1 from (select 1) one ${source.visibleJoins(sql`s`)}
          where true ${source.visibleWhere(sql`s`)}), false) as visible
      from (
        select ${t}.id, ${t}.created_at, ${t}.search @@ ${source.query} as hit,
          row_number() over (order by ${t}.created_at desc, ${t}.id desc) as n ${source.carried}
        from ${t}
        where ${source.own} and ${rangeOf(source, range)}
        order by ${t}.created_at desc, ${t}.id desc
        limit ${rows}
      ) s
      offset 0
    ) v
    where v.n = 1 or v.n = ${rows} or v.visible
    limit ${need + 1}`);
  found.sort((a, b) => Number(a.n) - Number(b.n));
  const visible = found.filter((r) => r.visible).map((r): Position => ({ t: r.at, id: r.id }));
  const last = found.at(-1);
  const first = found[0];
  const filled = visible.length >= need;
  return {
    visible: visible.slice(0, need),
    /** Enough matches were found before the range or `rows` ran out. */
    filled,
    newest: first && Number(first.n) === 1 ? { t: first.at, id: first.id } : null,
    /** The `rows`-th document, when the scan read that far without filling. */
    edge: !filled && last && Number(last.n) === rows ? { t: last.at, id: last.id } : null,
  };
}

/**
 * The newest `need` visible matches of the range through the GIN index. The range is short unless
 * the words are rare, so PostgreSQL reads the words' postings once and, intersecting them with the
 * range's part of the table's recent index, only the documents in both.
 */
async function indexSearch(run: Runner, source: DocumentSource, range: Range, need: number) {
  const t = source.table;
  const rows = await run<{ id: string; at: string }>(sql`
    select ${t}.id, ${utc(sql`${t}.created_at`)} as at from ${t} ${source.visibleJoins(t)}
    where ${source.own} and ${t}.search @@ ${source.query} and ${rangeOf(source, range)}
      ${source.visibleWhere(t)}
    order by ${t}.created_at desc, ${t}.id desc
    limit ${need}`);
  return rows.map((r): Position => ({ t: r.at, id: r.id }));
}

interface Window {
  ids: string[];
  upper: Bound | null;
  lower: Position | null;
  plan: Plan;
  /** The window read on past SCAN_ROWS to fill the page: the request has done its share of reading. */
  extended: boolean;
}

/**
 * A new window from `upper` down: the index, or a scan (which for words of middling frequency is a
 * probe of the newest documents, followed by the index over a bounded stretch). `page` is how many
 * matches the page being served still needs: a scanned window that has fewer after SCAN_ROWS
 * documents reads on, up to EXTEND_ROWS more, until it has them, so a rare combination of common
 * words fills its page in one window instead of returning it short or searching a second window.
 */
async function discover(
  run: Runner,
  source: DocumentSource,
  upper: Bound | null,
  postings: number,
  page: number,
): Promise<Window> {
  const { WINDOW } = limits;
  if (postings <= limits.RARE_POSTINGS) {
    const found = await indexSearch(run, source, { upper, lower: null }, WINDOW);
    return {
      ids: found.map((f) => f.id),
      upper: upper ?? (found[0] ? { ...found[0], inclusive: true } : null),
      lower: found.length < WINDOW ? null : (found.at(-1) ?? null),
      plan: 'index',
      extended: false,
    };
  }
  const long = postings > limits.POSTING_LIMIT;
  const first = await scan(
    run,
    source,
    { upper, lower: null },
    long ? limits.SCAN_ROWS : limits.PROBE_ROWS,
    WINDOW,
  );
  // The window starts at the newest document read, so what arrives later does not move it.
  const pinned = upper ?? (first.newest ? { ...first.newest, inclusive: true } : null);
  const found = first.visible;
  const done = (lower: Position | null, plan: Plan, extended = false): Window => ({
    ids: found.map((f) => f.id),
    upper: pinned,
    lower,
    plan,
    extended,
  });
  if (first.filled) return done(found[WINDOW - 1] ?? null, 'scan');
  // The range ran out before `rows` documents: the window reaches the oldest one.
  if (!first.edge || !first.newest) return done(null, 'scan');
  const rest: Range = { upper: { ...first.edge, inclusive: false }, lower: null };
  if (long) {
    const want = Math.min(page, WINDOW) - found.length;
    if (want <= 0) return done(first.edge, 'scan');
    const more = await scan(run, source, rest, limits.EXTEND_ROWS, want);
    found.push(...more.visible);
    return done(more.filled ? (found.at(-1) ?? null) : more.edge, 'scan', true);
  }
  // About INDEX_ROWS documents back, at the pace the probe's documents were written.
  const need = WINDOW - found.length;
  const oldest = Date.parse(first.edge.t);
  const pace = (Date.parse(first.newest.t) - oldest) / limits.PROBE_ROWS;
  const since = new Date(oldest - Math.max(HOUR_MS, pace * limits.INDEX_ROWS)).toISOString();
  rest.lower = { t: since, id: FIRST_ID };
  const more = await indexSearch(run, source, rest, need);
  found.push(...more);
  return done(more.length < need ? rest.lower : (found.at(-1) ?? null), 'index');
}

/** A window found on an earlier page, found again the same way. */
async function rediscover(
  run: Runner,
  source: DocumentSource,
  cursor: SearchCursor & { window: NonNullable<SearchCursor['window']> },
): Promise<Window> {
  const range: Range = { upper: cursor.upper, lower: cursor.window.lower };
  // A scanned window holds at most SCAN_ROWS + EXTEND_ROWS documents: its bounds stop the scan.
  const found =
    cursor.window.plan === 'scan'
      ? (await scan(run, source, range, limits.SCAN_ROWS + limits.EXTEND_ROWS, limits.WINDOW)).visible
      : await indexSearch(run, source, range, limits.WINDOW);
  return { ids: found.map((f) => f.id), upper: cursor.upper, ...cursor.window, extended: false };
}

function afterOf(after: SearchCursor['after']): SQL {
  if (!after) return sql`true`;
  return sql`(ranked.rank < ${after.rank}::real
    or (ranked.rank = ${after.rank}::real and (ranked.created_at, ranked.id) < (${after.t}::timestamptz, ${after.id}::uuid)))`;
}

/** The window's matches ranked, the `take` after `after`, with the source's result columns. */
function rankStatement(
  source: DocumentSource,
  ids: string[],
  after: SearchCursor['after'],
  take: number,
): SQL {
  const t = source.table;
  return sql`with ranked as (
      select ${t}.id, ${t}.created_at, ts_rank_cd(${t}.search, ${source.query}) as rank
      from ${t} where ${t}.id = any(${`{${ids.join(',')}}`}::uuid[])
    ),
    page as (
      select ranked.id, ranked.created_at, ranked.rank from ranked
      where ${afterOf(after)}
      order by ranked.rank desc, ranked.created_at desc, ranked.id desc
      limit ${take}
    )
    select page.id, page.rank::text as rank, ${utc(sql`page.created_at`)} as cursor_at, ${source.columns}
    from page ${source.joins}
    order by page.rank desc, page.created_at desc, page.id desc`;
}

/**
 * A page of results in relevance order inside each window; when a window runs out before the page is
 * full the next (older) one fills the rest. A page reads at most two windows, so its cost is bounded.
 */
export async function searchWindows<Row extends RankedRow>(
  ctx: AppContext,
  source: DocumentSource,
  start: SearchCursor,
  limit: number,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  // One snapshot for the statements of a page; JIT compilation and parallel workers would cost more
  // than these few milliseconds of work, and hash or merge joins would read every conversation of
  // the account to check a handful of matches.
  return ctx.database.db.transaction(
    async (tx: Tx) => {
      const run: Runner = (statement) => ctx.database.rows(statement, tx);
      const [settings] = await run<{ words: string | null }>(
        sql`select set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
          set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
          ${anyWordQuery(source.query)}::text as words`,
      );
      let postings: Promise<number> | null = null;
      // Asked only when a window is to be found (not when a page continues one).
      const estimate = () => {
        postings ??= postingsOf(run, source, settings?.words ?? null);
        return postings;
      };
      return readPage<Row>(run, source, start, limit, estimate);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function readPage<Row extends RankedRow>(
  run: Runner,
  source: DocumentSource,
  start: SearchCursor,
  limit: number,
  postings: () => Promise<number>,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const rows: Row[] = [];
  let cursor = start;
  for (let round = 0; round < 2; round++) {
    const want = limit - rows.length;
    const window = cursor.window
      ? await rediscover(run, source, { ...cursor, window: cursor.window })
      : await discover(run, source, cursor.upper, await postings(), want + 1);
    const ranked =
      window.ids.length > 0 ? await run<Row>(rankStatement(source, window.ids, cursor.after, want + 1)) : [];
    rows.push(...ranked.slice(0, want));
    const last = rows.at(-1);
    if (ranked.length > want && last) {
      return {
        rows,
        nextCursor: encodeCursor({
          q: cursor.q,
          upper: window.upper,
          window: { lower: window.lower, plan: window.plan },
          after: { rank: last.rank, t: last.cursor_at, id: last.id },
        }),
      };
    }
    if (!window.lower) return { rows, nextCursor: null };
    cursor = { q: cursor.q, upper: { ...window.lower, inclusive: false }, window: null, after: null };
    if (rows.length === limit || window.extended) break;
  }
  return { rows, nextCursor: encodeCursor(cursor) };
}
