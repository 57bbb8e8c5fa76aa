import {
  type Notification,
  notificationPayloadSchema,
  notificationTypeSchema,
  type Review,
  reviewStatusSchema,
} from '@parley/shared';

/** ISO text with milliseconds, the same from PGlite and node-postgres. */
export const ISO = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The columns every notification read selects (`n` notifications, `c` its conversation, `ct` the
 * contact, `a` the actor), so the presenter below has one input shape.
 */
export const NOTIFICATION_COLUMNS = `n.id, n.account_id, n.user_id, n.type, n.conversation_id, n.message_seq,
  n.actor_id, n.payload, ${ISO('n.read_at')} as read_at, ${ISO('n.created_at')} as created_at,
  to_char(n.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
  c.number as conversation_number, ct.name as contact_name, a.name as actor_name`;

export const NOTIFICATION_JOINS = `left join conversations c on c.id = n.conversation_id
  left join contacts ct on ct.id = c.contact_id
  left join users a on a.id = n.actor_id`;

export type NotificationSqlRow = {
  id: string;
  account_id: string;
  user_id: string;
  type: string;
  conversation_id: string | null;
  message_seq: number | null;
  actor_id: string | null;
  payload: unknown;
  read_at: string | null;
  created_at: string;
  cursor_at: string;
  conversation_number: number | null;
  contact_name: string | null;
  actor_name: string | null;
};

/** The only shape a notification leaves the server in, over HTTP and WebSocket alike. */
export function presentNotification(row: NotificationSqlRow): Notification {
  const payload = notificationPayloadSchema.safeParse(
    typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  );
  return {
    id: row.id,
    accountId: row.account_id,
    type: notificationTypeSchema.parse(row.type),
    conversationId: row.conversation_id,
    conversationNumber: row.conversation_number === null ? null : Number(row.conversation_number),
    contactName: row.contact_name,
    messageSeq: row.message_seq === null ? null : Number(row.message_seq),
    actor: row.actor_id && row.actor_name !== null ? { id: row.actor_id, name: row.actor_name } : null,
    payload: payload.success ? payload.data : {},
    readAt: row.read_at,
    createdAt: row.created_at,
  };
}

export const REVIEW_COLUMNS = `r.id, r.conversation_id, r.note_seq, r.requester_id, rq.name as requester_name,
  r.reviewer_id, rv.name as reviewer_name, r.draft, r.status, r.comment, r.reply_seq,
  ${ISO('r.decided_at')} as decided_at, ${ISO('r.created_at')} as created_at`;

export const REVIEW_JOINS = `join users rq on rq.id = r.requester_id join users rv on rv.id = r.reviewer_id`;

export type ReviewSqlRow = {
  id: string;
  conversation_id: string;
  note_seq: number;
  requester_id: string;
  requester_name: string;
  reviewer_id: string;
  reviewer_name: string;
  draft: string;
  status: string;
  comment: string | null;
  reply_seq: number | null;
  decided_at: string | null;
  created_at: string;
};

export function presentReview(row: ReviewSqlRow): Review {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    noteSeq: Number(row.note_seq),
    requester: { id: row.requester_id, name: row.requester_name },
    reviewer: { id: row.reviewer_id, name: row.reviewer_name },
    draft: row.draft,
    status: reviewStatusSchema.parse(row.status),
    comment: row.comment,
    replySeq: row.reply_seq === null ? null : Number(row.reply_seq),
    decidedAt: row.decided_at,
    createdAt: row.created_at,
  };
}
