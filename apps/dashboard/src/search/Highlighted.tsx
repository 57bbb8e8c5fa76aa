import type { Highlight } from '@parley/shared';
import { Fragment } from 'react';

/**
 * Text with its matching words marked. The server sends segments, never markup, so every part is
 * rendered as React text; keys are each segment's offset in the text.
 */
export function Highlighted({ segments }: { segments: Highlight }) {
  let offset = 0;
  return (
    <>
      {segments.map((segment) => {
        const key = offset;
        offset += segment.text.length;
        return segment.match ? (
          <mark key={key} className="search-mark">
            {segment.text}
          </mark>
        ) : (
          <Fragment key={key}>{segment.text}</Fragment>
        );
      })}
    </>
  );
}
