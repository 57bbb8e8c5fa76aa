import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from './ids.ts';

test('ids are RFC 9562 version 7 UUIDs that sort by creation', () => {
  const ids = Array.from({ length: 5000 }, () => newId());
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids, 'ids from one process ascend');
  assert.equal(new Set(ids).size, ids.length);
  const ms = Number.parseInt(ids[0]?.replaceAll('-', '').slice(0, 12) ?? '', 16);
  assert.ok(Math.abs(ms - Date.now()) < 5_000, 'the leading 48 bits are the creation time');
});

test('ids carry enough randomness not to be guessable from a neighbour', () => {
  const a = newId().replaceAll('-', '');
  const b = newId().replaceAll('-', '');
  // The last 64 bits (minus the variant) are random: two consecutive ids differ there.
  assert.notEqual(a.slice(16), b.slice(16));
});
