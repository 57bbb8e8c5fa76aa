import type { ContactSearchHit, MessageSearchHit } from '@parley/shared';
import type { ContactHitRow } from './contacts.ts';
import { parseHighlight } from './highlight.ts';
import type { MessageHitRow } from './messages.ts';

/** Raw rows carry timestamps as Date (node-postgres, PGlite) or text; output is always ISO. */
const iso = (value: string | Date): string => new Date(value).toISOString();

/** The only shape a message search result leaves the server in. */
export function presentMessageHit(row: MessageHitRow): MessageSearchHit {
  return {
    message: {
      id: row.id,
      seq: row.seq,
      kind: row.kind,
      senderKind: row.sender_kind,
      senderName: row.sender_name,
      private: row.private,
      createdAt: iso(row.created_at),
    },
    conversation: {
      id: row.conversation_id,
      number: row.conversation_number,
      inboxId: row.inbox_id,
      status: row.status,
    },
    contact: { id: row.contact_id, name: row.contact_name },
    snippet: parseHighlight(row.snippet),
  };
}

const marked = (value: string | null) => (value === null ? null : parseHighlight(value));

/** The only shape a contact search result leaves the server in. */
export function presentContactHit(row: ContactHitRow): ContactSearchHit {
  return {
    contact: {
      id: row.id,
      name: row.name,
      email: row.email,
      phone: row.phone,
      company: row.company,
      createdAt: iso(row.created_at),
    },
    highlights: {
      name: marked(row.name_marked),
      email: marked(row.email_marked),
      phone: marked(row.phone_marked),
      company: marked(row.company_marked),
    },
    latestConversation:
      row.latest_id !== null && row.latest_number !== null
        ? { id: row.latest_id, number: row.latest_number }
        : null,
  };
}
