import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFeedCursor, encodeFeedCursor } from './account-feed.ts';

test('feed cursors round-trip PostgreSQL snapshots and refuse anything else', () => {
  for (const snapshot of ['752:752:', '100:105:101,103', '1:1:']) {
    assert.equal(decodeFeedCursor(encodeFeedCursor(snapshot)), snapshot);
  }
  for (const bad of [
    '',
    'garbage',
    encodeFeedCursor("1:2:3'; drop table x; --"),
    encodeFeedCursor('1:2'),
    'x'.repeat(5000),
  ]) {
    assert.equal(decodeFeedCursor(bad), null, bad.slice(0, 40));
  }
});
