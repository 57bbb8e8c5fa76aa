/**
 * Pure edits of the composer's text: each takes the text and the selection and returns the new text
 * with the selection to restore, so the textarea stays a plain controlled input (and these are easy
 * to reason about).
 */
export interface TextEdit {
  value: string;
  selectionStart: number;
  selectionEnd: number;
}

/** Replaces the selection with `text` and puts the caret after it. */
export function insertText(value: string, start: number, end: number, text: string): TextEdit {
  const next = value.slice(0, start) + text + value.slice(end);
  const caret = start + text.length;
  return { value: next, selectionStart: caret, selectionEnd: caret };
}

/** A selection without the spaces around it: "**word **" would not read as bold. */
function trimmed(value: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(value[s] ?? '')) s += 1;
  while (e > s && /\s/.test(value[e - 1] ?? '')) e -= 1;
  return [s, e];
}

function runBefore(value: string, at: number, char: string): number {
  let n = 0;
  while (value[at - 1 - n] === char) n += 1;
  return n;
}

function runAfter(value: string, at: number, char: string): number {
  let n = 0;
  while (value[at + n] === char) n += 1;
  return n;
}

/** Whether runs of `*` around a selection hold this marker ("*" inside "**" is bold, not italic). */
function wrappedBy(before: number, after: number, marker: string): boolean {
  if (marker === '**') return before >= 2 && after >= 2;
  if (marker === '*') return (before === 1 || before === 3) && (after === 1 || after === 3);
  return before >= marker.length && after >= marker.length;
}

/**
 * Wraps the selection in `marker` (`**`, `*` or a backtick), or unwraps it when it is wrapped already.
 * Without a selection the markers are inserted with the caret between them.
 */
export function toggleWrap(value: string, start: number, end: number, marker: string): TextEdit {
  const [s, e] = trimmed(value, start, end);
  const char = marker[0] ?? '*';
  if (s < e) {
    const selected = value.slice(s, e);
    // The selection includes the markers: take them off.
    if (
      selected.length > marker.length * 2 &&
      wrappedBy(runAfter(selected, 0, char), runBefore(selected, selected.length, char), marker)
    ) {
      const inner = selected.slice(marker.length, -marker.length);
      return {
        value: value.slice(0, s) + inner + value.slice(e),
        selectionStart: s,
        selectionEnd: s + inner.length,
      };
    }
    // The markers sit just outside the selection: take them off.
    if (wrappedBy(runBefore(value, s, char), runAfter(value, e, char), marker)) {
      return {
        value: value.slice(0, s - marker.length) + selected + value.slice(e + marker.length),
        selectionStart: s - marker.length,
        selectionEnd: e - marker.length,
      };
    }
  }
  const selected = value.slice(s, e);
  return {
    value: value.slice(0, s) + marker + selected + marker + value.slice(e),
    selectionStart: s + marker.length,
    selectionEnd: e + marker.length,
  };
}

/** Inline code for a piece of a line; a fenced block when the selection spans lines. */
export function toggleCode(value: string, start: number, end: number): TextEdit {
  const selected = value.slice(start, end);
  if (!selected.includes('\n')) return toggleWrap(value, start, end, '`');
  const before = start > 0 && value[start - 1] !== '\n' ? '\n' : '';
  const after = end < value.length && value[end] !== '\n' ? '\n' : '';
  const open = `${before}\`\`\`\n`;
  const block = `${open}${selected.replace(/\n$/, '')}\n\`\`\`${after}`;
  return {
    value: value.slice(0, start) + block + value.slice(end),
    selectionStart: start + open.length,
    selectionEnd: start + open.length + selected.replace(/\n$/, '').length,
  };
}

/**
 * `[selection](https://)` with the address selected, ready to paste over; a selected address becomes
 * the target, with the caret in the empty label.
 */
export function makeLink(value: string, start: number, end: number): TextEdit {
  const [s, e] = trimmed(value, start, end);
  const selected = value.slice(s, e);
  if (/^(?:https?:\/\/|mailto:|www\.)\S+$/i.test(selected)) {
    const text = `[](${selected})`;
    return { value: value.slice(0, s) + text + value.slice(e), selectionStart: s + 1, selectionEnd: s + 1 };
  }
  const placeholder = 'https://';
  const text = `[${selected}](${placeholder})`;
  const urlStart = s + selected.length + 3;
  return {
    value: value.slice(0, s) + text + value.slice(e),
    selectionStart: urlStart,
    selectionEnd: urlStart + placeholder.length,
  };
}

/**
 * A `#shortcut` being typed right before the caret: the `#` starts the text or follows a space, and
 * what follows it is letters, digits, `-` or `_`. Returns where the `#` is and what follows it.
 */
export function cannedTrigger(value: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && caret - i <= 32 && /[\p{L}\p{N}_-]/u.test(value[i - 1] ?? '')) i -= 1;
  const hash = i - 1;
  if (hash < 0 || value[hash] !== '#') return null;
  if (hash > 0 && !/\s/.test(value[hash - 1] ?? '')) return null;
  return { start: hash, query: value.slice(i, caret) };
}
