import { type SQL, sql } from 'drizzle-orm';

/**
 * The search text as a tsquery, parsed by PostgreSQL itself (`websearch_to_tsquery` accepts any text
 * and never fails on syntax), with the 'simple' configuration the documents are built with. The last
 * word also matches as a prefix while it is being typed ("refu" finds "refund"), unless it is
 * excluded. The whole expression depends only on bound values, so the planner folds it to a constant
 * and estimates how common the words are from the column's statistics.
 */
export interface SearchTerms {
  text: string;
  prefix: boolean;
  /**
   * An e-mail address being typed ("ana@exa") is split by the parser into words that are not in the
   * document, where the address is one word; it is also looked for as the start of that word.
   */
  address: { rest: string; lexeme: string } | null;
}

/** Shorter last words would match as a prefix too much of the vocabulary to mean anything. */
const PREFIX_MIN_LENGTH = 2;

export function searchTerms(text: string): SearchTerms | null {
  const trimmed = text.trim();
  // Text without letters or digits (only punctuation, operators) has no words to look for.
  if (!/[\p{L}\p{N}]/u.test(trimmed)) return null;
  const chunks = trimmed.split(/\s+/);
  const last = chunks.at(-1) ?? '';
  const trailingWord = /[\p{L}\p{N}]+$/u.exec(last)?.[0] ?? '';
  const excluded = last.startsWith('-');
  const prefix = !excluded && [...trailingWord].length >= PREFIX_MIN_LENGTH;
  const bare = last.replace(/^["'(]+|["')]+$/g, '');
  const address =
    !excluded && bare.includes('@') && /[\p{L}\p{N}]/u.test(bare)
      ? { rest: chunks.slice(0, -1).join(' '), lexeme: bare.toLowerCase() }
      : null;
  return { text: trimmed, prefix, address };
}

/** A tsquery operand for one literal word: quotes doubled, backslashes escaped. */
const literalPrefix = (word: string) => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}':*`;

export function tsQuery(terms: SearchTerms): SQL {
  const parsed = sql`websearch_to_tsquery('simple', ${terms.text}::text)`;
  // The text form of a tsquery ends with a quote exactly when its last item is a word.
  const main = terms.prefix ? sql`regexp_replace(${parsed}::text, '''$', ''':*')::tsquery` : parsed;
  if (!terms.address) return main;
  const { rest, lexeme } = terms.address;
  return sql`(${main} || (websearch_to_tsquery('simple', ${rest}::text) && ${literalPrefix(lexeme)}::tsquery))`;
}
