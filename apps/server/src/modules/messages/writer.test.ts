import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { makeAccount, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { resolvePrincipal, type VisitorPrincipal } from '../../auth/principal.ts';
import { AppError } from '../../errors.ts';
import { authorOf, postMessage } from './commands.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

async function visitorConversation() {
  const account = await makeAccount(server);
  const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
  const actor = (await resolvePrincipal(server.ctx, { bearer: visitor.bearer ?? '' })) as VisitorPrincipal;
  return { account, actor, conversationId };
}

const send = (
  actor: VisitorPrincipal,
  conversationId: string,
  clientMsgId: string,
  body = `body of ${clientMsgId}`,
) =>
  postMessage(server.ctx, {
    actor,
    conversationId,
    author: authorOf(actor),
    kind: 'text',
    body,
    private: false,
    clientMsgId,
  });

async function seqsOf(conversationId: string): Promise<number[]> {
  const rows = await server.ctx.database.rows<{ seq: number }>(
    sql`select seq from messages where conversation_id = ${conversationId} order by seq`,
  );
  return rows.map((r) => Number(r.seq));
}

test('many concurrent writers, duplicates among them: seqs stay gapless and each id is stored once', async () => {
  const conversations = await Promise.all(Array.from({ length: 6 }, () => visitorConversation()));
  const attempts = conversations.flatMap(({ actor, conversationId }) =>
    Array.from({ length: 40 }, (_, i) => send(actor, conversationId, `id-${i % 25}`)),
  );
  const outcomes = await Promise.all(attempts);
  for (const { conversationId } of conversations) {
    const seqs = await seqsOf(conversationId);
    assert.deepEqual(
      seqs,
      Array.from({ length: 26 }, (_, i) => i + 1),
      'the first message plus 25 distinct ids, seq 1..26',
    );
    const [head] = await server.ctx.database.rows<{ last_seq: number }>(
      sql`select last_seq from conversations where id = ${conversationId}`,
    );
    assert.equal(Number(head?.last_seq), 26, 'last_seq matches the stored messages');
  }
  assert.equal(outcomes.filter((o) => o.created).length, 6 * 25);
  const byKey = new Map<string, Set<string>>();
  for (const outcome of outcomes) {
    const key = `${outcome.message.conversationId}:${outcome.message.clientMsgId}`;
    byKey.set(key, (byKey.get(key) ?? new Set()).add(outcome.message.id));
  }
  for (const ids of byKey.values()) assert.equal(ids.size, 1, 'every retry got the same message back');
});

test('a refused message does not fail the others committed with it', async () => {
  const open = await visitorConversation();
  const other = await visitorConversation();
  await server.ctx.database.db.execute(
    sql`update conversations set status = 'closed' where id = ${other.conversationId}`,
  );
  const results = await Promise.allSettled([
    send(open.actor, open.conversationId, 'a'),
    send(other.actor, other.conversationId, 'b'),
    send(open.actor, open.conversationId, 'c'),
    send(open.actor, crypto.randomUUID(), 'd'),
    send(open.actor, open.conversationId, 'a', 'a different body'),
  ]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[2].status, 'fulfilled');
  const closed = results[1];
  assert.ok(
    closed.status === 'rejected' && closed.reason instanceof AppError && closed.reason.status === 409,
  );
  const missing = results[3];
  assert.ok(
    missing.status === 'rejected' &&
      missing.reason instanceof AppError &&
      missing.reason.code === 'conversation_not_found',
  );
  const reused = results[4];
  assert.ok(
    reused.status === 'rejected' &&
      reused.reason instanceof AppError &&
      reused.reason.code === 'idempotency_conflict',
  );
  assert.deepEqual(await seqsOf(open.conversationId), [1, 2, 3]);
  assert.deepEqual(await seqsOf(other.conversationId), [1], 'the closed conversation kept its seq');
});

test("a message that reopens a conversation is written in the writer's transaction, its neighbours without one", async () => {
  const solved = await visitorConversation();
  const plain = await Promise.all([visitorConversation(), visitorConversation()]);
  await server.ctx.database.db.execute(
    sql`update conversations set status = 'solved', solved_at = now() where id = ${solved.conversationId}`,
  );
  // Copied at once: the registry hands out its live value objects.
  const batches = async () =>
    (
      (await server.ctx.metrics.registry.getSingleMetric('parley_message_batches_total')?.get())?.values ?? []
    ).map((v) => ({ mode: String(v.labels.mode), value: v.value }));
  const before = await batches();
  // Submitted in one tick: each lane takes what it holds as one batch.
  const results = await Promise.all([
    send(solved.actor, solved.conversationId, 'reopen'),
    ...plain.map((p) => send(p.actor, p.conversationId, 'plain')),
  ]);
  assert.ok(results.every((r) => r.created));
  const [row] = await server.ctx.database.rows<{ status: string }>(
    sql`select status from conversations where id = ${solved.conversationId}`,
  );
  assert.equal(row?.status, 'open', 'the customer reopened it');
  const journal = await server.ctx.database.rows<{ payload: { reason?: string } }>(
    sql`select payload from events where conversation_id = ${solved.conversationId}
        and type = 'conversation.status_changed'`,
  );
  assert.ok(
    journal.some((e) => e.payload.reason === 'customer_reply'),
    'the reopening is journaled',
  );
  assert.deepEqual(await seqsOf(solved.conversationId), [1, 2, 3], 'the message, then the reopening item');
  for (const { conversationId } of plain) assert.deepEqual(await seqsOf(conversationId), [1, 2]);
  const after = await batches();
  const grew = (mode: string) =>
    (after.find((v) => v.mode === mode)?.value ?? 0) - (before.find((v) => v.mode === mode)?.value ?? 0);
  assert.ok(grew('transaction') >= 1, 'the reopening went through a transaction');
  assert.ok(grew('single_statement') >= 1, 'the plain messages did not need one');
});

test('the inbox preview shows a message as text, without formatting markers', async () => {
  const { actor, conversationId } = await visitorConversation();
  await send(actor, conversationId, 'formatted', 'Hi **there**, the `code` is *here*');
  const [row] = await server.ctx.database.rows<{ last_message_preview: string }>(
    sql`select last_message_preview from conversations where id = ${conversationId}`,
  );
  assert.equal(row?.last_message_preview, 'Hi there, the code is here');
});
