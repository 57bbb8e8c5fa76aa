import path from 'node:path';
import type { Env } from '../env.ts';
import { DiskStorage } from './disk.ts';
import { S3Storage } from './s3.ts';
import type { FileStorage } from './storage.ts';

/** The storage configured by the environment: S3 when its five variables are set, else DATA_DIR/files. */
export function createStorage(env: Env): FileStorage {
  const spoolDir = path.resolve(env.DATA_DIR, 'files', '.incoming');
  if (env.S3_BUCKET && env.S3_ENDPOINT && env.S3_REGION && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) {
    return new S3Storage({
      bucket: env.S3_BUCKET,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      spoolDir,
    });
  }
  return new DiskStorage(path.resolve(env.DATA_DIR, 'files'), spoolDir);
}
