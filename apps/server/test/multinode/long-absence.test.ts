/**
 * A client away for longer than the server replays (realtimeLimits.maxCatchUp) is told so with
 * `resync_required`, never silently: it reloads the missing range over REST, follows again, and
 * ends up with everything once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Message, realtimeLimits } from '@parley/shared';
import { appendMessage } from '../../src/modules/messages/commands.ts';
import { PendingPublish } from '../../src/realtime/outbox.ts';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile } from './cluster.ts';
import { assertClientView, assertConversationLog, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

test(
  'back after more than maxCatchUp messages: resync_required, REST reload, then live again, nothing lost',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const { token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const visitor = new ChatClient({
        name: 'visitor',
        conversationId,
        auth: { kind: 'visitor', token },
        nodes: () => [b.url],
        readAfter: async (base, afterSeq) => {
          const res = await fetch(
            `${base}/api/client/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=200`,
            { headers: { authorization: `Bearer ${token}` } },
          );
          if (res.status !== 200) throw new Error(`reload failed: ${res.status}`);
          return (await res.json()) as { messages: Message[]; lastSeq: number };
        },
      });
      try {
        await visitor.start(a.url);
        await waitForConvergence(cluster, conversationId, [visitor], 5_000);
        await visitor.stop();

        // While it is away, the agent answers more than the server will replay on a socket.
        const count = realtimeLimits.maxCatchUp + 150;
        await cluster.database.rawTransaction(async (tx) => {
          for (let i = 0; i < count; i++) {
            await appendMessage(tx, new PendingPublish(), {
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
              body: `while you were away ${i}`,
              private: false,
              clientMsgId: `away-${i}`,
            });
          }
        });

        const back = new ChatClient({
          name: 'visitor-back',
          conversationId,
          auth: { kind: 'visitor', token },
          nodes: () => [b.url],
          readAfter: async (base, afterSeq) => {
            const res = await fetch(
              `${base}/api/client/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=200`,
              { headers: { authorization: `Bearer ${token}` } },
            );
            return (await res.json()) as { messages: Message[]; lastSeq: number };
          },
        });
        // It resumes from the cursor it had.
        for (const [seq, message] of visitor.held) back.held.set(seq, message);
        back.maxHeld = visitor.maxHeld;
        try {
          await back.start(b.url);
          back.send('back-1', 'sorry, I was away');
          await waitForConvergence(cluster, conversationId, [back], 10_000);
          while (back.unacked > 0) await new Promise((r) => setTimeout(r, 20));
          await waitForConvergence(cluster, conversationId, [back], 10_000);
          const rows = await assertConversationLog(cluster, conversationId);
          assert.equal(rows.length, 1 + count + 1);
          assert.equal(back.stats.resyncs, 1, 'told to resync exactly once');
          assert.ok(back.stats.restRecovered >= realtimeLimits.maxCatchUp, 'the gap came over REST');
          assertClientView(back, rows);
          assert.equal(back.stats.rawDuplicates, 0);
        } finally {
          await back.stop();
        }
      } finally {
        await visitor.stop();
      }
    }),
);
