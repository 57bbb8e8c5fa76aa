import type { ConversationRow } from './presenter.ts';

type Json = Record<string, unknown>;

const date = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(String(value));
const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * A conversation row as hand-written SQL returns it (`row_to_json(c)`: snake_case keys, timestamps as
 * strings) turned into the query builder's row type, for the statements the builder cannot express.
 */
export function conversationRowFromSql(c: Json): ConversationRow {
  return {
    id: String(c.id),
    accountId: String(c.account_id),
    inboxId: String(c.inbox_id),
    contactId: String(c.contact_id),
    number: Number(c.number),
    status: c.status as ConversationRow['status'],
    priority: c.priority as ConversationRow['priority'],
    assigneeId: text(c.assignee_id),
    teamId: text(c.team_id),
    previousAssigneeId: text(c.previous_assignee_id),
    assignedAt: date(c.assigned_at),
    queuedAt: date(c.queued_at),
    requiredSkills: Array.isArray(c.required_skills) ? c.required_skills.map(String) : [],
    botPhase: (c.bot_phase as ConversationRow['botPhase']) ?? null,
    handoffNote: text(c.handoff_note),
    snoozedUntil: date(c.snoozed_until),
    solvedAt: date(c.solved_at),
    closedAt: date(c.closed_at),
    lastSeq: Number(c.last_seq),
    version: Number(c.version),
    feedXid: String(c.feed_xid ?? ''),
    lastMessagePreview: text(c.last_message_preview),
    tagIds: Array.isArray(c.tag_ids) ? c.tag_ids.map(String) : [],
    integrationSource: text(c.integration_source),
    firstReplyAt: date(c.first_reply_at),
    waitingSince: date(c.waiting_since),
    lastActivityAt: date(c.last_activity_at) ?? new Date(0),
    createdAt: date(c.created_at) ?? new Date(0),
  };
}
