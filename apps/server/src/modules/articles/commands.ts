import {
  type Article,
  type CreateArticleBody,
  type Message,
  type SendArticleBody,
  slugify,
  type UpdateArticleBody,
} from '@parley/shared';
import { and, eq, like, ne, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { articles } from '../../db/schema.ts';
import { AppError, conflict, notFound, sqlStateOf } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { authorOf, postMessage } from '../messages/commands.ts';
import { articleMessageAttributes, presentArticle } from './presenter.ts';
import { findArticle } from './queries.ts';

const slugTaken = () => conflict('article_slug_taken', 'Another article of this account has this slug');

async function slugInUse(tx: Tx, accountId: string, slug: string, exceptId: string | null) {
  const [clash] = await tx
    .select({ id: articles.id })
    .from(articles)
    .where(
      and(
        eq(articles.accountId, accountId),
        eq(articles.slug, slug),
        exceptId ? ne(articles.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return clash !== undefined;
}

/** The title's slug, or with the first free suffix (-2, -3…) when articles use it already. */
async function freeSlug(tx: Tx, accountId: string, title: string): Promise<string> {
  const base = slugify(title) || 'article';
  const rows = await tx
    .select({ slug: articles.slug })
    .from(articles)
    .where(
      and(
        eq(articles.accountId, accountId),
        sql`(${articles.slug} = ${base} or ${like(articles.slug, `${base}-%`)})`,
      ),
    );
  const used = new Set(rows.map((r) => r.slug));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Two writers may pick the same free slug at once; the unique index refuses the second. A generated
 * slug is then simply chosen again; a slug the editor chose is a 409.
 */
async function retryingSlugRace<T>(chosen: boolean, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (sqlStateOf(error) !== '23505') throw error;
      if (chosen || attempt >= 3) throw slugTaken();
    }
  }
}

const authorIdOf = (actor: AccountActor) => (actor.kind === 'agent' ? actor.userId : null);

export function createArticle(
  ctx: AppContext,
  actor: AccountActor,
  body: CreateArticleBody,
): Promise<Article> {
  return retryingSlugRace(body.slug !== undefined, () =>
    ctx.database.db.transaction(async (tx) => {
      let slug: string;
      if (body.slug !== undefined) {
        if (await slugInUse(tx, actor.accountId, body.slug, null)) throw slugTaken();
        slug = body.slug;
      } else {
        slug = await freeSlug(tx, actor.accountId, body.title);
      }
      const [row] = await tx
        .insert(articles)
        .values({
          id: newId(),
          accountId: actor.accountId,
          title: body.title,
          slug,
          body: body.body,
          category: body.category ?? null,
          language: body.language,
          status: body.status,
          authorId: authorIdOf(actor),
        })
        .returning();
      if (!row) throw new Error('article insert returned nothing');
      const { authorName } = await findArticle(tx, actor.accountId, row.id);
      return presentArticle(row, authorName, ctx.env.PUBLIC_URL);
    }),
  );
}

/** Changing the title keeps the slug (links that were shared keep working); the slug changes only when given. */
export function updateArticle(
  ctx: AppContext,
  actor: AccountActor,
  articleId: string,
  body: UpdateArticleBody,
): Promise<Article> {
  return retryingSlugRace(true, () =>
    ctx.database.db.transaction(async (tx) => {
      const { row: current } = await findArticle(tx, actor.accountId, articleId);
      if (body.slug !== undefined && body.slug !== current.slug) {
        if (await slugInUse(tx, actor.accountId, body.slug, articleId)) throw slugTaken();
      }
      const [row] = await tx
        .update(articles)
        .set({
          title: body.title ?? current.title,
          slug: body.slug ?? current.slug,
          body: body.body ?? current.body,
          category: body.category === undefined ? current.category : body.category,
          language: body.language ?? current.language,
          status: body.status ?? current.status,
          updatedAt: new Date(),
        })
        .where(and(eq(articles.id, articleId), eq(articles.accountId, actor.accountId)))
        .returning();
      if (!row) throw notFound('article_not_found', 'Article');
      const { authorName } = await findArticle(tx, actor.accountId, row.id);
      return presentArticle(row, authorName, ctx.env.PUBLIC_URL);
    }),
  );
}

/** Cards already sent keep their title and excerpt; their link then finds no page. */
export async function deleteArticle(ctx: AppContext, accountId: string, articleId: string): Promise<void> {
  const deleted = await ctx.database.db
    .delete(articles)
    .where(and(eq(articles.id, articleId), eq(articles.accountId, accountId)))
    .returning({ id: articles.id });
  if (deleted.length === 0) throw notFound('article_not_found', 'Article');
}

/**
 * Sends a published article into a conversation as a message of kind `article`, through the same
 * writer as every reply (scope, idempotency on clientMsgId, ordering, realtime). The body is the title
 * and the link, so any client that knows no cards (e-mail, old widgets) still shows something useful.
 */
export async function sendArticle(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  body: SendArticleBody,
): Promise<{ message: Message; created: boolean }> {
  const { row } = await findArticle(ctx.database.db, actor.accountId, body.articleId);
  if (row.status !== 'published') {
    throw new AppError('article_not_published', 409, 'Only published articles can be sent to customers');
  }
  const attributes = articleMessageAttributes(row, ctx.env.PUBLIC_URL);
  return postMessage(ctx, {
    actor,
    conversationId,
    author: authorOf(actor),
    kind: 'article',
    body: `${attributes.title}\n${attributes.url}`,
    private: false,
    clientMsgId: body.clientMsgId,
    attributes,
  });
}
