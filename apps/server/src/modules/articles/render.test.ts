import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { slugify } from '@parley/shared';
import { articleExcerpt, isAllowedImage, isAllowedLink, renderArticle } from './render.ts';

/** Every href and src the HTML carries. */
const urlsIn = (html: string) => [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? '');

/**
 * What must never come out of the renderer, whatever the input: an element that runs script or
 * loads a document, an event-handler attribute, a style attribute, or a URL with a scheme other than
 * http(s)/mailto. Text that merely spells these out is fine (it is escaped).
 */
function assertInert(html: string, input: string): void {
  const why = `${JSON.stringify(input)} → ${html}`;
  assert.doesNotMatch(
    html,
    /<(script|iframe|object|embed|svg|math|style|link|meta|base|form|input|button|textarea|video|audio|source|frame)\b/i,
    why,
  );
  // Text is escaped, so a '<' in the output always opens a tag; attribute values are always in double
  // quotes with quotes inside escaped, so what is left once the values are removed are the names.
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    const names = tag.replace(/="[^"]*"/g, '');
    assert.doesNotMatch(names, /\son[a-z]+\b/i, `event handler in ${tag} (${why})`);
    assert.doesNotMatch(names, /\s(style|srcdoc|formaction)\b/i, `dangerous attribute in ${tag} (${why})`);
  }
  for (const url of urlsIn(html)) {
    assert.ok(isAllowedLink(url), `unsafe URL ${url} (${why})`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a browser ignores them in a URL.
    assert.doesNotMatch(url.replace(/[\s\u0000-\u001f]/g, ''), /^(javascript|vbscript|data|file):/i, why);
  }
  for (const src of [...html.matchAll(/<img\s[^>]*src="([^"]*)"/g)].map((m) => m[1] ?? '')) {
    assert.match(src, /^https?:\/\//, `image from ${src} (${why})`);
  }
}

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)"/>',
  '<svg onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<details open ontoggle=alert(1)>',
  '<!-- <script>alert(1)</script> -->',
  '<style>body{display:none}</style>',
  '<form action="https://evil.example"><input name=p></form>',
  '<div>\n\n*markdown inside*\n\n</div>',
  '<table><tr><td onclick=alert(1)>x</td></tr></table>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click]( javascript:alert(1) )',
  '[click](<javascript:alert(1)>)',
  '[click](java\tscript:alert(1))',
  '[click](java&#x09;script:alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](&#x6A;avascript&colon;alert(1))',
  '[click](javascript&#58;alert(1))',
  '[click](\u0001javascript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](file:///etc/passwd)',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](data:text/html,<script>alert(1)</script>)',
  '[click](https://ok.example/"onmouseover="alert(1))',
  '[click](https://ok.example/ "title\\" onmouseover=\\"alert(1)")',
  '[ref][x]\n\n[x]: javascript:alert(1)',
  '[ref][x]\n\n[x]: <javascript:alert(1)> "t"',
  '[ref]\n\n[ref]: data:text/html,hello',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  '<vbscript:msgbox(1)>',
  'javascript:alert(1)',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x](data:image/png;base64,iVBORw0KGgo=)',
  '![x](/api/accounts/me)',
  '![x](//evil.example/pixel.png)',
  '![x"onerror="alert(1)](https://ok.example/a.png)',
  '![x](https://ok.example/a.png"onerror="alert(1))',
  '![ref][i]\n\n[i]: javascript:alert(1)',
  '```"><script>alert(1)</script>\ncode\n```',
  '`<script>alert(1)</script>`',
  '    <script>alert(1)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '\\<script>alert(1)\\</script>',
  '# <img src=x onerror=alert(1)>',
  '| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |',
  '> <iframe srcdoc="<script>alert(1)</script>">',
  '- [x](javascript:alert(1))\n- <b onmouseover=alert(1)>b</b>',
  '[a](https://ok.example)<img src=x onerror=alert(1)>',
];

describe('article rendering', () => {
  test('XSS payloads come out as text or as harmless markup', () => {
    for (const payload of PAYLOADS) assertInert(renderArticle(payload), payload);
  });

  test('raw HTML is shown as text, never passed through', () => {
    assert.equal(
      renderArticle('<script>alert(1)</script>'),
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n',
    );
    assert.equal(
      renderArticle('<img src=x onerror=alert(1)>'),
      '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n',
    );
    // An HTML block is no block: the Markdown inside still renders, the tags stay text.
    assert.equal(renderArticle('<div>\n*hi*\n</div>'), '<p>&lt;div&gt;\n<em>hi</em>\n&lt;/div&gt;</p>\n');
    // Entities stay entities: decoding them does not smuggle a tag in.
    assert.equal(renderArticle('&lt;b&gt;'), '<p>&lt;b&gt;</p>\n');
  });

  test('refused links stay plain text; allowed links carry rel and open beside the page', () => {
    assert.equal(renderArticle('[click](javascript:alert(1))'), '<p>[click](javascript:alert(1))</p>\n');
    assert.equal(renderArticle('[c](&#106;avascript:alert(1))'), '<p>[c](javascript:alert(1))</p>\n');
    assert.equal(renderArticle('<javascript:alert(1)>'), '<p>&lt;javascript:alert(1)&gt;</p>\n');
    assert.equal(
      renderArticle('[Docs](https://docs.example/a?b=1&c=2)'),
      '<p><a href="https://docs.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">Docs</a></p>\n',
    );
    assert.equal(
      renderArticle('[Write](mailto:help@acme.test) [Up](#top) [Other](../billing)'),
      '<p><a href="mailto:help@acme.test" rel="noopener noreferrer nofollow">Write</a> ' +
        '<a href="#top" rel="noopener noreferrer nofollow">Up</a> ' +
        '<a href="../billing" rel="noopener noreferrer nofollow">Other</a></p>\n',
    );
    // Autolinks, bare URLs and reference links go through the same check.
    assert.match(renderArticle('<https://ok.example/x>'), /<a href="https:\/\/ok\.example\/x" rel="noopener/);
    assert.match(renderArticle('see https://ok.example/y now'), /<a href="https:\/\/ok\.example\/y"/);
    assert.match(renderArticle('[r][1]\n\n[1]: https://ok.example/z'), /<a href="https:\/\/ok\.example\/z"/);
    assert.doesNotMatch(renderArticle('[r][1]\n\n[1]: javascript:alert(1)'), /<a /);
    // A quote in a URL is percent-encoded; a quote in a title is an entity: no attribute break-out.
    assert.match(
      renderArticle('[x](https://a.example/"onmouseover="y)'),
      /href="https:\/\/a\.example\/%22onmouseover=%22y"/,
    );
  });

  test('images only from http(s); any other source leaves the alt text', () => {
    assert.equal(
      renderArticle('![Logo](https://cdn.example/logo.png)'),
      '<p><img src="https://cdn.example/logo.png" alt="Logo" loading="lazy" referrerpolicy="no-referrer"></p>\n',
    );
    assert.equal(renderArticle('![Logo](/logo.png)'), '<p>Logo</p>\n');
    assert.equal(renderArticle('![<b>x</b>](/logo.png)'), '<p>&lt;b&gt;x&lt;/b&gt;</p>\n');
    assert.doesNotMatch(renderArticle('![x](data:image/png;base64,iVBORw0KGgo=)'), /<img/);
    assert.doesNotMatch(renderArticle('![x](//evil.example/p.png)'), /<img/);
  });

  test('ordinary Markdown renders: headings, lists, emphasis, code, tables, quotes', () => {
    const html = renderArticle(
      '# Reset your password\n\n1. Open **Settings**\n2. Press `Reset`\n\n> Tip: _fast_\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nparley reset\n```',
    );
    for (const part of [
      '<h1>Reset your password</h1>',
      '<ol>',
      '<strong>Settings</strong>',
      '<code>Reset</code>',
      '<blockquote>',
      '<em>fast</em>',
      '<table>',
      '<pre><code class="language-sh">parley reset',
    ]) {
      assert.ok(html.includes(part), `${part} in ${html}`);
    }
  });

  test('link and image checks', () => {
    for (const ok of [
      'https://a.example',
      'http://a.example/x',
      'mailto:a@b.example',
      '/x',
      '#y',
      '?q=1',
      'page',
      '../up',
    ]) {
      assert.ok(isAllowedLink(ok), ok);
    }
    for (const bad of [
      'javascript:x',
      ' JavaScript:x',
      'java\nscript:x',
      'java%09script:x',
      'data:x',
      'vbscript:x',
      'file:///x',
      'ftp://x',
      'tel:1',
    ]) {
      assert.ok(!isAllowedLink(bad), bad);
    }
    assert.ok(isAllowedImage('https://cdn.example/a.png'));
    for (const bad of [
      '/a.png',
      '//cdn.example/a.png',
      'data:image/png;base64,AA',
      'https:/\\evil',
      'javascript:x',
    ]) {
      assert.ok(!isAllowedImage(bad), bad);
    }
  });

  test('excerpts are plain text of the prose, cut near 200 characters at a word', () => {
    assert.equal(
      articleExcerpt(
        '# Title\n\nSome **bold** text and [a link](https://x.example).\n\n```\ncode\n```\n\n- one\n- two',
      ),
      'Title Some bold text and a link. one two',
    );
    assert.equal(articleExcerpt('<script>alert(1)</script>'), '<script>alert(1)</script>');
    const long = articleExcerpt(`${'word '.repeat(100)}`);
    assert.ok(long.endsWith('…'));
    assert.ok(Array.from(long).length <= 201);
    assert.doesNotMatch(long, /wor…$/);
  });

  test('slugs keep the letters of every script and drop Latin accents', () => {
    assert.equal(slugify('How do I reset my password?'), 'how-do-i-reset-my-password');
    assert.equal(slugify('  Configuração de Conta — Avançado  '), 'configuracao-de-conta-avancado');
    assert.equal(slugify('Как сбросить пароль'), 'как-сбросить-пароль');
    assert.equal(slugify('Йогурт'), 'йогурт');
    assert.equal(slugify('日本語のガイド'), '日本語のガイド');
    assert.equal(slugify('İstanbul'), 'istanbul');
    assert.equal(slugify('<script>alert(1)</script>'), 'script-alert-1-script');
    assert.equal(slugify('🎉🎉'), '');
    assert.equal(slugify('a'.repeat(200)).length, 80);
  });
});
