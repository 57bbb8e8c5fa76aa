import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { type FakeS3, startFakeS3 } from '../../test/fake-s3.ts';
import { DiskStorage } from './disk.ts';
import { S3Storage } from './s3.ts';
import { EMPTY_PAYLOAD_HASH, signRequest } from './sigv4.ts';
import type { FileStorage, SpooledFile } from './storage.ts';

function spool(dir: string, content: string): SpooledFile {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `up-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, content);
  return {
    path: file,
    size: Buffer.byteLength(content),
    sha256: createHash('sha256').update(content).digest('hex'),
    contentType: 'text/plain',
  };
}

describe('SigV4', () => {
  test('matches the GET Object example of the AWS documentation', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (Example: GET Object)
    const headers = signRequest({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9' },
      payloadHash: EMPTY_PAYLOAD_HASH,
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        region: 'us-east-1',
        service: 's3',
      },
      now: new Date('2013-05-24T00:00:00Z'),
    });
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
    assert.equal(headers.host, undefined, 'fetch sets Host itself');
  });
});

describe('disk storage', () => {
  test('stores by renaming the spooled file, reads whole and by range, removes', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'parley-files-'));
    const storage: FileStorage = new DiskStorage(root, path.join(root, '.incoming'));
    const file = spool(storage.spoolDir, 'hello, files');
    await storage.put('acct/2025/01/abc', file);
    assert.equal(existsSync(file.path), false, 'the spooled file was moved');
    assert.equal(await text(await storage.read('acct/2025/01/abc')), 'hello, files');
    assert.equal(await text(await storage.read('acct/2025/01/abc', { start: 7, end: 11 })), 'files');
    await storage.remove('acct/2025/01/abc');
    await assert.rejects(storage.read('acct/2025/01/abc'));
    await storage.remove('acct/2025/01/abc');
    await assert.rejects(storage.read('../../etc/passwd'), /Invalid storage key/);
  });
});

describe('S3 storage against a signature-checking S3 server', () => {
  let s3: FakeS3;
  before(async () => {
    s3 = await startFakeS3();
  });
  after(async () => {
    await s3?.close();
  });

  const storageWith = (secretAccessKey: string) => {
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'parley-spool-'));
    return new S3Storage({
      bucket: s3.bucket,
      endpoint: s3.url,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey,
      spoolDir,
    });
  };

  test('PUT with the signed payload hash, GET whole and by range, DELETE', async () => {
    const storage = storageWith(s3.secretAccessKey);
    const file = spool(storage.spoolDir, 'bytes in a bucket');
    await storage.put('acct/2025/01/obj', file);
    assert.equal(existsSync(file.path), false, 'the spooled file is deleted once uploaded');
    assert.equal(s3.objects.get('acct/2025/01/obj')?.body.toString(), 'bytes in a bucket');
    assert.equal(s3.objects.get('acct/2025/01/obj')?.contentType, 'text/plain');
    assert.equal(await text(await storage.read('acct/2025/01/obj')), 'bytes in a bucket');
    assert.equal(await text(await storage.read('acct/2025/01/obj', { start: 9, end: 10 })), 'a ');
    await storage.remove('acct/2025/01/obj');
    assert.equal(s3.objects.has('acct/2025/01/obj'), false);
    await assert.rejects(storage.read('acct/2025/01/obj'), /404 NoSuchKey/);
    assert.ok(s3.log.every((entry) => entry.status < 400 || entry.error === 'NoSuchKey'));
  });

  test('a wrong secret is refused by the server (the signature is really checked)', async () => {
    const storage = storageWith('not-the-secret');
    const file = spool(storage.spoolDir, 'nope');
    await assert.rejects(storage.put('acct/2025/01/bad', file), /403 SignatureDoesNotMatch/);
    assert.equal(s3.objects.has('acct/2025/01/bad'), false);
    assert.equal(existsSync(file.path), false, 'the spool is cleaned up after a failure too');
  });

  test('a payload that does not match its signed hash is refused', async () => {
    const storage = storageWith(s3.secretAccessKey);
    const file = spool(storage.spoolDir, 'the real bytes');
    await assert.rejects(
      storage.put('acct/2025/01/tampered', { ...file, sha256: EMPTY_PAYLOAD_HASH.replace(/^e/, 'f') }),
      /403 XAmzContentSHA256Mismatch/,
    );
  });
});
