/**
 * The acceptance test of the realtime design: two server processes on one PostgreSQL and one Redis,
 * a visitor and an agent chatting through them in both directions while both clients reconnect at
 * random, and the visitor's node is killed with SIGKILL halfway through. Afterwards every client
 * must hold every message exactly once in seq order, and the database must hold every message once
 * with gapless seqs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@parley/shared';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, type NodeProcess, sleep } from './cluster.ts';
import { assertClientView, assertConversationLog, crossLatency, waitForConvergence } from './oracle.ts';

const PER_SIDE = Number(process.env.MULTINODE_MESSAGES ?? 1_000);
/** Sends per second per client: under the gateway's 50 frames/s per socket, as a real client stays. */
const RATE = 40;
/** Sends a client may have un-acked at once. */
const WINDOW = 8;
/** Extra visitor sends fired just before the kill. */
const BURST = 6;

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

async function readPage(url: string, headers: Record<string, string>) {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`catch-up read failed: ${res.status}`);
  return (await res.json()) as { messages: Message[]; lastSeq: number };
}

/** Sends `count` messages at RATE with at most WINDOW un-acked, then waits for the last acks. */
async function produce(client: ChatClient, prefix: string, count: number, deadline: number): Promise<void> {
  const check = () => {
    if (client.fatal) throw client.fatal;
    if (client.isStopped) throw new Error(`${client.name} was stopped`);
    if (Date.now() > deadline) throw new Error(`${client.name} could not send within the time limit`);
  };
  for (let i = 0; i < count; i++) {
    while (!client.connected || client.unacked >= WINDOW) {
      check();
      await sleep(5);
    }
    client.send(`${prefix}-${i}`, `${prefix} says ${i}`);
    await sleep(1000 / RATE);
  }
  while (client.unacked > 0) {
    check();
    await sleep(10);
  }
}

test(
  `${PER_SIDE} messages each way across two nodes, random reconnects and kill -9 of a node: nothing lost, duplicated or reordered`,
  { timeout: 180_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const agentHttp = await cluster.login(b, fixture.adminEmail);
      const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const cookie = agentHttp.cookie ?? '';
      const nodes = () => cluster.liveNodes().map((n) => n.url);

      const visitor = new ChatClient({
        name: 'visitor',
        conversationId,
        auth: { kind: 'visitor', token },
        nodes,
        readAfter: (base, afterSeq) =>
          readPage(
            `${base}/api/client/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=200`,
            {
              authorization: `Bearer ${token}`,
            },
          ),
      });
      const agent = new ChatClient({
        name: 'agent',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes,
        readAfter: (base, afterSeq) =>
          readPage(
            `${base}/api/accounts/${fixture.accountId}/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=200`,
            { cookie },
          ),
      });
      try {
        await run(a, b, visitor, agent);
      } catch (error) {
        if (error instanceof Error)
          for (const client of [visitor, agent])
            error.message += `\n\n${client.name} events:\n  ${client.events.slice(-40).join('\n  ')}`;
        throw error;
      } finally {
        await Promise.all([visitor.stop(), agent.stop()]);
      }
    }),
);

async function run(a: NodeProcess, b: NodeProcess, visitor: ChatClient, agent: ChatClient) {
  const startedAt = Date.now();
  const conversationId = visitor.conversationId;
  const nodes = () => cluster.liveNodes().map((n) => n.url);
  await visitor.start(a.url);
  await agent.start(b.url);

  // Random reconnects of both clients to random live nodes, half of them abrupt.
  let chaosOn = true;
  const pinned = new Set<ChatClient>();
  const chaos = async (client: ChatClient) => {
    while (chaosOn && !client.isStopped) {
      await sleep(800 + Math.random() * 2_500);
      if (!chaosOn || pinned.has(client) || !client.connected) continue;
      const live = nodes();
      await client
        .reconnect('random', live[Math.floor(Math.random() * live.length)], Math.random() < 0.5)
        .catch(() => {});
    }
  };

  const deadline = Date.now() + 150_000;
  const producers = Promise.all([
    produce(visitor, 'visitor', PER_SIDE, deadline),
    produce(agent, 'agent', PER_SIDE, deadline),
  ]);
  const chaosRuns = [chaos(visitor), chaos(agent)];
  // Awaited below; a failure elsewhere first must not leave it unhandled.
  producers.catch(() => {});

  // Halfway: make sure the visitor is on node A, let the stream flow, then kill A.
  const acked = () =>
    [...visitor.pending.values(), ...agent.pending.values()].filter((p) => p.messageId !== null).length;
  while (acked() < PER_SIDE) {
    if (visitor.fatal || agent.fatal) break;
    await sleep(20);
  }
  pinned.add(visitor);
  for (let i = 0; i < 5 && visitor.nodeUrl !== a.url; i++) {
    await visitor.reconnect('pin to node A', a.url).catch(() => {});
  }
  await sleep(400);
  assert.equal(visitor.nodeUrl, a.url, 'the visitor is on node A when it dies');
  // A burst right before the kill, so that some sends die in flight on A: committed or not,
  // published or not. The visitor must retry them on B without storing any twice.
  for (let i = 0; i < BURST; i++) visitor.send(`visitor-burst-${i}`, `burst ${i}`);
  await new Promise((resolve) => setImmediate(resolve));
  const heldAtKill = visitor.maxHeld;
  const unackedAtKill = visitor.unacked;
  const killedAt = Date.now();
  await a.kill9();
  const resumeDeadline = Date.now() + 15_000;
  while (!(visitor.connected && visitor.nodeUrl === b.url)) {
    if (Date.now() > resumeDeadline) throw new Error('the visitor did not resume on node B');
    await sleep(10);
  }
  const visitorResumeMs = Date.now() - killedAt;
  pinned.delete(visitor);
  // A replacement for A joins a little later, so the second half still spans two nodes.
  let a2: NodeProcess | null = null;
  const restart = sleep(2_000).then(async () => {
    a2 = await cluster.startNode('node-a2');
  });

  await producers;
  chaosOn = false;
  await Promise.all([restart, ...chaosRuns]);
  const lastSeq = await waitForConvergence(cluster, conversationId, [visitor, agent], 20_000);
  await Promise.all([visitor.stop(), agent.stop()]);
  const elapsedMs = Date.now() - startedAt;

  const rows = await assertConversationLog(cluster, conversationId);
  assert.equal(lastSeq, 1 + 2 * PER_SIDE + BURST, 'every message stored, none twice');
  for (let i = 0; i < PER_SIDE; i++) {
    for (const prefix of ['visitor', 'agent']) {
      assert.equal(
        rows.filter((r) => r.client_msg_id === `${prefix}-${i}`).length,
        1,
        `${prefix}-${i} stored exactly once`,
      );
    }
  }
  assertClientView(visitor, rows);
  assertClientView(agent, rows);

  const summary = {
    messages: rows.length,
    perSide: PER_SIDE,
    elapsedMs,
    killedNode: a.name,
    visitorHeldAtKill: heldAtKill,
    visitorUnackedAtKill: unackedAtKill,
    visitorResumeAfterKillMs: visitorResumeMs,
    restartedNode: (a2 as NodeProcess | null)?.name ?? null,
    latencyVisitorToAgentMs: crossLatency(visitor, agent, rows),
    latencyAgentToVisitorMs: crossLatency(agent, visitor, rows),
    clients: [visitor.stats, agent.stats],
  };
  console.log(`multinode failover summary ${JSON.stringify(summary)}`);
  if (process.env.MULTINODE_DEBUG) {
    for (const client of [visitor, agent]) console.log(`${client.name}:\n  ${client.events.join('\n  ')}`);
  }
  assert.equal(visitor.stats.rawDuplicates + agent.stats.rawDuplicates, 0, 'no duplicate deliveries');
  assert.ok(Object.keys(visitor.stats.nodesUsed).length >= 2, 'the visitor was served by several nodes');
  // Live delivery crosses nodes over the bus; the 3 s database reconcile alone would be far slower.
  assert.ok(summary.latencyVisitorToAgentMs.p50 < 500, 'typical visitor → agent delivery is live');
  assert.ok(summary.latencyAgentToVisitorMs.p50 < 500, 'typical agent → visitor delivery is live');
}
