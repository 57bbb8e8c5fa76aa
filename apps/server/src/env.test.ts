import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { EnvError, loadEnv, trustProxyOf } from './env.ts';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'parley-env-'));
const SECRET = 'x'.repeat(40);

function problemsOf(source: Record<string, string>): string[] {
  try {
    loadEnv(source);
  } catch (error) {
    assert.ok(error instanceof EnvError, String(error));
    return error.problems;
  }
  assert.fail('loadEnv accepted an invalid environment');
}

describe('loadEnv', () => {
  test('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/parley',
      SECRET_KEY: 'too-short',
      PUBLIC_URL: 'ftp://example.com',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'memcached://cache',
      DATABASE_POOL_SIZE: '0',
      BODY_LIMIT_BYTES: '10',
      RATE_LIMITS: 'sometimes',
      SHUTDOWN_GRACE_MS: '-1',
      ALLOWED_ORIGINS: 'https://ok.example,https://slash.example/,not a url',
      TRUST_PROXY: 'everyone',
      DATA_DIR: tempDir(),
    });
    const named = (name: string) => problems.filter((p) => p.startsWith(`${name}:`));
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'SECRET_KEY',
      'PUBLIC_URL',
      'LOG_LEVEL',
      'REDIS_URL',
      'DATABASE_POOL_SIZE',
      'BODY_LIMIT_BYTES',
      'RATE_LIMITS',
      'SHUTDOWN_GRACE_MS',
      'TRUST_PROXY',
    ]) {
      assert.equal(named(name).length, 1, `${name} is reported once: ${problems.join(' | ')}`);
    }
    assert.match(named('SECRET_KEY')[0] ?? '', /32/);
    assert.match(named('DATABASE_URL')[0] ?? '', /postgres/);
    const origins = named('ALLOWED_ORIGINS');
    assert.equal(origins.length, 2, origins.join(' | '));
    assert.ok(origins.some((p) => p.includes('https://slash.example/')));
    assert.ok(origins.some((p) => p.includes('not a url')));
    // The message an operator sees names each problem on its own line.
    try {
      loadEnv({ PORT: 'eighty', SECRET_KEY: 'short' });
    } catch (error) {
      assert.match((error as Error).message, /PORT:.*\n.*SECRET_KEY:/s);
    }
  });

  test('defaults run one node on the embedded database', () => {
    const env = loadEnv({ SECRET_KEY: SECRET, DATA_DIR: tempDir() });
    assert.equal(env.PORT, 3000);
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.REDIS_URL, undefined);
    assert.equal(env.PUBLIC_URL, 'http://localhost:3000');
    assert.deepEqual(env.allowedOrigins, ['http://localhost:3000']);
    assert.equal(env.BODY_LIMIT_BYTES, 1024 * 1024);
    assert.equal(env.RATE_LIMITS, 'on');
    assert.equal(trustProxyOf(env).toString(), ['loopback', 'linklocal', 'uniquelocal'].toString());
  });

  test('empty values count as unset, numbers are read from strings, origins are collected', () => {
    const env = loadEnv({
      SECRET_KEY: SECRET,
      DATA_DIR: tempDir(),
      PORT: '8080',
      DATABASE_URL: '',
      PUBLIC_URL: 'https://chat.example.com/',
      ALLOWED_ORIGINS: ' https://admin.example.com , http://localhost:5173 ,',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
    });
    assert.equal(env.PORT, 8080);
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.PUBLIC_URL, 'https://chat.example.com');
    assert.deepEqual(env.allowedOrigins, [
      'https://chat.example.com',
      'https://admin.example.com',
      'http://localhost:5173',
    ]);
    assert.deepEqual(trustProxyOf(env), ['10.0.0.0/8', '192.168.1.1']);
    assert.equal(trustProxyOf({ TRUST_PROXY: 'false' }), false);
    const hops = trustProxyOf({ TRUST_PROXY: '2' });
    assert.equal(typeof hops, 'function');
  });

  test('generates SECRET_KEY once, keeps it in DATA_DIR, and reads it back', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const first = loadEnv({ DATA_DIR: dir });
    assert.match(first.SECRET_KEY, /^[0-9a-f]{64}$/);
    const file = path.join(dir, 'secret.key');
    assert.equal(readFileSync(file, 'utf8').trim(), first.SECRET_KEY);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'only the owner can read the key');
    const second = loadEnv({ DATA_DIR: dir });
    assert.equal(second.SECRET_KEY, first.SECRET_KEY);
    // An explicit SECRET_KEY wins and is not written anywhere.
    const explicitDir = tempDir();
    assert.equal(loadEnv({ DATA_DIR: explicitDir, SECRET_KEY: SECRET }).SECRET_KEY, SECRET);
    assert.throws(() => readFileSync(path.join(explicitDir, 'secret.key')));
  });

  test('a damaged or unwritable secret file is a reported problem, never a silent new key', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'secret.key'), 'short\n');
    const damaged = problemsOf({ DATA_DIR: dir });
    assert.match(damaged.join('\n'), /DATA_DIR: .*secret\.key/);
    assert.equal(readFileSync(path.join(dir, 'secret.key'), 'utf8'), 'short\n', 'left as it was');

    if (process.getuid?.() !== 0) {
      const locked = tempDir();
      chmodSync(locked, 0o500);
      try {
        assert.match(problemsOf({ DATA_DIR: locked }).join('\n'), /DATA_DIR: cannot create/);
      } finally {
        chmodSync(locked, 0o700);
      }
    }
  });
});
