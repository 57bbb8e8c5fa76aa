import { z } from 'zod';
import { idSchema } from './common.ts';

/**
 * A tag name is shown as text everywhere (never markup); control characters are refused so a name
 * always renders as what it looks like.
 */
export const tagNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(50)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'control characters are not allowed');

export const tagColorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #64748b');

export const createTagBodySchema = z.strictObject({
  name: tagNameSchema,
  color: tagColorSchema.default('#64748b'),
});
export type CreateTagBody = z.infer<typeof createTagBodySchema>;

export const updateTagBodySchema = z.strictObject({
  name: tagNameSchema.optional(),
  color: tagColorSchema.optional(),
});
export type UpdateTagBody = z.infer<typeof updateTagBodySchema>;

export const tagSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  color: z.string(),
  createdAt: z.string(),
});
export type Tag = z.infer<typeof tagSchema>;

export const tagListSchema = z.object({ tags: z.array(tagSchema) });

export const tagParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
/** A tag on a conversation or a contact: `id` is the conversation or contact. */
export const taggedParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema, tagId: idSchema });
