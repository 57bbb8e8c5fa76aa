import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { BotWebhookEvent, Message } from '@parley/shared';
import { sql } from 'drizzle-orm';
import { loginAs, makeAccount, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import {
  addressAllowed,
  assertUrlAllowed,
  guardedLookup,
  OutboundRefused,
  parseAllowlist,
  postJson,
} from '../../http/outbound.ts';

/** A bot service on loopback that checks Parley's signature the way a real one would. */
class Receiver {
  readonly events: Array<{ event: BotWebhookEvent; signatureValid: boolean; eventIdHeader: string }> = [];
  secret = '';
  answer: (event: BotWebhookEvent) => { status: number; body?: unknown } = () => ({ status: 204 });
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(raw).digest('hex')}`);
        const given = Buffer.from(String(request.headers['x-parley-signature'] ?? ''));
        const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
        const event = JSON.parse(raw.toString('utf8')) as BotWebhookEvent;
        this.events.push({
          event,
          signatureValid,
          eventIdHeader: String(request.headers['x-parley-event-id']),
        });
        const { status, body } = signatureValid ? this.answer(event) : { status: 401, body: undefined };
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/bot`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let server: TestServer;
let receiver: Receiver;
let clockOffsetMs = 0;

before(async () => {
  receiver = new Receiver();
  await receiver.start();
  server = await startTestServer({
    env: { RATE_LIMITS: 'off', BOT_WEBHOOK_ALLOWLIST: '127.0.0.1' },
    jobPollMs: 0,
    now: () => new Date(Date.now() + clockOffsetMs),
  });
});
after(async () => {
  await server?.close();
  await receiver?.close();
});

const run = () => server.ctx.jobs.runDue();

async function webhookAccount(url: string) {
  const account = await makeAccount(server, {
    inboxSettings: { bot: { enabled: true, kind: 'webhook', name: 'Shop bot', webhook: { url } } },
  });
  const admin = await loginAs(server, account.admin.email);
  const secret = await admin.get(`/api/accounts/${account.accountId}/inboxes/${account.inboxId}/bot-secret`);
  assert.equal(secret.status, 200);
  assert.equal(secret.headers.get('cache-control'), 'no-store');
  return { account, admin, secret: secret.body.secret as string };
}

async function thread(visitor: HttpClient, conversationId: string): Promise<Message[]> {
  const res = await visitor.get(`/api/client/conversations/${conversationId}/messages?limit=200`);
  return res.body.messages as Message[];
}

describe('the webhook bot', () => {
  test('gets signed events and its actions are applied: reply, menu, handoff', async () => {
    const { account, secret } = await webhookAccount(receiver.url);
    receiver.secret = secret;
    receiver.answer = (event) => {
      if (event.type === 'conversation_started') return { status: 200, body: { actions: [] } };
      if (event.message?.body === 'human please') {
        return { status: 200, body: { actions: [{ type: 'handoff', reason: 'asked' }] } };
      }
      return {
        status: 200,
        body: {
          actions: [
            { type: 'reply', text: `You said: ${event.message?.body}` },
            { type: 'menu', text: 'Anything else?', buttons: [{ id: 'yes', label: 'Yes' }] },
          ],
        },
      };
    };
    const before = receiver.events.length;
    const { visitor, conversationId } = await visitorWithConversation(
      server,
      account.inboxId,
      'Hi <b>bot</b>',
    );
    await run();
    const received = receiver.events.slice(before);
    assert.deepEqual(
      received.map((r) => [r.event.type, r.signatureValid]),
      [
        ['conversation_started', true],
        ['customer_message', true],
      ],
    );
    const message = received[1]?.event;
    assert.equal(message?.id, `message:${message?.message?.id}`);
    assert.equal(received[1]?.eventIdHeader, message?.id);
    assert.equal(message?.conversation.id, conversationId);
    assert.equal(message?.conversation.botPhase, 'bot');
    assert.equal(message?.message?.body, 'Hi <b>bot</b>');
    assert.equal(message?.inbox.id, account.inboxId);

    const messages = (await thread(visitor, conversationId)).filter((m) => m.senderKind === 'bot');
    assert.deepEqual(
      messages.map((m) => [m.kind, m.body, m.senderName]),
      [
        ['text', 'You said: Hi <b>bot</b>', 'Shop bot'],
        ['flow', 'Anything else?', 'Shop bot'],
      ],
    );
    assert.deepEqual(messages[1]?.attributes.buttons, [{ id: 'yes', label: 'Yes' }]);

    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'w-handoff',
      body: 'human please',
    });
    await run();
    const [phase] = await server.ctx.database.rows<{ bot_phase: string }>(
      sql`select bot_phase from conversations where id = ${conversationId}`,
    );
    assert.equal(phase?.bot_phase, 'requested');
  });

  test('a failing webhook is retried later with the same event id, and answers once', async () => {
    const { account, secret } = await webhookAccount(receiver.url);
    receiver.secret = secret;
    let calls = 0;
    receiver.answer = (event) => {
      if (event.type === 'conversation_started') return { status: 204 };
      calls += 1;
      if (calls === 1) return { status: 503 };
      return { status: 200, body: { actions: [{ type: 'reply', text: 'Back online' }] } };
    };
    const before = receiver.events.length;
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'anyone?');
    await run();
    const [failed] = await server.ctx.database.rows<{ last_error: string; attempts: number }>(
      sql`select last_error, attempts from jobs where kind = 'bot.customer_message'
          and payload->>'conversationId' = ${conversationId}`,
    );
    assert.match(failed?.last_error ?? '', /503/);
    assert.equal((await thread(visitor, conversationId)).filter((m) => m.senderKind === 'bot').length, 0);

    clockOffsetMs += 6_000; // past the first retry delay
    await run();
    const messageEvents = receiver.events
      .slice(before)
      .filter((r) => r.event.type === 'customer_message')
      .map((r) => r.event);
    assert.equal(messageEvents.length, 2);
    assert.equal(messageEvents[0]?.id, messageEvents[1]?.id, 'a retry carries the same event id');
    assert.deepEqual(
      messageEvents.map((e) => e.attempt),
      [1, 2],
    );
    const replies = (await thread(visitor, conversationId)).filter((m) => m.senderKind === 'bot');
    assert.deepEqual(
      replies.map((m) => m.body),
      ['Back online'],
    );
    await run();
    assert.equal((await thread(visitor, conversationId)).filter((m) => m.senderKind === 'bot').length, 1);
  });

  test('answers Parley cannot use are dropped, not retried forever', async () => {
    const { account, secret } = await webhookAccount(receiver.url);
    receiver.secret = secret;
    receiver.answer = () => ({ status: 200, body: { actions: [{ type: 'explode' }] } });
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    const left = await server.ctx.database.rows(
      sql`select 1 from jobs where payload->>'conversationId' = ${conversationId}`,
    );
    assert.equal(left.length, 0);
    assert.equal((await thread(visitor, conversationId)).filter((m) => m.senderKind === 'bot').length, 0);
  });

  test('rotating the secret changes the signature at once; only admins read it', async () => {
    const { account, admin, secret } = await webhookAccount(receiver.url);
    const url = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}/bot-secret`;
    const rotated = await admin.post(url);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, secret);
    assert.equal((await admin.get(url)).body.secret, rotated.body.secret);
    receiver.secret = rotated.body.secret as string;
    receiver.answer = () => ({ status: 200, body: { actions: [{ type: 'reply', text: 'signed right' }] } });
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId, 'hi');
    await run();
    assert.equal((await thread(visitor, conversationId)).at(-1)?.body, 'signed right');

    const { makeMember } = await import('../../../test/factories.ts');
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    assert.equal((await asAgent.get(url)).status, 403);
    const inbox = await asAgent.get(`/api/accounts/${account.accountId}/inboxes/${account.inboxId}`);
    assert.ok(!JSON.stringify(inbox.body).includes(rotated.body.secret as string));
  });
});

describe('outbound requests refuse internal addresses (SSRF)', () => {
  const none = parseAllowlist('');

  test('loopback, private, link-local, metadata and mapped addresses are refused without an allowlist', () => {
    for (const address of [
      '127.0.0.1',
      '127.10.0.5',
      '10.0.0.1',
      '10.255.1.2',
      '172.16.3.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
      '0:0:0:0:0:ffff:8.8.8.8',
      'fd00:ec2::254',
      'fe80::1',
      '224.0.0.1',
    ]) {
      assert.equal(addressAllowed(address, address, none), false, address);
    }
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) {
      assert.equal(addressAllowed(address, address, none), true, address);
    }
    for (const url of [
      'http://127.0.0.1:8080/bot',
      'http://10.1.2.3/bot',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:3000/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:9999/',
    ]) {
      assert.throws(() => assertUrlAllowed(new URL(url), none), OutboundRefused, url);
    }
  });

  test('the operator allowlist opens exactly what it names', () => {
    const list = parseAllowlist('127.0.0.1, 10.1.0.0/16, bots.internal');
    assert.equal(addressAllowed('127.0.0.1', '127.0.0.1', list), true);
    assert.equal(addressAllowed('127.0.0.2', '127.0.0.2', list), false);
    assert.equal(addressAllowed('10.1.200.3', '10.1.200.3', list), true);
    assert.equal(addressAllowed('10.2.0.1', '10.2.0.1', list), false);
    assert.equal(addressAllowed('10.9.9.9', 'bots.internal', list), true);
    assert.equal(addressAllowed('169.254.169.254', '169.254.169.254', list), false);
  });

  test('a name resolving to loopback is refused at connection time', async () => {
    const lookup = guardedLookup(none);
    const error = await new Promise<Error | null>((resolve) =>
      lookup('localhost', { all: true }, (err) => resolve(err)),
    );
    assert.ok(error instanceof OutboundRefused, String(error));
    const allowed = await new Promise<Error | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    );
    assert.ok(allowed instanceof OutboundRefused);
    const opened = guardedLookup(parseAllowlist('loopback'));
    const address = await new Promise<string>((resolve, reject) =>
      opened('localhost', { family: 4 }, (err, value) => (err ? reject(err) : resolve(String(value)))),
    );
    assert.equal(address, '127.0.0.1');
    await assert.rejects(
      postJson('http://localhost:1/', '{}', {}, { allowlist: none, timeoutMs: 2_000 }),
      OutboundRefused,
    );
    await assert.rejects(
      postJson(`http://127.0.0.1:1/`, '{}', {}, { allowlist: none, timeoutMs: 2_000 }),
      OutboundRefused,
    );
  });

  test('a bot webhook pointing inside is never called without the allowlist', async () => {
    const strict = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
    try {
      const account = await makeAccount(strict, {
        inboxSettings: { bot: { enabled: true, kind: 'webhook', webhook: { url: receiver.url } } },
      });
      const before = receiver.events.length;
      const { conversationId } = await visitorWithConversation(strict, account.inboxId, 'hi');
      await strict.ctx.jobs.runDue();
      assert.equal(receiver.events.length, before, 'the receiver on 127.0.0.1 got nothing');
      const [job] = await strict.ctx.database.rows<{ last_error: string }>(
        sql`select last_error from jobs where kind = 'bot.customer_message'
            and payload->>'conversationId' = ${conversationId}`,
      );
      assert.match(job?.last_error ?? '', /forbidden/);
    } finally {
      await strict.close();
    }
  });
});
