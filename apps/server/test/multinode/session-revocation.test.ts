/**
 * Ending a session (logout, password change) closes its sockets on every node, also when the
 * announcement cannot travel: the node that ended it may be cut off from Redis at that moment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeCodes } from '@parley/shared';
import { RealtimeClient } from '../realtime-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

async function closedWithin(ws: RealtimeClient, timeoutMs: number): Promise<number> {
  const startedAt = Date.now();
  while (!ws.closed && Date.now() - startedAt < timeoutMs) await sleep(20);
  return Date.now() - startedAt;
}

test(
  'logout on one node closes that session’s sockets on the other node, and only those',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
      const fixture = await cluster.fixture();
      const leaving = await cluster.login(a, fixture.adminEmail);
      const staying = await cluster.login(b, fixture.adminEmail);
      const wsLeaving = await RealtimeClient.connect(b.url, { cookie: leaving.cookie ?? '' });
      const wsStaying = await RealtimeClient.connect(b.url, { cookie: staying.cookie ?? '' });
      await Promise.all([
        wsLeaving.waitFor((f) => f.type === 'ready'),
        wsStaying.waitFor((f) => f.type === 'ready'),
      ]);
      assert.equal((await leaving.post('/api/auth/logout')).status, 204);
      const took = await closedWithin(wsLeaving, 5_000);
      assert.equal(wsLeaving.closed?.code, closeCodes.unauthenticated, `closed in ${took} ms`);
      assert.ok(took < 1_000, `the bus brought the logout across at once (${took} ms)`);
      await sleep(300);
      assert.equal(wsStaying.closed, null, 'the other session keeps its socket');
      await wsStaying.close();
    }),
);

test(
  'logout on a node cut off from Redis still closes the session’s socket on the other node',
  { timeout: 90_000 },
  () =>
    cluster.diagnose(async () => {
      const proxy = await cluster.redisProxy();
      const [a, b] = await Promise.all([
        cluster.startNode('node-a-proxied', { REDIS_URL: proxy.redisUrl }),
        cluster.startNode('node-b2'),
      ]);
      const fixture = await cluster.fixture();
      const leaving = await cluster.login(a, fixture.adminEmail);
      const staying = await cluster.login(b, fixture.adminEmail);
      const wsLeaving = await RealtimeClient.connect(b.url, { cookie: leaving.cookie ?? '' });
      const wsStaying = await RealtimeClient.connect(b.url, { cookie: staying.cookie ?? '' });
      await Promise.all([
        wsLeaving.waitFor((f) => f.type === 'ready'),
        wsStaying.waitFor((f) => f.type === 'ready'),
      ]);
      await proxy.cut();
      const deadline = Date.now() + 10_000;
      while ((await a.readyz()).body.checks.redis !== 'down') {
        if (Date.now() > deadline) throw new Error('node A never noticed the cut');
        await sleep(50);
      }
      assert.equal((await leaving.post('/api/auth/logout')).status, 204);
      const took = await closedWithin(wsLeaving, 15_000);
      assert.equal(
        wsLeaving.closed?.code,
        closeCodes.unauthenticated,
        `the ended session’s socket closed (${took} ms)`,
      );
      assert.equal(wsStaying.closed, null, 'the other session keeps its socket');
      console.log(`logout across a cut bus closed the socket after ${took} ms`);
      await proxy.restore();
      await wsStaying.close();
    }),
);
