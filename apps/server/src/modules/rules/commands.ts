import {
  type Rule,
  type RuleDefinition,
  ruleActionSchema,
  ruleConditionSchema,
  ruleDefinitionSchema,
  type UpdateRuleBody,
} from '@parley/shared';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { accountMembers, inboxes, rules, tags, teams } from '../../db/schema.ts';
import { AppError, notFound, validationError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';

type RuleRow = typeof rules.$inferSelect;

export function presentRule(row: RuleRow): Rule {
  // Stored definitions were validated when written; a value that no longer parses is shown as empty
  // rather than breaking the list (the engine skips such a rule).
  const conditions = z.array(ruleConditionSchema).safeParse(row.conditions);
  const actions = z.array(ruleActionSchema).safeParse(row.actions);
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    enabled: row.enabled,
    event: row.event,
    conditions: conditions.success ? conditions.data : [],
    actions: actions.success ? actions.data : [],
    position: row.position,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listRules(executor: DbOrTx, accountId: string): Promise<Rule[]> {
  const rows = await executor
    .select()
    .from(rules)
    .where(eq(rules.accountId, accountId))
    .orderBy(asc(rules.event), asc(rules.position), asc(rules.createdAt), asc(rules.id));
  return rows.map(presentRule);
}

async function findRule(executor: DbOrTx, accountId: string, ruleId: string): Promise<RuleRow> {
  const [row] = await executor
    .select()
    .from(rules)
    .where(and(eq(rules.id, ruleId), eq(rules.accountId, accountId)));
  if (!row) throw notFound('rule_not_found', 'Rule');
  return row;
}

export async function getRule(executor: DbOrTx, accountId: string, ruleId: string): Promise<Rule> {
  return presentRule(await findRule(executor, accountId, ruleId));
}

/**
 * Every id a rule names must be one of this account's: a rule may not point at another tenant's team,
 * agent, tag or inbox. Answers 400 validation_failed naming the offending fields.
 */
async function assertReferences(executor: DbOrTx, accountId: string, rule: RuleDefinition): Promise<void> {
  const wanted = {
    tag: new Set<string>(),
    team: new Set<string>(),
    user: new Set<string>(),
    inbox: new Set<string>(),
  };
  const paths: Array<{ kind: keyof typeof wanted; id: string; path: string }> = [];
  rule.conditions.forEach((c, i) => {
    if (c.type === 'tag') paths.push({ kind: 'tag', id: c.tagId, path: `conditions.${i}.tagId` });
    if (c.type === 'inbox') {
      c.inboxIds.forEach((id, j) => {
        paths.push({ kind: 'inbox', id, path: `conditions.${i}.inboxIds.${j}` });
      });
    }
  });
  rule.actions.forEach((a, i) => {
    if (a.type === 'add_tag' || a.type === 'remove_tag')
      paths.push({ kind: 'tag', id: a.tagId, path: `actions.${i}.tagId` });
    if (a.type === 'assign_team') paths.push({ kind: 'team', id: a.teamId, path: `actions.${i}.teamId` });
    if (a.type === 'assign_agent') paths.push({ kind: 'user', id: a.userId, path: `actions.${i}.userId` });
  });
  for (const p of paths) wanted[p.kind].add(p.id);
  const found = {
    tag: new Set<string>(),
    team: new Set<string>(),
    user: new Set<string>(),
    inbox: new Set<string>(),
  };
  if (wanted.tag.size > 0) {
    const rows = await executor
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.accountId, accountId), inArray(tags.id, [...wanted.tag])));
    for (const r of rows) found.tag.add(r.id);
  }
  if (wanted.team.size > 0) {
    const rows = await executor
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.accountId, accountId), inArray(teams.id, [...wanted.team])));
    for (const r of rows) found.team.add(r.id);
  }
  if (wanted.user.size > 0) {
    const rows = await executor
      .select({ id: accountMembers.userId })
      .from(accountMembers)
      .where(and(eq(accountMembers.accountId, accountId), inArray(accountMembers.userId, [...wanted.user])));
    for (const r of rows) found.user.add(r.id);
  }
  if (wanted.inbox.size > 0) {
    const rows = await executor
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(and(eq(inboxes.accountId, accountId), inArray(inboxes.id, [...wanted.inbox])));
    for (const r of rows) found.inbox.add(r.id);
  }
  const missing = paths.filter((p) => !found[p.kind].has(p.id));
  if (missing.length > 0) {
    throw new AppError('validation_failed', 400, 'The rule names things that are not in this account', {
      details: missing.map((m) => ({
        path: m.path,
        message: `no such ${m.kind} in this account`,
        code: 'unknown_reference',
      })),
    });
  }
}

export async function createRule(ctx: AppContext, accountId: string, body: RuleDefinition): Promise<Rule> {
  return ctx.database.db.transaction(async (tx) => {
    await assertReferences(tx, accountId, body);
    const [row] = await tx
      .insert(rules)
      .values({ id: newId(), accountId, ...body })
      .returning();
    if (!row) throw new Error('rule insert returned nothing');
    return presentRule(row);
  });
}

/** A change is merged into the stored rule and the whole rule validated again (e.g. a new event). */
export async function updateRule(
  ctx: AppContext,
  accountId: string,
  ruleId: string,
  body: UpdateRuleBody,
): Promise<Rule> {
  return ctx.database.db.transaction(async (tx) => {
    const current = presentRule(await findRule(tx, accountId, ruleId));
    const merged = ruleDefinitionSchema.safeParse({
      name: body.name ?? current.name,
      enabled: body.enabled ?? current.enabled,
      event: body.event ?? current.event,
      conditions: body.conditions ?? current.conditions,
      actions: body.actions ?? current.actions,
      position: body.position ?? current.position,
    });
    if (!merged.success) throw validationError(merged.error, 'body');
    await assertReferences(tx, accountId, merged.data);
    const [row] = await tx.update(rules).set(merged.data).where(eq(rules.id, ruleId)).returning();
    if (!row) throw notFound('rule_not_found', 'Rule');
    return presentRule(row);
  });
}

export async function deleteRule(ctx: AppContext, accountId: string, ruleId: string): Promise<void> {
  const deleted = await ctx.database.db
    .delete(rules)
    .where(and(eq(rules.id, ruleId), eq(rules.accountId, accountId)))
    .returning({ id: rules.id });
  if (deleted.length === 0) throw notFound('rule_not_found', 'Rule');
}
