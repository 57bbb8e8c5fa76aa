import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkify, safeHref } from './linkify.ts';

test('plain text stays one text segment', () => {
  assert.deepEqual(linkify('Hello <b>there</b>'), [{ kind: 'text', text: 'Hello <b>there</b>' }]);
});

test('http, https and mailto links are recognised with trailing punctuation left out', () => {
  assert.deepEqual(linkify('See https://example.com/a?b=1. Or mail mailto:help@example.com!'), [
    { kind: 'text', text: 'See ' },
    { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { kind: 'text', text: '. Or mail ' },
    { kind: 'link', text: 'mailto:help@example.com', href: 'mailto:help@example.com' },
    { kind: 'text', text: '!' },
  ]);
});

test('www. links get https and balanced parentheses are kept', () => {
  const segments = linkify('(see www.example.com/wiki/Foo_(bar))');
  assert.deepEqual(segments, [
    { kind: 'text', text: '(see ' },
    { kind: 'link', text: 'www.example.com/wiki/Foo_(bar)', href: 'https://www.example.com/wiki/Foo_(bar)' },
    { kind: 'text', text: ')' },
  ]);
});

test('javascript:, data: and other schemes are never links', () => {
  for (const text of [
    'javascript:alert(1)',
    '<a href="javascript:alert(1)">x</a>',
    'data:text/html,<script>alert(1)</script>',
    'JaVaScRiPt:alert(document.domain)',
    'vbscript:msgbox',
    'file:///etc/passwd',
  ]) {
    assert.ok(
      linkify(text).every((s) => s.kind === 'text'),
      `${text} must stay text`,
    );
  }
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('mailto:not-an-address'), null);
});

test('links glued to markup end at the markup', () => {
  const segments = linkify('<img src=x onerror=alert(1)> https://a.example/"onmouseover=alert(1)');
  const links = segments.filter((s) => s.kind === 'link');
  assert.deepEqual(
    links.map((l) => l.kind === 'link' && l.href),
    ['https://a.example/'],
  );
  assert.equal(
    segments.map((s) => s.text).join(''),
    '<img src=x onerror=alert(1)> https://a.example/"onmouseover=alert(1)',
  );
});

test('segments always join back to the original text', () => {
  const samples = [
    'a https://x.y b',
    'http://',
    'www.',
    'mailto:',
    'https://例子.测试/路径 ok',
    '))https://a.b((',
    '',
  ];
  for (const text of samples)
    assert.equal(
      linkify(text)
        .map((s) => s.text)
        .join(''),
      text,
    );
});
