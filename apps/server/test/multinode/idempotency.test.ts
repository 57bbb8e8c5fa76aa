/**
 * Idempotency does not depend on which node a retry reaches: the same clientMsgId sent many times
 * at once, over REST and WebSocket, to two nodes, is stored once and every answer names that row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, ServerFrame } from '@parley/shared';
import type { HttpClient } from '../http-client.ts';
import { RealtimeClient } from '../realtime-client.ts';
import { Cluster, type NodeProcess } from './cluster.ts';
import { assertConversationLog, storedMessages } from './oracle.ts';

let cluster: Cluster;
let a: NodeProcess;
let b: NodeProcess;
before(
  async () => {
    cluster = await Cluster.create();
    [a, b] = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
  },
  { timeout: 60_000 },
);
after(
  async () => {
    await cluster?.close();
  },
  { timeout: 30_000 },
);

type Answer = {
  via: string;
  status: number;
  message: Message | null;
  created: boolean | null;
  code?: string;
};

/** Fires `times` REST posts at `base` (a copy of `client` pointed there) without awaiting each. */
function restBurst(
  client: HttpClient,
  base: string,
  path: string,
  body: unknown,
  times: number,
  via: string,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (client.cookie) headers.cookie = client.cookie;
  if (client.csrfToken) headers['x-csrf-token'] = client.csrfToken;
  if (client.bearer) headers.authorization = `Bearer ${client.bearer}`;
  return Array.from({ length: times }, async (): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { message?: Message; created?: boolean; error?: { code: string } };
    return {
      via,
      status: res.status,
      message: json.message ?? null,
      created: json.created ?? null,
      code: json.error?.code,
    };
  });
}

/** Sends the same frame `times` times on one socket and collects the answers. */
function socketBurst(ws: RealtimeClient, frame: Record<string, unknown>, times: number, via: string) {
  return Array.from({ length: times }, async (_, i): Promise<Answer> => {
    const ref = `${via}-${i}`;
    ws.send({ ...frame, ref });
    const answer = await ws.waitFor(
      (f: ServerFrame) => (f.type === 'ack' || f.type === 'error') && 'ref' in f && f.ref === ref,
      15_000,
    );
    if (answer.type === 'ack') return { via, status: 200, message: answer.message, created: answer.created };
    return {
      via,
      status: 0,
      message: null,
      created: null,
      code: answer.type === 'error' ? answer.code : '?',
    };
  });
}

function assertOneMessage(answers: Answer[], label: string): string {
  const failures = answers.filter((x) => x.message === null);
  assert.deepEqual(failures, [], `${label}: every attempt answered with the message`);
  const ids = new Set(answers.map((x) => x.message?.id));
  assert.equal(ids.size, 1, `${label}: all answers carry the same message id`);
  assert.equal(
    answers.filter((x) => x.created === true).length,
    1,
    `${label}: exactly one answer says created`,
  );
  return [...ids][0] as string;
}

describe('idempotency across nodes', () => {
  test(
    'a visitor’s clientMsgId sent 5× over REST and 5× over WebSocket to each of two nodes is stored once',
    { timeout: 90_000 },
    () =>
      cluster.diagnose(async () => {
        const fixture = await cluster.fixture();
        const { visitor, token, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
        const [wsA, wsB] = await Promise.all([RealtimeClient.connect(a.url), RealtimeClient.connect(b.url)]);
        await Promise.all([wsA.auth(token), wsB.auth(token)]);
        const path = `/api/client/conversations/${conversationId}/messages`;
        const body = { clientMsgId: 'visitor-retry-1', body: 'Is my order on its way?' };
        const frame = { type: 'send', conversationId, ...body };
        const answers = await Promise.all([
          ...restBurst(visitor, a.url, path, body, 5, 'rest-a'),
          ...restBurst(visitor, b.url, path, body, 5, 'rest-b'),
          ...socketBurst(wsA, frame, 5, 'ws-a'),
          ...socketBurst(wsB, frame, 5, 'ws-b'),
        ]);
        const id = assertOneMessage(answers, 'visitor');
        assert.ok(answers.filter((x) => x.via.startsWith('rest')).every((x) => x.status === 201));
        const rows = await assertConversationLog(cluster, conversationId);
        const stored = rows.filter((r) => r.client_msg_id === 'visitor-retry-1');
        assert.equal(stored.length, 1, 'exactly one row');
        assert.equal(stored[0]?.id, id);
        assert.equal(rows.length, 2, 'the first message and this one, no seq burnt');

        // The same id with another body is a conflict, whichever node hears it.
        const [conflictRest] = restBurst(visitor, b.url, path, { ...body, body: 'something else' }, 1, 'x');
        const conflict = await conflictRest;
        assert.equal(conflict?.status, 409);
        assert.equal(conflict?.code, 'idempotency_conflict');
        await Promise.all([wsA.close(), wsB.close()]);
      }),
  );

  test(
    'an agent’s clientMsgId sent 5× over REST and 5× over WebSocket to each of two nodes is stored once',
    { timeout: 90_000 },
    () =>
      cluster.diagnose(async () => {
        const fixture = await cluster.fixture();
        const { conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
        const agent = await cluster.login(a, fixture.adminEmail);
        const cookie = agent.cookie ?? '';
        const [wsA, wsB] = await Promise.all([
          RealtimeClient.connect(a.url, { cookie }),
          RealtimeClient.connect(b.url, { cookie }),
        ]);
        await Promise.all([wsA.waitFor((f) => f.type === 'ready'), wsB.waitFor((f) => f.type === 'ready')]);
        const path = `/api/accounts/${fixture.accountId}/conversations/${conversationId}/messages`;
        const body = { clientMsgId: 'agent-retry-1', body: 'It left the warehouse this morning.' };
        const frame = { type: 'send', conversationId, ...body };
        const answers = await Promise.all([
          ...restBurst(agent, a.url, path, body, 5, 'rest-a'),
          ...restBurst(agent, b.url, path, body, 5, 'rest-b'),
          ...socketBurst(wsA, frame, 5, 'ws-a'),
          ...socketBurst(wsB, frame, 5, 'ws-b'),
        ]);
        const id = assertOneMessage(answers, 'agent');
        const rows = await storedMessages(cluster, conversationId);
        assert.deepEqual(
          rows.filter((r) => r.client_msg_id === 'agent-retry-1').map((r) => r.id),
          [id],
          'exactly one row, the one every answer named',
        );
        await assertConversationLog(cluster, conversationId);
        await Promise.all([wsA.close(), wsB.close()]);
      }),
  );

  test(
    'many distinct clientMsgIds raced through both nodes keep seq gapless and each stored once',
    { timeout: 90_000 },
    () =>
      cluster.diagnose(async () => {
        const fixture = await cluster.fixture();
        const { visitor, conversationId } = await cluster.visitorWithConversation(a, fixture.inboxId);
        const path = `/api/client/conversations/${conversationId}/messages`;
        // 40 messages, each posted twice at once: once to each node.
        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) => {
            const body = { clientMsgId: `race-${i}`, body: `race ${i}` };
            return Promise.all([
              ...restBurst(visitor, a.url, path, body, 1, 'a'),
              ...restBurst(visitor, b.url, path, body, 1, 'b'),
            ]);
          }),
        );
        for (const [i, pair] of answers.entries()) assertOneMessage(pair, `race-${i}`);
        const rows = await assertConversationLog(cluster, conversationId);
        assert.equal(rows.length, 41);
      }),
  );
});
