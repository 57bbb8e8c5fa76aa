/**
 * Two nodes with the same NODE_NAME (the default is derived from the pid, which is 1 in every
 * container) must still hear each other on the bus: the name is for humans and logs, not for telling
 * a node's own messages apart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';
import { assertClientView, assertConversationLog, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

test('nodes sharing a NODE_NAME deliver to each other live', { timeout: 90_000 }, () =>
  cluster.diagnose(async () => {
    const [a, b] = await Promise.all([cluster.startNode('parley'), cluster.startNode('parley')]);
    const fixture = await cluster.fixture();
    const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
    const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
    const noRest = async () => {
      throw new Error('no resync expected here');
    };
    const visitor = new ChatClient({
      name: 'visitor@A',
      conversationId,
      auth: { kind: 'visitor', token },
      nodes: () => [a.url],
      readAfter: noRest,
    });
    const agent = new ChatClient({
      name: 'agent@B',
      conversationId,
      auth: { kind: 'agent', cookie },
      nodes: () => [b.url],
      readAfter: noRest,
    });
    try {
      await visitor.start(a.url);
      await agent.start(b.url);
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        const sentAt = Date.now();
        visitor.send(`same-name-${i}`, `message ${i}`);
        const deadline = Date.now() + 5_000;
        while (agent.maxHeld < i + 2 && Date.now() < deadline) await sleep(5);
        delays.push(Date.now() - sentAt);
      }
      await waitForConvergence(cluster, conversationId, [visitor, agent], 5_000);
      delays.sort((x, y) => x - y);
      // Without the bus, only the 3 s database reconcile would bring them across.
      assert.ok((delays[5] ?? Infinity) < 500, `cross-node delivery is live: ${delays.join(', ')} ms`);
      const rows = await assertConversationLog(cluster, conversationId);
      assertClientView(visitor, rows);
      assertClientView(agent, rows);
    } finally {
      await Promise.all([visitor.stop(), agent.stop()]);
    }
  }),
);
