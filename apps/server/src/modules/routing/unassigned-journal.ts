import type { EventInput, PendingPublish } from '../../realtime/outbox.ts';
import { type Author, appendMessage } from '../messages/commands.ts';
import { type Exec, recordEventRaw, systemActor } from './sql.ts';

/**
 * What every unassignment leaves behind, whoever causes it (an agent, a refused reopening, an agent
 * going offline): the journal event and the thread's activity item, which only the team sees.
 */
export async function journalUnassignment(
  exec: Exec,
  pending: PendingPublish,
  input: {
    conversation: { id: string; account_id: string; contact_id: string };
    actor: EventInput['actor'];
    author: Author;
    previousAssigneeId: string | null;
    reason: string;
    /** Extra journal details (e.g. the agent's availability). */
    details?: Record<string, unknown>;
    /** Extra activity attributes (e.g. the agent's name for the thread). */
    attributes?: Record<string, unknown>;
  },
): Promise<void> {
  const { conversation, previousAssigneeId, reason } = input;
  await recordEventRaw(exec, pending, {
    accountId: conversation.account_id,
    conversationId: conversation.id,
    contactId: conversation.contact_id,
    type: 'conversation.unassigned',
    actor: input.actor,
    payload: { previousAssigneeId, reason, ...input.details },
  });
  await appendMessage(exec, pending, {
    actor: systemActor(conversation.account_id),
    conversationId: conversation.id,
    author: input.author,
    kind: 'activity',
    body: 'unassigned',
    // Internal to the team: customers see status changes and who joins, not this.
    private: true,
    clientMsgId: null,
    attributes: { type: 'unassigned', previousAssigneeId, reason, ...input.attributes },
  });
}
