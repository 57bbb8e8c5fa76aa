import {
  defaultNotificationPreferences,
  type Notification,
  type NotificationPayload,
  type NotificationType,
  notificationPreferencesSchema,
} from '@parley/shared';
import type { AccountActor } from '../../auth/principal.ts';
import type { RawExecutor } from '../../db/connect.ts';
import { newId } from '../../lib/ids.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import {
  NOTIFICATION_COLUMNS,
  NOTIFICATION_JOINS,
  type NotificationSqlRow,
  presentNotification,
} from './presenter.ts';

/**
 * SQL: member `user` may see conversation `conv` (an alias) — the rule of conversationScope for any
 * member rather than the one asking: admins and supervisors see the account, agents their inboxes and
 * whatever is assigned to them.
 */
export const MEMBER_SEES = (user: string, conv: string) => `exists (
  select 1 from account_members vm
  where vm.account_id = ${conv}.account_id and vm.user_id = ${user}
    and (vm.role <> 'agent' or ${conv}.assignee_id = vm.user_id
         or ${conv}.inbox_id in (select im.inbox_id from inbox_members im where im.user_id = vm.user_id)))`;

/** A PostgreSQL array literal of uuids or booleans (values we produced or validated, never free text). */
export const arrayLiteral = (values: Array<string | boolean>) =>
  `{${values.map((v) => (typeof v === 'boolean' ? (v ? 't' : 'f') : v)).join(',')}}`;

export const EMAIL_JOB = 'notifications.email';

export interface NotifyInput {
  type: NotificationType;
  accountId: string;
  conversationId: string | null;
  messageSeq?: number | null;
  /** The person who caused it; nobody is told of their own doing. Null for Parley or a customer. */
  actorId: string | null;
  payload?: NotificationPayload;
  /** Given people, or every member of an inbox (new conversations). */
  to: { userIds: string[] } | { inboxId: string };
}

type Recipient = { id: string; choice: unknown };

/**
 * Creates notifications inside the caller's transaction (any of the three kinds: commands, the message
 * writer's batch, jobs, hence positional SQL) and queues them for live delivery after the commit.
 * Only members of the account are told, only if they may see the conversation, and only through the
 * channels their preferences switch on: with every channel off no row is written, with in-app off the
 * row is born read (it still drives the browser, sound and e-mail channels).
 */
export async function notify(
  exec: RawExecutor,
  pending: PendingPublish,
  input: NotifyInput,
): Promise<Notification[]> {
  if ('userIds' in input.to && input.to.userIds.length === 0) return [];
  const defaults = defaultNotificationPreferences[input.type];
  // Types that are off by default (new conversations) are read only for those who switched them on,
  // so a big team does not cost a row, or even a read, per member and conversation.
  const optedIn = Object.values(defaults).some(Boolean)
    ? ''
    : `and jsonb_path_exists(coalesce(u.preferences->'notifications'->$3::text, '{}'::jsonb), '$.* ? (@ == true)')`;
  const audience =
    'userIds' in input.to
      ? 'u.id = any($4::uuid[])'
      : 'u.id in (select im.user_id from inbox_members im where im.inbox_id = $4::uuid)';
  const recipients = await exec.query<Recipient>(
    `select u.id, u.preferences->'notifications'->$3::text as choice
     from users u join account_members m on m.user_id = u.id and m.account_id = $1::uuid
     where ${audience} and u.id is distinct from $2::uuid ${optedIn}
       and ($5::uuid is null or exists (
         select 1 from conversations c where c.id = $5::uuid and ${MEMBER_SEES('u.id', 'c')}))`,
    [
      input.accountId,
      input.actorId,
      input.type,
      'userIds' in input.to ? arrayLiteral([...new Set(input.to.userIds)]) : input.to.inboxId,
      input.conversationId,
    ],
  );
  const wanted = recipients.flatMap((r) => {
    const choice = notificationPreferencesSchema.parse({ [input.type]: r.choice ?? undefined })[input.type];
    return choice.inApp || choice.browser || choice.sound || choice.email
      ? [{ id: newId(), userId: r.id, inApp: choice.inApp, email: choice.email }]
      : [];
  });
  if (wanted.length === 0) return [];
  await exec.query(
    `insert into notifications (id, account_id, user_id, type, conversation_id, message_seq, actor_id, payload, read_at)
     select r.id, $1::uuid, r.user_id, $2::text, $3::uuid, $4::integer, $5::uuid, $6::jsonb,
            case when r.in_app then null else now() end
     from unnest($7::uuid[], $8::uuid[], $9::boolean[]) as r(id, user_id, in_app)`,
    [
      input.accountId,
      input.type,
      input.conversationId,
      input.messageSeq ?? null,
      input.actorId,
      JSON.stringify(input.payload ?? {}),
      arrayLiteral(wanted.map((w) => w.id)),
      arrayLiteral(wanted.map((w) => w.userId)),
      arrayLiteral(wanted.map((w) => w.inApp)),
    ],
  );
  const mailed = wanted.filter((w) => w.email).map((w) => w.id);
  if (mailed.length > 0) {
    // A durable job per mail, written with the notification: sent once the change has committed.
    await exec.query(
      `insert into jobs (kind, key, run_at, payload)
       select $1::text, $1::text || ':' || id, clock_timestamp(), jsonb_build_object('notificationId', id)
       from unnest($2::uuid[]) as id
       on conflict (key) do nothing`,
      [EMAIL_JOB, arrayLiteral(mailed)],
    );
  }
  const rows = await exec.query<NotificationSqlRow>(
    `select ${NOTIFICATION_COLUMNS} from notifications n ${NOTIFICATION_JOINS}
     where n.id = any($1::uuid[]) order by n.id`,
    [arrayLiteral(wanted.map((w) => w.id))],
  );
  const created = rows.map(presentNotification);
  for (const [index, notification] of created.entries()) {
    const row = rows[index] as NotificationSqlRow;
    pending.add({ t: 'notification', userId: row.user_id, notification });
  }
  return created;
}

const excerpt = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

export { excerpt as notificationExcerpt };

/** Assigned (by routing or a colleague) or transferred to someone: they are told, unless they did it. */
export function notifyAssigned(
  exec: RawExecutor,
  pending: PendingPublish,
  input: {
    accountId: string;
    conversationId: string;
    assigneeId: string;
    transfer: boolean;
    actor: AccountActor | null;
    note?: string | null;
  },
): Promise<Notification[]> {
  return notify(exec, pending, {
    type: input.transfer ? 'transfer' : 'assignment',
    accountId: input.accountId,
    conversationId: input.conversationId,
    actorId: input.actor?.kind === 'agent' ? input.actor.userId : null,
    payload: input.note ? { excerpt: excerpt(input.note) } : {},
    to: { userIds: [input.assigneeId] },
  });
}

/** A customer started a conversation: the members of its inbox who asked to hear of new ones. */
export async function notifyNewConversation(
  exec: RawExecutor,
  pending: PendingPublish,
  conversation: { id: string; accountId: string; inboxId: string },
): Promise<Notification[]> {
  const [inbox] = await exec.query<{ name: string }>('select name from inboxes where id = $1::uuid', [
    conversation.inboxId,
  ]);
  return notify(exec, pending, {
    type: 'new_conversation',
    accountId: conversation.accountId,
    conversationId: conversation.id,
    actorId: null,
    payload: inbox ? { inboxName: inbox.name } : {},
    to: { inboxId: conversation.inboxId },
  });
}
