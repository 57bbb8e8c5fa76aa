import { z } from 'zod';
import { clientMsgIdSchema, idSchema } from './common.ts';

export const articleStatuses = ['draft', 'published'] as const;
export const articleStatusSchema = z.enum(articleStatuses);
export type ArticleStatus = z.infer<typeof articleStatusSchema>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The URL part of an article's public page, from any text: lower case, letters and digits of every
 * script kept (a Russian title gives a Cyrillic slug, not an empty one), accents dropped from Latin
 * letters only (Cyrillic й or Devanagari vowel signs are letters, not decoration), everything else a
 * single dash. May be empty when the text has no letter or digit at all.
 */
export function slugify(text: string, maxLength = 80): string {
  const folded = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^[-\p{M}]+|-+$/gu, '');
  return Array.from(folded).slice(0, maxLength).join('').replace(/-+$/, '');
}

export const articleTitleSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((title) => !CONTROL.test(title), 'control characters are not allowed');

/** Markdown; empty is allowed for a draft that only has a title yet. */
export const articleMarkdownSchema = z.string().max(100_000);

/** A slug the editor typed is normalised like a generated one ("Reset Password" → "reset-password"). */
export const articleSlugSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .transform((value) => slugify(value))
  .refine((slug) => slug.length > 0, 'a slug needs at least one letter or digit');

/** Free text that groups articles on the help pages; blank means none. */
export const articleCategorySchema = z
  .string()
  .trim()
  .max(80)
  .refine((category) => !CONTROL.test(category), 'control characters are not allowed')
  .transform((category) => (category === '' ? null : category))
  .nullable();

/** A language tag such as en, pt-BR or ru (it becomes the public page's lang attribute). */
export const articleLanguageSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$/, 'a language tag such as en or pt-BR');

export const createArticleBodySchema = z.strictObject({
  title: articleTitleSchema,
  slug: articleSlugSchema.optional(),
  body: articleMarkdownSchema.default(''),
  category: articleCategorySchema.optional(),
  language: articleLanguageSchema.default('en'),
  status: articleStatusSchema.default('draft'),
});
export type CreateArticleBody = z.infer<typeof createArticleBodySchema>;

export const updateArticleBodySchema = z.strictObject({
  title: articleTitleSchema.optional(),
  slug: articleSlugSchema.optional(),
  body: articleMarkdownSchema.optional(),
  category: articleCategorySchema.optional(),
  language: articleLanguageSchema.optional(),
  status: articleStatusSchema.optional(),
});
export type UpdateArticleBody = z.infer<typeof updateArticleBodySchema>;

export const articleListQuerySchema = z.strictObject({
  /** Words searched in titles and bodies (case-insensitive substring). */
  q: z.string().trim().max(200).optional(),
  category: z.string().trim().min(1).max(80).optional(),
  language: articleLanguageSchema.optional(),
  status: articleStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type ArticleListQuery = z.infer<typeof articleListQuerySchema>;

const articleFields = {
  id: idSchema,
  accountId: idSchema,
  title: z.string(),
  slug: z.string(),
  category: z.string().nullable(),
  language: z.string(),
  status: articleStatusSchema,
  authorId: idSchema.nullable(),
  authorName: z.string().nullable(),
  /** Plain text from the start of the body, about 200 characters. */
  excerpt: z.string(),
  /** The public page (it answers only while the article is published). */
  url: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const articleSummarySchema = z.object(articleFields);
export type ArticleSummary = z.infer<typeof articleSummarySchema>;

export const articleSchema = z.object({ ...articleFields, body: z.string() });
export type Article = z.infer<typeof articleSchema>;

export const articleListSchema = z.object({
  articles: z.array(articleSummarySchema),
  /** Every category in use in the account, whatever the filters. */
  categories: z.array(z.string()),
});
export type ArticleList = z.infer<typeof articleListSchema>;

export const articleParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

export const articlePreviewBodySchema = z.strictObject({ body: articleMarkdownSchema });
/** HTML made by the server's sanitizing Markdown renderer (no raw HTML, only safe links and images). */
export const articlePreviewSchema = z.object({ html: z.string() });

export const sendArticleBodySchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  articleId: idSchema,
});
export type SendArticleBody = z.infer<typeof sendArticleBodySchema>;

/** The attributes of a message of kind `article`: what a card shows, copied when it was sent. */
export const articleMessageAttributesSchema = z.object({
  articleId: idSchema,
  title: z.string(),
  excerpt: z.string(),
  url: z.string(),
});
export type ArticleMessageAttributes = z.infer<typeof articleMessageAttributesSchema>;
