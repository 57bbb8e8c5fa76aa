/**
 * Routing never over-assigns across processes. Two Parley nodes on one PostgreSQL database; many agents
 * with small capacities; conversations started concurrently through both nodes while agents solve, put
 * pending, come back online and get more capacity, and customers reply to pending conversations (which
 * takes capacity again). A monitor reads the database throughout: no agent ever holds more new/open
 * conversations than their capacity, and the journey never shows a conversation routed to a second
 * agent while the first still holds it. At the end every conversation is assigned once, queued, or in a
 * status that needs no agent — and nothing waits while an eligible agent has room.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { accountMembers, inboxMembers } from '../../src/db/schema.ts';
import { addMember, upsertUser } from '../../src/modules/accounts/commands.ts';
import { HttpClient } from '../http-client.ts';
import { Cluster, type Fixture, type NodeProcess, PASSWORD, sleep } from './cluster.ts';

let cluster: Cluster;
let nodes: NodeProcess[];
let fixture: Fixture;

before(
  async () => {
    cluster = await Cluster.create();
    nodes = await Promise.all([cluster.startNode('node-a'), cluster.startNode('node-b')]);
    fixture = await cluster.fixture();
  },
  { timeout: 60_000 },
);
after(
  async () => {
    await cluster?.close();
  },
  { timeout: 30_000 },
);

const AGENTS = 12;
const CONVERSATIONS = 120;
const CONCURRENCY = 16;

interface TestAgent {
  userId: string;
  client: HttpClient;
}

/** Agents who work the inbox, online, capacity 1–3, each signed in on one of the two nodes. */
async function makeAgents(): Promise<TestAgent[]> {
  const db = cluster.database.db;
  const agents: TestAgent[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const email = `router-${i}-${Date.now().toString(36)}@example.test`;
    const user = await upsertUser(db, { email, name: `Router ${i}`, password: PASSWORD });
    await addMember(db, fixture.accountId, user.id, 'agent', { capacity: 1 + (i % 3) });
    await db.insert(inboxMembers).values({ inboxId: fixture.inboxId, userId: user.id });
    const node = nodes[i % nodes.length] as NodeProcess;
    const client = await cluster.login(node, email);
    const online = await client.request('PUT', `/api/accounts/${fixture.accountId}/me/availability`, {
      availability: 'online',
    });
    assert.equal(online.status, 200, online.text);
    agents.push({ userId: user.id, client });
  }
  return agents;
}

type Violation = { user_id: string; capacity: number; load: number };

/** Agents holding more new/open conversations than their capacity, right now. */
async function overCapacity(): Promise<Violation[]> {
  return cluster.database.rows<Violation>(sql`
    select m.user_id, m.capacity, count(c.id)::int as load
    from account_members m
    join conversations c on c.assignee_id = m.user_id and c.account_id = m.account_id
                        and c.status in ('new', 'open')
    where m.account_id = ${fixture.accountId}
    group by m.user_id, m.capacity
    having count(c.id) > m.capacity`);
}

/**
 * Replays each conversation's journey: a routing assignment while someone still holds it would be a
 * double assignment (manual transfers name the previous holder and are not used here).
 */
async function doubleAssignments(): Promise<string[]> {
  const events = await cluster.database.rows<{
    conversation_id: string;
    type: string;
    payload: Record<string, unknown>;
  }>(sql`
    select conversation_id, type, payload from events
    where account_id = ${fixture.accountId} and conversation_id is not null
      and type in ('conversation.assigned', 'conversation.unassigned', 'conversation.status_changed')
    order by id`);
  const holder = new Map<string, string | null>();
  const problems: string[] = [];
  for (const e of events) {
    const current = holder.get(e.conversation_id) ?? null;
    if (e.type === 'conversation.assigned') {
      if (current !== null)
        problems.push(`${e.conversation_id}: assigned to ${e.payload.assigneeId} while ${current} held it`);
      holder.set(e.conversation_id, String(e.payload.assigneeId));
    } else if (e.type === 'conversation.unassigned') {
      holder.set(e.conversation_id, null);
    } else if (e.payload.reason === 'customer_reply') {
      // The customer's message takes a reopened conversation from its agent; the writer may hand it back.
      holder.set(e.conversation_id, null);
    }
  }
  return problems;
}

test('two nodes, concurrent starts and capacity-freeing actions: no agent over capacity, no conversation assigned twice', {
  timeout: 240_000,
}, async () => {
  await cluster.diagnose(async () => {
    const agents = await makeAgents();
    let stop = false;
    const seen: Violation[] = [];
    let checks = 0;
    const monitor = (async () => {
      while (!stop) {
        seen.push(...(await overCapacity()));
        checks += 1;
        await sleep(15);
      }
    })();

    // Customers start conversations through both nodes, CONCURRENCY at a time.
    const customers: Array<{ visitor: HttpClient; conversationId: string }> = [];
    let next = 0;
    const start = async () => {
      for (;;) {
        const i = next++;
        if (i >= CONVERSATIONS) return;
        const node = nodes[i % nodes.length] as NodeProcess;
        const visitor = new HttpClient(node.url);
        const session = await visitor.post(`/api/client/inboxes/${fixture.inboxId}/sessions`, {
          name: `C${i}`,
        });
        assert.equal(session.status, 201, session.text);
        visitor.bearer = session.body.token as string;
        const started = await visitor.post('/api/client/conversations', {
          message: { clientMsgId: `route-${i}`, body: `Help ${i}` },
        });
        assert.equal(started.status, 201, started.text);
        customers.push({ visitor, conversationId: (started.body.conversation as { id: string }).id });
      }
    };

    // Meanwhile agents free capacity, come back online, get more room; customers of pending ones reply.
    const pendingOnes: string[] = [];
    const act = async (round: number) => {
      const agent = agents[round % agents.length] as TestAgent;
      const mine = await cluster.database.rows<{ id: string }>(sql`
          select id from conversations where assignee_id = ${agent.userId} and status in ('new', 'open')
          order by id limit 1`);
      const target = mine[0]?.id;
      const url = (id: string, what: string) =>
        `/api/accounts/${fixture.accountId}/conversations/${id}/${what}`;
      switch (round % 5) {
        case 0:
        case 1:
          if (target) await agent.client.post(url(target, 'status'), { status: 'solved' });
          return;
        case 2:
          if (target) {
            const res = await agent.client.post(url(target, 'status'), { status: 'pending' });
            if (res.status === 200) pendingOnes.push(target);
          }
          return;
        case 3: {
          const id = pendingOnes.shift();
          const customer = customers.find((c) => c.conversationId === id);
          if (customer) {
            await customer.visitor.post(`/api/client/conversations/${customer.conversationId}/messages`, {
              clientMsgId: `back-${round}`,
              body: 'Any news?',
            });
          }
          return;
        }
        case 4: {
          if (round % 10 === 4) {
            const [member] = await cluster.database.db
              .select({ capacity: accountMembers.capacity })
              .from(accountMembers)
              .where(
                and(eq(accountMembers.accountId, fixture.accountId), eq(accountMembers.userId, agent.userId)),
              );
            const admin = await cluster.login(nodes[round % 2] as NodeProcess, fixture.adminEmail);
            await admin.request(
              'PATCH',
              `/api/accounts/${fixture.accountId}/routing/agents/${agent.userId}`,
              {
                capacity: (member?.capacity ?? 1) + 1,
              },
            );
          } else {
            const path = `/api/accounts/${fixture.accountId}/me/availability`;
            await agent.client.request('PUT', path, { availability: 'away' });
            await agent.client.request('PUT', path, { availability: 'online' });
          }
          return;
        }
      }
    };
    const actions = (async () => {
      for (let round = 0; round < 90; round++) {
        await Promise.all([act(round), act(round + 1000)]);
        await sleep(10);
      }
    })();

    await Promise.all([...Array.from({ length: CONCURRENCY }, start), actions]);

    // Let after-commit routing settle, then demand: nothing waits while an eligible agent has room.
    const deadline = Date.now() + 15_000;
    let idleCapacity: Array<{ user_id: string }> = [];
    for (;;) {
      const waiting = await cluster.database.rows<{ n: number }>(sql`
          select count(*)::int as n from conversations where account_id = ${fixture.accountId}
            and queued_at is not null and assignee_id is null and status in ('new', 'open')`);
      idleCapacity = await cluster.database.rows<{ user_id: string }>(sql`
          select m.user_id from account_members m
          where m.account_id = ${fixture.accountId} and m.availability = 'online' and m.role = 'agent'
            and (select count(*) from conversations c where c.assignee_id = m.user_id
                 and c.status in ('new', 'open')) < m.capacity`);
      if ((waiting[0]?.n ?? 0) === 0 || idleCapacity.length === 0) break;
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    stop = true;
    await monitor;

    assert.ok(checks > 20, `the monitor ran (${checks} checks)`);
    assert.deepEqual(seen, [], 'no agent was ever over capacity');
    assert.deepEqual(await overCapacity(), []);
    assert.deepEqual(await doubleAssignments(), [], 'no conversation was routed to a second agent');

    const rows = await cluster.database.rows<{
      id: string;
      status: string;
      assignee_id: string | null;
      queued_at: string | null;
    }>(
      sql`select id, status, assignee_id, queued_at::text from conversations where account_id = ${fixture.accountId}`,
    );
    assert.equal(rows.length, CONVERSATIONS);
    for (const row of rows) {
      const needsAgent = row.status === 'new' || row.status === 'open';
      if (!needsAgent) continue;
      assert.ok(
        (row.assignee_id !== null) !== (row.queued_at !== null),
        `${row.id} is either assigned or queued: ${JSON.stringify(row)}`,
      );
    }
    const queued = rows.filter(
      (r) => r.queued_at !== null && r.assignee_id === null && (r.status === 'new' || r.status === 'open'),
    );
    assert.ok(
      queued.length === 0 || idleCapacity.length === 0,
      `${queued.length} conversations wait while ${idleCapacity.length} agents have room`,
    );
    const assigned = rows.filter((r) => r.assignee_id !== null).length;
    assert.ok(assigned > AGENTS, `routing assigned conversations (${assigned})`);
  });
});
