import { z } from 'zod';
import { idSchema } from './common.ts';

/**
 * Bots in front of an inbox (AiSensy style): a conversation is held by the bot (`bot`), the customer or
 * the bot asked for a person (`requested`, the bot still answers), or an agent intervened (`accepted`,
 * the bot is silent). Solving gives it back to the bot.
 */
export const botPhaseSchema = z.enum(['bot', 'requested', 'accepted']);
export type BotPhase = z.infer<typeof botPhaseSchema>;

/** The button id that always means "talk to a human", whatever the bot and its menu. */
export const HUMAN_BUTTON_ID = 'human';

export const botButtonIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - (max 40)');

export const botButtonSchema = z.strictObject({
  id: botButtonIdSchema,
  label: z.string().trim().min(1).max(80),
});
export type BotButton = z.infer<typeof botButtonSchema>;

const botText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !text.includes('\u0000'), 'NUL characters are not allowed');

/** One option of the built-in bot's menu: it answers with `reply`, or hands off to a person. */
export const botMenuOptionSchema = z.strictObject({
  id: botButtonIdSchema.refine((id) => id !== HUMAN_BUTTON_ID, `"${HUMAN_BUTTON_ID}" is reserved`),
  label: z.string().trim().min(1).max(80),
  action: z.enum(['reply', 'handoff']).default('reply'),
  reply: botText(2000).default(''),
});
export type BotMenuOption = z.infer<typeof botMenuOptionSchema>;

/** Answers matched on whole words, case-insensitively; the first entry that matches wins. */
export const botKeywordAnswerSchema = z.strictObject({
  keywords: z.array(z.string().trim().min(1).max(60)).min(1).max(20),
  reply: botText(2000).pipe(z.string().min(1)),
});
export type BotKeywordAnswer = z.infer<typeof botKeywordAnswerSchema>;

export const botWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  timeoutMs: z.number().int().min(500).max(15_000).default(5_000),
});

/**
 * The bot of an inbox (inside inbox settings, so no migration): `builtin` answers from this
 * configuration; `webhook` posts every event to `webhook.url` and applies the actions it answers with.
 */
export const botSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    kind: z.enum(['builtin', 'webhook']).default('builtin'),
    /** Shown as the sender of the bot's messages. */
    name: z.string().trim().min(1).max(60).default('Bot'),
    greeting: botText(2000).default(''),
    /** The widget starts conversations with a message, so both mean "at the start" there. */
    greetOn: z.enum(['first_message', 'conversation_started']).default('first_message'),
    menu: z
      .strictObject({
        text: botText(1000).default(''),
        options: z
          .array(botMenuOptionSchema)
          .max(10)
          .refine((o) => new Set(o.map((x) => x.id)).size === o.length, 'option ids must be unique')
          .default([]),
      })
      .default({ text: '', options: [] }),
    keywords: z.array(botKeywordAnswerSchema).max(100).default([]),
    /** Said when nothing matched (followed by the menu again); empty says nothing. */
    fallback: botText(2000).default(''),
    /** The bot gives up and asks for a person after this many unanswered messages in a row (0: never). */
    handoffAfterFallbacks: z.number().int().min(0).max(10).default(0),
    /** Said when handing off; empty leaves it to the activity item clients show. */
    handoffReply: botText(2000).default(''),
    /** Adds a "talk to a human" button to the menu. */
    humanButton: z.boolean().default(true),
    humanButtonLabel: z.string().trim().min(1).max(80).default('Talk to a human'),
    /** Extra phrases that ask for a person, besides the built-in English, Portuguese and Russian ones. */
    handoffPhrases: z.array(z.string().trim().min(1).max(80)).max(50).default([]),
    webhook: botWebhookSchema.optional(),
  })
  .refine((bot) => bot.kind !== 'webhook' || !bot.enabled || bot.webhook !== undefined, {
    message: 'a webhook bot needs webhook.url',
    path: ['webhook'],
  });
export type BotSettings = z.infer<typeof botSettingsSchema>;

// ---- the webhook protocol --------------------------------------------------------------------

/** What a webhook bot receives (POST, JSON, `X-Parley-Signature: sha256=<hex HMAC of the body>`). */
export const botWebhookEventSchema = z.object({
  /** The same on every retry of one event: a bot that already handled it answers the same again. */
  id: z.string(),
  type: z.enum(['conversation_started', 'customer_message']),
  sentAt: z.string(),
  attempt: z.number().int(),
  accountId: idSchema,
  inbox: z.object({ id: idSchema, name: z.string() }),
  conversation: z.object({
    id: idSchema,
    number: z.number().int(),
    status: z.string(),
    botPhase: botPhaseSchema.nullable(),
  }),
  contact: z.object({
    id: idSchema,
    name: z.string().nullable(),
    email: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
  }),
  message: z
    .object({
      id: idSchema,
      seq: z.number().int(),
      body: z.string(),
      buttonId: z.string().nullable(),
      createdAt: z.string(),
    })
    .nullable(),
});
export type BotWebhookEvent = z.infer<typeof botWebhookEventSchema>;

export const botActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('reply'), text: botText(5000).pipe(z.string().min(1)) }),
  z.strictObject({
    type: z.literal('menu'),
    text: botText(5000).pipe(z.string().min(1)),
    buttons: z.array(botButtonSchema).min(1).max(10),
  }),
  z.strictObject({ type: z.literal('handoff'), reason: z.string().trim().max(200).optional() }),
]);
export type BotActionInput = z.infer<typeof botActionSchema>;

/** What a webhook bot answers (an empty body or 204 means "nothing to do"). */
export const botWebhookAnswerSchema = z.strictObject({
  actions: z.array(botActionSchema).max(10).default([]),
});

// ---- agent API -------------------------------------------------------------------------------

export const botPhaseCountsSchema = z.object({
  bot: z.number().int(),
  requested: z.number().int(),
  accepted: z.number().int(),
});
export type BotPhaseCounts = z.infer<typeof botPhaseCountsSchema>;

export const botSecretSchema = z.object({ secret: z.string() });
