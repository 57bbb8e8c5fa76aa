import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@parley/shared';
import { and, eq, sql } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  type TestAccount,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { events } from '../../db/schema.ts';
import { postMessage } from '../messages/commands.ts';
import { systemActor } from './phase.ts';

let server: TestServer;
let counter = 0;
const id = () => `t-${Date.now().toString(36)}-${counter++}`;

before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const BOT = {
  enabled: true,
  kind: 'builtin',
  name: 'Parley Bot',
  greeting: 'Hi! I am the shop bot.',
  menu: {
    text: 'What can I help you with?',
    options: [
      { id: 'hours', label: 'Opening hours', reply: 'We are open 9:00–17:00, Monday to Friday.' },
      { id: 'sales', label: 'Talk to sales', action: 'handoff' },
    ],
  },
  keywords: [
    { keywords: ['price', 'pricing'], reply: 'Plans start at 10 EUR a month.' },
    { keywords: ['entrega', 'доставка'], reply: 'Delivery takes 2 days.' },
  ],
  fallback: 'Sorry, I did not get that.',
};

async function botAccount(bot: Record<string, unknown> = BOT): Promise<TestAccount> {
  return makeAccount(server, { inboxSettings: { bot } });
}

const run = () => server.ctx.jobs.runDue();

async function thread(client: HttpClient, conversationId: string, agent = false): Promise<Message[]> {
  const path = agent
    ? `/api/accounts/${agent}/conversations/${conversationId}/messages?limit=200`
    : `/api/client/conversations/${conversationId}/messages?limit=200`;
  const res = await client.get(path);
  assert.equal(res.status, 200, res.text);
  return res.body.messages as Message[];
}

const botMessages = (messages: Message[]) => messages.filter((m) => m.senderKind === 'bot');

async function send(visitor: HttpClient, conversationId: string, body: string, attributes?: unknown) {
  const res = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
    clientMsgId: id(),
    body,
    ...(attributes ? { attributes } : {}),
  });
  assert.equal(res.status, 201, res.text);
  return res.body.message as Message;
}

async function phaseOf(conversationId: string): Promise<string | null> {
  const rows = await server.ctx.database.rows<{ bot_phase: string | null }>(
    sql`select bot_phase from conversations where id = ${conversationId}`,
  );
  return rows[0]?.bot_phase ?? null;
}

async function phaseEvents(conversationId: string) {
  const rows = await server.ctx.database.db
    .select({ payload: events.payload, actorKind: events.actorKind })
    .from(events)
    .where(and(eq(events.conversationId, conversationId), eq(events.type, 'conversation.bot_phase_changed')))
    .orderBy(events.id);
  return rows.map((r) => ({
    ...(r.payload as { from: string; to: string; reason: string }),
    actor: r.actorKind,
  }));
}

describe('the built-in bot', () => {
  test('a new conversation in a bot inbox starts with the bot, which greets, shows its menu and answers keywords', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'Hello there');
    assert.equal(await phaseOf(conversationId), 'bot');
    await run();
    let messages = await thread(visitor, conversationId);
    const [greeting, menu] = botMessages(messages);
    assert.equal(greeting?.body, 'Hi! I am the shop bot.');
    assert.equal(greeting?.senderName, 'Parley Bot');
    assert.equal(greeting?.kind, 'text');
    assert.equal(menu?.kind, 'flow');
    assert.equal(menu?.body, 'What can I help you with?');
    assert.deepEqual(menu?.attributes.buttons, [
      { id: 'hours', label: 'Opening hours' },
      { id: 'sales', label: 'Talk to sales' },
      { id: 'human', label: 'Talk to a human' },
    ]);
    // The bot's words do not count as a person's reply.
    const conversation = await loginAs(server, account.admin.email).then((admin) =>
      admin.get(`/api/accounts/${account.accountId}/conversations/${conversationId}`),
    );
    const c = conversation.body.conversation as {
      status: string;
      firstReplyAt: string | null;
      botPhase: string;
    };
    assert.equal(c.status, 'new');
    assert.equal(c.firstReplyAt, null);
    assert.equal(c.botPhase, 'bot');

    await send(visitor, conversationId, 'What is your PRICING?');
    await run();
    messages = await thread(visitor, conversationId);
    assert.equal(messages.at(-1)?.body, 'Plans start at 10 EUR a month.');
    assert.equal(messages.at(-1)?.senderKind, 'bot');

    // Whole words only: "prices" is not "price"; the bot says it did not understand and offers the menu.
    await send(visitor, conversationId, 'your prices?');
    await run();
    messages = await thread(visitor, conversationId);
    assert.deepEqual(
      messages.slice(-2).map((m) => m.body),
      ['Sorry, I did not get that.', 'What can I help you with?'],
    );

    // Accents and scripts: Portuguese and Russian keywords match too.
    await send(visitor, conversationId, 'Quanto tempo leva a ENTREGA?');
    await run();
    assert.equal((await thread(visitor, conversationId)).at(-1)?.body, 'Delivery takes 2 days.');
    await send(visitor, conversationId, 'Сколько идёт доставка?');
    await run();
    assert.equal((await thread(visitor, conversationId)).at(-1)?.body, 'Delivery takes 2 days.');
  });

  test('menu buttons: the label comes back as a message with the button id, and the option answers', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    const pressed = await send(visitor, conversationId, 'Opening hours', { buttonId: 'hours' });
    assert.deepEqual(pressed.attributes, { buttonId: 'hours' });
    await run();
    assert.equal(
      (await thread(visitor, conversationId)).at(-1)?.body,
      'We are open 9:00–17:00, Monday to Friday.',
    );
    // Typing an option's label works like pressing it (channels without buttons).
    await send(visitor, conversationId, 'opening HOURS');
    await run();
    assert.equal(
      (await thread(visitor, conversationId)).at(-1)?.body,
      'We are open 9:00–17:00, Monday to Friday.',
    );
    // A handoff option asks for a person.
    await send(visitor, conversationId, 'Talk to sales', { buttonId: 'sales' });
    await run();
    assert.equal(await phaseOf(conversationId), 'requested');
  });

  test('button attributes are strictly validated on every path', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    const url = `/api/client/conversations/${conversationId}/messages`;
    for (const attributes of [
      { buttonId: 'no spaces allowed' },
      { buttonId: 'x'.repeat(41) },
      { buttonId: 'ok', extra: 1 },
      { buttonId: 5 },
      'hours',
      { botIntent: 'greeting' },
    ]) {
      const res = await visitor.post(url, { clientMsgId: id(), body: 'x', attributes });
      assert.equal(res.status, 400, JSON.stringify(attributes));
      assert.equal((res.body.error as { code: string }).code, 'validation_failed');
    }
    // The first message of a conversation may carry a button too.
    const other = await visitorOf(server, account.inboxId);
    const started = await other.post('/api/client/conversations', {
      message: { clientMsgId: id(), body: 'Talk to a human', attributes: { buttonId: 'human' } },
    });
    assert.equal(started.status, 201, started.text);
    const startedId = (started.body.conversation as { id: string; botPhase: string }).id;
    assert.equal((started.body.conversation as { botPhase: string }).botPhase, 'bot');
    await run();
    assert.equal(await phaseOf(startedId), 'requested');
    const bad = await other.post('/api/client/conversations', {
      message: { clientMsgId: id(), body: 'x', attributes: { buttonId: '<script>' } },
    });
    assert.equal(bad.status, 400);
  });

  test('over the WebSocket, visitors may press buttons and agents may not', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');
    ws.send({
      type: 'send',
      ref: 'b1',
      conversationId,
      clientMsgId: id(),
      body: 'Talk to a human',
      attributes: { buttonId: 'human' },
    });
    const ack = await ws.waitFor((f) => 'ref' in f && f.ref === 'b1');
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    assert.deepEqual((ack as { message: Message }).message.attributes, { buttonId: 'human' });
    await ws.close();
    const admin = await loginAs(server, account.admin.email);
    const agentWs = await RealtimeClient.connect(server.url, {
      cookie: admin.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    agentWs.send({
      type: 'send',
      ref: 'b2',
      conversationId,
      clientMsgId: id(),
      body: 'pressing for them',
      attributes: { buttonId: 'human' },
    });
    const refused = await agentWs.waitFor((f) => 'ref' in f && f.ref === 'b2');
    assert.equal(refused.type, 'error');
    assert.equal((refused as { code: string }).code, 'forbidden');
    await agentWs.close();
    await run();
    assert.equal(await phaseOf(conversationId), 'requested');
  });
});

describe('handing off to a person', () => {
  const phrases = [
    'I want to talk to a human please',
    'AGENT!',
    'Quero falar com atendente',
    'preciso de um atendente humano',
    'Позовите оператора, пожалуйста',
    'позовите человека',
  ];
  for (const phrase of phrases) {
    test(`"${phrase}" asks for a person`, async () => {
      const account = await botAccount();
      const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
      await run();
      await send(visitor, conversationId, phrase);
      await run();
      assert.equal(await phaseOf(conversationId), 'requested');
      const journey = await phaseEvents(conversationId);
      assert.deepEqual(
        journey.map((e) => [e.from, e.to, e.reason]),
        [['bot', 'requested', 'customer_asked']],
      );
      const activity = (await thread(visitor, conversationId)).filter((m) => m.kind === 'activity');
      assert.deepEqual(activity.at(-1)?.attributes, {
        type: 'bot_phase',
        from: 'bot',
        to: 'requested',
        reason: 'customer_asked',
      });
    });
  }

  test('words that merely contain a phrase do not hand off', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    for (const text of ['the agents of change', 'humanity', 'нас 3 человека']) {
      await send(visitor, conversationId, text);
    }
    await run();
    assert.equal(await phaseOf(conversationId), 'bot');
  });

  test('the button hands off, the bot keeps answering while requested, an agent reply silences it, solving gives it back', async () => {
    const account = await botAccount();
    const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, agentUser.email);
    const base = `/api/accounts/${account.accountId}`;
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();

    const feed = await RealtimeClient.connect(server.url, {
      cookie: agent.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    feed.send({ type: 'subscribe', ref: 's1', topic: { kind: 'account', accountId: account.accountId } });
    await feed.waitFor((f) => f.type === 'subscribed');

    await send(visitor, conversationId, 'Talk to a human', { buttonId: 'human' });
    await run();
    assert.equal(await phaseOf(conversationId), 'requested');
    // Every eligible agent sees it: the Requested view, the counts, and a live conversation frame.
    const requested = await agent.get(`${base}/conversations?view=requested`);
    assert.deepEqual(
      (requested.body.conversations as Array<{ id: string }>).map((c) => c.id),
      [conversationId],
    );
    const counts = await agent.get(`${base}/bot/phase-counts`);
    assert.deepEqual(counts.body, { bot: 0, requested: 1, accepted: 0 });
    await feed.waitFor(
      (f) =>
        f.type === 'conversation' &&
        (f.conversation as { id: string; botPhase: string }).id === conversationId &&
        (f.conversation as { botPhase: string }).botPhase === 'requested',
    );

    // Still the bot's while nobody intervened: it answers what it knows, without nagging.
    await send(visitor, conversationId, 'and the price?');
    await send(visitor, conversationId, 'blah');
    await run();
    let bot = botMessages(await thread(visitor, conversationId));
    assert.equal(bot.at(-1)?.body, 'Plans start at 10 EUR a month.');

    // An agent replies: accepted, at once, in the same write.
    const reply = await agent.post(`${base}/conversations/${conversationId}/messages`, {
      clientMsgId: id(),
      body: 'Hi, Ana here. How can I help?',
    });
    assert.equal(reply.status, 201);
    assert.equal(await phaseOf(conversationId), 'accepted');
    await run();
    const journey = await phaseEvents(conversationId);
    assert.deepEqual(
      journey.map((e) => [e.from, e.to, e.reason, e.actor]),
      [
        ['bot', 'requested', 'customer_button', 'contact'],
        ['requested', 'accepted', 'agent_replied', 'agent'],
      ],
    );
    await run(); // A second run changes nothing: the journey entry is written once.
    assert.equal((await phaseEvents(conversationId)).length, 2);

    const botCount = botMessages(await thread(visitor, conversationId)).length;
    await send(visitor, conversationId, 'what is the price again?');
    await run();
    bot = botMessages(await thread(visitor, conversationId));
    assert.equal(bot.length, botCount, 'the bot stays silent once a person took over');
    const accepted = await agent.get(`${base}/conversations?view=accepted`);
    assert.equal((accepted.body.conversations as unknown[]).length, 1);

    // Solving gives it back to the bot.
    const solved = await agent.post(`${base}/conversations/${conversationId}/status`, { status: 'solved' });
    assert.equal(solved.status, 200, solved.text);
    assert.equal((solved.body.conversation as { botPhase: string }).botPhase, 'bot');
    assert.equal(await phaseOf(conversationId), 'bot');
    await send(visitor, conversationId, 'one more question about pricing');
    await run();
    assert.equal((await thread(visitor, conversationId)).at(-1)?.body, 'Plans start at 10 EUR a month.');
    assert.deepEqual(
      (await phaseEvents(conversationId)).map((e) => e.to),
      ['requested', 'accepted', 'bot'],
    );
    await feed.close();
  });

  test('a bot reply racing an agent is refused once the agent took over', async () => {
    const account = await botAccount();
    const admin = await loginAs(server, account.admin.email);
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await admin.post(`/api/accounts/${account.accountId}/conversations/${conversationId}/messages`, {
      clientMsgId: id(),
      body: 'I am here',
    });
    await assert.rejects(
      postMessage(server.ctx, {
        actor: systemActor(account.accountId),
        conversationId,
        author: { kind: 'bot', id: account.inboxId, name: 'Bot' },
        kind: 'text',
        body: 'late bot reply',
        private: false,
        clientMsgId: id(),
        requireBotActive: true,
        automated: true,
      }),
      (error: { code?: string }) => error.code === 'bot_not_active',
    );
  });

  test('a retried bot job writes nothing twice', async () => {
    const account = await botAccount();
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    const message = await send(visitor, conversationId, 'pricing?');
    await run();
    const before = botMessages(await thread(visitor, conversationId)).length;
    // The same job again, as after a node died between writing and deleting it.
    await server.ctx.database.db.execute(sql`
      insert into jobs (kind, key, run_at, payload)
      values ('bot.customer_message', ${`again:${message.id}`}, now(),
              ${JSON.stringify({ accountId: account.accountId, conversationId, messageId: message.id })}::jsonb)`);
    await run();
    assert.equal(botMessages(await thread(visitor, conversationId)).length, before);
  });

  test('agents intervene and hand back explicitly; no bot means 409, other accounts 404', async () => {
    const account = await botAccount();
    const stranger = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/conversations`;
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    const accepted = await admin.post(`${base}/${conversationId}/bot/accept`);
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal((accepted.body.conversation as { botPhase: string }).botPhase, 'accepted');
    assert.equal((await admin.post(`${base}/${conversationId}/bot/accept`)).status, 200);
    const resumed = await admin.post(`${base}/${conversationId}/bot/resume`);
    assert.equal((resumed.body.conversation as { botPhase: string }).botPhase, 'bot');
    assert.deepEqual(
      (await phaseEvents(conversationId)).map((e) => [e.to, e.reason]),
      [
        ['accepted', 'agent_accepted'],
        ['bot', 'agent_resumed_bot'],
      ],
    );

    const plain = await visitorWithConversation(server, stranger.inboxId, 'hi');
    const strangerAdmin = await loginAs(server, stranger.admin.email);
    const noBot = await strangerAdmin.post(
      `/api/accounts/${stranger.accountId}/conversations/${plain.conversationId}/bot/accept`,
    );
    assert.equal(noBot.status, 409);
    assert.equal((noBot.body.error as { code: string }).code, 'bot_not_active');
    const foreign = await strangerAdmin.post(
      `/api/accounts/${stranger.accountId}/conversations/${conversationId}/bot/accept`,
    );
    assert.equal(foreign.status, 404);
    const counts = await strangerAdmin.get(`/api/accounts/${account.accountId}/bot/phase-counts`);
    assert.equal(counts.status, 404);
  });

  test('an inbox without a bot has no bot phase and the bot never speaks', async () => {
    const account = await makeAccount(server);
    const { visitor, conversationId } = await visitorWithConversation(
      server,
      account.inboxId,
      'agent please',
    );
    await run();
    assert.equal(await phaseOf(conversationId), null);
    assert.equal(botMessages(await thread(visitor, conversationId)).length, 0);
  });

  test('switching the bot off hands its conversations to people at the next customer message', async () => {
    const account = await botAccount();
    const admin = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    const patched = await admin.request(
      'PATCH',
      `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`,
      {
        settings: { bot: { ...BOT, enabled: false } },
      },
    );
    assert.equal(patched.status, 200, patched.text);
    const before = botMessages(await thread(visitor, conversationId)).length;
    await send(visitor, conversationId, 'pricing?');
    await run();
    assert.equal(await phaseOf(conversationId), 'requested');
    assert.equal((await phaseEvents(conversationId))[0]?.reason, 'bot_disabled');
    assert.equal(botMessages(await thread(visitor, conversationId)).length, before);
    // New conversations of the inbox have no bot at all.
    const fresh = await visitorWithConversation(server, account.inboxId, 'hello');
    assert.equal(await phaseOf(fresh.conversationId), null);
  });

  test('the bot gives up after repeated misunderstandings when configured to', async () => {
    const account = await botAccount({ ...BOT, handoffAfterFallbacks: 2 });
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    await send(visitor, conversationId, 'qwerty');
    await run();
    assert.equal(await phaseOf(conversationId), 'bot');
    await send(visitor, conversationId, 'asdfgh');
    await run();
    assert.equal(await phaseOf(conversationId), 'requested');
    assert.equal((await phaseEvents(conversationId))[0]?.reason, 'bot_gave_up');
  });
});
