import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, hmacHex, safeEqual, verifyPassword } from './crypto.ts';

test('passwords are salted scrypt hashes that verify only the right password', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.notEqual(hash, await hashPassword('correct horse battery staple'), 'salted');
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('wrong', hash), false);
  assert.equal(await verifyPassword('anything', null), false, 'no user is never a match');
  assert.equal(await verifyPassword('anything', 'md5$garbage'), false);
});

test('HMAC and constant-time comparison', () => {
  const mac = hmacHex('secret', 'user-1.1700000000000');
  assert.match(mac, /^[0-9a-f]{64}$/);
  assert.equal(safeEqual(mac, hmacHex('secret', 'user-1.1700000000000')), true);
  assert.equal(safeEqual(mac, hmacHex('other', 'user-1.1700000000000')), false);
  assert.equal(safeEqual('short', 'longer value'), false);
});
