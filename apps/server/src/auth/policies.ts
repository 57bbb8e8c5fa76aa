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
  /** Assign, transfer, unassign, snooze, priority. */
  'conversation.assign': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  /** Start a conversation for a contact (the public API; visitors start theirs through the Client API). */
  'conversation.create': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  /** Contacts outside a conversation (the public API); deleting is for contacts without a history. */
  'contact.create': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_write' },
  'contact.delete': { roles: ['admin'], scope: 'contact_write' },
  'token.manage': { roles: ['admin'], scope: null },
  'agent.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'agent.manage': { roles: ['admin'], scope: null },
  'team.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'team.manage': { roles: ['admin'], scope: null },
  'contact.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_read' },
  'contact.tag': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_write' },
  /** Edit profile fields and custom attributes; block and unblock (agents only contacts they may see). */
  'contact.update': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_write' },
  'contact.block': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_write' },
  /** Merging moves a whole history between people: for those who see every contact. */
  'contact.merge': { roles: ['admin', 'supervisor'], scope: 'contact_write' },
  'attribute.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'contact_read' },
  'attribute.manage': { roles: ['admin'], scope: null },
  'conversation.tag': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  'tag.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'tag.manage': { roles: ['admin', 'supervisor'], scope: null },
  'rule.manage': { roles: ['admin'], scope: null },
  'webhook.manage': { roles: ['admin'], scope: 'webhook_manage' },
  /** Upload files to a conversation one may write to, and read the files of those one may read. */
  'attachment.upload': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_write' },
  'attachment.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'canned.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  /** Every agent writes personal replies; account and team ones are checked per reply (commands). */
  'canned.write': { roles: ['admin', 'supervisor', 'agent'], scope: null },
  /** One's own saved views of the inbox: people only (a view belongs to a user, never to a token). */
  'view.manage': { roles: ['admin', 'supervisor', 'agent'], scope: null },
  'article.read': { roles: ['admin', 'supervisor', 'agent'], scope: 'conversation_read' },
  'article.manage': { roles: ['admin', 'supervisor'], scope: null },
  /** One's own notifications: people only (they belong to a user, never to a token). */
  'notification.read': { roles: ['admin', 'supervisor', 'agent'], scope: null },
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

/**
 * The conversations an actor may see, as four values: the account, and optionally one inbox, one contact
 * (visitors) and a member whose inboxes and assignments bound the view (agents with the `agent` role).
 * Both SQL forms below are built from these values, so the rule lives in one place.
 */
export interface ConversationScopeParams {
  accountId: string;
  inboxId: string | null;
  contactId: string | null;
  memberUserId: string | null;
}

export function conversationScopeParams(actor: Actor): ConversationScopeParams {
  if (actor.kind === 'visitor') {
    return {
      accountId: actor.accountId,
      inboxId: actor.inboxId,
      contactId: actor.contactId,
      memberUserId: null,
    };
  }
  const limited = actor.kind === 'agent' && actor.role === 'agent';
  return {
    accountId: actor.accountId,
    inboxId: null,
    contactId: null,
    memberUserId: limited ? actor.userId : null,
  };
}

/** Query-builder form of the scope. Agents see their inboxes and whatever is assigned to them. */
export function conversationScope(actor: Actor): SQL {
  const p = conversationScopeParams(actor);
  const conditions: SQL[] = [eq(conversations.accountId, p.accountId)];
  if (p.inboxId) conditions.push(eq(conversations.inboxId, p.inboxId));
  if (p.contactId) conditions.push(eq(conversations.contactId, p.contactId));
  if (p.memberUserId) {
    conditions.push(
      or(
        eq(conversations.assigneeId, p.memberUserId),
        sql`${conversations.inboxId} in (select ${inboxMembers.inboxId} from ${inboxMembers} where ${inboxMembers.userId} = ${p.memberUserId})`,
      ) as SQL,
    );
  }
  return and(...conditions) as SQL;
}

/**
 * Positional-parameter form of the scope for hand-written statements: `$n … $n+3` must be bound to
 * `scopeValues(params)` in order. Unset parts are null and match everything.
 */
export function conversationScopeText(table: string, firstParam: number): string {
  const [account, inbox, contact, member] = [0, 1, 2, 3].map((k) => `$${firstParam + k}::uuid`) as [
    string,
    string,
    string,
    string,
  ];
  return conversationScopeSql(table, { account, inbox, contact, member });
}

/**
 * The scope over SQL expressions (parameters or the columns of a batch's rows), each a uuid or null:
 * the parts of ConversationScopeParams in order.
 */
export function conversationScopeSql(
  table: string,
  p: { account: string; inbox: string; contact: string; member: string },
): string {
  return `${table}.account_id = ${p.account}
    and (${p.inbox} is null or ${table}.inbox_id = ${p.inbox})
    and (${p.contact} is null or ${table}.contact_id = ${p.contact})
    and (${p.member} is null or ${table}.assignee_id = ${p.member}
         or ${table}.inbox_id in (select inbox_id from inbox_members where user_id = ${p.member}))`;
}

export const scopeValues = (p: ConversationScopeParams): unknown[] => [
  p.accountId,
  p.inboxId,
  p.contactId,
  p.memberUserId,
];
