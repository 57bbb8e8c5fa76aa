/**
 * A notification created on one node reaches the user's socket on another node: at once through
 * Redis, and through the receiving node's reconcile when the creating node could not publish.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerFrame } from '@parley/shared';
import { addMember, upsertUser } from '../../src/modules/accounts/commands.ts';
import { RealtimeClient } from '../realtime-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

let counter = 0;

/** A second admin of the fixture's account, following their notifications on `nodeUrl`. */
async function follower(fixture: Awaited<ReturnType<Cluster['fixture']>>, nodeUrl: string) {
  const email = `colleague-${Date.now()}-${counter++}@example.test`;
  const user = await upsertUser(cluster.database.db, {
    email,
    name: 'Colleague',
    password: 'a-long-test-password',
  });
  await addMember(cluster.database.db, fixture.accountId, user.id, 'admin');
  const node = cluster.nodes.find((n) => n.url === nodeUrl);
  if (!node) throw new Error('no such node');
  const http = await cluster.login(node, email);
  const ws = await RealtimeClient.connect(nodeUrl, { cookie: http.cookie ?? '' });
  await ws.waitFor((f) => f.type === 'ready');
  ws.send({ type: 'subscribe', ref: 'n', topic: { kind: 'notifications', userId: user.id } });
  await ws.waitFor((f) => f.type === 'subscribed' && f.ref === 'n');
  return { userId: user.id, ws };
}

const notificationFrame = (ws: RealtimeClient, timeoutMs: number) =>
  ws.waitFor<Extract<ServerFrame, { type: 'notification' }>>((f) => f.type === 'notification', timeoutMs);

test(
  'a mention written on node A reaches the colleague’s socket on node B at once',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const { conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const colleague = await follower(fixture, b.url);
      const author = await cluster.login(a, fixture.adminEmail);
      const startedAt = Date.now();
      const res = await author.post(
        `/api/accounts/${fixture.accountId}/conversations/${conversationId}/notes`,
        {
          clientMsgId: 'mn-1',
          body: '@Colleague look',
          mentions: [colleague.userId],
        },
      );
      assert.equal(res.status, 201, res.text);
      const frame = await notificationFrame(colleague.ws, 5_000);
      const took = Date.now() - startedAt;
      assert.equal(frame.notification.type, 'mention');
      assert.equal(frame.notification.conversationId, conversationId);
      assert.ok(took < 1_500, `the bus brought it across at once (${took} ms)`);
      await colleague.ws.close();
    }),
);

test(
  'a mention written on a node cut off from Redis still reaches the other node, by its reconcile, once',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const proxy = await cluster.redisProxy();
      const [a, b] = await Promise.all([
        cluster.startNode('node-a-proxied', { REDIS_URL: proxy.redisUrl }),
        cluster.startNode('node-b2'),
      ]);
      const fixture = await cluster.fixture();
      const { conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
      const colleague = await follower(fixture, b.url);
      const author = await cluster.login(a, fixture.adminEmail);
      await proxy.cut();
      const deadline = Date.now() + 10_000;
      while ((await a.readyz()).body.checks.redis !== 'down') {
        if (Date.now() > deadline) throw new Error('node A never noticed the cut');
        await sleep(50);
      }
      const res = await author.post(
        `/api/accounts/${fixture.accountId}/conversations/${conversationId}/notes`,
        {
          clientMsgId: 'mn-2',
          body: '@Colleague while Redis is away',
          mentions: [colleague.userId],
        },
      );
      assert.equal(res.status, 201, res.text);
      const frame = await notificationFrame(colleague.ws, 15_000);
      assert.equal(frame.notification.payload.excerpt, '@Colleague while Redis is away');
      await proxy.restore();
      await sleep(4_000);
      assert.equal(colleague.ws.frames.filter((f) => f.type === 'notification').length, 1, 'delivered once');
      await colleague.ws.close();
    }),
);
