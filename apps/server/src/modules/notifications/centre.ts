import {
  type Notification,
  type NotificationListQuery,
  type NotificationPreferences,
  notificationPreferencesSchema,
  type UpdateNotificationPreferencesBody,
} from '@parley/shared';
import { type AppContext, transact } from '../../context.ts';
import { type RawExecutor, rawExecutorOf } from '../../db/connect.ts';
import { AppError, notFound } from '../../errors.ts';
import { MEMBER_SEES } from './notify.ts';
import {
  NOTIFICATION_COLUMNS,
  NOTIFICATION_JOINS,
  type NotificationSqlRow,
  presentNotification,
} from './presenter.ts';

/*
 * The notification centre: one user's notifications in one account. Notifications of conversations the
 * user may no longer see (moved out of their inboxes, unassigned) are left out of lists and counts.
 */

const STILL_VISIBLE = `(n.conversation_id is null or ${MEMBER_SEES('n.user_id', 'c')})`;

interface Cursor {
  t: string;
  id: string;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor> | null;
    if (
      typeof parsed?.t === 'string' &&
      typeof parsed.id === 'string' &&
      CURSOR_TIME.test(parsed.t) &&
      UUID.test(parsed.id)
    )
      return { t: parsed.t, id: parsed.id };
  } catch {
    // fall through
  }
  throw new AppError('cursor_invalid', 400, 'The cursor is not one this API issued');
}

export async function unreadCount(exec: RawExecutor, userId: string, accountId: string): Promise<number> {
  const [row] = await exec.query<{ count: number }>(
    `select count(*)::int as count from notifications n left join conversations c on c.id = n.conversation_id
     where n.user_id = $1::uuid and n.account_id = $2::uuid and n.read_at is null and ${STILL_VISIBLE}`,
    [userId, accountId],
  );
  return Number(row?.count ?? 0);
}

/** Newest first, paged by a cursor; `unread` keeps only those not read yet. */
export async function listNotifications(
  ctx: AppContext,
  userId: string,
  accountId: string,
  query: NotificationListQuery,
): Promise<{ notifications: Notification[]; nextCursor: string | null; unreadCount: number }> {
  const exec = rawExecutorOf(ctx.database.db);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await exec.query<NotificationSqlRow>(
    `select ${NOTIFICATION_COLUMNS} from notifications n ${NOTIFICATION_JOINS}
     where n.user_id = $1::uuid and n.account_id = $2::uuid and ${STILL_VISIBLE}
       and (not $3::boolean or n.read_at is null)
       and ($4::timestamptz is null or (n.created_at, n.id) < ($4::timestamptz, $5::uuid))
     order by n.created_at desc, n.id desc
     limit $6::integer`,
    [userId, accountId, query.unread === 'true', cursor?.t ?? null, cursor?.id ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    notifications: page.map(presentNotification),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ t: last.cursor_at, id: last.id }) : null,
    unreadCount: await unreadCount(exec, userId, accountId),
  };
}

/** Marks one notification read (again: no change); other users' notifications are not found. */
export async function markNotificationRead(
  ctx: AppContext,
  userId: string,
  accountId: string,
  notificationId: string,
): Promise<Notification> {
  return transact(ctx, async (tx, pending) => {
    const exec = rawExecutorOf(tx);
    const changed = await exec.query<{ id: string }>(
      `update notifications set read_at = now()
       where id = $1::uuid and user_id = $2::uuid and account_id = $3::uuid and read_at is null returning id`,
      [notificationId, userId, accountId],
    );
    const [row] = await exec.query<NotificationSqlRow>(
      `select ${NOTIFICATION_COLUMNS} from notifications n ${NOTIFICATION_JOINS}
       where n.id = $1::uuid and n.user_id = $2::uuid and n.account_id = $3::uuid`,
      [notificationId, userId, accountId],
    );
    if (!row) throw notFound('notification_not_found', 'Notification');
    if (changed.length > 0)
      pending.add({ t: 'notifications_read', userId, accountId, notificationIds: [notificationId] });
    return presentNotification(row);
  });
}

export async function markAllNotificationsRead(
  ctx: AppContext,
  userId: string,
  accountId: string,
): Promise<{ marked: number }> {
  return transact(ctx, async (tx, pending) => {
    const changed = await rawExecutorOf(tx).query<{ id: string }>(
      `update notifications set read_at = now()
       where user_id = $1::uuid and account_id = $2::uuid and read_at is null returning id`,
      [userId, accountId],
    );
    if (changed.length > 0)
      pending.add({ t: 'notifications_read', userId, accountId, notificationIds: null });
    return { marked: changed.length };
  });
}

// ---- preferences -----------------------------------------------------------------------------

export async function readNotificationPreferences(
  ctx: AppContext,
  userId: string,
): Promise<NotificationPreferences> {
  const [row] = await rawExecutorOf(ctx.database.db).query<{ choice: unknown }>(
    `select preferences->'notifications' as choice from users where id = $1::uuid`,
    [userId],
  );
  return notificationPreferencesSchema.parse(row?.choice ?? {});
}

/** Changes some switches under the user's row lock, so two tabs changing different ones both win. */
export async function updateNotificationPreferences(
  ctx: AppContext,
  userId: string,
  change: UpdateNotificationPreferencesBody,
): Promise<NotificationPreferences> {
  return ctx.database.db.transaction(async (tx) => {
    const exec = rawExecutorOf(tx);
    const [row] = await exec.query<{ choice: unknown }>(
      `select preferences->'notifications' as choice from users where id = $1::uuid for update`,
      [userId],
    );
    const current = notificationPreferencesSchema.parse(row?.choice ?? {});
    const next: NotificationPreferences = { ...current };
    for (const type of Object.keys(current) as Array<keyof NotificationPreferences>) {
      const patch = change[type];
      if (patch)
        next[type] = {
          ...current[type],
          ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
        };
    }
    await exec.query(
      `update users set preferences = jsonb_set(preferences, '{notifications}', $2::jsonb) where id = $1::uuid`,
      [userId, JSON.stringify(next)],
    );
    return next;
  });
}
