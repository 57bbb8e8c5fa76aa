import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { loginAs, makeAccount, visitorOf } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { type ReceivedMail, startSmtpSink, textOf } from '../../../test/smtp-sink.ts';
import { composeFollowup } from './jobs.ts';

const MINUTE = 60_000;
let clock = new Date();
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let server: TestServer;
before(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({
    now: () => clock,
    jobPollMs: 0,
    env: { RATE_LIMITS: 'off', SMTP_URL: smtp.url, MAIL_FROM: 'Acme Support <support@acme.test>' },
  });
});
after(async () => {
  await server.close();
  await smtp.close();
});

let n = 0;
async function setup(inboxSettings: Record<string, unknown> = {}, email: string | null = 'ana@example.com') {
  // The follow-up's time comes from the database clock; the job runner's clock starts from it again.
  clock = new Date();
  const account = await makeAccount(server, { inboxSettings });
  const admin = await loginAs(server, account.admin.email);
  const visitor = await visitorOf(server, account.inboxId, email ? { name: 'Ana', email } : { name: 'Ana' });
  const started = await visitor.post('/api/client/conversations', {
    message: { clientMsgId: `c-${++n}`, body: 'Where is my order?' },
  });
  assert.equal(started.status, 201, started.text);
  const conversationId = (started.body.conversation as { id: string }).id;
  const reply = async (body: string, isPrivate = false) => {
    const res = await admin.post(
      `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
      {
        clientMsgId: `a-${++n}`,
        body,
        private: isPrivate,
      },
    );
    assert.equal(res.status, 201, res.text);
    return (res.body.message as { seq: number }).seq;
  };
  return { account, admin, visitor, conversationId, reply };
}

/** Runs the due jobs as if `minutes` had passed (the job's time is the database's clock + delay). */
async function after_(minutes: number): Promise<void> {
  advance(minutes * MINUTE);
  await server.ctx.jobs.runDue();
}

const mailsTo = (address: string): ReceivedMail[] => smtp.received.filter((m) => m.to.includes(address));

describe('e-mail follow-up of unread replies', () => {
  test('an unread reply is mailed once after the inbox delay, with every unread reply in one mail', async () => {
    const { reply, conversationId } = await setup({}, 'once@example.com');
    await reply('Your order shipped yesterday.');
    await reply('Tracking number: ZX-42 <b>bold?</b>');
    await reply('Internal: check the warehouse', true);
    await after_(29);
    assert.equal(mailsTo('once@example.com').length, 0, 'nothing before the delay');
    await after_(2);
    const mails = mailsTo('once@example.com');
    assert.equal(mails.length, 1);
    const text = textOf(mails[0] as ReceivedMail);
    assert.match(text, /Your order shipped yesterday\./);
    assert.match(text, /Tracking number: ZX-42/);
    assert.doesNotMatch(text, /Internal: check the warehouse/, 'private notes never leave');
    assert.match(text, /&lt;b&gt;bold\?&lt;\/b&gt;/, 'the HTML part escapes the body');
    assert.match(text, /From: Acme Support <support@acme\.test>/);
    await after_(120);
    assert.equal(mailsTo('once@example.com').length, 1, 'sent once');
    const journey = await server.ctx.database.rows<{ type: string }>(
      sql`select type from events where conversation_id = ${conversationId} and type = 'message.emailed'`,
    );
    assert.equal(journey.length, 1, 'the journey records it');
  });

  test('a reply the customer read in time is not mailed', async () => {
    const { reply, visitor, conversationId } = await setup({}, 'reader@example.com');
    const seq = await reply('Here is the answer.');
    await after_(10);
    const read = await visitor.post(`/api/client/conversations/${conversationId}/read`, { seq });
    assert.equal(read.status, 200, read.text);
    await after_(30);
    assert.equal(mailsTo('reader@example.com').length, 0);
  });

  test('a later reply after a follow-up gets its own follow-up', async () => {
    const { reply } = await setup({}, 'twice@example.com');
    await reply('First answer.');
    await after_(31);
    await reply('Second answer.');
    await after_(31);
    const mails = mailsTo('twice@example.com').map(textOf);
    assert.equal(mails.length, 2);
    assert.match(mails[1] as string, /Second answer\./);
    assert.doesNotMatch(mails[1] as string, /First answer\./, 'the first reply is not sent again');
  });

  test('the delay is per inbox, and an inbox can turn follow-ups off', async () => {
    const quick = await setup({ emailFollowup: { enabled: true, delayMinutes: 5 } }, 'quick@example.com');
    await quick.reply('Quick one.');
    const off = await setup({ emailFollowup: { enabled: false, delayMinutes: 5 } }, 'off@example.com');
    await off.reply('Nobody mails this.');
    await after_(6);
    assert.equal(mailsTo('quick@example.com').length, 1);
    await after_(60);
    assert.equal(mailsTo('off@example.com').length, 0);
  });

  test('a contact without an e-mail address is skipped without errors', async () => {
    const { reply, conversationId } = await setup({}, null);
    await reply('No address to mail this to.');
    await after_(31);
    const [row] = await server.ctx.database.rows<{ status: string; detail: string }>(
      sql`select status, detail from message_followups where conversation_id = ${conversationId}`,
    );
    assert.equal(row?.status, 'skipped');
    const jobs = await server.ctx.database.rows<{ key: string }>(
      sql`select key from jobs where key = ${`email.followup:${conversationId}`}`,
    );
    assert.equal(jobs.length, 0, 'the job finished');
  });

  test('when the mail relay refuses, the follow-up is retried and still sent once', async () => {
    const { reply } = await setup({}, 'retry@example.com');
    await reply('Please retry me.');
    smtp.refuse(true);
    await after_(31);
    assert.equal(mailsTo('retry@example.com').length, 0);
    smtp.refuse(false);
    await after_(1);
    await after_(1);
    assert.equal(mailsTo('retry@example.com').length, 1);
    await after_(60);
    assert.equal(mailsTo('retry@example.com').length, 1);
  });
});

describe('follow-up mail body', () => {
  test('greets by name or falls back, and lists every reply', () => {
    const context = {
      account_id: 'a',
      number: 7,
      inbox_name: 'Acme',
      settings: {},
      contact_id: 'c',
      contact_name: null,
      contact_email: 'x@example.com',
      visitor_url: 'https://acme.test/pricing',
      last_read_seq: 0,
    };
    const mail = composeFollowup(
      context,
      [{ id: '1', seq: 2, kind: 'text', body: 'Hello <script>', sender_name: 'Bo', attributes: {} }],
      'x@example.com',
    );
    assert.match(mail.text, /^Hi there,/);
    assert.match(mail.text, /Bo:\nHello <script>/);
    assert.match(mail.text, /https:\/\/acme\.test\/pricing/);
    assert.doesNotMatch(mail.html, /<script>/);
    assert.equal(mail.subject, 'New reply from Acme (conversation #7)');
  });
});
