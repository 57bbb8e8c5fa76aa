import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * A 64-bit transaction id. The account feed uses it with pg_visible_in_snapshot() to find exactly the
 * conversations changed since a client's cursor, with no reliance on clocks.
 */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** Humans see per-account conversation numbers; allocated under this row's lock. */
  lastConversationNumber: integer('last_conversation_number').notNull().default(0),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    /** Per-user choices such as { soundMuted, locale }; validated by its zod schema when written. */
    preferences: jsonb('preferences').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const accountMembers = pgTable(
  'account_members',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'supervisor', 'agent'] }).notNull(),
    availability: text('availability', { enum: ['online', 'away', 'offline'] })
      .notNull()
      .default('offline'),
    /** Maximum concurrent open conversations (any channel). */
    capacity: integer('capacity').notNull().default(10),
    /** Tighter limits per channel type, e.g. { "web": 3 }; a channel not listed uses `capacity`. */
    channelCapacity: jsonb('channel_capacity').$type<Record<string, number>>().notNull().default({}),
    /** Last sign of life (request or socket activity); drives auto-away. */
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
    skills: jsonb('skills').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index('account_members_user_idx').on(t.userId)],
);

export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('teams_account_idx').on(t.accountId)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const inboxes = pgTable(
  'inboxes',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    channelType: text('channel_type', { enum: ['web', 'email', 'api', 'whatsapp', 'telegram'] }).notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /** Signs visitor identities (HMAC); never leaves the server except to admins. */
    identitySecret: text('identity_secret').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('inboxes_account_idx').on(t.accountId)],
);

/** Agents who work an inbox. Admins and supervisors see every inbox of their account. */
export const inboxMembers = pgTable(
  'inbox_members',
  {
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.userId] }), index('inbox_members_user_idx').on(t.userId)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    /** The customer's id in the company's own system; set only from a verified identity or the API. */
    externalId: text('external_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('contacts_account_idx').on(t.accountId),
    uniqueIndex('contacts_account_external_key')
      .on(t.accountId, t.externalId)
      .where(sql`${t.externalId} is not null`),
    index('contacts_account_email_idx').on(t.accountId, t.email),
  ],
);

/** How a contact is known on one inbox (a widget visitor, an e-mail address, a phone number…). */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    sourceId: text('source_id').notNull(),
    verified: boolean('verified').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('contact_identities_inbox_source_key').on(t.inboxId, t.sourceId),
    index('contact_identities_contact_idx').on(t.contactId),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    status: text('status', { enum: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] })
      .notNull()
      .default('new'),
    priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] })
      .notNull()
      .default('normal'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    /** Who had it before it was solved or unassigned: a returning customer goes back to them if possible. */
    previousAssigneeId: uuid('previous_assignee_id').references(() => users.id, { onDelete: 'set null' }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    /** Set while the conversation waits in the routing queue; the queue is ordered by priority, then this. */
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    /** Skills an agent needs to be routed this conversation (from the inbox or a rule). */
    requiredSkills: jsonb('required_skills').$type<string[]>().notNull().default([]),
    /** Bot phase: null (no bot), bot (the bot handles it), requested (a human was asked for), accepted. */
    botPhase: text('bot_phase', { enum: ['bot', 'requested', 'accepted'] }),
    /** The note the last transfer left for the next agent, shown above the thread. */
    handoffNote: text('handoff_note'),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    solvedAt: timestamp('solved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Gapless message counter: incremented under this row's lock in the message's own transaction. */
    lastSeq: integer('last_seq').notNull().default(0),
    /** Bumped on every change, so feed consumers can keep the newest state. */
    version: bigint('version', { mode: 'number' }).notNull().default(1),
    feedXid: xid8('feed_xid').notNull().default(sql`pg_current_xact_id()`),
    lastMessagePreview: text('last_message_preview'),
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true }),
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('conversations_account_number_key').on(t.accountId, t.number),
    index('conversations_account_activity_idx').on(t.accountId, t.lastActivityAt, t.id),
    index('conversations_account_status_idx').on(t.accountId, t.status),
    index('conversations_assignee_idx').on(t.assigneeId),
    index('conversations_contact_idx').on(t.contactId),
    index('conversations_queue_idx').on(t.accountId, t.queuedAt).where(sql`${t.queuedAt} is not null`),
  ],
);

/**
 * Everyone in a conversation. One contact and the assignee today; group conversations add more rows
 * without changing the model.
 */
export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    participantKind: text('participant_kind', { enum: ['contact', 'agent'] }).notNull(),
    participantId: uuid('participant_id').notNull(),
    role: text('role', { enum: ['member', 'admin'] })
      .notNull()
      .default('member'),
    /** Read receipts: the highest seq this participant has seen. */
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.participantKind, t.participantId] }),
    index('conversation_participants_participant_idx').on(t.participantKind, t.participantId),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', {
      enum: ['text', 'note', 'activity', 'attachment', 'article', 'flow', 'call', 'survey'],
    }).notNull(),
    senderKind: text('sender_kind', { enum: ['contact', 'agent', 'bot', 'system'] }).notNull(),
    senderId: uuid('sender_id'),
    senderName: text('sender_name'),
    body: text('body').notNull(),
    private: boolean('private').notNull().default(false),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_key').on(t.conversationId, t.seq),
    uniqueIndex('messages_conversation_sender_client_key').on(
      t.conversationId,
      t.senderKind,
      t.senderId,
      t.clientMsgId,
    ),
  ],
);

/**
 * The outbox and the journey in one table: every change is written here in the transaction that made it,
 * published to the bus after commit, and swept again if the publishing node died first.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: uuid('account_id').notNull(),
    conversationId: uuid('conversation_id'),
    contactId: uuid('contact_id'),
    type: text('type').notNull(),
    actorKind: text('actor_kind', { enum: ['contact', 'agent', 'bot', 'system', 'token'] }).notNull(),
    actorId: uuid('actor_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('events_conversation_idx').on(t.conversationId, t.id),
    index('events_contact_idx').on(t.contactId, t.id),
    index('events_unpublished_idx').on(t.id).where(sql`${t.publishedAt} is null`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value: a leaked table does not leak sessions. */
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_key').on(t.tokenHash),
    index('api_tokens_account_idx').on(t.accountId),
  ],
);

/** A one-time link that lets someone join an account with a role; only the token's hash is kept. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    role: text('role', { enum: ['admin', 'supervisor', 'agent'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_key').on(t.tokenHash),
    index('invitations_account_idx').on(t.accountId),
  ],
);

/**
 * Durable timers and background work (auto-close, snooze, returning-customer window, bot replies, rules,
 * webhook retries). A node claims due jobs with FOR UPDATE SKIP LOCKED and a lease, runs them, and deletes
 * them; a job whose node died is taken over when its lease ends. Handlers are idempotent, so a job's effect
 * happens once however many nodes poll, and survives restarts. `key` makes scheduling idempotent.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    runAt: timestamp('run_at', { withTimezone: true }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    /** Lease: a node that claimed the job owns it until then; if it dies, another node takes it over. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('jobs_key_key').on(t.key), index('jobs_run_at_idx').on(t.runAt)],
);

/** Automation rules: on an event, when all conditions hold, run the actions in order. */
export const rules = pgTable(
  'rules',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    event: text('event', { enum: ['conversation_created', 'message_created', 'status_changed'] }).notNull(),
    conditions: jsonb('conditions').$type<unknown[]>().notNull().default([]),
    actions: jsonb('actions').$type<unknown[]>().notNull().default([]),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('rules_account_idx').on(t.accountId, t.event)],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    color: text('color').notNull().default('#64748b'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tags_account_name_key').on(t.accountId, t.name)],
);

export const conversationTags = pgTable(
  'conversation_tags',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.tagId] }),
    index('conversation_tags_tag_idx').on(t.tagId),
  ],
);

export const contactTags = pgTable(
  'contact_tags',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tagId] }), index('contact_tags_tag_idx').on(t.tagId)],
);
