import { z } from 'zod';
import { idSchema } from './common.ts';
import { conversationStatusSchema } from './conversations.ts';
import { messageKindSchema, senderKindSchema } from './messages.ts';

export const searchTypeSchema = z.enum(['messages', 'contacts']);
export type SearchType = z.infer<typeof searchTypeSchema>;

export const SEARCH_QUERY_MAX_LENGTH = 200;
export const SEARCH_PAGE_MAX = 50;

/**
 * Search words in web-search syntax: words (all must match; the last one also matches as a prefix),
 * "quoted phrases", `or`, and `-word` to exclude. Any text is accepted: what is not syntax is a word.
 */
const searchTextSchema = z.string().trim().min(1).max(SEARCH_QUERY_MAX_LENGTH);

/**
 * `GET /api/accounts/:accountId/search`. Inbox, status, assignee and dates filter messages by their
 * conversation and time; contacts take only `inboxId` (contacts with a conversation there) and `tagId`.
 */
export const searchQuerySchema = z
  .strictObject({
    q: searchTextSchema,
    type: searchTypeSchema.default('messages'),
    inboxId: idSchema.optional(),
    status: conversationStatusSchema.optional(),
    /** An agent's id, or `none` for unassigned conversations. */
    assigneeId: z.union([idSchema, z.literal('none')]).optional(),
    tagId: idSchema.optional(),
    /** Messages sent at or after this instant. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Messages sent before this instant. */
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).default(20),
  })
  .superRefine((query, issues) => {
    if (query.type === 'contacts') {
      for (const key of ['status', 'assigneeId', 'from', 'to'] as const) {
        if (query[key] !== undefined) {
          issues.addIssue({ code: 'custom', path: [key], message: 'applies to messages only' });
        }
      }
    }
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
      issues.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    }
  });
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/**
 * Highlighted text as data, never markup: clients render each segment as text and emphasise the
 * matching ones.
 */
export const highlightSegmentSchema = z.object({ text: z.string(), match: z.boolean() });
export type HighlightSegment = z.infer<typeof highlightSegmentSchema>;
export const highlightSchema = z.array(highlightSegmentSchema);
export type Highlight = z.infer<typeof highlightSchema>;

export const messageSearchHitSchema = z.object({
  message: z.object({
    id: idSchema,
    seq: z.number().int(),
    kind: messageKindSchema,
    senderKind: senderKindSchema,
    senderName: z.string().nullable(),
    private: z.boolean(),
    createdAt: z.string(),
  }),
  conversation: z.object({
    id: idSchema,
    number: z.number().int(),
    inboxId: idSchema,
    status: conversationStatusSchema,
  }),
  contact: z.object({ id: idSchema, name: z.string().nullable() }),
  /** The passage around the match (whole short messages), with the matching words marked. */
  snippet: highlightSchema,
});
export type MessageSearchHit = z.infer<typeof messageSearchHitSchema>;

export const contactSearchHitSchema = z.object({
  contact: z.object({
    id: idSchema,
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    company: z.string().nullable(),
    createdAt: z.string(),
  }),
  /** Each searched field with its matching words marked; null when the field is empty. */
  highlights: z.object({
    name: highlightSchema.nullable(),
    email: highlightSchema.nullable(),
    phone: highlightSchema.nullable(),
    company: highlightSchema.nullable(),
  }),
  /** Their most recent conversation the caller may see, to open from the result. */
  latestConversation: z.object({ id: idSchema, number: z.number().int() }).nullable(),
});
export type ContactSearchHit = z.infer<typeof contactSearchHitSchema>;

/**
 * Results are ranked by relevance within windows of the most recent matches (newest window first).
 * A page may hold fewer than `limit` results and still have a `nextCursor` (the next window has more,
 * older ones); `nextCursor` null means there is nothing further.
 */
export const searchResultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('messages'),
    messages: z.array(messageSearchHitSchema),
    nextCursor: z.string().nullable(),
  }),
  z.object({
    type: z.literal('contacts'),
    contacts: z.array(contactSearchHitSchema),
    nextCursor: z.string().nullable(),
  }),
]);
export type SearchResult = z.infer<typeof searchResultSchema>;
