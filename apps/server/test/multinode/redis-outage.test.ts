/**
 * Redis is optional for correctness: while it is down, both nodes say so on /readyz (degraded, still
 * serving), messages are stored, clients on the writer's node are served at once, and clients on
 * the other node are caught up from the database; when it returns, live cross-node delivery resumes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, type NodeProcess, sleep } from './cluster.ts';
import { followFeed } from './feed-client.ts';
import { assertClientView, assertConversationLog, lastSeqOf, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

async function waitForReadiness(nodes: NodeProcess[], redis: 'ok' | 'down', timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(nodes.map((n) => n.readyz()));
    if (answers.every((x) => x.body.checks.redis === redis)) return answers;
    if (Date.now() > deadline)
      throw new Error(`readyz did not report redis ${redis}: ${JSON.stringify(answers)}`);
    await sleep(100);
  }
}

/** Sends `count` messages from `client`, `perSecond`, and waits for all acks. */
async function say(client: ChatClient, prefix: string, count: number, perSecond: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    client.send(`${prefix}-${i}`, `${prefix} ${i}`);
    await sleep(1000 / perSecond);
  }
  const deadline = Date.now() + 15_000;
  while (client.unacked > 0) {
    if (Date.now() > deadline) throw new Error(`${client.name}: ${client.unacked} sends never acked`);
    await sleep(20);
  }
}

/** Delivery delays to `to` of the messages `from` queued under `prefix`. */
function delays(from: ChatClient, to: ChatClient, prefix: string): number[] {
  const seqById = new Map([...to.held.values()].map((m) => [m.id, m.seq]));
  const out: number[] = [];
  for (const [id, entry] of from.pending) {
    if (!id.startsWith(`${prefix}-`)) continue;
    const seq = entry.messageId ? seqById.get(entry.messageId) : undefined;
    const at = seq === undefined ? undefined : to.receivedAt.get(seq);
    out.push(at === undefined ? Number.POSITIVE_INFINITY : at - entry.queuedAt);
  }
  return out.sort((x, y) => x - y);
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? Number.POSITIVE_INFINITY;

test(
  'with Redis down, nodes degrade but keep storing and delivering; cross-node clients catch up with zero loss',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const agentHttp = await cluster.login(a, fixture.adminEmail);
      const cookie = agentHttp.cookie ?? '';
      const noRest = async () => {
        throw new Error('no resync expected here');
      };
      const nodes = () => cluster.liveNodes().map((n) => n.url);
      const visitor = new ChatClient({
        name: 'visitor@A',
        conversationId,
        auth: { kind: 'visitor', token },
        nodes,
        readAfter: noRest,
      });
      const agentA = new ChatClient({
        name: 'agent@A',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes,
        readAfter: noRest,
      });
      const agentB = new ChatClient({
        name: 'agent@B',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes,
        readAfter: noRest,
      });
      const clients = [visitor, agentA, agentB];
      // Node A's account feed hears of node B's writes only over the bus, or from the catch-up after it.
      const feedA = await followFeed(a, cookie, fixture.accountId);
      try {
        await visitor.start(a.url);
        await agentA.start(a.url);
        await agentB.start(b.url);

        await say(visitor, 'before', 10, 20);
        await waitForConvergence(cluster, conversationId, clients, 5_000);

        const stoppedAt = Date.now();
        await cluster.redis.stop();
        const degraded = await waitForReadiness([a, b], 'down', 10_000);
        for (const answer of degraded) {
          assert.equal(answer.status, 200, 'still ready: Redis is optional');
          assert.equal(answer.body.status, 'degraded');
          assert.equal(answer.body.checks.database, 'ok');
        }
        const degradedAfterMs = Date.now() - stoppedAt;

        // During the outage: both sides keep talking.
        await Promise.all([say(visitor, 'outage-v', 30, 10), say(agentB, 'outage-b', 15, 5)]);
        const sameNode = delays(visitor, agentA, 'outage-v');
        assert.ok(
          sameNode.length === 30 && (sameNode.at(-1) ?? Infinity) < 1_000,
          `same-node delivery stays live: ${sameNode.at(-1)} ms`,
        );
        // Cross-node, the database reconcile still brings everything while the bus is down.
        await waitForConvergence(cluster, conversationId, clients, 10_000);
        const crossDuringOutage = delays(visitor, agentB, 'outage-v');
        for (const client of clients) assert.ok(client.connected, `${client.name} kept its socket`);

        const restartedAt = Date.now();
        await cluster.redis.start();
        await waitForReadiness([a, b], 'ok', 10_000);
        const readyAgainAfterMs = Date.now() - restartedAt;
        const headAfterOutage = await lastSeqOf(cluster, conversationId);
        while (feedA.seen(conversationId) < headAfterOutage) {
          if (Date.now() - restartedAt > 10_000) throw new Error('the account feed on A never caught up');
          await sleep(50);
        }
        const feedCaughtUpAfterMs = Date.now() - restartedAt;
        // What was written while nobody heard is caught up, then live delivery crosses nodes again.
        await Promise.all([say(visitor, 'after-v', 20, 20), say(agentB, 'after-b', 20, 20)]);
        await waitForConvergence(cluster, conversationId, clients, 10_000);
        const crossAfter = delays(visitor, agentB, 'after-v');
        const crossAfterBack = delays(agentB, visitor, 'after-b');
        assert.ok(median(crossAfter) < 500, `A → B delivery is live again: median ${median(crossAfter)} ms`);
        assert.ok(
          median(crossAfterBack) < 500,
          `B → A delivery is live again: median ${median(crossAfterBack)} ms`,
        );

        const rows = await assertConversationLog(cluster, conversationId);
        assert.equal(rows.length, 1 + 10 + 30 + 15 + 20 + 20);
        for (const client of clients) {
          assertClientView(client, rows);
          assert.equal(client.stats.rawDuplicates, 0, `${client.name}: no duplicate deliveries`);
        }
        console.log(
          `redis outage summary ${JSON.stringify({
            messages: rows.length,
            degradedAfterMs,
            readyAgainAfterMs,
            feedCaughtUpAfterMs,
            sameNodeMaxMs: sameNode.at(-1),
            crossNodeDuringOutageMedianMs: median(crossDuringOutage),
            crossNodeDuringOutageMaxMs: crossDuringOutage.at(-1),
            crossNodeAfterMedianMs: median(crossAfter),
            clients: clients.map((c) => c.stats),
          })}`,
        );
      } catch (error) {
        if (error instanceof Error)
          for (const client of clients)
            error.message += `\n\n${client.name} events:\n  ${client.events.slice(-30).join('\n  ')}`;
        throw error;
      } finally {
        await Promise.all([...clients.map((c) => c.stop()), feedA.ws.close()]);
      }
    }),
);

test(
  'a node started while Redis is down comes up degraded, serves, and joins the bus when Redis returns',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const running = await cluster.startNode('node-running');
      await cluster.redis.stop();
      await waitForReadiness([running], 'down', 10_000);
      const late = await cluster.startNode('node-started-during-outage');
      const readiness = await late.readyz();
      assert.equal(readiness.status, 200);
      assert.equal(readiness.body.status, 'degraded');

      const fixture = await cluster.fixture();
      const { token, conversationId } = await cluster.visitorWithConversation(late, fixture.inboxId);
      const cookie = (await cluster.login(running, fixture.adminEmail)).cookie ?? '';
      const noRest = async () => {
        throw new Error('no resync expected here');
      };
      const visitor = new ChatClient({
        name: 'visitor@late',
        conversationId,
        auth: { kind: 'visitor', token },
        nodes: () => [late.url],
        readAfter: noRest,
      });
      const agent = new ChatClient({
        name: 'agent@running',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes: () => [running.url],
        readAfter: noRest,
      });
      const clients = [visitor, agent];
      try {
        await visitor.start(late.url);
        await agent.start(running.url);
        await say(visitor, 'outage', 5, 10);
        await waitForConvergence(cluster, conversationId, clients, 10_000);

        await cluster.redis.start();
        await waitForReadiness([running, late], 'ok', 10_000);
        await Promise.all([say(visitor, 'joined-v', 10, 20), say(agent, 'joined-a', 10, 20)]);
        await waitForConvergence(cluster, conversationId, clients, 10_000);
        const there = delays(visitor, agent, 'joined-v');
        const back = delays(agent, visitor, 'joined-a');
        assert.ok(median(there) < 500, `late → running is live once Redis is back: ${median(there)} ms`);
        assert.ok(median(back) < 500, `running → late is live once Redis is back: ${median(back)} ms`);
        const rows = await assertConversationLog(cluster, conversationId);
        for (const client of clients) assertClientView(client, rows);
      } finally {
        await Promise.all(clients.map((c) => c.stop()));
        if (!cluster.redis.running) await cluster.redis.start();
      }
    }),
);
