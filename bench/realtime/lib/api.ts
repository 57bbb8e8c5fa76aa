import { mapLimit } from './stats.ts';

/** Seeds a Parley server through its public HTTP API, exactly as the dashboard and widget would. */

export interface AgentLogin {
  accountId: string;
  /** `parley_session=…`, sent on the WebSocket upgrade. */
  cookie: string;
  csrfToken: string;
}

export interface SeededConversation {
  id: string;
  visitorToken: string;
  /** Highest seq this bench knows the conversation holds; subscriptions resume after it. */
  lastSeq: number;
}

async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; setCookie: string[] }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, setCookie: res.headers.getSetCookie() };
}

function sessionCookie(setCookie: string[]): string {
  for (const c of setCookie) {
    const [pair] = c.split(';');
    if (pair?.startsWith('parley_session=')) return pair;
  }
  throw new Error('no session cookie in the answer');
}

/** First-run setup: an account and its admin, who is the agent every agent socket signs in as. */
export async function setupAccount(
  base: string,
  options: { autoAssign: boolean },
): Promise<AgentLogin & { inboxId: string }> {
  const password = 'bench-password-0123456789';
  const setup = await call(base, 'POST', '/api/setup', {
    accountName: 'Bench',
    name: 'Bench Agent',
    email: 'agent@bench.parley',
    password,
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${JSON.stringify(setup.json)}`);
  const cookie = sessionCookie(setup.setCookie);
  const csrfToken = setup.json.csrfToken as string;
  const accountId = (setup.json.memberships as Array<{ accountId: string }>)[0]?.accountId;
  if (!accountId) throw new Error('setup answered without an account');
  const inbox = await call(
    base,
    'POST',
    `/api/accounts/${accountId}/inboxes`,
    // Routing off by default: the bench's one agent account cannot take thousands of chats, and a queue of
    // thousands is a different scenario (see --routing).
    { name: 'Website', settings: { autoAssign: options.autoAssign } },
    { cookie, 'x-csrf-token': csrfToken },
  );
  if (inbox.status !== 201) throw new Error(`inbox failed: ${inbox.status} ${JSON.stringify(inbox.json)}`);
  const inboxId = (inbox.json.inbox as { id: string }).id;
  return { accountId, cookie, csrfToken, inboxId };
}

/** A visitor session and an empty conversation for each of `count` visitors. */
export async function seedConversations(
  base: string,
  inboxId: string,
  count: number,
  concurrency = 16,
): Promise<SeededConversation[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const session = await call(base, 'POST', `/api/client/inboxes/${inboxId}/sessions`, {
        name: `Visitor ${i}`,
      });
      if (session.status !== 201) throw new Error(`visitor session failed: ${session.status}`);
      const visitorToken = session.json.token as string;
      const started = await call(
        base,
        'POST',
        '/api/client/conversations',
        {},
        {
          authorization: `Bearer ${visitorToken}`,
        },
      );
      if (started.status !== 201)
        throw new Error(`conversation failed: ${started.status} ${JSON.stringify(started.json)}`);
      const conversation = started.json.conversation as { id: string; lastSeq: number };
      return { id: conversation.id, visitorToken, lastSeq: conversation.lastSeq };
    },
  );
}

/**
 * What a node's /metrics says about itself: heap, event-loop lag, and the realtime counters (gap fills,
 * resyncs, frames delivered, messages committed), keyed by metric name with labels.
 */
export async function scrapeMetrics(base: string): Promise<Record<string, number>> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  const wanted = [
    'parley_process_nodejs_heap_size_used_bytes',
    'parley_process_nodejs_eventloop_lag_p99_seconds',
    'parley_process_nodejs_eventloop_lag_max_seconds',
    'parley_process_cpu_seconds_total',
    'parley_messages_committed_total',
    'parley_message_batches_total',
    'parley_events_delivered_total',
    'parley_realtime_gap_fills_total',
    'parley_realtime_resync_required_total',
    'parley_outbox_lag_seconds',
  ];
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    const name = key.split('{')[0] ?? '';
    if (wanted.includes(name))
      out[key.replace('parley_process_nodejs_', '').replace('parley_', '')] = Number(line.slice(space + 1));
  }
  return out;
}
