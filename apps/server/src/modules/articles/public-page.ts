import { createHash } from 'node:crypto';

/**
 * The public help pages: plain server-rendered HTML, no script at all. Every piece of text is escaped
 * here; the article body is the output of render.ts, which never emits raw HTML or unsafe URLs. The
 * policy forbids scripts, plugins, frames and forms anyway, so even a renderer bug could not run code.
 */

const styles = `
:root { color-scheme: light; --ink: #1c1917; --muted: #6b7280; --line: #e7e5e4; --accent: #4f46e5; --bg: #fafaf9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 17px/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); text-underline-offset: 2px; }
.top { background: #fff; border-bottom: 1px solid var(--line); }
.top .wrap { display: flex; align-items: center; gap: 12px; padding-top: 14px; padding-bottom: 14px; }
.brand { font-weight: 700; color: var(--ink); text-decoration: none; font-size: 16px; }
.brand small { font-weight: 500; color: var(--muted); margin-left: 6px; }
.wrap { max-width: 760px; margin: 0 auto; padding: 0 20px; }
main.wrap { padding-top: 36px; padding-bottom: 64px; }
.crumbs { font-size: 14px; color: var(--muted); margin: 0 0 10px; }
.crumbs a { color: var(--muted); }
.category { display: inline-block; font-size: 13px; font-weight: 600; color: var(--accent); background: #eef2ff; border-radius: 999px; padding: 2px 10px; margin-bottom: 10px; }
h1.title { font-size: clamp(28px, 5vw, 38px); line-height: 1.2; margin: 0 0 8px; letter-spacing: -0.01em; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 14px; margin: 0 0 28px; }
article.body { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: clamp(20px, 4vw, 40px); overflow-wrap: anywhere; }
.body > :first-child { margin-top: 0; }
.body > :last-child { margin-bottom: 0; }
.body h1, .body h2, .body h3, .body h4 { line-height: 1.3; margin: 1.6em 0 0.5em; }
.body h1 { font-size: 1.6em; } .body h2 { font-size: 1.35em; } .body h3 { font-size: 1.15em; }
.body img { max-width: 100%; height: auto; border-radius: 8px; }
.body code { font: 0.88em/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f5f5f4; border-radius: 5px; padding: 0.1em 0.35em; }
.body pre { background: #f5f5f4; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; overflow-x: auto; }
.body pre code { background: none; padding: 0; }
.body blockquote { margin: 1em 0; padding: 0.2em 1em; border-left: 4px solid #c7d2fe; color: #44403c; background: #f8f8ff; border-radius: 0 8px 8px 0; }
.body table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
.body th, .body td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; }
.body th { background: #f5f5f4; }
.body hr { border: 0; border-top: 1px solid var(--line); margin: 2em 0; }
.index h1 { font-size: clamp(28px, 5vw, 36px); margin: 0 0 24px; }
.group { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 20px 24px; margin-bottom: 18px; }
.group h2 { font-size: 18px; margin: 0 0 8px; }
.group ul { list-style: none; margin: 0; padding: 0; }
.group li { border-top: 1px solid #f0efee; }
.group li:first-child { border-top: 0; }
.group li a { display: block; padding: 10px 0; text-decoration: none; color: var(--ink); }
.group li a:hover .t { color: var(--accent); }
.group .t { font-weight: 600; display: block; overflow-wrap: anywhere; }
.group .x { color: var(--muted); font-size: 14px; display: block; overflow-wrap: anywhere; }
.empty { text-align: center; padding: 80px 0; color: var(--muted); }
.empty h1 { color: var(--ink); font-size: 30px; margin: 0 0 8px; }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 0 20px 40px; }
@media (max-width: 560px) { body { font-size: 16px; } main.wrap { padding-top: 24px; } .group { padding: 16px 18px; } }
`;

const styleHash = createHash('sha256').update(styles).digest('base64');

/**
 * No script source at all (default-src 'none'), this one stylesheet, images from http(s) (articles may
 * show them), nothing may frame the page, no forms, no <base>.
 */
export const helpPageCsp = [
  "default-src 'none'",
  `style-src 'sha256-${styleHash}'`,
  'img-src https: http:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const words = {
  en: {
    help: 'Help center',
    updated: 'Updated {date}',
    other: 'Other articles',
    allArticles: 'All articles',
    notFoundTitle: 'Page not found',
    notFound: 'This article does not exist or is not published.',
    noArticles: 'No articles have been published yet.',
  },
  pt: {
    help: 'Central de ajuda',
    updated: 'Atualizado em {date}',
    other: 'Outros artigos',
    allArticles: 'Todos os artigos',
    notFoundTitle: 'Página não encontrada',
    notFound: 'Este artigo não existe ou não está publicado.',
    noArticles: 'Nenhum artigo foi publicado ainda.',
  },
  ru: {
    help: 'Справочный центр',
    updated: 'Обновлено {date}',
    other: 'Другие статьи',
    allArticles: 'Все статьи',
    notFoundTitle: 'Страница не найдена',
    notFound: 'Такой статьи нет или она не опубликована.',
    noArticles: 'Пока нет опубликованных статей.',
  },
};
type Words = (typeof words)['en'];

/** The page's words in the article's language (or the reader's), English when we have no translation. */
export function wordsFor(language: string): Words {
  const primary = language.toLowerCase().split('-')[0];
  return primary === 'pt' ? words.pt : primary === 'ru' ? words.ru : words.en;
}

/** The reader's first language from Accept-Language (for pages that have no article language). */
export function readerLanguage(acceptLanguage: string | undefined): string {
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim() ?? '';
  return /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(first) ? first : 'en';
}

function formatDate(date: Date, language: string): string {
  try {
    return new Intl.DateTimeFormat(language, { dateStyle: 'long' }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

function page(options: {
  lang: string;
  title: string;
  home: string;
  site: string;
  help: string;
  main: string;
}) {
  return `<!doctype html>
<html lang="${escapeHtml(options.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style>${styles}</style>
</head>
<body>
<header class="top"><div class="wrap"><a class="brand" href="${escapeHtml(options.home)}">${escapeHtml(options.site)}<small>${escapeHtml(options.help)}</small></a></div></header>
${options.main}
<footer>Parley</footer>
</body>
</html>
`;
}

const helpHome = (accountId: string) => `/help/${accountId}`;
const articlePath = (accountId: string, slug: string) =>
  `/help/${accountId}/articles/${encodeURIComponent(slug)}`;

export function articlePage(input: {
  accountId: string;
  accountName: string;
  title: string;
  category: string | null;
  language: string;
  updatedAt: Date;
  bodyHtml: string;
}): string {
  const w = wordsFor(input.language);
  const home = helpHome(input.accountId);
  const main = `<main class="wrap">
<p class="crumbs"><a href="${escapeHtml(home)}">${escapeHtml(w.allArticles)}</a></p>
${input.category ? `<span class="category">${escapeHtml(input.category)}</span>` : ''}
<h1 class="title">${escapeHtml(input.title)}</h1>
<p class="meta"><time datetime="${input.updatedAt.toISOString()}">${escapeHtml(w.updated.replace('{date}', formatDate(input.updatedAt, input.language)))}</time></p>
<article class="body">
${input.bodyHtml}
</article>
</main>`;
  return page({
    lang: input.language,
    title: `${input.title} · ${input.accountName}`,
    home,
    site: input.accountName,
    help: w.help,
    main,
  });
}

export function helpIndexPage(input: {
  accountId: string;
  accountName: string;
  language: string;
  articles: Array<{ slug: string; title: string; category: string | null; excerpt: string }>;
}): string {
  const w = wordsFor(input.language);
  const groups = new Map<string, typeof input.articles>();
  for (const article of input.articles) {
    const key = article.category ?? '';
    groups.set(key, [...(groups.get(key) ?? []), article]);
  }
  // Named categories in alphabetical order, the uncategorised ones last.
  const keys = [...groups.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const sections = keys
    .map((key) => {
      const items = (groups.get(key) ?? [])
        .map(
          (a) =>
            `<li><a href="${escapeHtml(articlePath(input.accountId, a.slug))}"><span class="t">${escapeHtml(a.title)}</span>${a.excerpt ? `<span class="x">${escapeHtml(a.excerpt)}</span>` : ''}</a></li>`,
        )
        .join('\n');
      return `<section class="group"><h2>${escapeHtml(key || w.other)}</h2><ul>\n${items}\n</ul></section>`;
    })
    .join('\n');
  const main = `<main class="wrap index">
<h1>${escapeHtml(w.help)}</h1>
${sections || `<p class="empty">${escapeHtml(w.noArticles)}</p>`}
</main>`;
  return page({
    lang: input.language,
    title: `${w.help} · ${input.accountName}`,
    home: helpHome(input.accountId),
    site: input.accountName,
    help: w.help,
    main,
  });
}

/** The 404 page; `accountId` when the account exists, for a link back to its help center. */
export function notFoundPage(input: {
  language: string;
  accountId: string | null;
  accountName: string | null;
}) {
  const w = wordsFor(input.language);
  const home = input.accountId ? helpHome(input.accountId) : '';
  const main = `<main class="wrap"><div class="empty">
<h1>${escapeHtml(w.notFoundTitle)}</h1>
<p>${escapeHtml(w.notFound)}</p>
${home ? `<p><a href="${escapeHtml(home)}">${escapeHtml(w.allArticles)}</a></p>` : ''}
</div></main>`;
  return page({
    lang: input.language,
    title: w.notFoundTitle,
    home: home || '#',
    site: input.accountName ?? 'Parley',
    help: w.help,
    main,
  });
}
