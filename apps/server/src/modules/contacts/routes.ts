import {
  attributeDefinitionListSchema,
  attributeDefinitionParamsSchema,
  attributeDefinitionSchema,
  contactDetailSchema,
  contactListQuerySchema,
  contactListSchema,
  contactParamsSchema,
  contactResponseSchema,
  createAttributeDefinitionBodySchema,
  idSchema,
  journeyPageSchema,
  journeyQuerySchema,
  mergeContactBodySchema,
  mergePreviewQuerySchema,
  mergePreviewSchema,
  mergeResultSchema,
  updateAttributeDefinitionBodySchema,
  updateContactBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { createDefinition, deleteDefinition, listDefinitions, updateDefinition } from './attributes.ts';
import { setContactBlocked, updateContact } from './commands.ts';
import { contactJourney } from './journey.ts';
import { mergeContacts, previewMerge } from './merge.ts';
import { contactDetail, listContacts } from './queries.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** The custom attributes an account defines for its contacts: everyone reads them, admins manage them. */
const attributeDefinitionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/attribute-definitions',
    auth: 'account',
    policy: 'attribute.read',
    summary: "The account's custom contact attributes, in display order",
    tags: ['Contacts'],
    params: accountParams,
    response: attributeDefinitionListSchema,
    handler: async ({ ctx, actor }) => ({
      definitions: await listDefinitions(ctx.database.db, actor.accountId),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/attribute-definitions',
    auth: 'account',
    policy: 'attribute.manage',
    summary: 'Define a custom contact attribute (409 attribute_definition_exists when the key is taken)',
    tags: ['Contacts'],
    params: accountParams,
    body: createAttributeDefinitionBodySchema,
    response: z.object({ definition: attributeDefinitionSchema }),
    status: 201,
    handler: async ({ ctx, actor, body }) => ({
      definition: await createDefinition(ctx, actor.accountId, body),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/attribute-definitions/:id',
    auth: 'account',
    policy: 'attribute.manage',
    summary: "Change an attribute's label, list options or position (key and type stay)",
    tags: ['Contacts'],
    params: attributeDefinitionParamsSchema,
    body: updateAttributeDefinitionBodySchema,
    response: z.object({ definition: attributeDefinitionSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      definition: await updateDefinition(ctx, actor.accountId, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/attribute-definitions/:id',
    auth: 'account',
    policy: 'attribute.manage',
    summary: 'Delete an attribute definition (values already stored on contacts stay readable)',
    tags: ['Contacts'],
    params: attributeDefinitionParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteDefinition(ctx, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
];

export const contactRoutes = [
  ...attributeDefinitionRoutes,
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts',
    auth: 'account',
    policy: 'contact.read',
    summary: 'Contacts the reader may see, newest first; q searches name, e-mail, company and phone',
    tags: ['Contacts'],
    params: accountParams,
    query: contactListQuerySchema,
    response: contactListSchema,
    handler: async ({ ctx, actor, query }) => listContacts(ctx.database.db, actor, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts/:id',
    auth: 'account',
    policy: 'contact.read',
    summary: 'A contact with their attributes and recent conversations',
    tags: ['Contacts'],
    params: contactParamsSchema,
    response: contactDetailSchema,
    handler: async ({ ctx, actor, params }) => contactDetail(ctx.database.db, actor, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/contacts/:id',
    auth: 'account',
    policy: 'contact.update',
    summary:
      'Edit name, e-mail, phone, company and custom attributes (typed by their definitions; null removes)',
    tags: ['Contacts'],
    params: contactParamsSchema,
    body: updateContactBodySchema,
    response: contactResponseSchema,
    handler: async ({ ctx, actor, params, body }) => ({
      contact: await updateContact(ctx, actor, params.id, body),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts/:id/journey',
    auth: 'account',
    policy: 'contact.read',
    summary: "The contact's journey across conversations, newest first (cursor: the last event id)",
    tags: ['Contacts'],
    params: contactParamsSchema,
    query: journeyQuerySchema,
    response: journeyPageSchema,
    handler: async ({ ctx, actor, params, query }) =>
      contactJourney(ctx.database.db, actor, params.id, query),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/accounts/:accountId/contacts/:id/block',
    auth: 'account',
    policy: 'contact.block',
    summary: 'Block a contact: their new messages and conversations are refused (403 contact_blocked)',
    tags: ['Contacts'],
    params: contactParamsSchema,
    response: contactResponseSchema,
    handler: async ({ ctx, actor, params }) => ({
      contact: await setContactBlocked(ctx, actor, params.id, true),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/contacts/:id/block',
    auth: 'account',
    policy: 'contact.block',
    summary: 'Unblock a contact',
    tags: ['Contacts'],
    params: contactParamsSchema,
    response: contactResponseSchema,
    handler: async ({ ctx, actor, params }) => ({
      contact: await setContactBlocked(ctx, actor, params.id, false),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/contacts/:id/merge',
    auth: 'account',
    policy: 'contact.merge',
    summary: 'What merging sourceContactId into this contact would move',
    tags: ['Contacts'],
    params: contactParamsSchema,
    query: mergePreviewQuerySchema,
    response: mergePreviewSchema,
    handler: async ({ ctx, actor, params, query }) =>
      previewMerge(ctx.database.db, actor, params.id, query.sourceContactId),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/contacts/:id/merge',
    auth: 'account',
    policy: 'contact.merge',
    summary:
      "Merge another contact into this one: conversations, identities, tags and journey move; this contact's values win",
    tags: ['Contacts'],
    params: contactParamsSchema,
    body: mergeContactBodySchema,
    response: mergeResultSchema,
    handler: async ({ ctx, actor, params, body }) =>
      mergeContacts(ctx, actor, params.id, body.sourceContactId),
  }),
];
