import type { AppContext } from '../../context.ts';
import { routeConversation } from '../routing/router.ts';

/**
 * The customer (or the bot) asked for a person and the phase `requested` has committed: routing takes
 * over from here. It queues the conversation (or offers it) so every eligible agent sees it, and leaves
 * the bot answering until someone intervenes.
 */
export async function routeAfterHandoff(ctx: AppContext, conversationId: string): Promise<void> {
  await routeConversation(ctx, conversationId);
}
