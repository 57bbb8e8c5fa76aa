import type { AttachmentCategory } from '@parley/shared';
import { fileTypeFromFile } from 'file-type';

export interface DetectedType {
  contentType: string;
  category: AttachmentCategory;
}

const OPAQUE = 'application/octet-stream';

/** Types every current browser shows inline without running anything: the only ones served inline. */
const INLINE: Record<string, AttachmentCategory> = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'image/avif': 'image',
  'image/bmp': 'image',
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/ogg': 'video',
  'video/quicktime': 'video',
  'audio/mpeg': 'audio',
  'audio/ogg': 'audio',
  'audio/opus': 'audio',
  'audio/wav': 'audio',
  'audio/x-wav': 'audio',
  'audio/aac': 'audio',
  'audio/flac': 'audio',
  'audio/x-flac': 'audio',
  'audio/mp4': 'audio',
  'audio/x-m4a': 'audio',
  'audio/webm': 'audio',
};

/**
 * Anything a browser might render as a document or run: markup (HTML, XHTML, SVG, XML), scripts,
 * and plug-in formats. These are stored and served as application/octet-stream, always as a download.
 */
const ACTIVE = /html|xml|svg|javascript|ecmascript|x-shockwave-flash|x-java|wasm|x-msdownload|text\//i;

/**
 * The type of an upload, from its bytes (magic numbers) only: the name and the Content-Type the
 * uploader sent are never consulted. A file nothing recognises (plain text, HTML, scripts…) is an
 * opaque download.
 */
export async function detectType(filePath: string): Promise<DetectedType> {
  const detected = await fileTypeFromFile(filePath).catch(() => undefined);
  return classify(detected?.mime);
}

export function classify(mime: string | undefined): DetectedType {
  if (!mime) return { contentType: OPAQUE, category: 'file' };
  const inline = INLINE[mime];
  if (inline) return { contentType: mime, category: inline };
  if (ACTIVE.test(mime)) return { contentType: OPAQUE, category: 'file' };
  return { contentType: mime, category: 'file' };
}

/** Only the inline types above are ever served with `Content-Disposition: inline`. */
export const servedInline = (contentType: string): boolean => INLINE[contentType] !== undefined;
