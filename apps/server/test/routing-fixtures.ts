/**
 * Shared set-up for the routing and lifecycle tests: agents who are online with a given capacity,
 * conversations started by visitors, and direct reads of what the database holds.
 */
import type { Conversation, Message } from '@parley/shared';
import { sql } from 'drizzle-orm';
import { loginAs, makeMember, visitorOf } from './factories.ts';
import type { TestServer } from './harness.ts';
import type { HttpClient } from './http-client.ts';

let counter = 0;

export interface Agent {
  userId: string;
  email: string;
  name: string;
  client: HttpClient;
}

/** An agent of the account working the given inboxes, signed in, with capacity and skills, online. */
export async function onlineAgent(
  server: TestServer,
  accountId: string,
  inboxIds: string[],
  options: {
    capacity?: number;
    skills?: string[];
    channelCapacity?: Record<string, number>;
    online?: boolean;
    admin?: HttpClient;
  } = {},
): Promise<Agent> {
  const member = await makeMember(server, accountId, 'agent', inboxIds);
  await server.ctx.database.rows(sql`
    update account_members set capacity = ${options.capacity ?? 10},
      skills = ${JSON.stringify(options.skills ?? [])}::jsonb,
      channel_capacity = ${JSON.stringify(options.channelCapacity ?? {})}::jsonb
    where account_id = ${accountId} and user_id = ${member.userId}`);
  const client = await loginAs(server, member.email);
  if (options.online !== false) {
    const res = await client.request('PUT', `/api/accounts/${accountId}/me/availability`, {
      availability: 'online',
    });
    if (res.status !== 200) throw new Error(`availability failed: ${res.status} ${res.text}`);
  }
  return { ...member, client };
}

/** A visitor who starts a conversation with a first message; returns the visitor and the id. */
export async function customerWrites(
  server: TestServer,
  inboxId: string,
  body = 'Hello, I need help',
): Promise<{ visitor: HttpClient & { contactId: string }; conversationId: string }> {
  const visitor = await visitorOf(server, inboxId, { name: `Customer ${counter}` });
  const res = await visitor.post('/api/client/conversations', {
    message: { clientMsgId: `start-${Date.now()}-${counter++}`, body },
  });
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${res.text}`);
  return { visitor, conversationId: (res.body.conversation as { id: string }).id };
}

/** The customer writes again in the same conversation. */
export async function customerReplies(
  visitor: HttpClient,
  conversationId: string,
  body = 'Me again',
): Promise<{ status: number; body: Record<string, unknown> }> {
  return visitor.post(`/api/client/conversations/${conversationId}/messages`, {
    clientMsgId: `reply-${Date.now()}-${counter++}`,
    body,
  });
}

export type Row = {
  status: string;
  assignee_id: string | null;
  previous_assignee_id: string | null;
  queued_at: string | null;
  snoozed_until: string | null;
  solved_at: string | null;
  closed_at: string | null;
  handoff_note: string | null;
  team_id: string | null;
  priority: string;
};

export async function rowOf(server: TestServer, conversationId: string): Promise<Row> {
  const [row] = await server.ctx.database.rows<Row>(
    sql`select status, assignee_id, previous_assignee_id, queued_at::text, snoozed_until::text, solved_at::text,
               closed_at::text, handoff_note, team_id, priority
        from conversations where id = ${conversationId}`,
  );
  if (!row) throw new Error('no such conversation');
  return row;
}

/** Conversations counted against an agent's capacity: assigned to them, new or open. */
export async function loadOf(server: TestServer, userId: string): Promise<number> {
  const [row] = await server.ctx.database.rows<{ n: number }>(
    sql`select count(*)::int as n from conversations where assignee_id = ${userId} and status in ('new', 'open')`,
  );
  return row?.n ?? 0;
}

export async function threadOf(
  client: HttpClient,
  accountId: string,
  conversationId: string,
): Promise<Message[]> {
  const res = await client.get(
    `/api/accounts/${accountId}/conversations/${conversationId}/messages?limit=200`,
  );
  if (res.status !== 200) throw new Error(`thread failed: ${res.status} ${res.text}`);
  return res.body.messages as Message[];
}

export async function journeyOf(
  server: TestServer,
  conversationId: string,
): Promise<Array<{ type: string; payload: Record<string, unknown> }>> {
  return server.ctx.database.rows(
    sql`select type, payload from events where conversation_id = ${conversationId} order by id`,
  );
}

export const base = (accountId: string) => `/api/accounts/${accountId}/conversations`;

export async function conversationOf(
  client: HttpClient,
  accountId: string,
  id: string,
): Promise<Conversation> {
  const res = await client.get(`${base(accountId)}/${id}`);
  if (res.status !== 200) throw new Error(`get failed: ${res.status} ${res.text}`);
  return res.body.conversation as Conversation;
}

/** Polls until `check` holds (after-commit work of the message writer runs in the background). */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
