import type { Notification } from '@parley/shared';
import type { AppContext } from '../../context.ts';
import { rawExecutorOf } from '../../db/connect.ts';
import type { Job } from '../../jobs/runner.ts';
import { escapeHtml, paragraphs } from '../../mail/html.ts';
import { EMAIL_JOB } from './notify.ts';
import {
  NOTIFICATION_COLUMNS,
  NOTIFICATION_JOINS,
  type NotificationSqlRow,
  presentNotification,
} from './presenter.ts';

/** The subject line: who did what, in which conversation. Plain text (mail clients show it as such). */
export function emailSubject(n: Notification): string {
  const who = n.actor?.name ?? 'Parley';
  const where = n.conversationNumber === null ? '' : ` #${n.conversationNumber}`;
  switch (n.type) {
    case 'mention':
      return `${who} mentioned you in conversation${where}`;
    case 'assignment':
      return `Conversation${where} was assigned to you`;
    case 'transfer':
      return `${who} transferred conversation${where} to you`;
    case 'new_conversation':
      return `New conversation${where}${n.payload.inboxName ? ` in ${n.payload.inboxName}` : ''}`;
    case 'review_request':
      return `${who} asks you to review a reply in conversation${where}`;
    case 'review_result':
      return n.payload.decision === 'approved'
        ? `${who} approved and sent your reply in conversation${where}`
        : `${who} commented on your draft in conversation${where}`;
  }
}

/**
 * Mails one notification (the job is written with it, so it runs only if the notification committed).
 * Without SMTP configured nothing is sent. Runs at least once: a crash after sending but before the job
 * is done sends it again, which we accept for a notification.
 */
export async function sendNotificationEmail(ctx: AppContext, job: Job): Promise<void> {
  const id = typeof job.payload.notificationId === 'string' ? job.payload.notificationId : null;
  if (!id || !ctx.mailer.configured) return;
  const [row] = await rawExecutorOf(ctx.database.db).query<NotificationSqlRow & { email: string }>(
    `select ${NOTIFICATION_COLUMNS}, u.email from notifications n ${NOTIFICATION_JOINS}
     join users u on u.id = n.user_id where n.id = $1::uuid`,
    [id],
  );
  if (!row) return;
  const notification = presentNotification(row);
  const subject = emailSubject(notification);
  const link = notification.conversationId
    ? `${ctx.env.PUBLIC_URL.replace(/\/$/, '')}/inbox/all/${notification.conversationId}${
        notification.messageSeq === null ? '' : `?seq=${notification.messageSeq}`
      }`
    : null;
  const excerpt = notification.payload.excerpt ?? '';
  const text = [subject, excerpt ? `\n${excerpt}` : '', link ? `\nOpen it: ${link}` : ''].join('\n');
  const html = [
    paragraphs(subject),
    excerpt ? `<blockquote style="margin:0 0 12px;color:#555">${paragraphs(excerpt)}</blockquote>` : '',
    link ? `<p><a href="${escapeHtml(link)}">Open the conversation</a></p>` : '',
  ].join('');
  await ctx.mailer.send({
    to: row.email,
    subject,
    text,
    html,
    headers: { 'X-Parley-Notification': notification.id },
  });
}

export function registerNotificationJobs(ctx: AppContext): void {
  ctx.jobs.register(EMAIL_JOB, (job) => sendNotificationEmail(ctx, job));
}
