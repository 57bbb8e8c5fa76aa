import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  isSafeHref,
  type MarkdownNode,
  markdownToPlainText,
  parseMarkdownLite,
  safeHref,
} from './markdown-lite.ts';

const text = (value: string): MarkdownNode => ({ type: 'text', text: value });
const link = (href: string, label: string): MarkdownNode => ({ type: 'link', href, children: [text(label)] });

function links(nodes: MarkdownNode[]): string[] {
  return nodes.flatMap((n) =>
    n.type === 'link' ? [n.href, ...links(n.children)] : 'children' in n ? links(n.children) : [],
  );
}

test('plain text is one text token, markup and all', () => {
  assert.deepEqual(parseMarkdownLite('Hello <b>there</b>'), [text('Hello <b>there</b>')]);
  assert.deepEqual(parseMarkdownLite(''), []);
  assert.deepEqual(parseMarkdownLite('line one\nline two'), [text('line one\nline two')]);
});

test('bold, italic and inline code', () => {
  assert.deepEqual(parseMarkdownLite('a **bold** and *italic* and `x < y`'), [
    text('a '),
    { type: 'bold', children: [text('bold')] },
    text(' and '),
    { type: 'italic', children: [text('italic')] },
    text(' and '),
    { type: 'code', text: 'x < y' },
  ]);
});

test('emphasis nests, and *** is bold italic', () => {
  assert.deepEqual(parseMarkdownLite('**bold *both* bold**'), [
    { type: 'bold', children: [text('bold '), { type: 'italic', children: [text('both')] }, text(' bold')] },
  ]);
  assert.deepEqual(parseMarkdownLite('*it **both** it*'), [
    { type: 'italic', children: [text('it '), { type: 'bold', children: [text('both')] }, text(' it')] },
  ]);
  assert.deepEqual(parseMarkdownLite('***x***'), [
    { type: 'bold', children: [{ type: 'italic', children: [text('x')] }] },
  ]);
});

test('markers that do not open or close are text', () => {
  for (const source of [
    '**unclosed bold',
    '*unclosed italic',
    'closing only**',
    '5 * 3 * 2',
    '2*3*4',
    'snake_case_name and __dunder__',
    '** spaced **',
    '`unclosed code',
    '```unclosed fence',
    '**bold across\nlines**',
    '[label without target]',
    '[label](no spaces allowed)',
    '*',
    '**',
    '***',
    '`',
  ]) {
    assert.deepEqual(parseMarkdownLite(source), [text(source)], source);
  }
});

test('code spans and blocks keep their content literally', () => {
  assert.deepEqual(parseMarkdownLite('`**not bold** https://x.test`'), [
    { type: 'code', text: '**not bold** https://x.test' },
  ]);
  assert.deepEqual(parseMarkdownLite('``a ` b``'), [{ type: 'code', text: 'a ` b' }]);
  assert.deepEqual(parseMarkdownLite('Run:\n```\nnpm i\n*npm* test\n```\nthen wait'), [
    text('Run:'),
    { type: 'code_block', text: 'npm i\n*npm* test' },
    text('then wait'),
  ]);
  assert.deepEqual(parseMarkdownLite('```one line```'), [{ type: 'code_block', text: 'one line' }]);
  // Inside emphasis a fence is just a code span.
  assert.deepEqual(parseMarkdownLite('**```x```**'), [
    { type: 'bold', children: [{ type: 'code', text: 'x' }] },
  ]);
});

test('backslash escapes make markers literal', () => {
  assert.deepEqual(parseMarkdownLite('\\*not italic\\* and \\`tick\\` and C:\\path'), [
    text('*not italic* and `tick` and C:\\path'),
  ]);
});

test('labelled links: http, https and mailto only', () => {
  assert.deepEqual(parseMarkdownLite('see [the **docs**](https://example.com/a_(b)) now'), [
    text('see '),
    {
      type: 'link',
      href: 'https://example.com/a_(b)',
      children: [text('the '), { type: 'bold', children: [text('docs')] }],
    },
    text(' now'),
  ]);
  assert.deepEqual(parseMarkdownLite('[mail us](mailto:help@example.com)'), [
    link('mailto:help@example.com', 'mail us'),
  ]);
  assert.deepEqual(parseMarkdownLite('[](https://example.com)'), [
    link('https://example.com/', 'https://example.com'),
  ]);
  // A link label cannot hold another link.
  assert.deepEqual(parseMarkdownLite('[https://a.test](https://b.test)'), [
    link('https://b.test/', 'https://a.test'),
  ]);
});

test('bare web and mail addresses become links, sentence punctuation stays out', () => {
  assert.deepEqual(parseMarkdownLite('See https://example.com/a?b=1. Or mail help@example.com!'), [
    text('See '),
    link('https://example.com/a?b=1', 'https://example.com/a?b=1'),
    text('. Or mail '),
    link('mailto:help@example.com', 'help@example.com'),
    text('!'),
  ]);
  assert.deepEqual(parseMarkdownLite('(see www.example.com/wiki/Foo_(bar))'), [
    text('(see '),
    link('https://www.example.com/wiki/Foo_(bar)', 'www.example.com/wiki/Foo_(bar)'),
    text(')'),
  ]);
  assert.deepEqual(parseMarkdownLite('**https://example.com/x**'), [
    { type: 'bold', children: [link('https://example.com/x', 'https://example.com/x')] },
  ]);
  // Emphasis markers inside an address are part of it.
  assert.deepEqual(links(parseMarkdownLite('https://example.com/*a*/b')), ['https://example.com/*a*/b']);
  // Not at a word boundary: no link.
  assert.deepEqual(parseMarkdownLite('xhttps://example.com'), [text('xhttps://example.com')]);
});

test('XSS payloads stay text and never produce a scripted link', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(document.domain))',
    '[click]( javascript:alert(1))',
    '[click](java\tscript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](vbscript:msgbox)',
    '[x](file:///etc/passwd)',
    '[x](//evil.example)',
    '[x](/relative)',
    'javascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    '**<script>alert(1)</script>**',
    '*[x](javascript:alert(1))*',
    '`<script>`',
    '```\n<img src=x onerror=alert(1)>\n```',
    '[<img src=x onerror=alert(1)>](https://ok.example)',
    '[a](https://ok.example/"onmouseover="alert(1))',
    '**[*x*](javascript:alert(1)**)',
    '[[[[x](javascript:alert(1))]]]]',
  ];
  for (const source of payloads) {
    const tokens = parseMarkdownLite(source);
    for (const href of links(tokens)) {
      assert.ok(isSafeHref(href), `${source} → ${href}`);
      assert.ok(!/javascript|data:|vbscript|file:/i.test(href), `${source} → ${href}`);
    }
    // Every character a reader would see is still there (as text), except the markers.
    assert.equal(typeof markdownToPlainText(tokens), 'string');
  }
  assert.deepEqual(parseMarkdownLite('[click](javascript:alert(1))'), [text('[click](javascript:alert(1))')]);
  assert.deepEqual(
    parseMarkdownLite('<img src=x onerror=alert(1)> https://a.example/"onmouseover=alert(1)'),
    [
      text('<img src=x onerror=alert(1)> '),
      link('https://a.example/', 'https://a.example/'),
      text('"onmouseover=alert(1)'),
    ],
  );
  // The label is text even when it looks like markup; the href is the normalised URL.
  // A target with a space is no labelled link; the address in it is still a bare link.
  assert.deepEqual(parseMarkdownLite('[<b>hi</b>](https://ok.example/a b)'), [
    text('[<b>hi</b>]('),
    link('https://ok.example/a', 'https://ok.example/a'),
    text(' b)'),
  ]);
  assert.deepEqual(parseMarkdownLite('[<b>hi</b>](https://ok.example/<x>)'), [
    { type: 'link', href: 'https://ok.example/%3Cx%3E', children: [text('<b>hi</b>')] },
  ]);
});

test('safeHref accepts web and mail addresses only', () => {
  assert.equal(safeHref('https://example.com'), 'https://example.com/');
  assert.equal(safeHref('www.example.com'), 'https://www.example.com/');
  assert.equal(safeHref('help@example.com'), 'mailto:help@example.com');
  assert.equal(safeHref('mailto:not-an-address'), null);
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('http://'), null);
  assert.equal(safeHref('ftp://example.com'), null);
});

test('hostile input stays fast', () => {
  const samples = [
    '*a '.repeat(3000),
    '**a '.repeat(2500),
    '['.repeat(10_000),
    '`'.repeat(10_000),
    '` `` ``` '.repeat(1000),
    'a.'.repeat(5000),
    'x@'.repeat(5000),
    'https://a.b/'.repeat(800),
    '*'.repeat(10_000),
    '*a*'.repeat(3000),
    '**a*'.repeat(2500),
  ];
  for (const source of samples) {
    const started = performance.now();
    const tokens = parseMarkdownLite(source);
    const ms = performance.now() - started;
    assert.ok(ms < 250, `${source.slice(0, 12)}… took ${ms.toFixed(0)} ms`);
    assert.ok(tokens.length > 0);
  }
});

test('text without markers reads back unchanged; links are always safe', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (source) => {
      const tokens = parseMarkdownLite(source);
      for (const href of links(tokens)) assert.ok(isSafeHref(href));
      if (!/[*`\\[]/.test(source)) assert.equal(markdownToPlainText(tokens), source);
    }),
    { numRuns: 500 },
  );
  const alphabet = fc.constantFrom(
    '*',
    '**',
    '`',
    '```',
    '[',
    ']',
    '(',
    ')',
    '\\',
    'a',
    ' ',
    '\n',
    'https://x.test',
    'javascript:',
    'a@b.co',
  );
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
      for (const href of links(parseMarkdownLite(parts.join('')))) assert.ok(isSafeHref(href));
    }),
    { numRuns: 1000 },
  );
});
