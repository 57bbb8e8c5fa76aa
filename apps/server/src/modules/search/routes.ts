import { idSchema, searchQuerySchema, searchResultSchema } from '@parley/shared';
import { z } from 'zod';
import { assertCan } from '../../auth/policies.ts';
import { defineRoute } from '../../http/route.ts';
import { searchContacts } from './contacts.ts';
import { decodeCursor, firstPage, queryFingerprint } from './cursor.ts';
import { searchMessages } from './messages.ts';
import { searchTerms } from './terms.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** Full-text search over messages and contacts (see messages.ts and windows.ts for its cost). */
export const searchRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/search',
    auth: 'account',
    policy: 'conversation.read',
    summary:
      'Search messages (type=messages) or contacts (type=contacts); results ranked within windows of the newest matches',
    tags: ['Search'],
    params: accountParams,
    query: searchQuerySchema,
    response: searchResultSchema,
    rateLimit: (request) => [{ key: `search:${request.ip}`, limit: 600, windowMs: 60_000 }],
    handler: async ({ ctx, actor, query }) => {
      if (query.type === 'contacts') assertCan(actor, 'contact.read');
      const fingerprint = queryFingerprint(query);
      const cursor = query.cursor ? decodeCursor(query.cursor, fingerprint) : firstPage(fingerprint);
      const terms = searchTerms(query.q);
      if (query.type === 'contacts') {
        if (!terms) return { type: 'contacts', contacts: [], nextCursor: null };
        const { hits, nextCursor } = await searchContacts(ctx, actor, query, terms, cursor);
        return { type: 'contacts', contacts: hits, nextCursor };
      }
      if (!terms) return { type: 'messages', messages: [], nextCursor: null };
      const { hits, nextCursor } = await searchMessages(ctx, actor, query, terms, cursor);
      return { type: 'messages', messages: hits, nextCursor };
    },
  }),
];
