import {
  type ConversationStatus,
  type DriftConversation,
  type DriftConversationBody,
  driftConversationBodySchema,
  driftConversationSchema,
  idSchema,
} from '@parley/shared';
import { idempotent } from '../../http/idempotency.ts';
import { defineRoute } from '../../http/route.ts';
import { newId } from '../../lib/ids.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { examples } from './examples.ts';
import { startApiConversation } from './start.ts';

/*
 * `POST /api/v1/conversations/new`, compatible with Drift's "create a conversation" endpoint, so an
 * integration written for Drift moves to Parley by changing its base URL and token.
 */

const driftStatus: Record<ConversationStatus, DriftConversation['status']> = {
  new: 'open',
  open: 'open',
  pending: 'pending',
  on_hold: 'pending',
  solved: 'closed',
  closed: 'closed',
};

/** Drift's answer: top-level fields, Drift's status words, createdAt in epoch milliseconds. */
export function presentDriftConversation(row: ConversationRow): DriftConversation {
  return {
    status: driftStatus[row.status],
    participants: row.assigneeId ? [row.assigneeId] : [],
    contactId: row.contactId,
    createdAt: row.createdAt.getTime(),
    id: row.id,
    inboxId: row.inboxId,
  };
}

/**
 * Drift's assignee ids are numbers; here an assignee is a Parley user id. Anything that is not one is
 * ignored rather than refused, so a migrated integration still creates its conversations.
 */
function assigneeOf(body: DriftConversationBody): string | null {
  const value = body.message.attributes?.autoAssigneeId;
  if (typeof value !== 'string') return null;
  const parsed = idSchema.safeParse(value.trim().toLowerCase());
  return parsed.success ? parsed.data : null;
}

export const v1DriftRoutes = [
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/new',
      auth: 'api',
      policy: 'conversation.create',
      summary:
        "Drift-compatible: start a conversation from the contact with this e-mail (found in any case, or created) in the account's API inbox",
      tags: ['Public API: conversations'],
      body: driftConversationBodySchema,
      response: driftConversationSchema,
      example: { request: examples.driftRequest, response: examples.driftResponse },
      handler: async ({ ctx, actor, body }) => {
        const { conversation } = await startApiConversation(ctx, actor, {
          inboxId: body.inboxId,
          contact: { email: body.email },
          // Drift's body has no message id; a retry is recognised by its Idempotency-Key instead.
          message: { clientMsgId: `drift-${newId()}`, body: body.message.body },
          integrationSource: body.message.attributes?.integrationSource ?? '',
          assigneeId: assigneeOf(body),
        });
        return presentDriftConversation(conversation);
      },
    }),
  ),
];
