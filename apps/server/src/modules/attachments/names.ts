/** Longest display name kept, in characters; the extension survives the cut. */
const MAX_NAME = 120;

/**
 * A safe display and download name from whatever the uploader sent. The name is only ever shown as
 * text and offered as a download name; it decides nothing (the type comes from the bytes). Still, it
 * must not carry a path, control characters, or bidi overrides that make `invoice‮fdp.exe` read as
 * `invoiceexe.pdf`, nor characters file systems refuse.
 */
export function cleanFileName(raw: string | undefined | null): string {
  let name = (raw ?? '').normalize('NFC');
  // Only the last path segment, whichever separator the uploader's system uses.
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    // Control characters, and format characters: bidi embeddings/overrides/isolates, zero-width joiners…
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    // Characters Windows refuses in names, and the quote that ends a header value.
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    // Leading dots would make a hidden file; trailing dots and spaces are dropped by Windows anyway.
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  name = truncate(name);
  return name === '' ? 'file' : name;
}

/** Cuts by code points (never half a surrogate pair) and keeps a short extension at the end. */
function truncate(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_NAME) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length > 0 && extension.length <= 12) {
    const stem = Array.from(name.slice(0, dot)).slice(0, MAX_NAME - extension.length - 1);
    return `${stem.join('').trimEnd()}…${extension.join('')}`;
  }
  return `${chars
    .slice(0, MAX_NAME - 1)
    .join('')
    .trimEnd()}…`;
}

/**
 * `Content-Disposition` with the name in both forms: an ASCII fallback for old clients and the exact
 * UTF-8 name as RFC 5987/6266 `filename*`.
 */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
