/**
 * A rolling restart: SIGTERM asks the node's sockets to reconnect elsewhere (a `reconnect` frame,
 * then close code 1012), lets in-flight HTTP requests finish, and exits 0. The clients resume on the
 * other node from their cursors and nothing is lost.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { test } from 'node:test';
import { closeCodes } from '@parley/shared';
import { ChatClient } from './chat-client.ts';
import { type Cluster, clusterPerFile, sleep } from './cluster.ts';
import { assertClientView, assertConversationLog, waitForConvergence } from './oracle.ts';

let cluster: Cluster;
clusterPerFile((started) => {
  cluster = started;
});

/**
 * A POST whose body is sent in two halves, so the request is in flight for as long as we like. Its
 * connection is kept alive afterwards the way browsers keep theirs, so a server that waited for the
 * client to hang up could not stop in time.
 */
function slowPost(url: string, headers: Record<string, string>, body: string) {
  const target = new URL(url);
  const payload = Buffer.from(body);
  const half = Math.floor(payload.length / 2);
  let finish: () => void = () => {};
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: new Agent({ keepAlive: true }),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(payload.subarray(0, half));
    finish = () => req.end(payload.subarray(half));
  });
  return { response, finish: () => finish() };
}

/** Keeps a client sending until `stop()`; every send is retried until acked. */
function keepSending(client: ChatClient, prefix: string, perSecond: number) {
  let on = true;
  let sent = 0;
  const done = (async () => {
    while (on && !client.isStopped) {
      if (client.connected && client.unacked < 5) {
        client.send(`${prefix}-${sent}`, `${prefix} ${sent}`);
        sent += 1;
      }
      await sleep(1000 / perSecond);
    }
    const deadline = Date.now() + 15_000;
    while (client.unacked > 0) {
      if (Date.now() > deadline || client.isStopped) throw new Error(`${client.name}: sends never acked`);
      await sleep(20);
    }
  })();
  done.catch(() => {});
  return {
    stop: () => {
      on = false;
      return done;
    },
    sent: () => sent,
  };
}

test(
  'SIGTERM: clients get reconnect + 1012 and resume on the other node, in-flight requests finish, exit 0',
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
        name: 'visitor',
        conversationId,
        auth: { kind: 'visitor', token },
        nodes,
        readAfter: noRest,
      });
      const agent = new ChatClient({
        name: 'agent',
        conversationId,
        auth: { kind: 'agent', cookie },
        nodes,
        readAfter: noRest,
      });
      const clients = [visitor, agent];
      try {
        await visitor.start(a.url);
        await agent.start(a.url);
        const senders = [keepSending(visitor, 'v', 20), keepSending(agent, 'g', 20)];
        await sleep(1_000);

        const inFlight = slowPost(
          `${a.url}/api/client/conversations/${conversationId}/messages`,
          { authorization: `Bearer ${token}` },
          JSON.stringify({ clientMsgId: 'in-flight-1', body: 'sent while the node was stopping' }),
        );
        await sleep(200);
        const termAt = Date.now();
        a.child.kill('SIGTERM');
        // The request is still in flight while the node shuts its sockets.
        await sleep(500);
        inFlight.finish();
        const answer = await inFlight.response;
        assert.equal(answer.status, 201, `the in-flight request completed: ${answer.body}`);
        const { code } = await a.exited;
        const exitMs = Date.now() - termAt;
        assert.equal(code, 0, 'a graceful stop exits 0');
        assert.ok(exitMs < 5_000, `the node stopped well inside its grace period (${exitMs} ms)`);

        for (const client of clients) {
          assert.ok(client.stats.reconnectFrames >= 1, `${client.name} was asked to reconnect`);
          assert.ok(
            (client.stats.closeCodes[closeCodes.serviceRestart] ?? 0) >= 1,
            `${client.name} saw close code 1012: ${JSON.stringify(client.stats.closeCodes)}`,
          );
        }
        // Traffic continues on B for a while after the move.
        await sleep(1_500);
        for (const client of clients) assert.equal(client.nodeUrl, b.url, `${client.name} resumed on node B`);
        await Promise.all(senders.map((s) => s.stop()));
        await waitForConvergence(cluster, conversationId, clients, 10_000);

        const rows = await assertConversationLog(cluster, conversationId);
        assert.equal(rows.filter((r) => r.client_msg_id === 'in-flight-1').length, 1);
        assert.equal(rows.length, 1 + 1 + senders.reduce((n, s) => n + s.sent(), 0));
        for (const client of clients) {
          assertClientView(client, rows);
          assert.equal(client.stats.rawDuplicates, 0, `${client.name}: no duplicate deliveries`);
        }
        console.log(
          `graceful shutdown summary ${JSON.stringify({
            messages: rows.length,
            exitMs,
            clients: clients.map((c) => c.stats),
          })}`,
        );
      } catch (error) {
        if (error instanceof Error)
          for (const client of clients)
            error.message += `\n\n${client.name} events:\n  ${client.events.slice(-30).join('\n  ')}`;
        throw error;
      } finally {
        await Promise.all(clients.map((c) => c.stop()));
      }
    }),
);
