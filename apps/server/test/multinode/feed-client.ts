/** An agent's account feed on one node, and what it has been told about each conversation. */
import type { ServerFrame } from '@parley/shared';
import { RealtimeClient } from '../realtime-client.ts';
import type { NodeProcess } from './cluster.ts';

export async function followFeed(node: NodeProcess, cookie: string, accountId: string) {
  const ws = await RealtimeClient.connect(node.url, { cookie });
  await ws.waitFor((f) => f.type === 'ready');
  ws.send({ type: 'subscribe', ref: 'feed', topic: { kind: 'account', accountId } });
  await ws.waitFor((f) => f.type === 'subscribed' && f.ref === 'feed');
  /** The highest lastSeq a `conversation` frame has reported for the conversation. */
  const seen = (conversationId: string) =>
    Math.max(
      0,
      ...ws.frames.flatMap((f: ServerFrame) =>
        f.type === 'conversation' && f.conversation.id === conversationId ? [f.conversation.lastSeq] : [],
      ),
    );
  return { ws, seen };
}
