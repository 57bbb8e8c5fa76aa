import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Article, ArticleList, ArticleMessageAttributes, Message } from '@parley/shared';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  type TestAccount,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const articleOf = (body: Record<string, unknown>) => body.article as Article;
/** A URL under PUBLIC_URL, fetched from the test server's real address. */
const local = (url: string) => `${server.url}${new URL(url).pathname}`;
const base = (account: TestAccount) => `/api/accounts/${account.accountId}/articles`;

async function create(client: HttpClient, account: TestAccount, body: Record<string, unknown>) {
  const res = await client.post(base(account), body);
  assert.equal(res.status, 201, res.text);
  return articleOf(res.body);
}

describe('articles', () => {
  test('admins create, read, edit and delete articles; slugs come from titles and stay unique', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);

    const first = await create(admin, account, {
      title: '  How do I reset my password? ',
      body: '# Reset\n\nOpen **Settings** and press *Reset*.',
      category: 'Account',
    });
    assert.equal(first.title, 'How do I reset my password?');
    assert.equal(first.slug, 'how-do-i-reset-my-password');
    assert.equal(first.status, 'draft');
    assert.equal(first.language, 'en');
    assert.equal(first.category, 'Account');
    assert.equal(first.authorId, account.admin.userId);
    assert.equal(first.authorName, 'Admin');
    assert.equal(first.excerpt, 'Reset Open Settings and press Reset.');
    assert.equal(
      first.url,
      `${server.ctx.env.PUBLIC_URL}/help/${account.accountId}/articles/how-do-i-reset-my-password`,
    );

    // The same title again gets the first free suffix.
    const second = await create(admin, account, { title: 'How do I reset my password' });
    const third = await create(admin, account, { title: 'How do I reset my password!!' });
    assert.equal(second.slug, 'how-do-i-reset-my-password-2');
    assert.equal(third.slug, 'how-do-i-reset-my-password-3');
    // A title of another script keeps its letters; a title without any gets a neutral slug.
    assert.equal(
      (await create(admin, account, { title: 'Как сбросить пароль', language: 'ru' })).slug,
      'как-сбросить-пароль',
    );
    assert.equal((await create(admin, account, { title: '🎉' })).slug, 'article');
    // A chosen slug is normalised, and one that is taken is a conflict (not silently suffixed).
    const chosen = await create(admin, account, { title: 'Billing', slug: 'Billing FAQ' });
    assert.equal(chosen.slug, 'billing-faq');
    const taken = await admin.post(base(account), { title: 'Other', slug: 'billing-faq' });
    assert.equal(taken.status, 409);
    assert.equal(code(taken.body), 'article_slug_taken');

    // Reading one gives the Markdown body.
    const got = await admin.get(`${base(account)}/${first.id}`);
    assert.equal(got.status, 200);
    assert.equal(articleOf(got.body).body, '# Reset\n\nOpen **Settings** and press *Reset*.');

    // A new title keeps the slug (shared links keep working); the slug changes only when given.
    const renamed = await admin.request('PATCH', `${base(account)}/${first.id}`, {
      title: 'Resetting your password',
      status: 'published',
      category: '',
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(articleOf(renamed.body).slug, 'how-do-i-reset-my-password');
    assert.equal(articleOf(renamed.body).status, 'published');
    assert.equal(articleOf(renamed.body).category, null);
    assert.ok(articleOf(renamed.body).updatedAt > first.updatedAt);
    const clash = await admin.request('PATCH', `${base(account)}/${first.id}`, { slug: 'billing-faq' });
    assert.equal(clash.status, 409);
    assert.equal(code(clash.body), 'article_slug_taken');
    const reslugged = await admin.request('PATCH', `${base(account)}/${first.id}`, {
      slug: 'reset-password',
    });
    assert.equal(articleOf(reslugged.body).slug, 'reset-password');
    // Its own slug again is no clash.
    assert.equal(
      (await admin.request('PATCH', `${base(account)}/${first.id}`, { slug: 'reset-password' })).status,
      200,
    );

    const removed = await admin.request('DELETE', `${base(account)}/${second.id}`);
    assert.equal(removed.status, 204);
    assert.equal((await admin.get(`${base(account)}/${second.id}`)).status, 404);
    const again = await admin.request('DELETE', `${base(account)}/${second.id}`);
    assert.equal(code(again.body), 'article_not_found');
    // Slugs that were given up are free again: the first article moved away from the plain one, the
    // deleted one held -2, and -3 is still taken.
    const fourth = await create(admin, account, { title: 'How do I reset my password' });
    const fifth = await create(admin, account, { title: 'How do I reset my password' });
    assert.deepEqual(
      [fourth.slug, fifth.slug],
      ['how-do-i-reset-my-password', 'how-do-i-reset-my-password-2'],
    );
  });

  test('bad input is a 400 with a stable code', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const { id } = await create(admin, account, { title: 'Valid' });
    for (const body of [
      {},
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 'tab\there' },
      { title: 'ok', slug: '!!!' },
      { title: 'ok', status: 'archived' },
      { title: 'ok', language: 'english please' },
      { title: 'ok', category: 'c'.repeat(81) },
      { title: 'ok', body: 'x'.repeat(100_001) },
      { title: 'ok', body: 'nul \u0000' },
      { title: 'ok', unknown: 1 },
    ]) {
      const res = await admin.post(base(account), body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${res.status}`);
      assert.equal(code(res.body), 'validation_failed');
    }
    const patch = await admin.request('PATCH', `${base(account)}/${id}`, { title: '  ' });
    assert.equal(patch.status, 400);
    assert.equal((await admin.get(`${base(account)}?status=archived`)).status, 400);
    assert.equal((await admin.get(`${base(account)}/not-a-uuid`)).status, 400);
  });

  test('lists filter by category, language, status and words in titles and bodies', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    await create(admin, account, {
      title: 'Change your password',
      body: 'Go to settings.',
      category: 'Account',
      status: 'published',
    });
    await create(admin, account, {
      title: 'Invoices',
      body: 'Your invoices and the password of the billing portal.',
      category: 'Billing',
    });
    await create(admin, account, {
      title: 'Смена пароля',
      body: 'Откройте настройки.',
      category: 'Account',
      language: 'ru',
      status: 'published',
    });
    await create(admin, account, {
      title: '100% refunds',
      body: 'When under_score things happen.',
      category: 'Billing',
      status: 'published',
    });

    const list = async (query: string) => {
      const res = await admin.get(`${base(account)}${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body as unknown as ArticleList;
    };
    const titles = (l: ArticleList) => l.articles.map((a) => a.title);
    const all = await list('');
    assert.equal(all.articles.length, 4);
    assert.deepEqual(all.categories, ['Account', 'Billing']);
    assert.equal(
      (all.articles[0] as unknown as Record<string, unknown>).body,
      undefined,
      'lists carry no body',
    );
    assert.deepEqual(titles(await list('?category=Account')).sort(), [
      'Change your password',
      'Смена пароля',
    ]);
    assert.deepEqual(titles(await list('?language=ru')), ['Смена пароля']);
    assert.deepEqual(titles(await list('?status=draft')), ['Invoices']);
    // Title matches first, then body matches; case-insensitive substrings.
    assert.deepEqual(titles(await list('?q=PASS')), ['Change your password', 'Invoices']);
    assert.deepEqual(titles(await list('?q=пароля')), ['Смена пароля']);
    assert.deepEqual(titles(await list('?q=pass&status=published')), ['Change your password']);
    // Pattern characters are taken literally.
    assert.deepEqual(titles(await list(`?q=${encodeURIComponent('100%')}`)), ['100% refunds']);
    assert.deepEqual(titles(await list('?q=%25')), ['100% refunds']);
    assert.deepEqual(titles(await list('?q=under_score')), ['100% refunds']);
    assert.deepEqual(titles(await list('?q=r_fund')), []);
    assert.deepEqual(titles(await list('?category=Account&q=settings')), ['Change your password']);
  });

  test('admins and supervisors write; agents and read tokens only read', async () => {
    const account = await makeAccount(server);
    const supervisor = await makeMember(server, account.accountId, 'supervisor');
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const asSupervisor = await loginAs(server, supervisor.email);
    const asAgent = await loginAs(server, agent.email);
    const article = await create(asSupervisor, account, { title: 'Written by a supervisor' });
    assert.equal(article.authorId, supervisor.userId);
    assert.equal(
      (await asSupervisor.request('PATCH', `${base(account)}/${article.id}`, { status: 'published' })).status,
      200,
    );

    assert.equal((await asAgent.get(base(account))).status, 200);
    assert.equal((await asAgent.get(`${base(account)}/${article.id}`)).status, 200);
    for (const [method, path, body] of [
      ['POST', base(account), { title: 'Nope' }],
      ['PATCH', `${base(account)}/${article.id}`, { title: 'Nope' }],
      ['DELETE', `${base(account)}/${article.id}`, undefined],
    ] as const) {
      const res = await asAgent.request(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(code(res.body), 'forbidden');
    }

    // Agents read drafts rendered through the preview (drafts have no public page).
    assert.equal((await asAgent.post(`${base(account)}/preview`, { body: '# x' })).body.html, '<h1>x</h1>\n');

    const reader = new HttpClient(server.url);
    reader.bearer = await makeToken(server, account.accountId, ['conversation_read']);
    assert.equal((await reader.get(base(account))).status, 200);
    const write = await reader.post(base(account), { title: 'Token' });
    assert.equal(write.status, 403);
    assert.equal(code(write.body), 'insufficient_scope');
    const stranger = new HttpClient(server.url);
    stranger.bearer = await makeToken(server, account.accountId, ['contact_read']);
    assert.equal(code((await stranger.get(base(account))).body), 'insufficient_scope');
  });

  test("one account never sees or touches another's articles", async () => {
    const one = await makeAccount(server);
    const two = await makeAccount(server);
    const adminOne = await loginAs(server, one.admin.email);
    const adminTwo = await loginAs(server, two.admin.email);
    const secret = await create(adminOne, one, {
      title: 'Internal',
      slug: 'shared-slug',
      status: 'published',
    });
    // The same slug is free in another account.
    const theirs = await create(adminTwo, two, { title: 'Theirs', slug: 'shared-slug', status: 'published' });

    assert.equal(code((await adminTwo.get(base(one))).body), 'account_not_found');
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { title: 'Taken over' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await adminTwo.request(method, `${base(two)}/${secret.id}`, body);
      assert.equal(res.status, 404, method);
      assert.equal(code(res.body), 'article_not_found');
    }
    assert.ok(!(await adminTwo.get(base(two))).text.includes(secret.id));
    assert.equal(articleOf((await adminOne.get(`${base(one)}/${secret.id}`)).body).title, 'Internal');

    // Sending another account's article into one's own conversation finds nothing.
    const { conversationId } = await visitorWithConversation(server, two.inboxId);
    const sent = await adminTwo.post(
      `/api/accounts/${two.accountId}/conversations/${conversationId}/articles`,
      {
        clientMsgId: 'foreign',
        articleId: secret.id,
      },
    );
    assert.equal(sent.status, 404);
    assert.equal(code(sent.body), 'article_not_found');
    // The public page of one account never shows the other's article with the same slug.
    const page = await fetch(`${server.url}/help/${two.accountId}/articles/shared-slug`);
    const html = await page.text();
    assert.ok(html.includes('Theirs') && !html.includes('Internal'));
    assert.equal(theirs.url, `${server.ctx.env.PUBLIC_URL}/help/${two.accountId}/articles/shared-slug`);
  });

  test('preview renders Markdown safely', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const res = await admin.post(`${base(account)}/preview`, {
      body: '# Hi\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>',
    });
    assert.equal(res.status, 200);
    assert.equal(
      res.body.html,
      '<h1>Hi</h1>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>\n',
    );
  });
});

describe('the public help pages', () => {
  test('a published article has a page with a strict policy; drafts and unknowns are a 404 page', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const article = await create(admin, account, {
      title: 'Set up <b>two-factor</b> "auth"',
      body: '## Steps\n\n1. Open [settings](https://app.example/settings)\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1))',
      category: 'Security & <privacy>',
      language: 'pt-BR',
      status: 'published',
    });
    const draft = await create(admin, account, { title: 'Not yet', body: 'secret draft' });

    const res = await fetch(local(article.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    const html = await res.text();
    assert.match(html, /<html lang="pt-BR">/);
    assert.match(html, /<h1 class="title">Set up &#60;b&#62;two-factor&#60;\/b&#62; &#34;auth&#34;<\/h1>/);
    assert.match(html, /<span class="category">Security &#38; &#60;privacy&#62;<\/span>/);
    assert.match(html, /Atualizado em/);
    assert.match(html, /<h2>Steps<\/h2>/);
    assert.match(
      html,
      /<a href="https:\/\/app\.example\/settings" rel="noopener noreferrer nofollow" target="_blank">settings<\/a>/,
    );
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /<script|href="javascript/i);

    for (const url of [
      `${server.url}/help/${account.accountId}/articles/${draft.slug}`,
      `${server.url}/help/${account.accountId}/articles/no-such-article`,
      `${server.url}/help/00000000-0000-4000-8000-000000000000/articles/${article.slug}`,
      `${server.url}/help/not-an-account/articles/${article.slug}`,
      `${server.url}/help/${account.accountId}/articles/${'x'.repeat(99)}`,
    ]) {
      const missing = await fetch(url);
      assert.equal(missing.status, 404, url);
      assert.match(missing.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(missing.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const text = await missing.text();
      assert.match(text, /Page not found/);
      assert.doesNotMatch(text, /secret draft/);
    }

    // Unpublishing takes the page down at once.
    await admin.request('PATCH', `${base(account)}/${article.id}`, { status: 'draft' });
    assert.equal((await fetch(local(article.url))).status, 404);
  });

  test('the help index lists published articles by category', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    await create(admin, account, {
      title: 'Pay by card',
      body: 'Cards we take.',
      category: 'Billing',
      status: 'published',
    });
    await create(admin, account, { title: 'Refunds', category: 'Billing', status: 'published' });
    await create(admin, account, { title: 'Getting started', status: 'published' });
    await create(admin, account, { title: 'Hidden draft', category: 'Secret' });

    const res = await fetch(`${server.url}/help/${account.accountId}`, {
      headers: { 'accept-language': 'ru-RU,ru;q=0.9' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    assert.match(html, /Справочный центр/);
    assert.ok(html.indexOf('<h2>Billing</h2>') < html.indexOf('<h2>Другие статьи</h2>'));
    assert.ok(html.indexOf('Pay by card') < html.indexOf('Refunds'));
    assert.match(html, new RegExp(`href="/help/${account.accountId}/articles/pay-by-card"`));
    assert.match(html, /Cards we take\./);
    assert.doesNotMatch(html, /Hidden draft|Secret/);
    assert.equal((await fetch(`${server.url}/help/not-a-uuid`)).status, 404);
    assert.equal((await fetch(`${server.url}/help/00000000-0000-4000-8000-000000000000`)).status, 404);
  });
});

describe('sending an article in a conversation', () => {
  test('it arrives as a card with its attributes on REST and on the socket, for agents and the visitor', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const article = await create(admin, account, {
      title: 'Track your order',
      body: `Find the **tracking number** in your e-mail. ${'More words follow here. '.repeat(20)}`,
      status: 'published',
    });
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const visitorWs = await RealtimeClient.connect(server.url);
    await visitorWs.auth(visitor.bearer ?? '');
    await visitorWs.subscribeConversation(conversationId, 1);

    const path = `/api/accounts/${account.accountId}/conversations/${conversationId}/articles`;
    const sent = await asAgent.post(path, { clientMsgId: 'art-1', articleId: article.id });
    assert.equal(sent.status, 201, sent.text);
    const message = sent.body.message as Message;
    assert.equal(message.kind, 'article');
    assert.equal(message.private, false);
    assert.equal(message.senderKind, 'agent');
    assert.equal(message.body, `Track your order\n${article.url}`);
    const attributes = message.attributes as ArticleMessageAttributes;
    assert.equal(attributes.articleId, article.id);
    assert.equal(attributes.title, 'Track your order');
    assert.equal(attributes.url, article.url);
    assert.ok(attributes.excerpt.startsWith('Find the tracking number in your e-mail.'));
    assert.ok(attributes.excerpt.endsWith('…') && Array.from(attributes.excerpt).length <= 201);

    // Idempotent on clientMsgId; the same id for another article is a conflict.
    const retry = await asAgent.post(path, { clientMsgId: 'art-1', articleId: article.id });
    assert.equal(retry.status, 201);
    assert.equal(retry.body.created, false);
    assert.equal((retry.body.message as Message).id, message.id);
    const other = await create(admin, account, { title: 'Returns', status: 'published' });
    const reused = await asAgent.post(path, { clientMsgId: 'art-1', articleId: other.id });
    assert.equal(reused.status, 409);
    assert.equal(code(reused.body), 'idempotency_conflict');

    const live = await visitorWs.waitFor((f) => f.type === 'message' && f.message.kind === 'article');
    assert.equal(live.type === 'message' && live.message.seq, message.seq);
    assert.deepEqual(live.type === 'message' && live.message.attributes, attributes);
    const read = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    const card = (read.body.messages as Message[]).find((m) => m.kind === 'article');
    assert.deepEqual(card?.attributes, attributes);
    const agentRead = await admin.get(
      `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
    );
    assert.deepEqual(
      (agentRead.body.messages as Message[]).find((m) => m.kind === 'article')?.attributes,
      attributes,
    );
    await visitorWs.close();
  });

  test('drafts are not sent, and agents send only into conversations they may see', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const outsider = await makeMember(server, account.accountId, 'agent', []);
    const asOutsider = await loginAs(server, outsider.email);
    const draft = await create(admin, account, { title: 'Draft' });
    const published = await create(admin, account, { title: 'Published', status: 'published' });
    const { conversationId } = await visitorWithConversation(server, account.inboxId);
    const path = `/api/accounts/${account.accountId}/conversations/${conversationId}/articles`;

    const refused = await admin.post(path, { clientMsgId: 'd', articleId: draft.id });
    assert.equal(refused.status, 409);
    assert.equal(code(refused.body), 'article_not_published');
    const unseen = await asOutsider.post(path, { clientMsgId: 'o', articleId: published.id });
    assert.equal(unseen.status, 404);
    assert.equal(code(unseen.body), 'conversation_not_found');
    const missing = await admin.post(path, {
      clientMsgId: 'm',
      articleId: '00000000-0000-4000-8000-000000000000',
    });
    assert.equal(code(missing.body), 'article_not_found');
    assert.equal((await admin.post(path, { clientMsgId: 'x' })).status, 400);

    const { visitor } = await visitorWithConversation(server, account.inboxId);
    const read = await visitor.get(`/api/client/conversations/${conversationId}/messages`);
    assert.equal(read.status, 404, 'a visitor cannot read another conversation');
  });
});
