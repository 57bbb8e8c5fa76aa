import type { AccountActor } from '../../auth/principal.ts';
import type { RawExecutor } from '../../db/connect.ts';
import type { EventInput, PendingPublish } from '../../realtime/outbox.ts';
import type { Author } from '../messages/commands.ts';

/**
 * Routing and lifecycle run inside three kinds of transaction (query-builder transactions of commands,
 * the message writer's raw batch transaction, job transactions), so they speak positional SQL through
 * RawExecutor, which all three provide.
 */
export type Exec = RawExecutor;

export async function first<T extends Record<string, unknown>>(
  exec: Exec,
  text: string,
  values: unknown[],
): Promise<T | undefined> {
  const rows = await exec.query<T>(text, values);
  return rows[0];
}

/** Writes a journey/outbox event with positional SQL (recordEvent needs a query-builder transaction). */
export async function recordEventRaw(exec: Exec, pending: PendingPublish, input: EventInput): Promise<void> {
  const row = await first<{ id: number | string }>(
    exec,
    `insert into events (account_id, conversation_id, contact_id, type, actor_kind, actor_id, payload)
     values ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::uuid, $7::jsonb) returning id`,
    [
      input.accountId,
      input.conversationId ?? null,
      input.contactId ?? null,
      input.type,
      input.actor.kind,
      input.actor.id,
      JSON.stringify(input.payload ?? {}),
    ],
  );
  if (row) pending.eventIds.push(Number(row.id));
}

/** Actor id used when the system (a timer, routing) acts; never a real token. */
export const SYSTEM_ACTOR_ID = '00000000-0000-0000-0000-000000000000';

/**
 * What appendMessage needs to write a system activity item: an account-wide scope (the conversation
 * was already authorized or found by a system process) and the `system` author.
 */
export const systemActor = (accountId: string): AccountActor => ({
  kind: 'token',
  tokenId: SYSTEM_ACTOR_ID,
  accountId,
  scopes: [],
});

export const SYSTEM_AUTHOR: Author = { kind: 'system', id: null, name: null };

/** Who a journey event names: the agent or token that acted, or the system. */
export function eventActorOf(actor: AccountActor | null): EventInput['actor'] {
  if (!actor || (actor.kind === 'token' && actor.tokenId === SYSTEM_ACTOR_ID))
    return { kind: 'system', id: null };
  return actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId };
}

/** Milliseconds-precise ISO text for timestamptz parameters. */
export const iso = (date: Date) => date.toISOString();
