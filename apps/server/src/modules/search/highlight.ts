import type { Highlight } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';

/**
 * ts_headline marks matches with two control characters chosen as delimiters; the text has them
 * replaced by spaces first, so the marks in its output are only ours. It also drops what looks like
 * an HTML tag, so `<` travels as a third control character and comes back after. The output is split
 * into segments here and never travels as markup.
 */
const START = '\u0001';
const STOP = '\u0002';
const LESS_THAN = '\u0003';

/** A passage around the best match: whole short texts, about 35 words of long ones. */
const PASSAGE_OPTIONS = 'StartSel=\u0001, StopSel=\u0002, MaxWords=35, MinWords=15, ShortWord=0';
/** Short fields (a name, an e-mail) are shown whole. */
const FIELD_OPTIONS = 'StartSel=\u0001, StopSel=\u0002, HighlightAll=true';

export function headline(document: SQL, query: SQL, kind: 'passage' | 'field'): SQL {
  const options = kind === 'passage' ? PASSAGE_OPTIONS : FIELD_OPTIONS;
  return sql`ts_headline('simple', translate(${document}, ${`<${START}${STOP}${LESS_THAN}`}::text, ${`${LESS_THAN}   `}::text), ${query}, ${options}::text)`;
}

/** Long unbroken words (a pasted token) could otherwise make one snippet the size of the message. */
const MAX_SNIPPET_LENGTH = 400;

export function parseHighlight(marked: string): Highlight {
  const segments: Highlight = [];
  let budget = MAX_SNIPPET_LENGTH;
  let match = false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the delimiters are control characters on purpose.
  for (const part of marked.split(/([\u0001\u0002])/)) {
    if (part === START) match = true;
    else if (part === STOP) match = false;
    else if (part && budget > 0) {
      const whole = part.replaceAll(LESS_THAN, '<');
      const text = whole.length > budget ? `${whole.slice(0, budget)}…` : whole;
      budget -= part.length;
      const previous = segments.at(-1);
      if (previous && previous.match === match) previous.text += text;
      else segments.push({ text, match });
    }
  }
  return segments;
}
