import {
  articleListQuerySchema,
  articleListSchema,
  articleParamsSchema,
  articlePreviewBodySchema,
  articlePreviewSchema,
  articleSchema,
  createArticleBodySchema,
  idSchema,
  messageSchema,
  sendArticleBodySchema,
  updateArticleBodySchema,
} from '@parley/shared';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { assertCan } from '../../auth/policies.ts';
import { defineRoute } from '../../http/route.ts';
import { createArticle, deleteArticle, sendArticle, updateArticle } from './commands.ts';
import { articlePage, helpIndexPage, helpPageCsp, notFoundPage, readerLanguage } from './public-page.ts';
import {
  accountName,
  findPublishedArticle,
  getArticle,
  listArticles,
  listPublishedArticles,
} from './queries.ts';
import { articleExcerpt, renderArticle } from './render.ts';

const MINUTE = 60_000;
const accountParams = z.strictObject({ accountId: idSchema });
const conversationParams = z.strictObject({ accountId: idSchema, id: idSchema });
/**
 * The help pages take any text in their path and answer a 404 page for what they do not know (a
 * browser should see a page, not a JSON validation error).
 */
const helpParams = z.strictObject({ accountId: z.string() });
const helpArticleParams = z.strictObject({ accountId: z.string(), slug: z.string() });

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .header('content-security-policy', helpPageCsp)
    .header('cache-control', status === 200 ? 'public, max-age=60' : 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** Knowledge-base articles: written by admins and supervisors, read and sent by every agent. */
export const articleRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/articles',
    auth: 'account',
    policy: 'article.read',
    summary: 'List articles (filter by category, language, status; q searches titles and bodies)',
    tags: ['Articles'],
    params: accountParams,
    query: articleListQuerySchema,
    response: articleListSchema,
    handler: async ({ ctx, actor, query }) =>
      listArticles(ctx.database.db, actor.accountId, query, ctx.env.PUBLIC_URL),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/articles',
    auth: 'account',
    policy: 'article.manage',
    summary: 'Create an article; its slug comes from the title unless given (409 article_slug_taken)',
    tags: ['Articles'],
    params: accountParams,
    body: createArticleBodySchema,
    response: z.object({ article: articleSchema }),
    status: 201,
    handler: async ({ ctx, actor, body }) => ({ article: await createArticle(ctx, actor, body) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/articles/preview',
    auth: 'account',
    // Agents read articles in the dashboard through it too (drafts have no public page).
    policy: 'article.read',
    summary: 'Render Markdown as the public page will (sanitized HTML)',
    tags: ['Articles'],
    params: accountParams,
    body: articlePreviewBodySchema,
    response: articlePreviewSchema,
    rateLimit: (request) => [{ key: `article-preview:${request.ip}`, limit: 240, windowMs: MINUTE }],
    handler: async ({ body }) => ({ html: renderArticle(body.body) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/articles/:id',
    auth: 'account',
    policy: 'article.read',
    summary: 'Get one article with its Markdown body',
    tags: ['Articles'],
    params: articleParamsSchema,
    response: z.object({ article: articleSchema }),
    handler: async ({ ctx, actor, params }) => ({
      article: await getArticle(ctx.database.db, actor.accountId, params.id, ctx.env.PUBLIC_URL),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/articles/:id',
    auth: 'account',
    policy: 'article.manage',
    summary: 'Edit an article (the slug changes only when given)',
    tags: ['Articles'],
    params: articleParamsSchema,
    body: updateArticleBodySchema,
    response: z.object({ article: articleSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      article: await updateArticle(ctx, actor, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/articles/:id',
    auth: 'account',
    policy: 'article.manage',
    summary: 'Delete an article (cards already sent keep their text; the link then finds no page)',
    tags: ['Articles'],
    params: articleParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteArticle(ctx, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/articles',
    auth: 'account',
    policy: 'conversation.reply',
    summary:
      'Send a published article to the customer as a card (a message of kind article; idempotent on clientMsgId)',
    tags: ['Articles', 'Conversations'],
    params: conversationParams,
    body: sendArticleBodySchema,
    response: z.object({ message: messageSchema, created: z.boolean() }),
    status: 201,
    handler: async ({ ctx, actor, params, body }) => {
      assertCan(actor, 'article.read');
      return sendArticle(ctx, actor, params.id, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/help/:accountId',
    auth: 'public',
    hidden: true,
    summary: "The account's public help center: published articles by category",
    tags: ['Articles'],
    produces: 'text/html',
    params: helpParams,
    rateLimit: (request) => [{ key: `help:${request.ip}`, limit: 300, windowMs: MINUTE }],
    handler: async ({ ctx, params, request, reply }) => {
      const language = readerLanguage(request.headers['accept-language']);
      const accountId = idSchema.safeParse(params.accountId);
      const name = accountId.success ? await accountName(ctx.database.db, accountId.data) : null;
      if (!accountId.success || name === null) {
        return sendPage(reply, 404, notFoundPage({ language, accountId: null, accountName: null }));
      }
      const rows = await listPublishedArticles(ctx.database.db, accountId.data);
      const html = helpIndexPage({
        accountId: accountId.data,
        accountName: name,
        language,
        articles: rows.map((row) => ({ ...row, excerpt: articleExcerpt(row.body, 140) })),
      });
      return sendPage(reply, 200, html);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/help/:accountId/articles/:slug',
    auth: 'public',
    hidden: true,
    summary: 'The public page of a published article',
    tags: ['Articles'],
    produces: 'text/html',
    params: helpArticleParams,
    rateLimit: (request) => [{ key: `help:${request.ip}`, limit: 300, windowMs: MINUTE }],
    handler: async ({ ctx, params, request, reply }) => {
      const accountId = idSchema.safeParse(params.accountId);
      const name = accountId.success ? await accountName(ctx.database.db, accountId.data) : null;
      const article =
        accountId.success && name !== null && params.slug.length <= 200
          ? await findPublishedArticle(ctx.database.db, accountId.data, params.slug)
          : null;
      if (!accountId.success || name === null || article === null) {
        const language = readerLanguage(request.headers['accept-language']);
        const known = accountId.success && name !== null;
        return sendPage(
          reply,
          404,
          notFoundPage({ language, accountId: known ? accountId.data : null, accountName: name }),
        );
      }
      const html = articlePage({
        accountId: article.accountId,
        accountName: name,
        title: article.title,
        category: article.category,
        language: article.language,
        updatedAt: article.updatedAt,
        bodyHtml: renderArticle(article.body),
      });
      return sendPage(reply, 200, html);
    },
  }),
];
