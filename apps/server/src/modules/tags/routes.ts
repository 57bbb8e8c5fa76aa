import {
  createTagBodySchema,
  idSchema,
  taggedParamsSchema,
  tagListSchema,
  tagParamsSchema,
  tagSchema,
  updateTagBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import {
  createTag,
  deleteTag,
  listContactTags,
  listConversationTags,
  listTags,
  tagContact,
  tagConversation,
  updateTag,
} from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** Tags: managed per account; put on conversations and contacts by agents, rules and the API. */
export const tagRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/tags',
    auth: 'account',
    policy: 'tag.read',
    summary: "List the account's tags",
    tags: ['Tags'],
    params: accountParams,
    response: tagListSchema,
    handler: async ({ ctx, actor }) => ({ tags: await listTags(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/tags',
    auth: 'account',
    policy: 'tag.manage',
    summary: 'Create a tag (409 tag_exists when the name is taken, in any case)',
    tags: ['Tags'],
    params: accountParams,
    body: createTagBodySchema,
    response: z.object({ tag: tagSchema }),
    status: 201,
    handler: async ({ ctx, actor, body }) => ({ tag: await createTag(ctx, actor.accountId, body) }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/tags/:id',
    auth: 'account',
    policy: 'tag.manage',
    summary: 'Rename or recolour a tag',
    tags: ['Tags'],
    params: tagParamsSchema,
    body: updateTagBodySchema,
    response: z.object({ tag: tagSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      tag: await updateTag(ctx, actor.accountId, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/tags/:id',
    auth: 'account',
    policy: 'tag.manage',
    summary: 'Delete a tag (it is removed from every conversation and contact)',
    tags: ['Tags'],
    params: tagParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteTag(ctx, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations/:id/tags',
    auth: 'account',
    policy: 'conversation.read',
    summary: "A conversation's tags",
    tags: ['Tags'],
    params: tagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await listConversationTags(ctx, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/conversations/:id/tags/:tagId',
    auth: 'account',
    policy: 'conversation.tag',
    summary: 'Tag a conversation (idempotent); answers its tags',
    tags: ['Tags'],
    params: taggedParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagConversation(ctx, actor, params.id, params.tagId, true),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/conversations/:id/tags/:tagId',
    auth: 'account',
    policy: 'conversation.tag',
    summary: 'Remove a tag from a conversation (idempotent); answers its tags',
    tags: ['Tags'],
    params: taggedParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagConversation(ctx, actor, params.id, params.tagId, false),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts/:id/tags',
    auth: 'account',
    policy: 'contact.read',
    summary: "A contact's tags",
    tags: ['Tags'],
    params: tagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({ tags: await listContactTags(ctx, actor, params.id) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/contacts/:id/tags/:tagId',
    auth: 'account',
    policy: 'contact.tag',
    summary: 'Tag a contact (idempotent); answers their tags',
    tags: ['Tags'],
    params: taggedParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagContact(ctx, actor, params.id, params.tagId, true),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/contacts/:id/tags/:tagId',
    auth: 'account',
    policy: 'contact.tag',
    summary: 'Remove a tag from a contact (idempotent); answers their tags',
    tags: ['Tags'],
    params: taggedParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagContact(ctx, actor, params.id, params.tagId, false),
    }),
  }),
];
