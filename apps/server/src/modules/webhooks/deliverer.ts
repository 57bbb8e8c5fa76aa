import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { type Allowlist, parseAllowlist, postJson } from '../../http/outbound.ts';
import { escapeHtml } from '../../mail/html.ts';
import { type DeliveryRef, EventGone, renderDelivery } from './render.ts';
import { ATTEMPT_TIMEOUT_MS, CLAIM_LEASE_MS, DISABLE_AFTER_MS, nextAttemptDelay } from './schedule.ts';
import { signatureHeader } from './signing.ts';

type Claimed = {
  id: string;
  endpoint_id: string;
  account_id: string;
  event_type: string;
  payload: DeliveryRef & { body?: string };
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
};

interface Outcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

const EXCERPT_CHARS = 500;
const DISABLED_REASON = 'Every delivery failed for 5 days';

/**
 * Sends due webhook deliveries from the durable queue (webhook_deliveries) on every node. Claiming bumps
 * `next_attempt_at` by a lease under the row lock, so two nodes never send the same attempt at once and
 * a dead node's claims come back after the lease. Deliveries run concurrently, with at most
 * `perEndpoint` in flight per endpoint: a slow or failing endpoint only ever holds its own slots.
 */
export class WebhookDeliverer {
  private readonly ctx: AppContext;
  private readonly allowlist: Allowlist;
  private readonly concurrency: number;
  private readonly perEndpoint: number;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(ctx: AppContext, options: { concurrency?: number; perEndpoint?: number } = {}) {
    this.ctx = ctx;
    this.allowlist = parseAllowlist(ctx.env.WEBHOOK_ALLOWLIST);
    this.concurrency = options.concurrency ?? 16;
    this.perEndpoint = options.perEndpoint ?? 2;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.claimAndSend(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Claims what is due and waits until those attempts are done (tests drive the clock and call this). */
  async runDue(): Promise<number> {
    const started = await this.claimAndSend();
    await Promise.allSettled([...this.running]);
    return started;
  }

  private async claimAndSend(): Promise<number> {
    if (this.stopped) return 0;
    const free = this.concurrency - this.running.size;
    if (free <= 0) return 0;
    const busy = [...this.inFlight.entries()].filter(([, n]) => n >= this.perEndpoint).map(([id]) => id);
    let claimed: Claimed[];
    try {
      claimed = await this.claim(free, busy);
    } catch (err) {
      this.ctx.log.warn({ err }, 'could not claim webhook deliveries');
      return 0;
    }
    for (const delivery of claimed) {
      this.inFlight.set(delivery.endpoint_id, (this.inFlight.get(delivery.endpoint_id) ?? 0) + 1);
      const run = this.attempt(delivery)
        .catch((err: unknown) =>
          this.ctx.log.warn({ err, deliveryId: delivery.id }, 'webhook attempt failed'),
        )
        .finally(() => {
          this.running.delete(run);
          const left = (this.inFlight.get(delivery.endpoint_id) ?? 1) - 1;
          if (left <= 0) this.inFlight.delete(delivery.endpoint_id);
          else this.inFlight.set(delivery.endpoint_id, left);
        });
      this.running.add(run);
    }
    return claimed.length;
  }

  private async claim(limit: number, busyEndpoints: string[]): Promise<Claimed[]> {
    const now = this.ctx.now().toISOString();
    return this.ctx.database.rows<Claimed>(
      sql`with due as (
            select d.id, d.endpoint_id,
                   row_number() over (partition by d.endpoint_id order by d.next_attempt_at, d.id) as place
            from webhook_deliveries d
            join webhook_endpoints w on w.id = d.endpoint_id and w.enabled
            where d.status = 'pending' and d.next_attempt_at <= ${now}::timestamptz
              and not (d.endpoint_id = any(${`{${busyEndpoints.join(',')}}`}::uuid[]))
            order by d.next_attempt_at
            limit 500
          ),
          picked as (
            select id from due where place <= ${this.perEndpoint} order by id limit ${limit}
          ),
          claimed as (
            update webhook_deliveries d
            set next_attempt_at = ${now}::timestamptz + make_interval(secs => ${CLAIM_LEASE_MS / 1000}),
                attempts = d.attempts + 1
            from picked
            where d.id = picked.id and d.status = 'pending' and d.next_attempt_at <= ${now}::timestamptz
            returning d.*
          )
          select claimed.id, claimed.endpoint_id, claimed.account_id, claimed.event_type, claimed.payload,
                 claimed.attempts, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at
          from claimed join webhook_endpoints w on w.id = claimed.endpoint_id`,
    );
  }

  private async attempt(delivery: Claimed): Promise<void> {
    let body = delivery.payload.body;
    if (body === undefined) {
      try {
        body = await renderDelivery(this.ctx.database.db, delivery.event_type, delivery.payload);
      } catch (error) {
        if (!(error instanceof EventGone)) throw error;
        await this.finish(
          delivery,
          { ok: false, statusCode: null, latencyMs: 0, excerpt: null, error: error.message },
          true,
        );
        return;
      }
      await this.ctx.database.rows(
        sql`update webhook_deliveries set payload = payload || jsonb_build_object('body', ${body}::text)
            where id = ${delivery.id} returning 1`,
      );
    }
    const outcome = await this.send(delivery, body);
    await this.finish(delivery, outcome, false);
  }

  private async send(delivery: Claimed, body: string): Promise<Outcome> {
    const now = this.ctx.now();
    const secrets = [delivery.secret];
    if (
      delivery.previous_secret &&
      delivery.previous_secret_expires_at &&
      new Date(delivery.previous_secret_expires_at).getTime() > now.getTime()
    ) {
      secrets.push(delivery.previous_secret);
    }
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    try {
      const answer = await postJson(
        delivery.url,
        body,
        {
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, delivery.id, timestamp, body),
        },
        {
          allowlist: this.allowlist,
          timeoutMs: ATTEMPT_TIMEOUT_MS,
          userAgent: 'Parley-Webhooks/1',
          maxRedirects: 3,
        },
      );
      return {
        ok: answer.status >= 200 && answer.status < 300,
        statusCode: answer.status,
        latencyMs: Math.round(performance.now() - started),
        excerpt: answer.body.slice(0, EXCERPT_CHARS),
        error: answer.status >= 300 && answer.status < 400 ? 'redirect not followed' : null,
      };
    } catch (error) {
      return {
        ok: false,
        statusCode: null,
        latencyMs: Math.round(performance.now() - started),
        excerpt: null,
        error: error instanceof Error ? error.message.slice(0, EXCERPT_CHARS) : 'request failed',
      };
    }
  }

  /** Records the attempt and moves the delivery and its endpoint on. */
  private async finish(delivery: Claimed, outcome: Outcome, giveUp: boolean): Promise<void> {
    const now = this.ctx.now();
    const delay = outcome.ok || giveUp ? null : nextAttemptDelay(delivery.attempts);
    const status = outcome.ok ? 'succeeded' : delay === null ? 'failed' : 'pending';
    const nextAt = delay === null ? null : new Date(now.getTime() + delay).toISOString();
    // Failing for longer than DISABLE_AFTER_MS, and failing again now.
    const expired = sql`(not ${outcome.ok} and w.failing_since is not null
      and w.failing_since < ${new Date(now.getTime() - DISABLE_AFTER_MS).toISOString()}::timestamptz)`;
    const [endpoint] = await this.ctx.database.db.transaction(async (tx) => {
      await this.ctx.database.rows(
        sql`insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error)
            values (${delivery.id}, ${now.toISOString()}::timestamptz, ${outcome.statusCode}, ${outcome.latencyMs},
                    ${outcome.excerpt}, ${outcome.error})
            returning 1`,
        tx,
      );
      await this.ctx.database.rows(
        sql`update webhook_deliveries set status = ${status}, next_attempt_at = ${nextAt}::timestamptz,
                   completed_at = ${status === 'pending' ? null : now.toISOString()}::timestamptz
            where id = ${delivery.id} returning 1`,
        tx,
      );
      // Failing since the first failure after a success; a success clears it.
      return this.ctx.database.rows<{ disabled: boolean; account_id: string; url: string }>(
        sql`update webhook_endpoints w set
              failing_since = case when ${outcome.ok} then null
                                   else coalesce(w.failing_since, ${now.toISOString()}::timestamptz) end,
              enabled = case when ${expired} then false else w.enabled end,
              disabled_reason = case when ${expired} then ${DISABLED_REASON} else w.disabled_reason end
            from (select enabled as was_enabled from webhook_endpoints
                  where id = ${delivery.endpoint_id} for update) as before
            where w.id = ${delivery.endpoint_id}
            returning (before.was_enabled and not w.enabled) as disabled, w.account_id, w.url`,
        tx,
      );
    });
    if (endpoint?.disabled) await this.tellAdmins(endpoint.account_id, endpoint.url);
  }

  /** An endpoint was disabled: its account's admins hear of it by e-mail (when the server sends mail). */
  private async tellAdmins(accountId: string, url: string): Promise<void> {
    this.ctx.log.warn({ accountId, url }, 'webhook endpoint disabled after failing for days');
    await this.ctx.database.rows(
      sql`insert into events (account_id, type, actor_kind, payload, published_at)
          values (${accountId}, 'webhook.disabled', 'system', ${JSON.stringify({ url })}::jsonb, now()) returning id`,
    );
    if (!this.ctx.mailer.configured) return;
    const admins = await this.ctx.database.rows<{ email: string }>(
      sql`select u.email from account_members m join users u on u.id = m.user_id
          where m.account_id = ${accountId} and m.role = 'admin'`,
    );
    const link = `${this.ctx.env.PUBLIC_URL}/settings/webhooks`;
    for (const admin of admins) {
      await this.ctx.mailer
        .send({
          to: admin.email,
          subject: 'A webhook endpoint was disabled',
          text: `Every delivery to ${url} failed for 5 days, so Parley stopped sending to it.\n\nFix the endpoint, then enable it again and redeliver what it missed: ${link}`,
          html: `<p>Every delivery to <b>${escapeHtml(url)}</b> failed for 5 days, so Parley stopped sending to it.</p><p>Fix the endpoint, then enable it again and redeliver what it missed: <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
        })
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'could not mail the webhook notice'));
    }
  }
}
