import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Optional HTML alternative; callers build it only from escaped text (see mail/html.ts). */
  html?: string;
  /** Extra headers, e.g. a stable Message-ID or List-Unsubscribe. */
  headers?: Record<string, string>;
}

/**
 * Outgoing e-mail. `configured` is false when the operator gave no SMTP_URL: features that send mail
 * then skip it and say so instead of failing.
 */
export interface Mailer {
  readonly configured: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export class SmtpMailer implements Mailer {
  readonly configured = true;
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: { url: string; from: string; log: Logger }) {
    // Pooled: follow-ups and notifications come in bursts; one connection per mail would be slow.
    this.#transport = nodemailer.createTransport(
      `${options.url}${options.url.includes('?') ? '&' : '?'}pool=true`,
    );
    this.#from = options.from;
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      ...(message.headers ? { headers: message.headers } : {}),
    });
  }

  close(): void {
    this.#transport.close();
  }
}

export const noMailer: Mailer = {
  configured: false,
  async send() {
    throw new Error('No SMTP_URL is configured');
  },
  close() {},
};

export function createMailer(
  env: { SMTP_URL?: string | undefined; MAIL_FROM?: string | undefined; PUBLIC_URL: string },
  log: Logger,
): Mailer {
  if (!env.SMTP_URL) return noMailer;
  const from = env.MAIL_FROM ?? `Parley <no-reply@${new URL(env.PUBLIC_URL).hostname}>`;
  return new SmtpMailer({ url: env.SMTP_URL, from, log });
}
