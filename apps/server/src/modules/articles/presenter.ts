import type { Article, ArticleMessageAttributes, ArticleSummary } from '@parley/shared';
import type { articles } from '../../db/schema.ts';
import { articleExcerpt } from './render.ts';

export type ArticleRow = typeof articles.$inferSelect;

/** The public page of an article; it answers only while the article is published. */
export function articleUrl(publicUrl: string, accountId: string, slug: string): string {
  return `${publicUrl}/help/${accountId}/articles/${encodeURIComponent(slug)}`;
}

/** A list row: everything but the body (the excerpt stands for it). */
export function presentArticleSummary(
  row: Omit<ArticleRow, 'body'> & { body: string },
  authorName: string | null,
  publicUrl: string,
): ArticleSummary {
  return {
    id: row.id,
    accountId: row.accountId,
    title: row.title,
    slug: row.slug,
    category: row.category,
    language: row.language,
    status: row.status,
    authorId: row.authorId,
    authorName,
    excerpt: articleExcerpt(row.body),
    url: articleUrl(publicUrl, row.accountId, row.slug),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentArticle(row: ArticleRow, authorName: string | null, publicUrl: string): Article {
  return { ...presentArticleSummary(row, authorName, publicUrl), body: row.body };
}

/** What a message of kind `article` carries: a snapshot, so the card stays as it was sent. */
export function articleMessageAttributes(row: ArticleRow, publicUrl: string): ArticleMessageAttributes {
  return {
    articleId: row.id,
    title: row.title,
    excerpt: articleExcerpt(row.body),
    url: articleUrl(publicUrl, row.accountId, row.slug),
  };
}
