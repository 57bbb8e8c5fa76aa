import type { ConversationStatus } from '@parley/shared';

/**
 * Allowed status changes. `closed` is final: a customer writing again starts a new conversation.
 * pending/on_hold/solved return to open when the customer replies (see messages/commands.ts).
 */
const transitions: Record<ConversationStatus, readonly ConversationStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export const canTransition = (from: ConversationStatus, to: ConversationStatus): boolean =>
  transitions[from].includes(to);

/** Where a customer's message takes a conversation. */
export function statusAfterCustomerMessage(status: ConversationStatus): ConversationStatus {
  return status === 'pending' || status === 'on_hold' || status === 'solved' ? 'open' : status;
}
