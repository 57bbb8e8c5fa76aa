import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { tokenScopes } from '@parley/shared';
import { z } from 'zod';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  type TestAccount,
  visitorOf,
  visitorWithConversation,
} from '../../test/factories.ts';
import { startTestServer, type TestServer } from '../../test/harness.ts';
import { HttpClient } from '../../test/http-client.ts';
import type { AnyRoute } from '../http/route.ts';
import { allRoutes } from '../http/routes.ts';

/**
 * Two tenants, A and B. Every actor of A (admin session, all-scope token, visitor) tries every route
 * with B's ids in the path, the query and the body. Nothing of B may come back, nothing of B may
 * change, and requests aimed at B's objects are refused. The walk reads the route list, so routes
 * added later are covered without touching this file.
 */

const B_MARK = 'BSECRET';
const A_MARK = 'APROBE';
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const routes = allRoutes();
const keyOf = (route: AnyRoute) => `${route.method} ${route.url}`;

type Entity = 'account' | 'inbox' | 'conversation' | 'contact' | 'user' | 'team' | 'invitation' | 'message';
type Ids = Record<Entity, string>;

/** Which kind of object a path parameter names, from the URL segment before it. */
function entityOfParam(url: string, name: string): Entity | null {
  if (name === 'accountId') return 'account';
  if (name === 'userId') return 'user';
  const segments = url.split('/');
  const index = segments.indexOf(`:${name}`);
  const before = segments[index - 1] ?? '';
  const map: Record<string, Entity> = {
    conversations: 'conversation',
    inboxes: 'inbox',
    contacts: 'contact',
    teams: 'team',
    agents: 'user',
    members: 'user',
    invitations: 'invitation',
    messages: 'message',
  };
  return map[before] ?? null;
}

/** Which kind of object a body or query field refers to, from its name. */
function entityOfField(name: string): Entity {
  if (/inbox/i.test(name)) return 'inbox';
  if (/team/i.test(name)) return 'team';
  if (/conversation/i.test(name)) return 'conversation';
  if (/contact/i.test(name)) return 'contact';
  if (/message/i.test(name)) return 'message';
  return 'user';
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** A value that satisfies `schema`, with uuids taken from `ids` and strings carrying `mark`. */
function sample(schema: JsonSchema, name: string, ids: Ids, mark: string): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const chosen = alternatives.find((s) => s.type !== 'null') ?? alternatives[0] ?? {};
    return sample(chosen, name, ids, mark);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return `${mark.toLowerCase()}-${name.toLowerCase()}@example.test`;
      if (schema.format === 'uuid') return ids[entityOfField(name)];
      if (schema.format === 'uri' || schema.format === 'url') return `https://example.test/${mark}`;
      const candidates = [
        `${mark} ${name}`,
        `${mark.toLowerCase()}_${name.toLowerCase()}`,
        '#123456',
        'sample',
      ];
      if (schema.pattern) {
        const re = new RegExp(schema.pattern);
        return candidates.find((c) => re.test(c)) ?? candidates[0];
      }
      return candidates[0];
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return schema.minItems ? [sample(schema.items ?? {}, name, ids, mark)] : [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? [])
        out[key] = sample(schema.properties?.[key] ?? {}, key, ids, mark);
      return out;
    }
    default:
      return undefined;
  }
}

/** Bodies the generator cannot guess (semantics beyond the schema). */
const bodyOverrides: Record<string, (ids: Ids, mark: string) => unknown> = {
  'PATCH /api/accounts/:accountId/contacts/:id': (_ids, mark) => ({ name: `${mark} contact` }),
  'PATCH /api/accounts/:accountId/attribute-definitions/:id': (_ids, mark) => ({ label: `${mark} label` }),
  'POST /api/auth/password': () => ({
    currentPassword: 'not-the-password',
    newPassword: 'another-long-password',
  }),
  'POST /api/accounts/:accountId/conversations/:id/transfer': (ids, mark) => ({
    teamId: ids.team,
    note: `${mark} note`,
  }),
  'PATCH /api/accounts/:accountId/routing/agents/:userId': () => ({ capacity: 3 }),
  'POST /api/accounts/:accountId/conversations/:id/snooze': () => ({
    until: new Date(Date.now() + 3_600_000).toISOString(),
  }),
  'PATCH /api/accounts/:accountId/saved-views/:id': (_ids, mark) => ({ name: `${mark} view` }),
  'POST /api/accounts/:accountId/canned-replies': (_ids, mark) => ({
    shortcut: `probe-${mark.toLowerCase()}`,
    body: `${mark} body`,
  }),
  'PATCH /api/accounts/:accountId/canned-replies/:id': (_ids, mark) => ({ body: `${mark} body` }),
  // A message needs a body or attachments; the sample has neither.
  'POST /api/accounts/:accountId/conversations/:id/messages': (_ids, mark) => ({
    clientMsgId: 'probe',
    body: `${mark} message`,
  }),
  'POST /api/client/conversations/:id/messages': (_ids, mark) => ({
    clientMsgId: 'probe',
    body: `${mark} message`,
  }),
  'POST /api/v1/conversations': (ids, mark) => ({
    contactId: ids.contact,
    inboxId: ids.inbox,
    message: { clientMsgId: 'probe', body: `${mark} message` },
  }),
  'POST /api/v1/conversations/new': (ids, mark) => ({
    email: `${mark.toLowerCase()}@example.test`,
    inboxId: ids.inbox,
    message: { body: `${mark} message`, attributes: { autoAssigneeId: ids.user } },
  }),
  'POST /api/v1/contacts': (_ids, mark) => ({ name: `${mark} contact` }),
  'PATCH /api/v1/contacts/:id': (_ids, mark) => ({ name: `${mark} contact` }),
};

function bodyFor(route: AnyRoute, ids: Ids, mark: string): unknown {
  if (route.method === 'GET') return undefined;
  if (!route.body) return {};
  const override = bodyOverrides[keyOf(route)];
  const json = z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const value = override ? override(ids, mark) : sample(json, 'body', ids, mark);
  const parsed = route.body.safeParse(value);
  assert.ok(
    parsed.success,
    `${keyOf(route)}: the sample body ${JSON.stringify(value)} is invalid; add an entry to bodyOverrides`,
  );
  return value;
}

function queryFor(route: AnyRoute, ids: Ids): string {
  if (!route.query) return '';
  const json = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const params = new URLSearchParams();
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    const isUuid =
      property.format === 'uuid' ||
      (property.anyOf ?? property.oneOf ?? []).some((alternative) => alternative.format === 'uuid');
    if (isUuid) params.set(name, ids[entityOfField(name)]);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function urlWith(route: AnyRoute, pick: (name: string, entity: Entity | null) => string): string {
  return route.url
    .replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => pick(name, entityOfParam(route.url, name)))
    .replace(/\*$/, 'anything');
}

let server: TestServer;
let a: TestAccount;
let b: TestAccount;
let aIds: Ids;
let bIds: Ids;
/** Every uuid that belongs to B, collected from B's own answers. */
const bUuids = new Set<string>();
let aAdmin: HttpClient;
let aToken: HttpClient;
let aVisitor: HttpClient;
let bAdmin: HttpClient;

async function createVia(client: HttpClient, path: string, body: unknown): Promise<string> {
  const res = await client.post(path, body);
  assert.ok(res.status === 200 || res.status === 201, `${path}: ${res.status} ${res.text}`);
  for (const id of res.text.match(UUID_RE) ?? []) bUuids.add(id.toLowerCase());
  const first = Object.values(res.body).find((v) => v && typeof v === 'object' && 'id' in v) as {
    id: string;
  };
  return first.id;
}

/** What B's admin sees of B, read through every list route and B's conversation. */
async function snapshotOfB(): Promise<string[]> {
  const out: string[] = [];
  for (const route of routes) {
    if (route.auth !== 'account' || route.method !== 'GET') continue;
    if (route.url.replace('/:accountId', '').includes(':')) {
      // Reads of single objects: B's own ids.
      const res = await bAdmin.get(urlWith(route, (_name, entity) => (entity ? bIds[entity] : randomUUID())));
      if (res.status === 200) out.push(`${keyOf(route)} ${res.text}`);
      continue;
    }
    const res = await bAdmin.get(urlWith(route, () => bIds.account));
    out.push(`${keyOf(route)} ${res.status} ${res.text}`);
  }
  return out;
}

before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
  a = await makeAccount(server);
  b = await makeAccount(server);
  bAdmin = await loginAs(server, b.admin.email);
  aAdmin = await loginAs(server, a.admin.email);

  // B: a conversation with a reply and a note, a second inbox, a team, an agent, an invitation.
  const bConversation = await visitorWithConversation(server, b.inboxId, `${B_MARK} customer message`);
  const bAgent = await makeMember(server, b.accountId, 'agent', [b.inboxId]);
  const base = `/api/accounts/${b.accountId}`;
  const reply = await bAdmin.post(`${base}/conversations/${bConversation.conversationId}/messages`, {
    clientMsgId: 'b-reply',
    body: `${B_MARK} agent reply`,
  });
  const note = await bAdmin.post(`${base}/conversations/${bConversation.conversationId}/messages`, {
    clientMsgId: 'b-note',
    body: `${B_MARK} private note`,
    private: true,
  });
  assert.equal(reply.status, 201);
  assert.equal(note.status, 201);
  bIds = {
    account: b.accountId,
    inbox: b.inboxId,
    conversation: bConversation.conversationId,
    contact: bConversation.visitor.contactId,
    user: bAgent.userId,
    message: (reply.body.message as { id: string }).id,
    team: randomUUID(),
    invitation: randomUUID(),
  };
  const hasRoute = (method: string, url: string) => routes.some((r) => r.method === method && r.url === url);
  if (hasRoute('POST', '/api/accounts/:accountId/teams')) {
    bIds.team = await createVia(bAdmin, `${base}/teams`, { name: `${B_MARK} team` });
    if (hasRoute('PUT', '/api/accounts/:accountId/teams/:id/members/:userId')) {
      await bAdmin.request('PUT', `${base}/teams/${bIds.team}/members/${bAgent.userId}`);
    }
  }
  if (hasRoute('POST', '/api/accounts/:accountId/invitations')) {
    bIds.invitation = await createVia(bAdmin, `${base}/invitations`, {
      email: `${B_MARK.toLowerCase()}-invitee@example.test`,
    });
  }
  await createVia(bAdmin, `${base}/inboxes`, { name: `${B_MARK} second inbox` });
  for (const text of await snapshotOfB())
    for (const id of text.match(UUID_RE) ?? []) bUuids.add(id.toLowerCase());
  for (const id of Object.values(bIds)) bUuids.add(id.toLowerCase());

  // A: the same kinds of objects, so that A's own ids are real where a route needs them.
  const aConversation = await visitorWithConversation(server, a.inboxId, 'A customer message');
  const aAgent = await makeMember(server, a.accountId, 'agent', [a.inboxId]);
  aIds = {
    account: a.accountId,
    inbox: a.inboxId,
    conversation: aConversation.conversationId,
    contact: aConversation.visitor.contactId,
    user: aAgent.userId,
    message: randomUUID(),
    team: randomUUID(),
    invitation: randomUUID(),
  };
  if (hasRoute('POST', '/api/accounts/:accountId/teams')) {
    const res = await aAdmin.post(`/api/accounts/${a.accountId}/teams`, { name: 'A team' });
    aIds.team = (res.body.team as { id: string }).id;
  }
  aVisitor = aConversation.visitor;
  aToken = new HttpClient(server.url);
  aToken.bearer = await makeToken(server, a.accountId, [...tokenScopes]);
  // B's uuids must not be confused with A's by accident.
  for (const id of Object.values(aIds)) assert.ok(!bUuids.has(id.toLowerCase()));
});
after(async () => {
  await server?.close();
});

/** Fails if any trace of B is in an answer A received. */
function assertNothingOfB(text: string, what: string): void {
  assert.ok(!text.includes(B_MARK), `${what} leaked B's content: ${text.slice(0, 300)}`);
  for (const id of text.match(UUID_RE) ?? []) {
    assert.ok(!bUuids.has(id.toLowerCase()), `${what} leaked B's id ${id}: ${text.slice(0, 300)}`);
  }
}

const isNotFound = (res: { status: number; body: Record<string, unknown> }) =>
  res.status === 404 && /_not_found$/.test((res.body.error as { code?: string } | undefined)?.code ?? '');

describe('tenant isolation over REST', () => {
  test('A’s admin and A’s token are refused every object of B, in every account route', async () => {
    const before = await snapshotOfB();
    let probes = 0;
    for (const [who, client] of [
      ['admin', aAdmin],
      ['token', aToken],
    ] as const) {
      for (const route of routes.filter((r) => r.auth === 'account')) {
        const names = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
        const objectParams = names.filter((n) => n !== 'accountId');
        // B's account id in the path: the account itself is refused.
        const variants: Array<{ url: string; primary: boolean; label: string }> = [
          { url: urlWith(route, (_n, e) => (e ? bIds[e] : randomUUID())), primary: true, label: 'B account' },
        ];
        // A's account with one of B's objects at a time.
        for (const [index, target] of objectParams.entries()) {
          variants.push({
            url: urlWith(route, (n, e) => (n === target ? bIds[e ?? 'user'] : e ? aIds[e] : randomUUID())),
            primary: index === 0,
            label: `B ${target}`,
          });
        }
        // A's own objects, but B's ids in the query and the body.
        if (route.query || (route.body && objectParams.length === 0 && route.method !== 'GET')) {
          variants.push({
            url: urlWith(route, (_n, e) => (e ? aIds[e] : randomUUID())),
            primary: false,
            label: 'B ids in query/body',
          });
        }
        for (const variant of variants) {
          const res = await client.request(
            route.method,
            `${variant.url}${queryFor(route, bIds)}`,
            bodyFor(route, bIds, A_MARK),
          );
          probes += 1;
          const what = `${who} ${keyOf(route)} (${variant.label}) → ${res.status}`;
          assert.ok(res.status < 500, `${what} ${res.text}`);
          assertNothingOfB(res.text, what);
          if (variant.primary && !isNotFound(res)) {
            // Only a refusal that does not depend on the object (a token without the scope, say) may
            // differ from 404, and then a made-up id must get exactly the same answer.
            assert.equal(res.status, 403, `${what} ${res.text}`);
            const control = await client.request(
              route.method,
              urlWith(route, (_n, e) => (e === 'account' ? (variant.url.split('/')[3] ?? '') : randomUUID())),
              bodyFor(route, bIds, A_MARK),
            );
            assert.equal(control.status, res.status, `${what}: a made-up id is answered differently`);
            assert.deepEqual(control.body, res.body, `${what}: a made-up id is answered differently`);
          }
        }
      }
    }
    assert.ok(probes > 40, `probes: ${probes}`);
    assert.deepEqual(await snapshotOfB(), before, 'nothing of B changed');
  });

  test('A’s token is refused every object of B on every /api/v1 route', async () => {
    const before = await snapshotOfB();
    let probes = 0;
    for (const route of routes.filter((r) => r.auth === 'api')) {
      const names = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
      // One of B's objects at a time, the others A's: a 404 naming what was not found. Routes whose
      // parameters are not all uuids (delivery ids, say) are probed through their query and body only.
      const takesUuid = (name: string) =>
        (route.params as z.ZodObject | undefined)?.shape[name]?.safeParse(randomUUID()).success === true;
      const variants = (names.every(takesUuid) ? names : []).map((target) => ({
        url: urlWith(route, (n, e) => (n === target ? bIds[e ?? 'user'] : e ? aIds[e] : randomUUID())),
        label: `B ${target}`,
        notFound: true,
      }));
      // A's own objects (or a list), but B's ids in the query and the body.
      if (names.length === 0 || route.query || route.body) {
        variants.push({
          url: urlWith(route, (_n, e) => (e ? aIds[e] : randomUUID())),
          label: 'B ids in query/body',
          notFound: false,
        });
      }
      for (const variant of variants) {
        const res = await aToken.request(
          route.method,
          `${variant.url}${queryFor(route, bIds)}`,
          bodyFor(route, bIds, A_MARK),
        );
        probes += 1;
        const what = `token ${keyOf(route)} (${variant.label}) → ${res.status}`;
        assert.ok(res.status < 500, `${what} ${res.text}`);
        assertNothingOfB(res.text, what);
        if (variant.notFound) assert.ok(isNotFound(res), `${what} ${res.text}`);
      }
    }
    assert.ok(probes > 30, `probes: ${probes}`);
    assert.deepEqual(await snapshotOfB(), before, 'nothing of B changed');
  });

  test('A’s lists and session never include B', async () => {
    for (const client of [aAdmin, aToken]) {
      for (const route of routes.filter((r) => r.method === 'GET' && r.auth === 'account')) {
        if (route.url.replace('/:accountId', '').includes(':')) continue;
        const res = await client.get(urlWith(route, () => a.accountId));
        assertNothingOfB(res.text, keyOf(route));
      }
    }
    for (const route of routes.filter((r) => r.method === 'GET' && r.auth === 'session')) {
      const res = await aAdmin.get(urlWith(route, () => randomUUID()));
      assertNothingOfB(res.text, keyOf(route));
    }
  });

  test('A’s visitor is refused B’s conversations on every visitor route', async () => {
    const before = await snapshotOfB();
    for (const route of routes.filter((r) => r.auth === 'visitor')) {
      const hasObject = route.url.includes(':');
      const res = await aVisitor.request(
        route.method,
        `${urlWith(route, (_n, e) => (e ? bIds[e] : bIds.conversation))}${queryFor(route, bIds)}`,
        bodyFor(route, bIds, A_MARK),
      );
      const what = `visitor ${keyOf(route)} → ${res.status}`;
      assert.ok(res.status < 500, `${what} ${res.text}`);
      assertNothingOfB(res.text, what);
      if (hasObject) assert.ok(isNotFound(res), `${what} ${res.text}`);
    }
    assert.deepEqual(await snapshotOfB(), before, 'nothing of B changed');
  });

  test('a visitor token of B’s inbox cannot be used in A’s inbox, and vice versa', async () => {
    const bVisitor = await visitorOf(server, b.inboxId);
    const read = await bVisitor.get(`/api/client/conversations/${aIds.conversation}/messages`);
    assert.ok(isNotFound(read));
    const list = await aVisitor.get('/api/client/conversations');
    assertNothingOfB(list.text, 'visitor list');
  });

  test('an agent of A who is also invited nowhere in B cannot reach B through any account id', async () => {
    const session = await aAdmin.get('/api/auth/session');
    const accounts = (session.body.memberships as Array<{ accountId: string }>).map((m) => m.accountId);
    assert.deepEqual(accounts, [a.accountId]);
  });
});
