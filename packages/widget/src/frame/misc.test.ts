import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format, pickLocale, stringsFor } from './i18n.ts';
import { backoffDelay } from './socket.ts';
import { foregroundFor, shade } from './theme.ts';

test('locales: pt and ru variants map to the supported ones, anything else to English', () => {
  assert.equal(pickLocale(['pt-PT']), 'pt-BR');
  assert.equal(pickLocale(['ru']), 'ru');
  assert.equal(pickLocale(['de-DE', 'ru-RU']), 'ru');
  assert.equal(pickLocale(['ja']), 'en');
  assert.equal(format(stringsFor('ru').typing, { name: 'Сэм' }), 'Сэм печатает…');
});

test('every language has every string', () => {
  const keys = Object.keys(stringsFor('en')).sort();
  for (const locale of ['pt-BR', 'ru'] as const) {
    assert.deepEqual(Object.keys(stringsFor(locale)).sort(), keys);
    for (const value of Object.values(stringsFor(locale))) assert.ok(value.length > 0);
  }
});

test('reconnect delays grow, are capped and jittered', () => {
  assert.equal(
    backoffDelay(0, () => 0),
    250,
  );
  assert.equal(
    backoffDelay(0, () => 1),
    500,
  );
  assert.equal(
    backoffDelay(3, () => 1),
    4_000,
  );
  assert.equal(
    backoffDelay(50, () => 1),
    30_000,
  );
  assert.ok(backoffDelay(4) >= 4_000 && backoffDelay(4) <= 8_000);
});

test('text on the inbox colour stays readable', () => {
  assert.equal(foregroundFor('#4f46e5'), '#ffffff');
  assert.equal(foregroundFor('#fde047'), '#0f172a');
  assert.equal(shade('#ffffff', 0.5), '#808080');
  assert.equal(shade('#000000', -1), '#ffffff');
});
