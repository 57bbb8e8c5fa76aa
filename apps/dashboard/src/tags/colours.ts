/** The colours offered for new tags: distinct from each other, each readable with white or dark text. */
export const tagPalette = [
  '#e03131',
  '#e8590c',
  '#f59f00',
  '#2f9e44',
  '#0ca678',
  '#1098ad',
  '#1c7ed6',
  '#7048e8',
  '#d6336c',
  '#64748b',
] as const;

const DARK_TEXT = '#1a1b1e';
const LIGHT_TEXT = '#ffffff';

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a #rrggbb colour (anything else counts as mid grey). */
export function luminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return 0.2;
  const [r, g, b] = [match[1], match[2], match[3]].map((part) => channel(Number.parseInt(part ?? '0', 16)));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** White or dark text on a tag's colour, whichever contrasts more (tags are coloured by people). */
export function textOn(background: string): string {
  const l = luminance(background);
  return contrast(l, luminance(LIGHT_TEXT)) >= contrast(l, luminance(DARK_TEXT)) ? LIGHT_TEXT : DARK_TEXT;
}

/** A palette colour picked from the name, so tags created in a hurry still differ. */
export function colourFor(name: string): string {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return tagPalette[hash % tagPalette.length] ?? tagPalette[0];
}
