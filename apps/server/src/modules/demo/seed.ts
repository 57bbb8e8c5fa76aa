import { eq } from 'drizzle-orm';
import { type AccountActor, resolvePrincipal } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { accounts, inboxMembers } from '../../db/schema.ts';
import { newId } from '../../lib/ids.ts';
import { addMember, createAccount, upsertUser } from '../accounts/commands.ts';
import { changeStatus, startConversation } from '../conversations/commands.ts';
import { createInbox } from '../inboxes/commands.ts';
import { authorOf, postMessage } from '../messages/commands.ts';
import { createVisitorSession, loadInbox } from '../visitors/session.ts';

export const DEMO_PASSWORD = 'parley-demo-password';

const customers = [
  {
    name: 'Ana Souza',
    email: 'ana@example.com',
    lines: ['Olá! My order #1042 has not arrived yet.', 'It was due on Monday.'],
  },
  {
    name: 'Dmitri Volkov',
    email: 'dmitri@example.com',
    lines: ['Hi, can I change the e-mail on my account?'],
  },
  {
    name: 'Grace Lee',
    email: 'grace@example.com',
    lines: ['Do you ship to Canada?', 'And how long does it take?'],
  },
  {
    name: 'Omar Haddad',
    email: 'omar@example.com',
    lines: ['The checkout page shows an error when I pay by card.'],
  },
];

/**
 * A demo account to look around in: an admin and two agents, a website inbox that the /demo page
 * embeds, and conversations in several states. Safe to run twice: the second run finds the account.
 */
export async function seedDemo(
  ctx: AppContext,
): Promise<{ accountId: string; inboxId: string; created: boolean }> {
  const [existing] = await ctx.database.db
    .select()
    .from(accounts)
    .where(eq(accounts.name, 'Parley Demo'))
    .limit(1);
  if (existing) {
    const inboxes = await ctx.database.db.query.inboxes.findFirst({
      where: (t, { eq: e }) => e(t.accountId, existing.id),
    });
    return { accountId: existing.id, inboxId: inboxes?.id ?? '', created: false };
  }
  const account = await createAccount(ctx.database.db, 'Parley Demo');
  const admin = await upsertUser(ctx.database.db, {
    email: 'admin@demo.parley',
    name: 'Alex Admin',
    password: DEMO_PASSWORD,
  });
  const agentA = await upsertUser(ctx.database.db, {
    email: 'sam@demo.parley',
    name: 'Sam Rivera',
    password: DEMO_PASSWORD,
  });
  const agentB = await upsertUser(ctx.database.db, {
    email: 'kim@demo.parley',
    name: 'Kim Tanaka',
    password: DEMO_PASSWORD,
  });
  await addMember(ctx.database.db, account.id, admin.id, 'admin');
  await addMember(ctx.database.db, account.id, agentA.id, 'agent');
  await addMember(ctx.database.db, account.id, agentB.id, 'supervisor');
  const inbox = await createInbox(ctx.database.db, account.id, {
    name: 'Website',
    channelType: 'web',
    settings: { greeting: 'Hi there! Ask us anything, we usually answer within minutes.' },
  });
  await ctx.database.db.insert(inboxMembers).values([
    { inboxId: inbox.id, userId: agentA.id },
    { inboxId: inbox.id, userId: agentB.id },
  ]);
  const inboxRow = await loadInbox(ctx, inbox.id);
  const adminActor: AccountActor = {
    kind: 'agent',
    userId: admin.id,
    name: 'Alex Admin',
    accountId: account.id,
    role: 'admin',
  };
  for (const [index, customer] of customers.entries()) {
    const session = await createVisitorSession(ctx, inboxRow, { name: customer.name, email: customer.email });
    const visitor = await resolvePrincipal(ctx, { bearer: session.token });
    if (visitor.kind !== 'visitor') throw new Error('demo visitor did not resolve');
    const [first, ...rest] = customer.lines;
    const { conversation } = await startConversation(ctx, visitor, {
      message: { clientMsgId: newId(), body: first ?? 'Hello' },
    });
    for (const line of rest) {
      await postMessage(ctx, {
        actor: visitor,
        conversationId: conversation.id,
        author: authorOf(visitor),
        kind: 'text',
        body: line,
        private: false,
        clientMsgId: newId(),
      });
    }
    if (index < 2) {
      await postMessage(ctx, {
        actor: adminActor,
        conversationId: conversation.id,
        author: authorOf(adminActor),
        kind: 'text',
        body: `Thanks, ${customer.name.split(' ')[0]}! Let me check that for you.`,
        private: false,
        clientMsgId: newId(),
      });
      await postMessage(ctx, {
        actor: adminActor,
        conversationId: conversation.id,
        author: authorOf(adminActor),
        kind: 'note',
        body: 'Checked the order system, tracking shows a customs delay.',
        private: true,
        clientMsgId: newId(),
      });
    }
    if (index === 1) await changeStatus(ctx, adminActor, conversation.id, 'solved');
  }
  return { accountId: account.id, inboxId: inbox.id, created: true };
}
