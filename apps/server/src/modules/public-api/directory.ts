import {
  cannedReplyListQuerySchema,
  cannedReplyListSchema,
  inboxSchema,
  memberListSchema,
  memberSchema,
  tagListSchema,
  teamListSchema,
  teamSchema,
  v1IdParamsSchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { findMember, listMembers } from '../agents/queries.ts';
import { listCannedReplies } from '../canned/queries.ts';
import { findInbox, listInboxes } from '../inboxes/commands.ts';
import { presentInbox } from '../inboxes/presenter.ts';
import { listTags } from '../tags/commands.ts';
import { findTeam, listTeams } from '../teams/commands.ts';
import { examples } from './examples.ts';

/** What a conversation can be routed to and worked with: inboxes, agents, teams, tags, canned replies. */
export const v1DirectoryRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/inboxes',
    auth: 'api',
    policy: 'inbox.read',
    summary: "The account's inboxes",
    tags: ['Public API: directory'],
    response: z.object({ inboxes: z.array(inboxSchema) }),
    handler: async ({ ctx, actor }) => ({
      inboxes: (await listInboxes(ctx.database.db, actor.accountId)).map(presentInbox),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/inboxes/:id',
    auth: 'api',
    policy: 'inbox.read',
    summary: 'One inbox',
    tags: ['Public API: directory'],
    params: v1IdParamsSchema,
    response: z.object({ inbox: inboxSchema }),
    handler: async ({ ctx, actor, params }) => ({
      inbox: presentInbox(await findInbox(ctx.database.db, actor.accountId, params.id)),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/agents',
    auth: 'api',
    policy: 'agent.read',
    summary: "The account's members (agents, supervisors, admins) and their availability",
    tags: ['Public API: directory'],
    response: memberListSchema,
    example: { response: { members: [examples.member] } },
    handler: async ({ ctx, actor }) => ({ members: await listMembers(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/agents/:id',
    auth: 'api',
    policy: 'agent.read',
    summary: 'One member of the account, by user id',
    tags: ['Public API: directory'],
    params: v1IdParamsSchema,
    response: z.object({ member: memberSchema }),
    example: { response: { member: examples.member } },
    handler: async ({ ctx, actor, params }) => ({
      member: await findMember(ctx.database.db, actor.accountId, params.id),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/teams',
    auth: 'api',
    policy: 'team.read',
    summary: "The account's teams with their members",
    tags: ['Public API: directory'],
    response: teamListSchema,
    example: { response: { teams: [examples.team] } },
    handler: async ({ ctx, actor }) => ({ teams: await listTeams(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/teams/:id',
    auth: 'api',
    policy: 'team.read',
    summary: 'One team with its members',
    tags: ['Public API: directory'],
    params: v1IdParamsSchema,
    response: z.object({ team: teamSchema }),
    example: { response: { team: examples.team } },
    handler: async ({ ctx, actor, params }) => ({
      team: await findTeam(ctx.database.db, actor.accountId, params.id),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/tags',
    auth: 'api',
    policy: 'tag.read',
    summary: "The account's tags",
    tags: ['Public API: directory'],
    response: tagListSchema,
    example: { response: { tags: [examples.tag] } },
    handler: async ({ ctx, actor }) => ({ tags: await listTags(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/canned-replies',
    auth: 'api',
    policy: 'canned.read',
    summary:
      "The account's shared canned replies (team and personal ones stay in the dashboard); q searches shortcut and text",
    tags: ['Public API: directory'],
    query: cannedReplyListQuerySchema,
    response: cannedReplyListSchema,
    handler: async ({ ctx, actor, query }) => ({
      cannedReplies: await listCannedReplies(ctx.database.db, actor, query),
    }),
  }),
];
