/**
 * A database error while a stream catches up in the background (the connection killed, a failover)
 * must not take the node down: the stream tries again on the next reconcile and delivers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { appendMessage } from '../../src/modules/messages/commands.ts';
import { PendingPublish } from '../../src/realtime/outbox.ts';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';
import { assertClientView, assertConversationLog } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

test(
  'a catch-up query killed mid-flight: the node stays up and the stream delivers on the next try',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const { conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const cookie = (await cluster.login(b, fixture.adminEmail)).cookie ?? '';
      const agent = new ChatClient({
        name: 'agent@B',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes: () => [b.url],
        readAfter: async () => {
          throw new Error('no resync expected here');
        },
      });
      const locker = new pg.Client({ connectionString: cluster.databaseUrl });
      await locker.connect();
      const watcher = new pg.Client({ connectionString: cluster.databaseUrl });
      await watcher.connect();
      try {
        await agent.start(b.url);
        // A message nobody announced: node B's reconcile will notice it and read it in the background.
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
            body: 'unannounced',
            private: false,
            clientMsgId: 'unannounced-1',
          }),
        );
        // Hold the reads of `messages` so that catch-up query waits, then kill its connection.
        await locker.query('begin');
        await locker.query('lock table messages in access exclusive mode');
        const deadline = Date.now() + 8_000;
        let killed = 0;
        while (killed === 0 && Date.now() < deadline) {
          // Outside the locker's transaction: inside it, pg_stat_activity would show the same snapshot
          // (taken at its first read) on every poll, and a query that starts waiting later is never seen.
          const { rows } = await watcher.query<{ ok: boolean }>(
            `select pg_terminate_backend(pid) as ok from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'
             and query ilike '%from "messages"%'`,
          );
          killed = rows.length;
          await sleep(20);
        }
        await locker.query('rollback');
        assert.ok(killed > 0, 'a background catch-up query was caught waiting and killed');

        const received = Date.now() + 10_000;
        while (!agent.held.has(message.seq) && Date.now() < received) await sleep(25);
        assert.ok(b.alive, `node B survived the failed query:\n${b.logs().slice(-2_000)}`);
        assert.ok(a.alive, 'node A survived too');
        assert.ok(agent.held.has(message.seq), 'the stream delivered the message on a later try');
        const rows = await assertConversationLog(cluster, conversationId);
        assertClientView(agent, rows);
        assert.equal(agent.stats.rawDuplicates, 0);
      } finally {
        await locker.end().catch(() => {});
        await watcher.end().catch(() => {});
        await agent.stop();
      }
    }),
);
