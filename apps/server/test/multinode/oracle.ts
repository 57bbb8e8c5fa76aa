/**
 * What the database says happened, to judge the clients against: the conversation's rows in seq
 * order, and the checks every multi-node test shares (seq contiguous, clientMsgId stored once).
 */
import assert from 'node:assert/strict';
import type { Message } from '@parley/shared';
import { sql } from 'drizzle-orm';
import type { ChatClient } from './chat-client.ts';
import type { Cluster } from './cluster.ts';
import { sleep } from './cluster.ts';

export interface StoredMessage extends Record<string, unknown> {
  id: string;
  seq: number;
  client_msg_id: string | null;
  sender_kind: string;
}

export async function storedMessages(cluster: Cluster, conversationId: string): Promise<StoredMessage[]> {
  return cluster.database.rows<StoredMessage>(
    sql`select id, seq, client_msg_id, sender_kind from messages
        where conversation_id = ${conversationId} order by seq`,
  );
}

export async function lastSeqOf(cluster: Cluster, conversationId: string): Promise<number> {
  const [row] = await cluster.database.rows<{ last_seq: number }>(
    sql`select last_seq from conversations where id = ${conversationId}`,
  );
  return Number(row?.last_seq ?? 0);
}

/** `seq` is exactly 1..last_seq and no (sender, clientMsgId) is stored twice. */
export async function assertConversationLog(
  cluster: Cluster,
  conversationId: string,
): Promise<StoredMessage[]> {
  const rows = await storedMessages(cluster, conversationId);
  const lastSeq = await lastSeqOf(cluster, conversationId);
  assert.equal(rows.length, lastSeq, 'one row per allocated seq');
  for (const [index, row] of rows.entries()) assert.equal(row.seq, index + 1, `seq ${index + 1} in place`);
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.client_msg_id === null) continue;
    const key = `${row.sender_kind}:${row.client_msg_id}`;
    assert.ok(!seen.has(key), `clientMsgId ${key} stored once`);
    seen.add(key);
  }
  return rows;
}

/** Waits until every client holds every seq up to the conversation's last one. */
export async function waitForConvergence(
  cluster: Cluster,
  conversationId: string,
  clients: ChatClient[],
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lastSeq = await lastSeqOf(cluster, conversationId);
    const behind = clients.filter((c) => c.missing(lastSeq).length > 0);
    if (behind.length === 0) return lastSeq;
    if (Date.now() > deadline) {
      const detail = behind
        .map((c) => {
          const missing = c.missing(lastSeq);
          return `${c.name} misses ${missing.length} seqs (first ${missing.slice(0, 10).join(',')}); recent events:\n  ${c.events.slice(-15).join('\n  ')}`;
        })
        .join('\n');
      throw new Error(`clients did not converge on seq ${lastSeq} within ${timeoutMs} ms:\n${detail}`);
    }
    await sleep(100);
  }
}

/** The per-client oracle: nothing lost, out of order, out of chain, or stored differently. */
export function assertClientView(client: ChatClient, rows: StoredMessage[]): void {
  const lastSeq = rows.length;
  assert.deepEqual(client.missing(lastSeq), [], `${client.name} lost nothing`);
  assert.equal(client.stats.orderViolations, 0, `${client.name} saw seq order`);
  assert.equal(client.stats.prevSeqBreaks, 0, `${client.name} saw an unbroken prevSeq chain`);
  assert.equal(client.stats.framesBeforeSubscribed, 0, `${client.name} got messages only after subscribed`);
  assert.equal(client.stats.ackIdMismatches, 0, `${client.name} got one message id per clientMsgId`);
  for (const row of rows) {
    const held = client.held.get(row.seq) as Message;
    assert.equal(held.id, row.id, `${client.name} holds the stored message at seq ${row.seq}`);
  }
  const byClientMsgId = new Map(rows.map((r) => [r.client_msg_id, r.id]));
  for (const [clientMsgId, entry] of client.pending) {
    assert.ok(entry.messageId, `${client.name}: ${clientMsgId} acked`);
    assert.equal(byClientMsgId.get(clientMsgId), entry.messageId, `${client.name}: ack of ${clientMsgId}`);
  }
}

/** How long messages `from` queued took to reach `to`, in ms: p50, p99 and max. */
export function crossLatency(from: ChatClient, to: ChatClient, rows: StoredMessage[]) {
  const seqById = new Map(rows.map((r) => [r.id, r.seq]));
  const samples: number[] = [];
  for (const entry of from.pending.values()) {
    const seq = entry.messageId ? seqById.get(entry.messageId) : undefined;
    const at = seq === undefined ? undefined : to.receivedAt.get(seq);
    if (at !== undefined) samples.push(at - entry.queuedAt);
  }
  samples.sort((x, y) => x - y);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { count: samples.length, p50: pick(0.5), p99: pick(0.99), max: samples.at(-1) ?? 0 };
}
