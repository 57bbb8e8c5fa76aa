import type { Article, ArticleList, ArticleListQuery } from '@parley/shared';
import { and, asc, desc, eq, getTableColumns, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { accounts, articles, users } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { type ArticleRow, presentArticle, presentArticleSummary } from './presenter.ts';

const { body: _body, ...listColumns } = getTableColumns(articles);
/** Lists read only the start of each body: enough for an excerpt, cheap for long articles. */
const bodyStart = sql<string>`left(${articles.body}, 4000)`;

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listArticles(
  executor: DbOrTx,
  accountId: string,
  query: ArticleListQuery,
  publicUrl: string,
): Promise<ArticleList> {
  const conditions: SQL[] = [eq(articles.accountId, accountId)];
  if (query.category) conditions.push(eq(articles.category, query.category));
  if (query.language) conditions.push(eq(articles.language, query.language));
  if (query.status) conditions.push(eq(articles.status, query.status));
  const order: SQL[] = [];
  if (query.q) {
    // A knowledge base holds hundreds of articles, not millions: a substring match finds "pass" in
    // "password" (which word search would not) and costs one scan of the account's rows.
    const pattern = containing(query.q);
    conditions.push(
      or(sql`${articles.title} ilike ${pattern}`, sql`${articles.body} ilike ${pattern}`) as SQL,
    );
    order.push(sql`(${articles.title} ilike ${pattern}) desc`);
  }
  const [rows, categories] = await Promise.all([
    executor
      .select({ ...listColumns, body: bodyStart, authorName: users.name })
      .from(articles)
      .leftJoin(users, eq(users.id, articles.authorId))
      .where(and(...conditions))
      .orderBy(...order, desc(articles.updatedAt), asc(articles.id))
      .limit(query.limit),
    executor
      .selectDistinct({ category: articles.category })
      .from(articles)
      .where(and(eq(articles.accountId, accountId), isNotNull(articles.category)))
      .orderBy(asc(articles.category)),
  ]);
  return {
    articles: rows.map(({ authorName, ...row }) => presentArticleSummary(row, authorName, publicUrl)),
    categories: categories.flatMap((c) => (c.category === null ? [] : [c.category])),
  };
}

/** An article of this account, or 404 article_not_found (also for articles of other accounts). */
export async function findArticle(
  executor: DbOrTx,
  accountId: string,
  articleId: string,
): Promise<{ row: ArticleRow; authorName: string | null }> {
  const [found] = await executor
    .select({ row: articles, authorName: users.name })
    .from(articles)
    .leftJoin(users, eq(users.id, articles.authorId))
    .where(and(eq(articles.id, articleId), eq(articles.accountId, accountId)));
  if (!found) throw notFound('article_not_found', 'Article');
  return found;
}

export async function getArticle(
  executor: DbOrTx,
  accountId: string,
  articleId: string,
  publicUrl: string,
): Promise<Article> {
  const { row, authorName } = await findArticle(executor, accountId, articleId);
  return presentArticle(row, authorName, publicUrl);
}

// ---- the public help pages: published articles only ------------------------------------------

export async function accountName(executor: DbOrTx, accountId: string): Promise<string | null> {
  const [row] = await executor
    .select({ name: accounts.name })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return row?.name ?? null;
}

export async function findPublishedArticle(
  executor: DbOrTx,
  accountId: string,
  slug: string,
): Promise<ArticleRow | null> {
  const [row] = await executor
    .select()
    .from(articles)
    .where(and(eq(articles.accountId, accountId), eq(articles.slug, slug), eq(articles.status, 'published')));
  return row ?? null;
}

export async function listPublishedArticles(executor: DbOrTx, accountId: string) {
  return executor
    .select({
      slug: articles.slug,
      title: articles.title,
      category: articles.category,
      body: bodyStart,
      updatedAt: articles.updatedAt,
    })
    .from(articles)
    .where(and(eq(articles.accountId, accountId), eq(articles.status, 'published')))
    .orderBy(asc(sql`lower(${articles.title})`), asc(articles.id))
    .limit(1000);
}
