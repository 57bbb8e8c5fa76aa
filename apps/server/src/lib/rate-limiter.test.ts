import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.ts';
import { RateLimiter } from './rate-limiter.ts';

test('a fixed window allows the limit, then answers 429 with Retry-After until it resets', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => now);
  for (let i = 0; i < 5; i++) limiter.hit('login:ip:a@b', 5, 60_000);
  try {
    limiter.hit('login:ip:a@b', 5, 60_000);
    assert.fail('the sixth hit must be refused');
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.headers['retry-after'], '60');
  }
  limiter.hit('login:ip:other', 5, 60_000);
  now += 60_001;
  limiter.hit('login:ip:a@b', 5, 60_000);
});
