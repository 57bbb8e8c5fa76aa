import type { Role } from '@parley/shared';
import { inboxMembers } from '../src/db/schema.ts';
import { addMember, createAccount, upsertUser } from '../src/modules/accounts/commands.ts';
import { createInbox } from '../src/modules/inboxes/commands.ts';
import { createApiToken } from '../src/modules/tokens/commands.ts';
import type { TestServer } from './harness.ts';
import { HttpClient } from './http-client.ts';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;
export const PASSWORD = 'a-long-test-password';

export interface TestAccount {
  accountId: string;
  inboxId: string;
  identitySecret: string;
  admin: { userId: string; email: string };
}

/** An account with an admin and one web inbox. */
export async function makeAccount(
  server: TestServer,
  options: { inboxSettings?: Record<string, unknown> } = {},
): Promise<TestAccount> {
  const db = server.ctx.database.db;
  const account = await createAccount(db, `Account ${unique()}`);
  const email = `admin-${unique()}@example.test`;
  const admin = await upsertUser(db, { email, name: 'Admin', password: PASSWORD });
  await addMember(db, account.id, admin.id, 'admin');
  const inbox = await createInbox(db, account.id, {
    name: 'Website',
    channelType: 'web',
    settings: options.inboxSettings as never,
  });
  return {
    accountId: account.id,
    inboxId: inbox.id,
    identitySecret: inbox.identitySecret,
    admin: { userId: admin.id, email },
  };
}

/** Another member of an account; agents are added to the given inboxes. */
export async function makeMember(
  server: TestServer,
  accountId: string,
  role: Role,
  inboxIds: string[] = [],
): Promise<{ userId: string; email: string; name: string }> {
  const db = server.ctx.database.db;
  const email = `${role}-${unique()}@example.test`;
  const name = `${role} ${unique()}`;
  const user = await upsertUser(db, { email, name, password: PASSWORD });
  await addMember(db, accountId, user.id, role);
  for (const inboxId of inboxIds) await db.insert(inboxMembers).values({ inboxId, userId: user.id });
  return { userId: user.id, email, name };
}

export async function makeToken(server: TestServer, accountId: string, scopes: string[]): Promise<string> {
  const { token } = await createApiToken(server.ctx.database.db, {
    accountId,
    name: 'test',
    scopes: scopes as never,
    createdBy: null,
  });
  return token;
}

/** A logged-in agent client. */
export async function loginAs(server: TestServer, email: string): Promise<HttpClient> {
  const client = new HttpClient(server.url);
  const res = await client.post('/api/auth/login', { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return client;
}

/** A visitor client holding a visitor token for the inbox. */
export async function visitorOf(
  server: TestServer,
  inboxId: string,
  body: Record<string, unknown> = {},
): Promise<HttpClient & { contactId: string }> {
  const client = new HttpClient(server.url);
  const res = await client.post(`/api/client/inboxes/${inboxId}/sessions`, body);
  if (res.status !== 201) throw new Error(`visitor session failed: ${res.status} ${res.text}`);
  client.bearer = res.body.token as string;
  return Object.assign(client, { contactId: (res.body.contact as { id: string }).id });
}

/** A visitor with an open conversation and its id. */
export async function visitorWithConversation(
  server: TestServer,
  inboxId: string,
  firstMessage = 'Hello, I need help',
): Promise<{ visitor: HttpClient & { contactId: string }; conversationId: string }> {
  const visitor = await visitorOf(server, inboxId, { name: 'Visitor' });
  const res = await visitor.post('/api/client/conversations', {
    message: { clientMsgId: `first-${unique()}`, body: firstMessage },
  });
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${res.text}`);
  return { visitor, conversationId: (res.body.conversation as { id: string }).id };
}
