import {
  type ConversationStatus,
  conversationStatusSchema,
  type InboxSettings,
  inboxSettingsSchema,
  type RuleAction,
  type RuleCondition,
  type RuleEvent,
  ruleActionSchema,
  ruleConditionSchema,
} from '@parley/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type AppContext, transact } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { contacts, conversations, inboxes, messages, rules, tags } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Job } from '../../jobs/runner.ts';
import { sha256 } from '../../lib/crypto.ts';
import { type EventInput, recordEvent } from '../../realtime/outbox.ts';
import { lockConversation, SYSTEM_AUTHOR, systemActor } from '../bots/phase.ts';
import { announceConversation } from '../conversations/announce.ts';
import { changeStatus } from '../conversations/commands.ts';
import { postMessage } from '../messages/commands.ts';
import { assignConversation, transferConversation } from '../routing/assignment.ts';
import { setConversationTag, tagIdsAround } from '../tags/commands.ts';
import { withinBusinessHours } from './business-hours.ts';
import { RULE_JOBS } from './triggers.ts';

/** A chain of rules causing each other ends here, whatever the rules say. */
const MAX_CHAIN = 8;

const payloadSchema = z.object({
  accountId: z.uuid(),
  conversationId: z.uuid(),
  messageId: z.uuid().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  chain: z
    .array(z.string())
    .max(MAX_CHAIN + 1)
    .optional(),
});
type Payload = z.infer<typeof payloadSchema>;

/** What conditions look at, read fresh before each rule (an earlier rule may have changed it). */
interface Facts {
  conversation: typeof conversations.$inferSelect;
  contactName: string | null;
  contactAttributes: Record<string, unknown>;
  channel: string;
  settings: InboxSettings | null;
  tagIds: Set<string>;
  message: { body: string; senderKind: string } | null;
  /** status_changed: the status the conversation changed to. */
  changedTo: ConversationStatus | null;
}

async function loadFacts(ctx: AppContext, payload: Payload): Promise<Facts | null> {
  const db = ctx.database.db;
  const [row] = await db
    .select({ conversation: conversations, contact: contacts, inbox: inboxes })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(and(eq(conversations.id, payload.conversationId), eq(conversations.accountId, payload.accountId)));
  if (!row) return null;
  const [message] = payload.messageId
    ? await db
        .select({ body: messages.body, senderKind: messages.senderKind })
        .from(messages)
        .where(and(eq(messages.id, payload.messageId), eq(messages.conversationId, row.conversation.id)))
    : [];
  const settings = inboxSettingsSchema.safeParse(row.inbox.settings);
  return {
    conversation: row.conversation,
    contactName: row.contact.name,
    contactAttributes: row.contact.attributes,
    channel: row.inbox.channelType,
    settings: settings.success ? settings.data : null,
    tagIds: await tagIdsAround(db, row.conversation.id, row.contact.id),
    message: message ?? null,
    changedTo: conversationStatusSchema.safeParse(payload.to).data ?? null,
  };
}

function attributeAt(attributes: Record<string, unknown>, path: string): unknown {
  let value: unknown = attributes;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function conditionHolds(condition: RuleCondition, facts: Facts, now: Date): boolean {
  switch (condition.type) {
    case 'inbox':
      return condition.inboxIds.includes(facts.conversation.inboxId);
    case 'channel':
      return (condition.channels as string[]).includes(facts.channel);
    case 'tag':
      return facts.tagIds.has(condition.tagId) === condition.present;
    case 'text_contains': {
      const body = facts.message?.body.toLowerCase();
      return body !== undefined && condition.values.some((v) => body.includes(v.toLowerCase()));
    }
    case 'sender':
      return facts.message !== null && (condition.senders as string[]).includes(facts.message.senderKind);
    case 'contact_attribute': {
      const actual = attributeAt(facts.contactAttributes, condition.key);
      if (actual === null || actual === undefined || typeof actual === 'object') return false;
      return String(actual) === String(condition.equals);
    }
    case 'business_hours': {
      const hours = facts.settings?.businessHours;
      return (hours ? withinBusinessHours(hours, now) : true) === condition.within;
    }
    case 'status':
      // status_changed rules look at the change they were triggered by, not at what later rules made of it.
      return condition.statuses.includes(facts.changedTo ?? facts.conversation.status);
  }
}

const SYSTEM: EventInput['actor'] = { kind: 'system', id: null };

/** Bumps the version and the feed position, so feeds and caches pick the change up. */
async function touch(tx: Tx, conversationId: string, set: Partial<typeof conversations.$inferInsert>) {
  const [row] = await tx
    .update(conversations)
    .set({ ...set, version: sql`${conversations.version} + 1`, feedXid: sql`pg_current_xact_id()` })
    .where(eq(conversations.id, conversationId))
    .returning();
  return row;
}

/** Changes a conversation field inside one transaction, with a journey event, published after commit. */
async function changeField(
  ctx: AppContext,
  conversationId: string,
  change: (
    row: typeof conversations.$inferSelect,
    tx: Tx,
  ) => Promise<{
    set: Partial<typeof conversations.$inferInsert>;
    type: string;
    payload: Record<string, unknown>;
  } | null>,
): Promise<void> {
  await transact(ctx, async (tx, pending) => {
    const current = await lockConversation(tx, eq(conversations.id, conversationId));
    if (!current) return;
    const decided = await change(current, tx);
    if (!decided) return;
    const row = await touch(tx, conversationId, decided.set);
    if (!row) return;
    await recordEvent(tx, pending, {
      accountId: row.accountId,
      conversationId: row.id,
      contactId: row.contactId,
      type: decided.type,
      actor: SYSTEM,
      payload: decided.payload,
    });
    await announceConversation(tx, pending, row);
  });
}

interface RunContext {
  ruleId: string;
  chain: string[];
  /** Distinguishes this run's messages from another run's of the same rule (retries share it). */
  runKey: string;
}

async function applyAction(
  ctx: AppContext,
  facts: Facts,
  action: RuleAction,
  index: number,
  run: RunContext,
) {
  const c = facts.conversation;
  const by = { ruleId: run.ruleId };
  switch (action.type) {
    case 'set_priority':
      return changeField(ctx, c.id, async (row) =>
        row.priority === action.priority
          ? null
          : {
              set: { priority: action.priority },
              type: 'conversation.priority_changed',
              payload: { from: row.priority, to: action.priority, ...by },
            },
      );
    case 'assign_agent':
    case 'assign_team':
      // Through routing, so capacity and the queue are respected like any other assignment.
      try {
        if (action.type === 'assign_agent') {
          await assignConversation(ctx, systemActor(c.accountId), c.id, action.userId, {
            author: SYSTEM_AUTHOR,
          });
        } else {
          await transferConversation(ctx, systemActor(c.accountId), c.id, { teamId: action.teamId });
        }
      } catch (error) {
        // The agent is full or gone, the team deleted: the rule cannot do this now, the rest goes on.
        if (error instanceof AppError && error.status < 500) {
          ctx.log.info({ ruleId: run.ruleId, code: error.code }, 'rule assignment skipped');
          return;
        }
        throw error;
      }
      return;
    case 'add_tag':
    case 'remove_tag':
      return transact(ctx, async (tx, pending) => {
        const [tag] = await tx
          .select()
          .from(tags)
          .where(and(eq(tags.id, action.tagId), eq(tags.accountId, c.accountId)));
        if (!tag) return;
        await setConversationTag(tx, pending, {
          conversation: c,
          tag,
          present: action.type === 'add_tag',
          actor: SYSTEM,
          details: by,
        });
      });
    case 'send_message':
      try {
        await postMessage(ctx, {
          actor: systemActor(c.accountId),
          conversationId: c.id,
          // The rule is the sender: its messages never trigger message rules (only customers' and agents' do).
          author: { kind: 'bot', id: run.ruleId, name: null },
          kind: action.private ? 'note' : 'text',
          body: action.body,
          private: action.private,
          clientMsgId: `rule:${run.runKey}:${index}`,
          attributes: { ruleId: run.ruleId },
          automated: true,
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'conversation_closed') return;
        throw error;
      }
      return;
    case 'change_status':
      try {
        await changeStatus(ctx, systemActor(c.accountId), c.id, action.status, {
          by: { author: SYSTEM_AUTHOR, actor: SYSTEM, details: by },
          ruleChain: run.chain,
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid_status_transition') return;
        throw error;
      }
      return;
  }
}

/** Runs the account's enabled rules for one event, in `position` order. */
export async function runRules(ctx: AppContext, event: RuleEvent, job: Job): Promise<void> {
  const payload = payloadSchema.parse(job.payload);
  const chain = payload.chain ?? [];
  if (chain.length >= MAX_CHAIN) {
    ctx.log.warn({ chain, conversationId: payload.conversationId }, 'rule chain too long; stopped');
    return;
  }
  const list = await ctx.database.db
    .select()
    .from(rules)
    .where(and(eq(rules.accountId, payload.accountId), eq(rules.event, event), eq(rules.enabled, true)))
    .orderBy(asc(rules.position), asc(rules.createdAt), asc(rules.id));
  for (const rule of list) {
    // A rule whose own change caused this event does not run again on it.
    if (chain.includes(rule.id)) continue;
    const conditions = z.array(ruleConditionSchema).safeParse(rule.conditions);
    const actions = z.array(ruleActionSchema).safeParse(rule.actions);
    if (!conditions.success || !actions.success) {
      ctx.log.warn({ ruleId: rule.id }, 'stored rule does not parse; skipped');
      continue;
    }
    const facts = await loadFacts(ctx, payload);
    if (!facts) return;
    const now = ctx.now();
    if (!conditions.data.every((condition) => conditionHolds(condition, facts, now))) continue;
    const run: RunContext = {
      ruleId: rule.id,
      chain: [...chain, rule.id],
      runKey: sha256(`${job.key}:${rule.id}`).slice(0, 32),
    };
    for (const [index, action] of actions.data.entries()) {
      await applyAction(ctx, facts, action, index, run);
    }
  }
}

export function registerRuleJobs(ctx: AppContext): void {
  for (const [event, kind] of Object.entries(RULE_JOBS) as Array<[RuleEvent, string]>) {
    ctx.jobs.register(kind, (job) => runRules(ctx, event, job));
  }
}
