/**
 * What is committed is delivered even when the node that wrote it never told anyone: it crashed
 * between commit and publish, or its own link to the bus was down. Followers on other nodes get
 * the message (conversation stream) and the conversation change (account feed) within seconds, and
 * the message exactly once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { appendMessage } from '../../src/modules/messages/commands.ts';
import { PendingPublish } from '../../src/realtime/outbox.ts';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';
import { followFeed } from './feed-client.ts';
import { assertClientView, assertConversationLog, lastSeqOf, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

const noRest = async () => {
  throw new Error('no resync expected here');
};

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

describe('delivery without the writer’s publish', () => {
  test(
    'a node that dies between commit and publish: other nodes’ followers still get it, once',
    { timeout: 90_000 },
    () =>
      cluster.diagnose(async () => {
        const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
        const fixture = await cluster.fixture();
        const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
        const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
        const nodes = () => cluster.liveNodes().map((n) => n.url);
        const agent = new ChatClient({
          name: 'agent@B',
          conversationId,
          auth: { kind: 'agent', cookie },
          nodes,
          readAfter: noRest,
        });
        const visitor = new ChatClient({
          name: 'visitor@A',
          conversationId,
          auth: { kind: 'visitor', token },
          nodes,
          readAfter: noRest,
        });
        const feed = await followFeed(b, cookie, fixture.accountId);
        try {
          await agent.start(b.url);
          await visitor.start(a.url);
          await waitForConvergence(cluster, conversationId, [agent, visitor], 5_000);

          // Exactly what a writer leaves behind when its process dies right after COMMIT: the message,
          // its seq and its outbox event are stored; nothing was published.
          const pending = new PendingPublish();
          const message = await cluster.database.rawTransaction((tx) =>
            appendMessage(tx, pending, {
              actor: {
                kind: 'agent',
                userId: fixture.adminUserId,
                name: 'Agent Admin',
                accountId: fixture.accountId,
                role: 'admin',
              },
              conversationId,
              author: { kind: 'agent', id: fixture.adminUserId, name: 'Agent Admin' },
              kind: 'text',
              body: 'written by a node that died before publishing',
              private: false,
              clientMsgId: 'orphan-1',
            }),
          );
          const committedAt = Date.now();
          assert.equal(pending.eventIds.length, 1, 'the write recorded its outbox event');

          await until('the stream on node B to deliver the orphan', 8_000, () => agent.held.has(message.seq));
          const streamMs = Date.now() - committedAt;
          await until('the visitor on node A to get it', 8_000, () => visitor.held.has(message.seq));
          await until(
            'the account feed on node B to show it',
            12_000,
            () => feed.seen(conversationId) >= message.seq,
          );
          const feedMs = Date.now() - committedAt;
          const [event] = await until('the sweeper to mark the event published', 12_000, async () => {
            const rows = await cluster.database.rows<{ published_at: Date | null }>(
              sql`select published_at from events where id = ${pending.eventIds[0]}`,
            );
            return rows[0]?.published_at ? rows : undefined;
          });
          assert.ok(event?.published_at);
          // The sweeper's re-announcement comes after the reconcile delivered it: it must not repeat it.
          await sleep(2_500);
          const rows = await assertConversationLog(cluster, conversationId);
          for (const client of [agent, visitor]) {
            assertClientView(client, rows);
            assert.equal(
              client.arrivals.filter((s) => s === message.seq).length,
              1,
              `${client.name} got it once`,
            );
            assert.equal(client.stats.rawDuplicates, 0);
          }
          console.log(
            `crash between commit and publish: stream after ${streamMs} ms, feed after ${feedMs} ms`,
          );
        } finally {
          await Promise.all([agent.stop(), visitor.stop(), feed.ws.close()]);
        }
      }),
  );

  test(
    'a node cut off from Redis: its writes still reach the stream and the account feed on other nodes',
    { timeout: 90_000 },
    () =>
      cluster.diagnose(async () => {
        const proxy = await cluster.redisProxy();
        const [a, b] = await Promise.all([
          cluster.startNode('node-a-proxied', { REDIS_URL: proxy.redisUrl }),
          cluster.startNode('node-b'),
        ]);
        const fixture = await cluster.fixture();
        const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
        const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
        const nodes = () => [a.url, b.url];
        const agent = new ChatClient({
          name: 'agent@B',
          conversationId,
          auth: { kind: 'agent', cookie },
          nodes,
          readAfter: noRest,
        });
        const visitor = new ChatClient({
          name: 'visitor@A',
          conversationId,
          auth: { kind: 'visitor', token },
          nodes,
          readAfter: noRest,
        });
        const feed = await followFeed(b, cookie, fixture.accountId);
        try {
          await agent.start(b.url);
          await visitor.start(a.url);
          visitor.send('warm-1', 'hello while all is well');
          await until('the ack', 5_000, () => visitor.unacked === 0);
          await waitForConvergence(cluster, conversationId, [agent, visitor], 5_000);
          await until('the feed to show seq 2', 5_000, () => feed.seen(conversationId) >= 2);

          await proxy.cut();
          await until(
            'node A to report its bus down',
            10_000,
            async () => (await a.readyz()).body.checks.redis === 'down',
          );
          const sentAt = Date.now();
          visitor.send('cut-1', 'sent while node A could not reach Redis');
          await until('the ack', 5_000, () => visitor.unacked === 0);
          const seq = await lastSeqOf(cluster, conversationId);
          assert.equal(seq, 3);
          await until('the stream on node B to deliver it', 8_000, () => agent.held.has(seq));
          const streamMs = Date.now() - sentAt;
          await until(
            'the account feed on node B to show it',
            12_000,
            () => feed.seen(conversationId) >= seq,
          );
          const feedMs = Date.now() - sentAt;

          await proxy.restore();
          await until(
            'node A to report its bus back',
            10_000,
            async () => (await a.readyz()).body.checks.redis === 'ok',
          );
          visitor.send('after-1', 'and after it came back');
          await until('the ack', 5_000, () => visitor.unacked === 0);
          await waitForConvergence(cluster, conversationId, [agent, visitor], 8_000);
          const rows = await assertConversationLog(cluster, conversationId);
          for (const client of [agent, visitor]) {
            assertClientView(client, rows);
            assert.equal(client.stats.rawDuplicates, 0);
          }
          console.log(`bus cut on the writer: stream after ${streamMs} ms, feed after ${feedMs} ms`);
        } finally {
          await Promise.all([agent.stop(), visitor.stop(), feed.ws.close()]);
        }
      }),
  );
});
