import { z } from 'zod';
import { botSettingsSchema } from './bots.ts';
import { idSchema, nameSchema } from './common.ts';

export const channelTypeSchema = z.enum(['web', 'email', 'api', 'whatsapp', 'telegram']);
export type ChannelType = z.infer<typeof channelTypeSchema>;

/** An origin is scheme://host[:port], exactly what browsers send in the Origin header. */
export const originSchema = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://example.com');

/** One field of the widget's pre-chat form. `name` and `email` fill the contact; other keys become attributes. */
export const preChatFieldSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _ (max 40)'),
  /** Shown above the input; the widget uses its own translated label for name and email when empty. */
  label: z.string().trim().max(80).default(''),
  type: z.enum(['text', 'email', 'tel']).default('text'),
  required: z.boolean().default(false),
});
export type PreChatField = z.infer<typeof preChatFieldSchema>;

export const preChatFormSchema = z.strictObject({
  enabled: z.boolean().default(false),
  fields: z
    .array(preChatFieldSchema)
    .max(10)
    .refine((fields) => new Set(fields.map((f) => f.key)).size === fields.length, 'field keys must be unique')
    .default([
      { key: 'name', label: '', type: 'text', required: true },
      { key: 'email', label: '', type: 'email', required: true },
    ]),
});
export type PreChatForm = z.infer<typeof preChatFormSchema>;

export const widgetPositionSchema = z.enum(['right', 'left']);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time such as 09:00 (24:00 ends the day)');

export const weekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof weekdaySchema>;

/** When the team works, in the inbox's time zone; rules can act differently outside these hours. */
export const businessHoursSchema = z.strictObject({
  enabled: z.boolean().default(false),
  timezone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Lisbon').default('UTC'),
  hours: z
    .array(
      z
        .strictObject({ day: weekdaySchema, from: clockTime, to: clockTime })
        .refine((h) => h.from < h.to, { message: 'from must be before to', path: ['to'] }),
    )
    .max(28)
    .default([]),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

const botDefault = botSettingsSchema.parse({});

/**
 * How a conversation ends (see DESIGN §3). `live_chat`: solved closes at once and the customer's next
 * message starts a new conversation. `live_chat_returning`: solved closes after `returningWindowMinutes`;
 * a customer message inside the window reopens it with the same agent. `messaging`: solved closes after
 * `messagingCloseDays` (max 28).
 */
export const conversationStyleSchema = z.enum(['live_chat', 'live_chat_returning', 'messaging']);
export type ConversationStyle = z.infer<typeof conversationStyleSchema>;

const returningWindowMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);
const messagingCloseDaysSchema = z.number().int().min(1).max(28);

/**
 * An agent's reply the customer has not read after `delayMinutes` is sent to them by e-mail, once (when
 * the server has SMTP settings and the contact an e-mail address).
 */
export const emailFollowupSchema = z.strictObject({
  enabled: z.boolean(),
  delayMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});
export type EmailFollowup = z.infer<typeof emailFollowupSchema>;
const routingSkillsSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^\P{Cc}+$/u, 'no control characters'),
  )
  .max(20);

const autoTagIdsSchema = z
  .array(idSchema)
  .max(20)
  .transform((ids) => [...new Set(ids)]);

export const inboxSettingsSchema = z.strictObject({
  allowedOrigins: z.array(originSchema).max(50).default([]),
  requireIdentityVerification: z.boolean().default(false),
  greeting: z.string().max(500).default(''),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#4f46e5'),
  /** The widget's header title; empty means the inbox name. */
  title: z.string().trim().max(80).default(''),
  position: widgetPositionSchema.default('right'),
  preChatForm: preChatFormSchema.default({ enabled: false, fields: [] }),
  style: conversationStyleSchema.default('messaging'),
  returningWindowMinutes: returningWindowMinutesSchema.default(60),
  messagingCloseDays: messagingCloseDaysSchema.default(4),
  /** true: conversations are routed to agents automatically; false: they wait in the queue to be picked. */
  autoAssign: z.boolean().default(true),
  /**
   * true: when an agent goes offline, or is set away automatically, their new and open conversations of
   * this inbox go back to the queue for someone else. Off by default: existing inboxes keep today's
   * behaviour, and in messaging inboxes conversations outlive shifts (the agent picks them up tomorrow).
   */
  reassignOnOffline: z.boolean().default(false),
  /** Skills an agent needs to be routed this inbox's conversations (all of them). */
  requiredSkills: routingSkillsSchema.default([]),
  /** Tags every new conversation of this inbox gets when it is created. */
  autoTagIds: autoTagIdsSchema.default([]),
  bot: botSettingsSchema.default(botDefault),
  businessHours: businessHoursSchema.default({ enabled: false, timezone: 'UTC', hours: [] }),
  /** Rotating the bot webhook secret bumps this; the secret itself is derived and never stored. */
  botSecretVersion: z.number().int().min(0).max(1_000_000).default(0),
  emailFollowup: emailFollowupSchema.default({ enabled: true, delayMinutes: 30 }),
});
export type InboxSettings = z.infer<typeof inboxSettingsSchema>;

export const createInboxBodySchema = z.strictObject({
  name: nameSchema,
  channelType: channelTypeSchema.default('web'),
  settings: inboxSettingsSchema.partial().optional(),
});
export type CreateInboxBody = z.infer<typeof createInboxBodySchema>;

export const inboxSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  channelType: channelTypeSchema,
  settings: inboxSettingsSchema,
  createdAt: z.string(),
});
export type Inbox = z.infer<typeof inboxSchema>;

/** What an anonymous page may learn about an inbox before a visitor session exists. */
export const publicInboxSchema = z.object({
  id: idSchema,
  name: z.string(),
  greeting: z.string(),
  color: z.string(),
  requireIdentityVerification: z.boolean(),
  /** The widget's header title (the inbox name when no title is set). */
  title: z.string(),
  position: widgetPositionSchema,
  preChatForm: preChatFormSchema,
});

/**
 * A change to some settings. Unlike creation there are no defaults here: a key that is absent keeps its
 * stored value. Every key of inboxSettingsSchema must appear (a test compares the two).
 */
export const inboxSettingsPatchSchema = z.strictObject({
  allowedOrigins: z.array(originSchema).max(50).optional(),
  requireIdentityVerification: z.boolean().optional(),
  greeting: z.string().max(500).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional(),
  title: z.string().trim().max(80).optional(),
  position: widgetPositionSchema.optional(),
  preChatForm: preChatFormSchema.optional(),
  style: conversationStyleSchema.optional(),
  returningWindowMinutes: returningWindowMinutesSchema.optional(),
  messagingCloseDays: messagingCloseDaysSchema.optional(),
  autoAssign: z.boolean().optional(),
  reassignOnOffline: z.boolean().optional(),
  requiredSkills: routingSkillsSchema.optional(),
  autoTagIds: autoTagIdsSchema.optional(),
  bot: botSettingsSchema.optional(),
  businessHours: businessHoursSchema.optional(),
  botSecretVersion: z.number().int().min(0).max(1_000_000).optional(),
  emailFollowup: emailFollowupSchema.optional(),
});

export const updateInboxBodySchema = z.strictObject({
  name: nameSchema.optional(),
  settings: inboxSettingsPatchSchema.optional(),
});
export type UpdateInboxBody = z.infer<typeof updateInboxBodySchema>;

export const inboxMemberParamsSchema = z.strictObject({
  accountId: idSchema,
  id: idSchema,
  userId: idSchema,
});
