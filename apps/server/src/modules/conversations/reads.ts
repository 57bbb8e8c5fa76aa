import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { conversationParticipants } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { findConversation } from './queries.ts';

type Reader = { kind: 'contact' | 'agent'; id: string; name: string | null };

export function readerOf(actor: Actor): Reader {
  if (actor.kind === 'visitor') return { kind: 'contact', id: actor.contactId, name: actor.contactName };
  if (actor.kind === 'agent') return { kind: 'agent', id: actor.userId, name: actor.name };
  throw new AppError('forbidden', 403, 'API tokens do not have read positions');
}

/** Moves a participant's read position forward (never back), creating the row for agents on first read. */
export async function advanceReadPosition(
  executor: DbOrTx,
  conversationId: string,
  reader: Reader,
  seq: number,
) {
  await executor
    .insert(conversationParticipants)
    .values({ conversationId, participantKind: reader.kind, participantId: reader.id, lastReadSeq: seq })
    .onConflictDoUpdate({
      target: [
        conversationParticipants.conversationId,
        conversationParticipants.participantKind,
        conversationParticipants.participantId,
      ],
      set: { lastReadSeq: sql`greatest(${conversationParticipants.lastReadSeq}, ${seq})` },
    });
}

/**
 * Read receipts. Positions are not journey events (there would be one per glance), so they are
 * stored on the participant row and announced on the bus without an outbox entry.
 */
export async function markRead(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<number> {
  const reader = readerOf(actor);
  const { row } = await findConversation(ctx.database.db, actor, conversationId);
  const upTo = Math.min(seq, row.lastSeq);
  await advanceReadPosition(ctx.database.db, row.id, reader, upTo);
  const [position] = await ctx.database.db
    .select({ seq: conversationParticipants.lastReadSeq })
    .from(conversationParticipants)
    .where(
      and(
        eq(conversationParticipants.conversationId, row.id),
        eq(conversationParticipants.participantKind, reader.kind),
        eq(conversationParticipants.participantId, reader.id),
      ),
    );
  const stored = position?.seq ?? upTo;
  ctx.bus.publish({ t: 'read', accountId: row.accountId, conversationId: row.id, reader, seq: stored });
  return stored;
}
