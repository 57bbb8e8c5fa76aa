import { and, asc, eq } from 'drizzle-orm';
import type { AccountActor, VisitorActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { accounts, contactIdentities, conversations, inboxes } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { findContactByEmail, insertContact, lockAccountContacts } from '../contacts/create.ts';
import type { ContactRow } from '../contacts/presenter.ts';
import { visibleContact } from '../contacts/visibility.ts';
import { startConversation } from '../conversations/commands.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { createInbox, findInbox } from '../inboxes/commands.ts';
import type { InboxRow } from '../inboxes/presenter.ts';
import { assignConversation } from '../routing/assignment.ts';
import { routeConversation } from '../routing/router.ts';

/*
 * Conversations started through the public API. They go through the same start as a widget visitor's
 * (bot phase, automatic tags, rules, routing): the contact is given an identity on the inbox, and the
 * first message is theirs.
 */

async function oldestApiInbox(tx: Tx, accountId: string): Promise<InboxRow | undefined> {
  const [row] = await tx
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.channelType, 'api')))
    .orderBy(asc(inboxes.createdAt), asc(inboxes.id))
    .limit(1);
  return row;
}

/** The inbox a request names (of this account), or the account's API inbox, created on first use. */
async function inboxFor(tx: Tx, accountId: string, inboxId: string | undefined): Promise<InboxRow> {
  if (inboxId) return findInbox(tx, accountId, inboxId);
  const existing = await oldestApiInbox(tx, accountId);
  if (existing) return existing;
  // Serializes the first uses of one account's API inbox, so only one is created.
  await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).for('update');
  return (
    (await oldestApiInbox(tx, accountId)) ?? createInbox(tx, accountId, { name: 'API', channelType: 'api' })
  );
}

/** A contact of the account by e-mail (any case; not one merged away), created when there is none. */
async function contactByEmail(
  tx: Tx,
  accountId: string,
  email: string,
  name: string | null,
): Promise<ContactRow> {
  const existing = await findContactByEmail(tx, accountId, email);
  if (existing) return existing;
  await lockAccountContacts(tx, accountId);
  return (
    (await findContactByEmail(tx, accountId, email)) ??
    insertContact(tx, accountId, {
      name,
      email,
      phone: null,
      company: null,
      externalId: null,
      attributes: {},
    })
  );
}

/** The contact as the conversation's customer on this inbox: one identity per contact and inbox. */
async function identityOf(tx: Tx, contact: ContactRow, inbox: InboxRow): Promise<VisitorActor> {
  const sourceId = `contact:${contact.id}`;
  await tx
    .insert(contactIdentities)
    .values({ id: newId(), contactId: contact.id, inboxId: inbox.id, sourceId, verified: true })
    .onConflictDoNothing();
  const [identity] = await tx
    .select({ id: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, sourceId)))
    .limit(1);
  if (!identity) throw new Error('identity missing after insert');
  return {
    kind: 'visitor',
    identityId: identity.id,
    contactId: contact.id,
    contactName: contact.name,
    inboxId: inbox.id,
    accountId: contact.accountId,
  };
}

export interface ApiStartInput {
  inboxId?: string | undefined;
  contact: { id: string } | { email: string; name?: string | undefined };
  message: { clientMsgId: string; body: string };
  /** The integration's name; '' when it gave none (the conversation still shows it came from one). */
  integrationSource: string;
  /** An agent to give it to; when they cannot take it (not an agent here, no room) routing decides. */
  assigneeId?: string | null;
}

/**
 * Starts a conversation for a contact through the API. A retry with the same message.clientMsgId
 * returns the conversation the first attempt created (`created: false`).
 */
export async function startApiConversation(
  ctx: AppContext,
  actor: AccountActor,
  input: ApiStartInput,
): Promise<{ conversation: ConversationRow; created: boolean; assigned: boolean }> {
  const visitor = await ctx.database.db.transaction(async (tx) => {
    const inbox = await inboxFor(tx, actor.accountId, input.inboxId);
    const contact =
      'id' in input.contact
        ? await visibleContact(tx, actor, input.contact.id)
        : await contactByEmail(tx, actor.accountId, input.contact.email, input.contact.name ?? null);
    return identityOf(tx, contact, inbox);
  });
  const assigneeId = input.assigneeId ?? null;
  const started = await startConversation(
    ctx,
    visitor,
    { message: input.message },
    { integrationSource: input.integrationSource, route: assigneeId === null },
  );
  if (!started.created || assigneeId === null) return { ...started, assigned: false };
  try {
    // The routing module's own command: capacity is checked under the agent's lock.
    const { row } = await assignConversation(ctx, actor, started.conversation.id, assigneeId);
    return { conversation: row, created: true, assigned: true };
  } catch (error) {
    // Not assigned: the conversation is routed like any other, then the error (if unexpected) surfaces.
    await routeConversation(ctx, started.conversation.id);
    const skipped = error instanceof AppError && ['user_not_found', 'capacity_reached'].includes(error.code);
    if (!skipped) throw error;
    const [row] = await ctx.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, started.conversation.id));
    return { conversation: row ?? started.conversation, created: true, assigned: false };
  }
}
