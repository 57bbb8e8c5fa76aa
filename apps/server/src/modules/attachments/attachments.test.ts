import assert from 'node:assert/strict';
import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Attachment, AttachmentUrl, Message, MessageAttachment } from '@parley/shared';
import { eq } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { attachments } from '../../db/schema.ts';
import { deleteStaleUploads } from './cleanup.ts';
import { MAX_UNSENT_UPLOADS } from './commands.ts';
import { cleanFileName, contentDisposition } from './names.ts';
import { hostileHtml, hostileSvg, tinyPdf, tinyPng } from './test-files.ts';

const LIMIT = 64 * 1024;
let clock = Date.now();
let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { RATE_LIMITS: 'off', ATTACHMENT_MAX_BYTES: String(LIMIT) },
    now: () => new Date(clock),
    jobPollMs: 0,
  });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

/** Uploads raw bytes with the client's credentials (HttpClient only sends JSON). */
async function upload(
  client: HttpClient,
  url: string,
  bytes: Buffer | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const h: Record<string, string> = { 'content-type': 'application/octet-stream', ...headers };
  if (client.cookie) h.cookie = client.cookie;
  if (client.csrfToken) h['x-csrf-token'] = client.csrfToken;
  if (client.bearer) h.authorization = `Bearer ${client.bearer}`;
  const response = await fetch(`${server.url}${url}`, {
    method: 'POST',
    headers: h,
    body: bytes,
    duplex: 'half',
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function download(client: HttpClient | null, url: string, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers };
  if (client?.cookie) h.cookie = client.cookie;
  if (client?.bearer) h.authorization = `Bearer ${client.bearer}`;
  const response = await fetch(`${server.url}${url}`, { headers: h });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

const agentUploadUrl = (accountId: string, conversationId: string, name?: string) =>
  `/api/accounts/${accountId}/conversations/${conversationId}/attachments${name === undefined ? '' : `?name=${encodeURIComponent(name)}`}`;
const visitorUploadUrl = (conversationId: string, name?: string) =>
  `/api/client/conversations/${conversationId}/attachments${name === undefined ? '' : `?name=${encodeURIComponent(name)}`}`;

/** Every stored file under DATA_DIR/files (uploads in progress excluded). */
function storedFiles(): string[] {
  const root = path.join(server.ctx.env.DATA_DIR, 'files');
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(path.relative(root, full));
    }
  };
  walk(root);
  return found;
}

async function setup() {
  const account = await makeAccount(server);
  const admin = await loginAs(server, account.admin.email);
  const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
  return { account, admin, visitor, conversationId };
}

describe('uploads', () => {
  test('an agent uploads an image and sends it; the visitor sees the message and loads the file', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const png = tinyPng();
    const res = await upload(
      admin,
      agentUploadUrl(account.accountId, conversationId, 'Screenshot 1.png'),
      png,
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const attachment = res.body.attachment as Attachment;
    assert.deepEqual(
      [
        attachment.fileName,
        attachment.contentType,
        attachment.category,
        attachment.byteSize,
        attachment.messageId,
      ],
      ['Screenshot 1.png', 'image/png', 'image', png.length, null],
    );

    const sent = await admin.post(
      `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
      {
        clientMsgId: 'with-file-1',
        body: 'Here you go',
        attachmentIds: [attachment.id],
      },
    );
    assert.equal(sent.status, 201, sent.text);
    const message = sent.body.message as Message;
    assert.equal(message.kind, 'attachment');
    assert.equal(message.body, 'Here you go');
    assert.deepEqual(message.attributes.attachments, [
      {
        id: attachment.id,
        fileName: 'Screenshot 1.png',
        contentType: 'image/png',
        category: 'image',
        byteSize: png.length,
      },
    ]);
    const [row] = await server.ctx.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.id, attachment.id));
    assert.equal(row?.messageId, message.id);

    const page = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    const seen = (page.body.messages as Message[]).find((m) => m.id === message.id);
    assert.ok(seen, 'the visitor reads the attachment message');
    const link = await visitor.get(`/api/client/attachments/${attachment.id}/url`);
    assert.equal(link.status, 200, link.text);
    const { url } = link.body as unknown as AttachmentUrl;
    // The signed address works without any credentials, as an <img> loads it.
    const file = await download(null, url);
    assert.equal(file.status, 200);
    assert.deepEqual(file.bytes, png);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.match(file.headers.get('content-disposition') ?? '', /^inline; filename="Screenshot 1.png"/);
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(file.headers.get('content-security-policy'), "default-src 'none'; sandbox");

    // Agents read it with their session; ?download=1 turns it into a download.
    const asAgent = await download(admin, `/api/accounts/${account.accountId}/attachments/${attachment.id}`);
    assert.equal(asAgent.status, 200);
    assert.deepEqual(asAgent.bytes, png);
    const forced = await download(
      admin,
      `/api/accounts/${account.accountId}/attachments/${attachment.id}?download=1`,
    );
    assert.match(forced.headers.get('content-disposition') ?? '', /^attachment;/);

    // The inbox list shows the caption, or the file names for a file without one.
    const list = await admin.get(`/api/accounts/${account.accountId}/conversations/${conversationId}`);
    assert.equal(
      (list.body.conversation as { lastMessagePreview: string }).lastMessagePreview,
      'Here you go',
    );
  });

  test('a visitor uploads (name in X-File-Name) and sends without a caption; the agent downloads it', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const pdf = tinyPdf();
    const res = await upload(visitor, visitorUploadUrl(conversationId), pdf, {
      'x-file-name': encodeURIComponent('Счёт №7.pdf'),
      'content-type': 'application/pdf',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const attachment = res.body.attachment as Attachment;
    assert.deepEqual(
      [attachment.fileName, attachment.contentType, attachment.category],
      ['Счёт №7.pdf', 'application/pdf', 'file'],
    );
    const sent = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'visitor-file-1',
      attachmentIds: [attachment.id],
    });
    assert.equal(sent.status, 201, sent.text);
    assert.equal((sent.body.message as Message).kind, 'attachment');
    assert.equal((sent.body.message as Message).body, '');
    const conversation = await admin.get(
      `/api/accounts/${account.accountId}/conversations/${conversationId}`,
    );
    assert.equal(
      (conversation.body.conversation as { lastMessagePreview: string }).lastMessagePreview,
      '📎 Счёт №7.pdf',
    );
    const file = await download(admin, `/api/accounts/${account.accountId}/attachments/${attachment.id}`);
    assert.equal(file.status, 200);
    assert.deepEqual(file.bytes, pdf);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    // Not an inline type: always a download, with the exact name as RFC 5987 filename*.
    assert.equal(
      file.headers.get('content-disposition'),
      `attachment; filename="____ _7.pdf"; filename*=UTF-8''${encodeURIComponent('Счёт №7.pdf')}`,
    );
    // A message needs a body or files.
    const empty = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'visitor-nothing',
    });
    assert.equal(empty.status, 400);
  });

  test('the type comes from the bytes, never from the name or the Content-Type sent', async () => {
    const { account, admin, conversationId } = await setup();
    const base = (name: string) => agentUploadUrl(account.accountId, conversationId, name);
    const png = await upload(admin, base('report.pdf'), tinyPng(), { 'content-type': 'text/html' });
    assert.deepEqual(
      [(png.body.attachment as Attachment).contentType, (png.body.attachment as Attachment).category],
      ['image/png', 'image'],
    );
    const text = await upload(admin, base('photo.jpg'), Buffer.from('just some words'), {
      'content-type': 'image/jpeg',
    });
    assert.deepEqual(
      [(text.body.attachment as Attachment).contentType, (text.body.attachment as Attachment).category],
      ['application/octet-stream', 'file'],
    );
  });

  test('HTML renamed .png and SVG are stored and served as opaque downloads with nosniff and a sandbox', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    for (const [bytes, name] of [
      [hostileHtml, 'cat.png'],
      [hostileSvg, 'logo.svg'],
    ] as const) {
      const res = await upload(visitor, visitorUploadUrl(conversationId, name), bytes, {
        'content-type': 'image/png',
      });
      assert.equal(res.status, 201);
      const attachment = res.body.attachment as Attachment;
      assert.deepEqual([attachment.contentType, attachment.category], ['application/octet-stream', 'file']);
      for (const file of [
        await download(admin, `/api/accounts/${account.accountId}/attachments/${attachment.id}`),
        await download(
          null,
          ((await visitor.get(`/api/client/attachments/${attachment.id}/url`)).body as AttachmentUrl).url,
        ),
      ]) {
        assert.equal(file.status, 200);
        assert.equal(file.headers.get('content-type'), 'application/octet-stream');
        assert.match(
          file.headers.get('content-disposition') ?? '',
          new RegExp(`^attachment; filename="${name}"`),
        );
        assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(file.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      }
    }
  });

  test('an oversized file is refused with 413 while streaming, and nothing is stored', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const before = storedFiles();
    const rowsBefore = await server.ctx.database.db.select().from(attachments);
    const tooBig = Buffer.alloc(LIMIT + 1, 7);

    // Announced by Content-Length: refused before reading.
    const declared = await upload(
      admin,
      agentUploadUrl(account.accountId, conversationId, 'big.bin'),
      tooBig,
    );
    assert.equal(declared.status, 413);
    assert.equal(code(declared.body), 'attachment_too_large');
    assert.match((declared.body.error as { message: string }).message, /64 KB \(65536 bytes\)/);

    // Streamed without a length (chunked): refused as soon as the limit is passed.
    const chunks = [Buffer.alloc(40 * 1024, 1), Buffer.alloc(40 * 1024, 2)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await upload(visitor, visitorUploadUrl(conversationId, 'big.bin'), stream);
    assert.equal(streamed.status, 413);
    assert.equal(code(streamed.body), 'attachment_too_large');

    assert.deepEqual(storedFiles(), before, 'no file was stored');
    assert.equal((await server.ctx.database.db.select().from(attachments)).length, rowsBefore.length);
    assert.deepEqual(
      readdirSync(path.join(server.ctx.env.DATA_DIR, 'files', '.incoming')),
      [],
      'no spool left',
    );

    // Exactly at the limit is fine; the global 1 MiB JSON limit does not apply to uploads either way.
    const atLimit = await upload(
      admin,
      agentUploadUrl(account.accountId, conversationId, 'ok.bin'),
      Buffer.alloc(LIMIT, 1),
    );
    assert.equal(atLimit.status, 201);
    const empty = await upload(
      admin,
      agentUploadUrl(account.accountId, conversationId, 'empty'),
      Buffer.alloc(0),
    );
    assert.equal(empty.status, 400);

    const limits = await visitor.get('/api/client/attachments/limits');
    assert.deepEqual(limits.body, { maxBytes: LIMIT });
  });

  test('hostile file names are cleaned to a safe display name', async () => {
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    assert.equal(cleanFileName('C:\\Users\\me\\Desktop\\notes.txt'), 'notes.txt');
    assert.equal(cleanFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(cleanFileName('a\u0000b\u0007c\nd\u2066e\u200Bf.png'), 'abcdef.png');
    assert.equal(cleanFileName('  ..hidden.  '), 'hidden');
    assert.equal(cleanFileName('x"; filename="evil.html'), 'x_; filename=_evil.html');
    assert.equal(cleanFileName(''), 'file');
    assert.equal(cleanFileName('\u202E'), 'file');
    assert.equal(cleanFileName(undefined), 'file');
    const long = cleanFileName(`${'я'.repeat(300)}.jpeg`);
    assert.equal(Array.from(long).length, 120);
    assert.ok(long.endsWith('….jpeg'));
    assert.equal(
      contentDisposition('attachment', 'naïve (1).png'),
      `attachment; filename="na_ve (1).png"; filename*=UTF-8''na%C3%AFve%20%281%29.png`,
    );

    const { account, admin, conversationId } = await setup();
    const res = await upload(
      admin,
      agentUploadUrl(account.accountId, conversationId, '../../../srv/parley/\u202Egnp.html\r\n'),
      tinyPng(),
    );
    assert.equal(res.status, 201);
    const attachment = res.body.attachment as Attachment;
    assert.equal(attachment.fileName, 'gnp.html');
    const file = await download(admin, `/api/accounts/${account.accountId}/attachments/${attachment.id}`);
    assert.match(
      file.headers.get('content-disposition') ?? '',
      /^inline; filename="gnp.html"; filename\*=UTF-8''gnp\.html$/,
    );
  });

  test('ranges of a file are served for players', async () => {
    const { account, admin, conversationId } = await setup();
    const png = tinyPng(8);
    const res = await upload(admin, agentUploadUrl(account.accountId, conversationId, 'r.png'), png);
    const url = `/api/accounts/${account.accountId}/attachments/${(res.body.attachment as Attachment).id}`;
    const part = await download(admin, url, { range: 'bytes=1-3' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1-3/${png.length}`);
    assert.deepEqual(part.bytes, png.subarray(1, 4));
    const tail = await download(admin, url, { range: 'bytes=-4' });
    assert.deepEqual(tail.bytes, png.subarray(png.length - 4));
    const outside = await download(admin, url, { range: `bytes=${png.length}-` });
    assert.equal(outside.status, 416);
  });
});

describe('who may upload and read', () => {
  test('agents read only files of conversations they may see; other accounts and inboxes get 404', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const res = await upload(visitor, visitorUploadUrl(conversationId, 'x.png'), tinyPng());
    const id = (res.body.attachment as Attachment).id;

    const other = await makeAccount(server);
    const otherAdmin = await loginAs(server, other.admin.email);
    const foreign = await download(otherAdmin, `/api/accounts/${other.accountId}/attachments/${id}`);
    assert.equal(foreign.status, 404);
    assert.equal(JSON.parse(foreign.bytes.toString()).error.code, 'attachment_not_found');
    const intoForeign = await upload(
      otherAdmin,
      agentUploadUrl(other.accountId, conversationId, 'y.png'),
      tinyPng(),
    );
    assert.equal(intoForeign.status, 404);

    // An agent limited to another inbox of the same account.
    const db = server.ctx.database.db;
    const { createInbox } = await import('../inboxes/commands.ts');
    const secondInbox = await createInbox(db, account.accountId, { name: 'Second', channelType: 'web' });
    const outsider = await makeMember(server, account.accountId, 'agent', [secondInbox.id]);
    const outsiderClient = await loginAs(server, outsider.email);
    const refused = await download(outsiderClient, `/api/accounts/${account.accountId}/attachments/${id}`);
    assert.equal(refused.status, 404);
    const refusedUpload = await upload(
      outsiderClient,
      agentUploadUrl(account.accountId, conversationId, 'z.png'),
      tinyPng(),
    );
    assert.equal(refusedUpload.status, 404);
    assert.equal(code(refusedUpload.body), 'conversation_not_found');

    const insider = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const insiderClient = await loginAs(server, insider.email);
    assert.equal(
      (await download(insiderClient, `/api/accounts/${account.accountId}/attachments/${id}`)).status,
      200,
    );
    assert.equal((await download(admin, `/api/accounts/${account.accountId}/attachments/${id}`)).status, 200);
  });

  test("a visitor cannot reach another visitor's files, private notes' files or agents' unsent uploads", async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const mine = await upload(visitor, visitorUploadUrl(conversationId, 'mine.png'), tinyPng());
    const mineId = (mine.body.attachment as Attachment).id;
    const stranger = await visitorOf(server, account.inboxId);
    assert.equal((await stranger.get(`/api/client/attachments/${mineId}/url`)).status, 404);
    assert.equal((await upload(stranger, visitorUploadUrl(conversationId, 'a.png'), tinyPng())).status, 404);
    // Their own unsent upload they may see.
    assert.equal((await visitor.get(`/api/client/attachments/${mineId}/url`)).status, 200);

    const base = agentUploadUrl(account.accountId, conversationId, 'internal.png');
    const unsent = (await upload(admin, base, tinyPng())).body.attachment as Attachment;
    assert.equal((await visitor.get(`/api/client/attachments/${unsent.id}/url`)).status, 404);
    const noted = (await upload(admin, base, tinyPng())).body.attachment as Attachment;
    const note = await admin.post(
      `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
      {
        clientMsgId: 'note-with-file',
        private: true,
        attachmentIds: [noted.id],
      },
    );
    assert.equal(note.status, 201, note.text);
    assert.equal((note.body.message as Message).private, true);
    assert.equal((await visitor.get(`/api/client/attachments/${noted.id}/url`)).status, 404);
    const page = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.ok(!(page.body.messages as Message[]).some((m) => m.private));
  });

  test('signed addresses expire, and cannot be altered or moved to another file', async () => {
    const { visitor, conversationId } = await setup();
    const a = (await upload(visitor, visitorUploadUrl(conversationId, 'a.png'), tinyPng())).body
      .attachment as Attachment;
    const b = (await upload(visitor, visitorUploadUrl(conversationId, 'b.png'), tinyPng())).body
      .attachment as Attachment;
    const { url, expiresAt } = (await visitor.get(`/api/client/attachments/${a.id}/url`))
      .body as unknown as AttachmentUrl;
    assert.ok(Date.parse(expiresAt) - clock <= 10 * 60_000 && Date.parse(expiresAt) - clock > 9 * 60_000);
    assert.equal((await download(null, url)).status, 200);
    assert.equal((await download(null, url.replace(a.id, b.id))).status, 403);
    assert.equal(
      (
        await download(
          null,
          url.replace(/expires=(\d+)/, (_m, e) => `expires=${Number(e) + 600}`),
        )
      ).status,
      403,
    );
    assert.equal((await download(null, `/api/files/${a.id}`)).status, 400);
    const saved = clock;
    clock += 11 * 60_000;
    try {
      const expired = await download(null, url);
      assert.equal(expired.status, 403);
      assert.equal(JSON.parse(expired.bytes.toString()).error.code, 'forbidden');
    } finally {
      clock = saved;
    }
  });
});

describe('attachment messages', () => {
  test('files must be the sender’s uploads in the same conversation, sent once; retries are idempotent', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const messagesUrl = `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`;
    const visitorFile = (await upload(visitor, visitorUploadUrl(conversationId, 'v.png'), tinyPng())).body
      .attachment as Attachment;
    const notMine = await admin.post(messagesUrl, { clientMsgId: 'steal', attachmentIds: [visitorFile.id] });
    assert.equal(notMine.status, 404);
    assert.equal(code(notMine.body), 'attachment_not_found');

    const elsewhere = await visitorWithConversation(server, account.inboxId);
    const otherFile = (
      await upload(admin, agentUploadUrl(account.accountId, elsewhere.conversationId, 'o.png'), tinyPng())
    ).body.attachment as Attachment;
    const wrongConversation = await admin.post(messagesUrl, {
      clientMsgId: 'cross',
      attachmentIds: [otherFile.id],
    });
    assert.equal(code(wrongConversation.body), 'attachment_not_found');

    const file = (await upload(admin, agentUploadUrl(account.accountId, conversationId, 'f.png'), tinyPng()))
      .body.attachment as Attachment;
    const first = await admin.post(messagesUrl, { clientMsgId: 'once', attachmentIds: [file.id] });
    assert.equal(first.status, 201);
    const retry = await admin.post(messagesUrl, { clientMsgId: 'once', attachmentIds: [file.id] });
    assert.equal(retry.status, 201);
    assert.equal(retry.body.created, false);
    assert.equal((retry.body.message as Message).id, (first.body.message as Message).id);
    const again = await admin.post(messagesUrl, { clientMsgId: 'twice', attachmentIds: [file.id] });
    assert.equal(again.status, 409);
    assert.equal(code(again.body), 'attachment_in_use');
    const duplicateIds = await admin.post(messagesUrl, {
      clientMsgId: 'dup',
      attachmentIds: [file.id, file.id],
    });
    assert.equal(duplicateIds.status, 400);
  });

  test('visitors and agents send files over the socket too', async () => {
    const { account, admin, visitor, conversationId } = await setup();
    const file = (await upload(visitor, visitorUploadUrl(conversationId, 'sock.png'), tinyPng())).body
      .attachment as Attachment;
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');
    ws.send({ type: 'send', ref: 'f1', conversationId, clientMsgId: 'ws-file', attachmentIds: [file.id] });
    const ack = await ws.waitFor((f) => f.type === 'ack' || f.type === 'error');
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const message = ack.type === 'ack' ? ack.message : null;
    assert.equal(message?.kind, 'attachment');
    assert.equal((message?.attributes.attachments as MessageAttachment[] | undefined)?.[0]?.id, file.id);
    ws.send({ type: 'send', ref: 'f2', conversationId, clientMsgId: 'ws-nothing' });
    const refused = await ws.waitFor((f) => f.type === 'error' && f.ref === 'f2');
    assert.equal(refused.type === 'error' && refused.code, 'validation_failed');
    await ws.close();

    const agentFile = (
      await upload(admin, agentUploadUrl(account.accountId, conversationId, 'a.png'), tinyPng())
    ).body.attachment as Attachment;
    const agentWs = await RealtimeClient.connect(server.url, {
      cookie: admin.cookie ?? '',
      origin: server.ctx.env.PUBLIC_URL,
    });
    agentWs.send({
      type: 'send',
      ref: 'a1',
      conversationId,
      clientMsgId: 'agent-ws',
      body: 'see',
      attachmentIds: [agentFile.id],
    });
    const agentAck = await agentWs.waitFor(
      (f) => (f.type === 'ack' || f.type === 'error') && 'ref' in f && f.ref === 'a1',
    );
    assert.equal(agentAck.type === 'ack' && agentAck.message.kind, 'attachment', JSON.stringify(agentAck));
    await agentWs.close();
  });
});

describe('limits', () => {
  test('an uploader may keep only so many files unsent in a conversation', async () => {
    const { visitor, conversationId } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < MAX_UNSENT_UPLOADS; i += 1) {
      const res = await upload(visitor, visitorUploadUrl(conversationId, `${i}.png`), tinyPng());
      assert.equal(res.status, 201);
      ids.push((res.body.attachment as Attachment).id);
    }
    const refused = await upload(visitor, visitorUploadUrl(conversationId, 'one-more.png'), tinyPng());
    assert.equal(refused.status, 429);
    assert.equal(code(refused.body), 'rate_limited');
    const sent = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'send-them',
      attachmentIds: ids.slice(0, 10),
    });
    assert.equal(sent.status, 201, sent.text);
    assert.equal((await upload(visitor, visitorUploadUrl(conversationId, 'now.png'), tinyPng())).status, 201);
  });
});

describe('cleanup', () => {
  test('uploads nobody sent are deleted after a day, with their bytes; sent files stay', async () => {
    const { account, admin, conversationId } = await setup();
    const base = agentUploadUrl(account.accountId, conversationId, 'kept.png');
    const sent = (await upload(admin, base, tinyPng())).body.attachment as Attachment;
    const abandoned = (await upload(admin, base, tinyPng())).body.attachment as Attachment;
    const message = await admin.post(
      `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
      {
        clientMsgId: 'keep-me',
        attachmentIds: [sent.id],
      },
    );
    assert.equal(message.status, 201);
    const keyOf = async (id: string) =>
      (await server.ctx.database.db.select().from(attachments).where(eq(attachments.id, id)))[0]?.storageKey;
    const abandonedKey = await keyOf(abandoned.id);
    assert.ok(abandonedKey && storedFiles().includes(abandonedKey));

    assert.equal(await deleteStaleUploads(server.ctx), 0, 'a fresh upload is not stale');
    const saved = clock;
    clock += 25 * 60 * 60_000;
    try {
      assert.ok((await deleteStaleUploads(server.ctx)) >= 1);
    } finally {
      clock = saved;
    }
    assert.equal(await keyOf(abandoned.id), undefined);
    assert.equal(storedFiles().includes(abandonedKey), false);
    const keptKey = await keyOf(sent.id);
    assert.ok(keptKey && storedFiles().includes(keptKey));
    assert.equal(
      (await download(admin, `/api/accounts/${account.accountId}/attachments/${sent.id}`)).status,
      200,
    );
  });
});
