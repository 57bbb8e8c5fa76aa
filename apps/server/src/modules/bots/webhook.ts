import { type BotSettings, type BotWebhookEvent, botWebhookAnswerSchema } from '@parley/shared';
import type { Logger } from 'pino';
import { type Allowlist, postJson } from '../../http/outbound.ts';
import { hmacHex } from '../../lib/crypto.ts';
import type { Bot, BotAction, BotEventBase, ConversationStartedEvent, CustomerMessageEvent } from './bot.ts';

/** The signature header: `sha256=` and the hex HMAC-SHA256 of the exact body with the inbox's bot secret. */
export const SIGNATURE_HEADER = 'x-parley-signature';
export const EVENT_ID_HEADER = 'x-parley-event-id';

export const signBody = (secret: string, body: string) => `sha256=${hmacHex(secret, body)}`;

/** A bot answer Parley cannot use: retrying would not change it, so it is logged and dropped. */
export class BotAnswerInvalid extends Error {}

/**
 * An external bot behind a URL. Each event is POSTed as JSON and signed; the bot answers with the
 * actions to take. A network error, a timeout or a non-2xx answer throws, so the job is retried later
 * with the same event id (bots can use it to answer a retry the same way).
 */
export class WebhookBot implements Bot {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly secret: string;
  private readonly allowlist: Allowlist;
  private readonly accountId: string;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(deps: {
    settings: BotSettings;
    secret: string;
    allowlist: Allowlist;
    accountId: string;
    log: Logger;
    now: () => Date;
  }) {
    if (!deps.settings.webhook) throw new BotAnswerInvalid('the webhook bot has no URL');
    this.url = deps.settings.webhook.url;
    this.timeoutMs = deps.settings.webhook.timeoutMs;
    this.secret = deps.secret;
    this.allowlist = deps.allowlist;
    this.accountId = deps.accountId;
    this.log = deps.log;
    this.now = deps.now;
  }

  onConversationStarted(event: ConversationStartedEvent): Promise<BotAction[]> {
    return this.post(this.envelope('conversation_started', event, null));
  }

  onCustomerMessage(event: CustomerMessageEvent): Promise<BotAction[]> {
    return this.post(this.envelope('customer_message', event, event.message));
  }

  private envelope(
    type: BotWebhookEvent['type'],
    event: BotEventBase,
    message: BotWebhookEvent['message'],
  ): BotWebhookEvent {
    const c = event.conversation;
    return {
      id: event.id,
      type,
      sentAt: this.now().toISOString(),
      attempt: event.attempt,
      accountId: this.accountId,
      inbox: event.inbox,
      conversation: { id: c.id, number: c.number, status: c.status, botPhase: c.botPhase },
      contact: event.contact,
      message,
    };
  }

  private async post(event: BotWebhookEvent): Promise<BotAction[]> {
    const body = JSON.stringify(event);
    const response = await postJson(
      this.url,
      body,
      { [SIGNATURE_HEADER]: signBody(this.secret, body), [EVENT_ID_HEADER]: event.id },
      { allowlist: this.allowlist, timeoutMs: this.timeoutMs },
    );
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`the bot webhook answered HTTP ${response.status}`);
    }
    if (response.status === 204 || response.body.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw new BotAnswerInvalid('the bot webhook did not answer JSON');
    }
    const parsed = botWebhookAnswerSchema.safeParse(json);
    if (!parsed.success) {
      this.log.warn({ issues: parsed.error.issues.slice(0, 5), eventId: event.id }, 'invalid bot answer');
      throw new BotAnswerInvalid('the bot webhook answered actions Parley does not understand');
    }
    return parsed.data.actions;
  }
}
