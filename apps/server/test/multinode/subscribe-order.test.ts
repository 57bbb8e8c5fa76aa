/**
 * Resubscribing into a busy conversation: whatever arrives while the server reads the conversation's
 * head must come after `subscribed` (docs/realtime.md), chained from the cursor, never twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { appendMessage } from '../../src/modules/messages/commands.ts';
import { PendingPublish } from '../../src/realtime/outbox.ts';
import { RealtimeClient } from '../realtime-client.ts';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';
import { assertClientView, assertConversationLog, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

test(
  'resubscribing while messages stream in: messages only after subscribed, no gap, no duplicate',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const { visitor: visitorHttp, conversationId } = await cluster.visitorWithConversation(
        a,
        fixture.inboxId,
      );
      const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
      const agent = new ChatClient({
        name: 'agent',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes: () => [a.url, b.url],
        readAfter: async () => {
          throw new Error('no resync expected here');
        },
      });
      let sending = true;
      let sent = 0;
      // A steady stream written through node A, four requests at a time.
      const writers = Array.from({ length: 4 }, async (_, w) => {
        while (sending) {
          const res = await fetch(`${a.url}/api/client/conversations/${conversationId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${visitorHttp.bearer}` },
            body: JSON.stringify({ clientMsgId: `w${w}-${sent}`, body: `stream ${sent}` }),
          });
          if (res.status !== 201) throw new Error(`write failed: ${res.status}`);
          sent += 1;
        }
      });
      try {
        await agent.start(b.url);
        for (let i = 0; i < 60; i++) {
          await sleep(30 + Math.random() * 40);
          await agent.reconnect('resubscribe', i % 2 === 0 ? a.url : b.url);
        }
        sending = false;
        await Promise.all(writers);
        await waitForConvergence(cluster, conversationId, [agent], 10_000);
        const rows = await assertConversationLog(cluster, conversationId);
        console.log(
          `resubscribe under load: ${rows.length} messages, ${agent.stats.reconnects} resubscribes, ${agent.stats.framesBeforeSubscribed} frames before subscribed`,
        );
        assertClientView(agent, rows);
        assert.equal(agent.stats.rawDuplicates, 0);
      } finally {
        sending = false;
        await Promise.allSettled(writers);
        await agent.stop();
      }
    }),
);

test(
  'a live message that arrives while the server reads the head still comes after subscribed',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const b = cluster.liveNodes()[1] ?? (await cluster.startNode('node-b2'));
      const fixture = await cluster.fixture();
      const { conversationId } = await cluster.visitorWithConversation(b, fixture.inboxId);
      const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
      const ws = await RealtimeClient.connect(b.url, { cookie });
      await ws.waitFor((f) => f.type === 'ready');
      await ws.subscribeConversation(conversationId, 0);
      await ws.waitFor((f) => f.type === 'message' && f.message.seq === 1);
      const locker = new pg.Client({ connectionString: cluster.databaseUrl });
      const redis = new Redis(cluster.redis.url);
      await locker.connect();
      try {
        // Seq 2 is committed; its announcement is held back to arrive exactly while the head is read.
        const pending = new PendingPublish();
        await cluster.database.rawTransaction((tx) =>
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
            body: 'racing the subscribe',
            private: false,
            clientMsgId: 'race-1',
          }),
        );
        await locker.query('begin');
        await locker.query('lock table conversations in access exclusive mode');
        // Resubscribe on the same socket (authorization is cached), from seq 1: the head read now waits.
        const frameCount = ws.frames.length;
        ws.send({
          type: 'subscribe',
          ref: 'again',
          topic: { kind: 'conversation', conversationId },
          afterSeq: 1,
        });
        await sleep(300);
        const live = pending.messages.find((m) => m.t === 'message');
        await redis.publish('parley:bus:v1', JSON.stringify({ n: 'elsewhere', m: live }));
        await sleep(300);
        await locker.query('rollback');
        await ws.waitFor((f) => f.type === 'message' && f.message.seq === 2);
        const after = ws.frames
          .slice(frameCount)
          .filter((f) => f.type === 'subscribed' || f.type === 'message');
        assert.deepEqual(
          after.map((f) => f.type),
          ['subscribed', 'message'],
          'subscribed first, then the message, once',
        );
      } finally {
        await locker.query('rollback').catch(() => {});
        await locker.end().catch(() => {});
        redis.disconnect();
        await ws.close();
      }
    }),
);
