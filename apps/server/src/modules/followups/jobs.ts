import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Job } from '../../jobs/runner.ts';
import { escapeHtml, paragraphs } from '../../mail/html.ts';

export const FOLLOWUP_JOB = 'email.followup';

/** At most this many unread replies go into one e-mail; older ones are mentioned by count. */
const MAX_MESSAGES = 20;

type Unread = {
  id: string;
  seq: number;
  kind: string;
  body: string;
  sender_name: string | null;
  attributes: Record<string, unknown>;
};
type Context = {
  account_id: string;
  number: number;
  inbox_name: string;
  settings: Record<string, unknown>;
  contact_id: string;
  contact_name: string | null;
  contact_email: string | null;
  visitor_url: string | null;
  last_read_seq: number;
};

/**
 * The follow-up of a conversation's unread replies (scheduled by the message statement at the first
 * agent reply after the last follow-up). At run time it takes every public agent reply the customer has
 * not read and that was never followed up, and mails them together, once: the reservation rows in
 * message_followups are committed before the mail goes out, and removed again if sending fails so a
 * retry can send them — a mail is never sent twice for the same reply.
 */
export async function runFollowup(ctx: AppContext, job: Job): Promise<void> {
  const conversationId = typeof job.payload.conversationId === 'string' ? job.payload.conversationId : null;
  if (!conversationId || !ctx.mailer.configured) return;
  const database = ctx.database;
  const reserved = await database.db.transaction(async (tx) => {
    const [context] = await database.rows<Context>(
      sql`select c.account_id, c.number, i.name as inbox_name, i.settings, ct.id as contact_id,
                 ct.name as contact_name, ct.email as contact_email,
                 ct.attributes->'visitor'->>'url' as visitor_url,
                 coalesce(p.last_read_seq, 0) as last_read_seq
          from conversations c
          join inboxes i on i.id = c.inbox_id
          join contacts ct on ct.id = c.contact_id
          left join conversation_participants p on p.conversation_id = c.id
            and p.participant_kind = 'contact' and p.participant_id = c.contact_id
          where c.id = ${conversationId}
          for update of c`,
      tx,
    );
    if (!context) return null;
    const settings = (context.settings.emailFollowup ?? { enabled: true }) as { enabled?: boolean };
    const unread = await database.rows<Unread>(
      sql`select m.id, m.seq, m.kind, m.body, m.sender_name, m.attributes from messages m
          where m.conversation_id = ${conversationId} and m.sender_kind = 'agent' and not m.private
            and m.kind in ('text', 'attachment', 'article') and m.seq > ${context.last_read_seq}
            and not exists (select 1 from message_followups f where f.message_id = m.id)
          order by m.seq`,
      tx,
    );
    if (unread.length === 0) return null;
    const email = context.contact_email;
    const skip =
      settings.enabled === false ? 'the inbox has follow-ups off' : email ? null : 'no e-mail address';
    const status = skip ? 'skipped' : 'sent';
    await database.rows(
      sql`insert into message_followups (message_id, conversation_id, status, detail)
          select unnest(${`{${unread.map((m) => m.id).join(',')}}`}::uuid[]), ${conversationId}, ${status}, ${skip}
          on conflict (message_id) do nothing returning 1`,
      tx,
    );
    if (skip || !email) return null;
    // Journey only: nobody needs it live, so it is stored as published.
    await database.rows(
      sql`insert into events (account_id, conversation_id, contact_id, type, actor_kind, payload, published_at)
          values (${context.account_id}, ${conversationId}, ${context.contact_id}, 'message.emailed', 'system',
                  ${JSON.stringify({ seqs: unread.map((m) => m.seq), to: email })}::jsonb, now())
          returning id`,
      tx,
    );
    return { context, unread, email };
  });
  if (!reserved) return;
  const { context, unread, email } = reserved;
  try {
    await ctx.mailer.send(composeFollowup(context, unread, email));
  } catch (error) {
    await database.rows(
      sql`delete from message_followups where message_id = any(${`{${unread.map((m) => m.id).join(',')}}`}::uuid[])
          returning 1`,
    );
    throw error;
  }
}

function lineOf(message: Unread): string {
  if (message.kind === 'article') {
    const title = typeof message.attributes.title === 'string' ? message.attributes.title : message.body;
    const url = typeof message.attributes.url === 'string' ? ` (${message.attributes.url})` : '';
    return `${title}${url}`;
  }
  if (message.kind === 'attachment' && message.body.trim() === '') return '[file]';
  return message.body;
}

export function composeFollowup(context: Context, unread: Unread[], to: string) {
  const shown = unread.slice(-MAX_MESSAGES);
  const hidden = unread.length - shown.length;
  const greeting = context.contact_name ? `Hi ${context.contact_name},` : 'Hi there,';
  const intro = `You have ${unread.length === 1 ? 'a reply' : `${unread.length} replies`} from ${context.inbox_name} that you have not seen yet:`;
  const blocks = shown.map((m) => ({ from: m.sender_name ?? context.inbox_name, text: lineOf(m) }));
  const more = hidden > 0 ? `(and ${hidden} earlier ${hidden === 1 ? 'reply' : 'replies'})` : '';
  const where = context.visitor_url ? `Continue the conversation at ${context.visitor_url}` : '';
  const text = [greeting, '', intro, more, '', ...blocks.flatMap((b) => [`${b.from}:`, b.text, '']), where]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n')
    .trim();
  const html = [
    `<div style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#1f2937;max-width:560px">`,
    paragraphs(greeting),
    paragraphs(intro),
    more ? paragraphs(more) : '',
    ...blocks.map(
      (b) =>
        `<div style="border-left:3px solid #c7d2fe;padding:4px 12px;margin:0 0 12px"><div style="font-weight:600">${escapeHtml(b.from)}</div>${paragraphs(b.text)}</div>`,
    ),
    where ? paragraphs(where) : '',
    '</div>',
  ].join('');
  return {
    to,
    subject: `New reply from ${context.inbox_name} (conversation #${context.number})`,
    text,
    html,
  };
}

export function registerFollowupJobs(ctx: AppContext): void {
  ctx.jobs.register(FOLLOWUP_JOB, (job) => runFollowup(ctx, job));
}
