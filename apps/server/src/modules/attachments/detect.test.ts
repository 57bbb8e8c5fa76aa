import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { classify, detectType, servedInline } from './detect.ts';
import { hostileHtml, hostileSvg, tinyPdf, tinyPng } from './test-files.ts';

/** Headers of real media files: enough for their types to be recognised from the bytes. */
const samples = {
  wav: Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([36, 0, 0, 0]),
    Buffer.from('WAVEfmt '),
    Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x44, 0xac, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]),
    Buffer.from('data'),
    Buffer.alloc(4),
  ]),
  mp4: Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2'),
    Buffer.from([0, 0, 0, 8]),
    Buffer.from('free'),
  ]),
  webm: Buffer.from([
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04,
    0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85,
    0x81, 0x02,
  ]),
  mp3: Buffer.concat([
    Buffer.from('ID3'),
    Buffer.from([4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64]),
    Buffer.alloc(400),
  ]),
};

async function typeOf(bytes: Buffer) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'parley-detect-')), 'upload');
  writeFileSync(file, bytes);
  return detectType(file);
}

describe('file types', () => {
  test('images, video and audio are recognised from their bytes and may be shown inline', async () => {
    assert.deepEqual(await typeOf(tinyPng()), { contentType: 'image/png', category: 'image' });
    assert.deepEqual(await typeOf(samples.mp4), { contentType: 'video/mp4', category: 'video' });
    assert.deepEqual(await typeOf(samples.webm), { contentType: 'video/webm', category: 'video' });
    assert.deepEqual(await typeOf(samples.wav), { contentType: 'audio/wav', category: 'audio' });
    assert.deepEqual(await typeOf(samples.mp3), { contentType: 'audio/mpeg', category: 'audio' });
    for (const type of ['image/png', 'video/mp4', 'audio/mpeg']) assert.ok(servedInline(type));
  });

  test('documents keep their type as downloads; markup, scripts and unknown bytes are opaque', async () => {
    assert.deepEqual(await typeOf(tinyPdf()), { contentType: 'application/pdf', category: 'file' });
    const opaque = { contentType: 'application/octet-stream', category: 'file' };
    assert.deepEqual(await typeOf(hostileHtml), opaque);
    assert.deepEqual(await typeOf(hostileSvg), opaque);
    assert.deepEqual(
      await typeOf(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')),
      opaque,
    );
    assert.deepEqual(await typeOf(Buffer.from('plain words')), opaque);
    for (const mime of [
      'text/html',
      'application/xhtml+xml',
      'image/svg+xml',
      'application/xml',
      'text/javascript',
      'application/javascript',
      'application/x-shockwave-flash',
      'application/wasm',
    ]) {
      assert.deepEqual(classify(mime), opaque, mime);
    }
    assert.equal(servedInline('application/pdf'), false);
    assert.equal(servedInline('application/octet-stream'), false);
  });
});
