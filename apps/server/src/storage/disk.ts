import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertSafeKey, type ByteRange, type FileStorage, type SpooledFile } from './storage.ts';

/** Files under one directory (by default DATA_DIR/files), one file per key. */
export class DiskStorage implements FileStorage {
  readonly kind = 'disk' as const;
  readonly root: string;
  readonly spoolDir: string;

  constructor(root: string, spoolDir: string) {
    this.root = root;
    this.spoolDir = spoolDir;
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, file: SpooledFile): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // The spool directory is inside the root, so this is an atomic rename: readers never see half a file.
    await rename(file.path, target);
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Opening first turns a missing file into a rejection here, before any response header is sent.
    const handle = await open(this.pathOf(key), 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
