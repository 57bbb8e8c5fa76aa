import type { Readable } from 'node:stream';

/** A complete upload waiting in the spool directory, with what was measured while it streamed in. */
export interface SpooledFile {
  path: string;
  size: number;
  /** Hex SHA-256 of the bytes (S3 signs it as the payload hash). */
  sha256: string;
  contentType: string;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live. Keys are chosen by the server (never by an uploader) and look like
 * `<account>/<yyyy>/<mm>/<id>`. Uploads are first spooled to a local file (size limit, hash and type
 * detection happen on the way in), then handed over whole, so a refused upload never reaches storage.
 */
export interface FileStorage {
  readonly kind: 'disk' | 's3';
  /** Local directory for uploads in progress (on the disk store's file system, so finishing is a rename). */
  readonly spoolDir: string;
  /** Stores a finished upload under `key`; the spooled file is consumed (moved or deleted). */
  put(key: string, file: SpooledFile): Promise<void>;
  /** The object's bytes, or the given range of them. Rejects when the object does not exist. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes the object; deleting a missing object is not an error. */
  remove(key: string): Promise<void>;
}

/** Storage keys are generated from ids; anything else is a bug or an attack, refused before any I/O. */
export function assertSafeKey(key: string): void {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(key)) throw new Error(`Invalid storage key: ${key}`);
}
