import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostMessage } from './bridge.ts';

test('host messages are validated field by field', () => {
  assert.equal(parseHostMessage(null), null);
  assert.equal(parseHostMessage({ type: 'visibility', open: true }), null, 'without the namespace');
  assert.equal(parseHostMessage({ ns: 'parley', type: 'visibility', open: 'yes' }), null);
  assert.deepEqual(parseHostMessage({ ns: 'parley', type: 'visibility', open: true }), {
    ns: 'parley',
    type: 'visibility',
    open: true,
    mobile: false,
  });
  assert.equal(parseHostMessage({ ns: 'parley', type: 'eval', code: 'x' }), null);
});

test('identify keeps only well-formed fields', () => {
  const parsed = parseHostMessage({
    ns: 'parley',
    type: 'identify',
    identity: {
      id: 42,
      name: 'Ana',
      email: 'ana@example.com',
      timestamp: 1.5,
      signature: 'not-hex',
      extra: 1,
    },
  });
  assert.deepEqual(parsed, {
    ns: 'parley',
    type: 'identify',
    identity: { id: '42', name: 'Ana', email: 'ana@example.com' },
  });
  assert.equal(parseHostMessage({ ns: 'parley', type: 'identify', identity: { id: '' } }), null);
});

test('storage snapshots drop values that are not strings', () => {
  assert.deepEqual(parseHostMessage({ ns: 'parley', type: 'init', storage: { a: '1', b: 2, c: { x: 1 } } }), {
    ns: 'parley',
    type: 'init',
    storage: { a: '1' },
  });
  assert.equal(parseHostMessage({ ns: 'parley', type: 'stored', key: 'a', value: 3 }), null);
});
