import { z } from 'zod';
import { botPhaseSchema } from './bots.ts';
import { availabilitySchema, clientMsgIdSchema, idSchema } from './common.ts';
import { messageBodySchema, visitorMessageAttributesSchema } from './messages.ts';

export const conversationStatuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const conversationStatusSchema = z.enum(conversationStatuses);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

export const prioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof prioritySchema>;

/**
 * Saved views of the inbox list. `queued`: waiting in the routing queue; `snoozed`: pending or on hold
 * until a time; `done`: solved or closed; `history`: no activity for 24 hours; `bot`, `requested`,
 * `accepted`: the bot phases (held by the bot, a person was asked for, an agent intervened).
 */
export const conversationViewSchema = z.enum([
  'all',
  'mine',
  'unassigned',
  'queued',
  'snoozed',
  'done',
  'history',
  ...botPhaseSchema.options,
]);
export type ConversationView = z.infer<typeof conversationViewSchema>;

/** A conversation with no activity for this long counts as history. */
export const HISTORY_AFTER_MS = 24 * 60 * 60 * 1000;

export const changeStatusBodySchema = z.strictObject({
  status: conversationStatusSchema,
});
export type ChangeStatusBody = z.infer<typeof changeStatusBodySchema>;

export const conversationSchema = z.object({
  id: idSchema,
  number: z.number().int(),
  accountId: idSchema,
  inboxId: idSchema,
  contactId: idSchema,
  contactName: z.string().nullable(),
  status: conversationStatusSchema,
  priority: prioritySchema,
  assigneeId: idSchema.nullable(),
  teamId: idSchema.nullable(),
  botPhase: botPhaseSchema.nullable(),
  /** Who had it before it was solved, unassigned or transferred; a returning customer goes back to them. */
  previousAssigneeId: idSchema.nullable(),
  assignedAt: z.string().nullable(),
  /** Set while the conversation waits in the routing queue. */
  queuedAt: z.string().nullable(),
  requiredSkills: z.array(z.string()),
  /** The note the last transfer left for the next agent. */
  handoffNote: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  solvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  lastSeq: z.number().int(),
  version: z.number().int(),
  lastMessagePreview: z.string().nullable(),
  /** Started through the public API; `integrationSource` then names the integration when it said. */
  startedByIntegration: z.boolean(),
  integrationSource: z.string().nullable(),
  /** The conversation's tags (names and colours come from the account's tag list). */
  tagIds: z.array(idSchema),
  firstReplyAt: z.string().nullable(),
  waitingSince: z.string().nullable(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
  /** The requesting agent's read position; only in REST answers, absent from shared feed frames. */
  myLastReadSeq: z.number().int().optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.object({
  conversations: z.array(conversationSchema),
  nextCursor: z.string().nullable(),
});

export const visitorStartConversationBodySchema = z.strictObject({
  message: z
    .strictObject({
      clientMsgId: clientMsgIdSchema,
      body: messageBodySchema,
      attributes: visitorMessageAttributesSchema.optional(),
    })
    .optional(),
});
export type VisitorStartConversationBody = z.infer<typeof visitorStartConversationBodySchema>;

/** What a visitor sees of a conversation: no assignee ids, no internal fields. */
export const visitorConversationSchema = z.object({
  id: idSchema,
  status: conversationStatusSchema,
  /** Whether a bot answers (bot, requested) or a person does (accepted); null without a bot. */
  botPhase: botPhaseSchema.nullable(),
  lastSeq: z.number().int(),
  /** The visitor's own read position (for the unread badge). */
  lastReadSeq: z.number().int(),
  /** The furthest any agent has read ("Seen"). */
  agentLastReadSeq: z.number().int(),
  lastMessagePreview: z.string().nullable(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
});
export type VisitorConversation = z.infer<typeof visitorConversationSchema>;

export const typingBodySchema = z.strictObject({ typing: z.boolean() });

export const markReadBodySchema = z.strictObject({ seq: z.number().int().min(0).max(2_147_483_647) });
export type MarkReadBody = z.infer<typeof markReadBodySchema>;

// ---- lifecycle and assignment -----------------------------------------------------------------

/** Snooze: pending or on hold until a time, when it reopens by itself. */
export const snoozeBodySchema = z.strictObject({
  until: z.iso.datetime({ offset: true }),
  status: z.enum(['pending', 'on_hold']).default('on_hold'),
});
export type SnoozeBody = z.infer<typeof snoozeBodySchema>;

export const changePriorityBodySchema = z.strictObject({ priority: prioritySchema });
export type ChangePriorityBody = z.infer<typeof changePriorityBodySchema>;

const handoffNoteSchema = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((note) => !note.includes('\u0000'), 'NUL characters are not allowed');

/** Assign to an agent (`me`: the signed-in agent). Capacity is enforced: 409 capacity_reached. */
export const assignBodySchema = z.strictObject({
  assigneeId: z.union([z.literal('me'), idSchema]),
});
export type AssignBody = z.infer<typeof assignBodySchema>;

/**
 * Transfer to an agent or to a team (routing picks one of its members), with a note the next agent
 * reads first. Exactly one of assigneeId and teamId.
 */
export const transferBodySchema = z
  .strictObject({
    assigneeId: idSchema.optional(),
    teamId: idSchema.optional(),
    note: handoffNoteSchema.optional(),
  })
  .refine((b) => (b.assigneeId === undefined) !== (b.teamId === undefined), {
    message: 'give exactly one of assigneeId and teamId',
  });
export type TransferBody = z.infer<typeof transferBodySchema>;

/** A customer's place in the routing queue. `position` is null when the conversation is not waiting. */
export const queueInfoSchema = z.object({
  waiting: z.boolean(),
  position: z.number().int().min(1).nullable(),
  /** From the inbox's recent assignment rate; null while there is too little to go on. */
  estimatedWaitSeconds: z.number().int().min(0).nullable(),
});
export type QueueInfo = z.infer<typeof queueInfoSchema>;

/** The routing queue as supervisors see it, in the order it is served. */
export const queueListSchema = z.object({
  queue: z.array(
    z.object({
      conversationId: idSchema,
      number: z.number().int(),
      inboxId: idSchema,
      teamId: idSchema.nullable(),
      priority: prioritySchema,
      queuedAt: z.string(),
      position: z.number().int(),
      requiredSkills: z.array(z.string()),
    }),
  ),
});

// ---- agents' routing settings ----------------------------------------------------------------

export const skillSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^\P{Cc}+$/u, 'no control characters');
export const skillsSchema = z
  .array(skillSchema)
  .max(50)
  .transform((skills) => [...new Set(skills)]);

export const setAvailabilityBodySchema = z.strictObject({ availability: availabilitySchema });
export type SetAvailabilityBody = z.infer<typeof setAvailabilityBodySchema>;

/** Per-channel limits, e.g. { "web": 3 }; a channel not listed is bounded by `capacity` only. */
export const channelCapacitySchema = z.partialRecord(
  z.enum(['web', 'email', 'api', 'whatsapp', 'telegram']),
  z.number().int().min(0).max(1000),
);

export const updateRoutingProfileBodySchema = z
  .strictObject({
    capacity: z.number().int().min(0).max(1000).optional(),
    channelCapacity: channelCapacitySchema.optional(),
    skills: skillsSchema.optional(),
    availability: availabilitySchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'change at least one setting');
export type UpdateRoutingProfileBody = z.infer<typeof updateRoutingProfileBodySchema>;

/** How routing sees an agent: availability, limits, skills and current load (new + open assigned). */
export const routingProfileSchema = z.object({
  userId: idSchema,
  name: z.string(),
  availability: availabilitySchema,
  capacity: z.number().int(),
  channelCapacity: z.record(z.string(), z.number().int()),
  skills: z.array(z.string()),
  load: z.number().int(),
  lastActiveAt: z.string().nullable(),
});
export type RoutingProfile = z.infer<typeof routingProfileSchema>;
export const routingProfileListSchema = z.object({ agents: z.array(routingProfileSchema) });
