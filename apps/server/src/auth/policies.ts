import type { Role, TokenScope } from '@parley/shared';
import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { conversations, inboxMembers } from '../db/schema.ts';
import { AppError, forbidden } from '../errors.ts';
import type { AccountActor, Actor } from './principal.ts';

/**
 * Who may do what, declared in one table. Function-level checks read it; object-level checks
 * (which conversations) go through `conversationScope`, used by every conversation query.
 */
export const policies = {
  'account.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'inbox_read' },
  'inbox.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'inbox_read' },
  'inbox.manage': { roles: ['admin'], scope: null },
  'conversation.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'conversation.reply': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  'conversation.note': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  'conversation.status': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  'token.manage': { roles: ['admin'], scope: null },
  'agent.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'agent.manage': { roles: ['admin'], scope: null },
  'team.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'team.manage': { roles: ['admin'], scope: null },
  'contact.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_read' },
} as const satisfies Record<string, { roles: readonly Role[]; scope: TokenScope | null }>;

export type PolicyName = keyof typeof policies;

export function can(actor: AccountActor, policy: PolicyName): boolean {
  const rule: { roles: readonly Role[]; scope: TokenScope | null } = policies[policy];
  if (actor.kind === 'agent') return rule.roles.includes(actor.role);
  return rule.scope !== null && actor.scopes.includes(rule.scope);
}

export function assertCan(actor: AccountActor, policy: PolicyName): void {
  if (can(actor, policy)) return;
  const rule: { scope: TokenScope | null } = policies[policy];
  if (actor.kind === 'token') {
    throw new AppError(
      'insufficient_scope',
      403,
      rule.scope ? `This token lacks the ${rule.scope} scope` : 'API tokens may not do this',
      { details: { requiredScope: rule.scope } },
    );
  }
  throw forbidden();
}

/** The conversations an actor may see. Agents see their inboxes and whatever is assigned to them. */
export function conversationScope(actor: Actor): SQL {
  if (actor.kind === 'visitor') {
    return and(
      eq(conversations.accountId, actor.accountId),
      eq(conversations.inboxId, actor.inboxId),
      eq(conversations.contactId, actor.contactId),
    ) as SQL;
  }
  if (actor.kind === 'token' || actor.role === 'admin' || actor.role === 'supervisor') {
    return eq(conversations.accountId, actor.accountId);
  }
  return and(
    eq(conversations.accountId, actor.accountId),
    or(
      eq(conversations.assigneeId, actor.userId),
      sql`${conversations.inboxId} in (select ${inboxMembers.inboxId} from ${inboxMembers} where ${inboxMembers.userId} = ${actor.userId})`,
    ),
  ) as SQL;
}
