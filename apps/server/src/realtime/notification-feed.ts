import type { Notification, ServerFrame } from '@parley/shared';
import type { Logger } from 'pino';
import { type Database, rawExecutorOf } from '../db/connect.ts';
import {
  NOTIFICATION_COLUMNS,
  NOTIFICATION_JOINS,
  type NotificationSqlRow,
  presentNotification,
} from '../modules/notifications/presenter.ts';

/** Notifications this recent are compared with what each socket was sent (see reconcile). */
const WINDOW_SECONDS = 120;

/**
 * The `notifications` topic: each agent follows their own notifications. The bus brings them at once;
 * because a bus message can be lost (a node died after its commit, Redis was away), the gateway's
 * periodic reconcile also reads the last two minutes of its followers' notifications from the database
 * and sends whatever a socket has not had. Each socket remembers the ids it was sent in that window,
 * so nothing arrives twice. Older gaps are the dashboard's to close: it reloads the list over REST
 * after every (re)subscription.
 */
export class NotificationFeeds<C> {
  /** userId → that user's subscribed sockets → ids sent recently, with when they were sent. */
  private readonly byUser = new Map<string, Map<C, Map<string, number>>>();
  private readonly database: Database;
  private readonly send: (client: C, frame: ServerFrame) => void;
  private readonly log: Logger;

  constructor(deps: { database: Database; send: (client: C, frame: ServerFrame) => void; log: Logger }) {
    this.database = deps.database;
    this.send = deps.send;
    this.log = deps.log;
  }

  /** Follows; what exists already counts as sent (the client loads it over REST after subscribing). */
  async add(client: C, userId: string): Promise<void> {
    const sent = new Map<string, number>();
    let clients = this.byUser.get(userId);
    if (!clients) {
      clients = new Map();
      this.byUser.set(userId, clients);
    }
    clients.set(client, sent);
    const now = Date.now();
    for (const row of await this.recent([userId])) if (!sent.has(row.id)) sent.set(row.id, now);
  }

  remove(client: C, userId: string): void {
    const clients = this.byUser.get(userId);
    if (!clients?.delete(client)) return;
    if (clients.size === 0) this.byUser.delete(userId);
  }

  onNotification(userId: string, notification: Notification): void {
    for (const [client, sent] of this.byUser.get(userId) ?? []) this.deliver(client, sent, notification);
  }

  onRead(userId: string, accountId: string, notificationIds: string[] | null): void {
    for (const client of this.byUser.get(userId)?.keys() ?? []) {
      this.send(client, { type: 'notifications_read', accountId, notificationIds });
    }
  }

  /** Sends what the bus did not bring; forgets ids older than the window. */
  async reconcile(): Promise<void> {
    if (this.byUser.size === 0) return;
    const now = Date.now();
    for (const clients of this.byUser.values()) {
      for (const sent of clients.values()) {
        for (const [id, at] of sent) if (now - at > 2 * WINDOW_SECONDS * 1000) sent.delete(id);
      }
    }
    const users = [...this.byUser.keys()];
    for (let i = 0; i < users.length; i += 1000) {
      for (const row of await this.recent(users.slice(i, i + 1000))) {
        for (const [client, sent] of this.byUser.get(row.user_id) ?? []) {
          if (sent.has(row.id)) continue;
          this.log.debug({ notificationId: row.id }, 'notification delivered by reconcile');
          this.deliver(client, sent, presentNotification(row));
        }
      }
    }
  }

  private deliver(client: C, sent: Map<string, number>, notification: Notification): void {
    if (sent.has(notification.id)) return;
    sent.set(notification.id, Date.now());
    this.send(client, { type: 'notification', notification });
  }

  private recent(userIds: string[]): Promise<NotificationSqlRow[]> {
    return rawExecutorOf(this.database.db).query<NotificationSqlRow>(
      `select ${NOTIFICATION_COLUMNS} from notifications n ${NOTIFICATION_JOINS}
       where n.user_id = any($1::uuid[])
         and n.created_at > now() - make_interval(secs => $2::integer)
       order by n.created_at, n.id`,
      [`{${userIds.join(',')}}`, WINDOW_SECONDS],
    );
  }
}
