import type { MessagesQuery } from '@parley/shared';
import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { messageColumns, messages } from '../../db/schema.ts';
import { type MessageRow, presentMessage, visibleToVisitor } from './presenter.ts';

/**
 * A page of a conversation by seq: `afterSeq` reads forward (catching up), `beforeSeq` reads back
 * (older history), neither gives the newest page. The caller has already authorized the conversation.
 */
export async function listMessages(
  executor: DbOrTx,
  conversationId: string,
  query: MessagesQuery,
  audience: 'agent' | 'visitor',
) {
  const conditions: SQL[] = [eq(messages.conversationId, conversationId)];
  if (audience === 'visitor') conditions.push(eq(messages.private, false));
  let rows: MessageRow[];
  if (query.afterSeq !== undefined) {
    conditions.push(gt(messages.seq, query.afterSeq));
    if (query.beforeSeq !== undefined) conditions.push(lt(messages.seq, query.beforeSeq));
    rows = await executor
      .select(messageColumns)
      .from(messages)
      .where(and(...conditions))
      .orderBy(asc(messages.seq))
      .limit(query.limit);
  } else {
    if (query.beforeSeq !== undefined) conditions.push(lt(messages.seq, query.beforeSeq));
    rows = (
      await executor
        .select(messageColumns)
        .from(messages)
        .where(and(...conditions))
        .orderBy(desc(messages.seq))
        .limit(query.limit)
    ).reverse();
  }
  return rows.filter((r) => audience === 'agent' || visibleToVisitor(r)).map(presentMessage);
}
