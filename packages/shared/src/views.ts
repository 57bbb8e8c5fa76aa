import { z } from 'zod';
import { idSchema } from './common.ts';
import { conversationStatusSchema, conversationViewSchema, prioritySchema } from './conversations.ts';

/** At most this many tags in one filter (any of them matches). */
export const MAX_FILTER_TAGS = 20;

/**
 * The filters of the conversation list. One schema for the list endpoint's query and for saved views,
 * so a saved view always holds filters the list accepts. All filters combine (and); `tagIds` matches
 * conversations carrying any of the tags.
 */
export const conversationFiltersSchema = z.strictObject({
  view: conversationViewSchema.optional(),
  status: conversationStatusSchema.optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), idSchema]).optional(),
  inboxId: idSchema.optional(),
  teamId: idSchema.optional(),
  priority: prioritySchema.optional(),
  tagIds: z.array(idSchema).min(1).max(MAX_FILTER_TAGS).optional(),
});
export type ConversationFilters = z.infer<typeof conversationFiltersSchema>;

/** A list in a query string: `tagIds=a,b`, `tagIds=a&tagIds=b`, or both. */
const queryList = z
  .union([z.string().max(2000), z.array(z.string().max(2000)).max(MAX_FILTER_TAGS)])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((part) => part.split(','))
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );

export const conversationListQuerySchema = z.strictObject({
  ...conversationFiltersSchema.shape,
  tagIds: queryList.pipe(conversationFiltersSchema.shape.tagIds.unwrap()).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ConversationListQuery = z.infer<typeof conversationListQuerySchema>;

// ---- saved views ------------------------------------------------------------------------------

/** How many views one person may save in one account. */
export const MAX_SAVED_VIEWS = 50;

export const savedViewNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(60)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'control characters are not allowed');

export const createSavedViewBodySchema = z.strictObject({
  name: savedViewNameSchema,
  filters: conversationFiltersSchema,
});
export type CreateSavedViewBody = z.infer<typeof createSavedViewBodySchema>;

export const updateSavedViewBodySchema = z
  .strictObject({
    name: savedViewNameSchema.optional(),
    filters: conversationFiltersSchema.optional(),
  })
  .refine((b) => b.name !== undefined || b.filters !== undefined, 'change the name or the filters');
export type UpdateSavedViewBody = z.infer<typeof updateSavedViewBodySchema>;

/** The new order: these views first, in this order; views not listed keep their order after them. */
export const reorderSavedViewsBodySchema = z.strictObject({
  ids: z.array(idSchema).min(1).max(MAX_SAVED_VIEWS),
});
export type ReorderSavedViewsBody = z.infer<typeof reorderSavedViewsBodySchema>;

export const savedViewSchema = z.object({
  id: idSchema,
  name: z.string(),
  filters: conversationFiltersSchema,
  position: z.number().int(),
  createdAt: z.string(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

export const savedViewListSchema = z.object({ views: z.array(savedViewSchema) });
export const savedViewParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
