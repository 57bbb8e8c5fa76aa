import type { AnyRoute } from '../../http/route.ts';
import { v1ContactRoutes } from './contacts.ts';
import { v1ConversationRoutes } from './conversations.ts';
import { v1DirectoryRoutes } from './directory.ts';
import { v1DriftRoutes } from './drift.ts';

/**
 * The public API under /api/v1: authenticated by an API token (auth kind `api`), limited to its scopes
 * and rate-limited per token; every POST honours Idempotency-Key. Handlers call the same commands and
 * queries as the dashboard's routes.
 */
export const publicApiRoutes: AnyRoute[] = [
  ...v1DriftRoutes,
  ...v1ConversationRoutes,
  ...v1ContactRoutes,
  ...v1DirectoryRoutes,
];
