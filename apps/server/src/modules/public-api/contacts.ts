import {
  attributeDefinitionListSchema,
  contactDetailSchema,
  contactListQuerySchema,
  contactListSchema,
  contactResponseSchema,
  tagListSchema,
  updateContactBodySchema,
  v1CreateContactBodySchema,
  v1IdParamsSchema,
  v1TagParamsSchema,
} from '@parley/shared';
import { idempotent } from '../../http/idempotency.ts';
import { defineRoute } from '../../http/route.ts';
import { listDefinitions } from '../contacts/attributes.ts';
import { updateContact } from '../contacts/commands.ts';
import { createContact, deleteContact } from '../contacts/create.ts';
import { contactDetail, listContacts } from '../contacts/queries.ts';
import { listContactTags, tagContact } from '../tags/commands.ts';
import { examples } from './examples.ts';

/** Contacts through the public API: the contacts module's commands and queries, with a token. */
export const v1ContactRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/contacts',
    auth: 'api',
    policy: 'contact.read',
    summary: 'List contacts, newest first; q matches part of a name, e-mail address, company or phone number',
    tags: ['Public API: contacts'],
    query: contactListQuerySchema,
    response: contactListSchema,
    example: {
      response: {
        contacts: [{ ...examples.contact, conversationCount: 1, lastActivityAt: examples.contact.updatedAt }],
        nextCursor: null,
      },
    },
    handler: async ({ ctx, actor, query }) => listContacts(ctx.database.db, actor, query),
  }),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/contacts',
      auth: 'api',
      policy: 'contact.create',
      summary: 'Create a contact (409 contact_exists when the e-mail address or external id is taken)',
      tags: ['Public API: contacts'],
      body: v1CreateContactBodySchema,
      response: contactResponseSchema,
      status: 201,
      example: {
        request: {
          name: 'Ana Souza',
          email: 'ana@example.com',
          company: 'Acme',
          externalId: 'customer-77',
          attributes: { plan: 'pro' },
        },
        response: { contact: examples.contact },
      },
      handler: async ({ ctx, actor, body }) => ({ contact: await createContact(ctx, actor, body) }),
    }),
  ),
  defineRoute({
    method: 'GET',
    url: '/api/v1/contacts/:id',
    auth: 'api',
    policy: 'contact.read',
    summary: 'A contact with their attributes and recent conversations',
    tags: ['Public API: contacts'],
    params: v1IdParamsSchema,
    response: contactDetailSchema,
    example: { response: { contact: examples.contact, conversations: [examples.conversation] } },
    handler: async ({ ctx, actor, params }) => contactDetail(ctx.database.db, actor, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/contacts/:id',
    auth: 'api',
    policy: 'contact.update',
    summary: 'Edit profile fields and custom attributes (only the attributes given change; null removes one)',
    tags: ['Public API: contacts'],
    params: v1IdParamsSchema,
    body: updateContactBodySchema,
    response: contactResponseSchema,
    example: {
      request: { company: 'Acme', attributes: { plan: 'pro' } },
      response: { contact: examples.contact },
    },
    handler: async ({ ctx, actor, params, body }) => ({
      contact: await updateContact(ctx, actor, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/contacts/:id',
    auth: 'api',
    policy: 'contact.delete',
    summary: 'Delete a contact without conversations (409 contact_in_use otherwise)',
    tags: ['Public API: contacts'],
    params: v1IdParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteContact(ctx, actor, params.id);
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/contacts/:id/tags',
    auth: 'api',
    policy: 'contact.read',
    summary: "A contact's tags",
    tags: ['Public API: contacts'],
    params: v1IdParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({ tags: await listContactTags(ctx, actor, params.id) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/contacts/:id/tags/:tagId',
    auth: 'api',
    policy: 'contact.tag',
    summary: 'Tag a contact (idempotent); answers their tags',
    tags: ['Public API: contacts'],
    params: v1TagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagContact(ctx, actor, params.id, params.tagId, true),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/contacts/:id/tags/:tagId',
    auth: 'api',
    policy: 'contact.tag',
    summary: 'Remove a tag from a contact (idempotent); answers their tags',
    tags: ['Public API: contacts'],
    params: v1TagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagContact(ctx, actor, params.id, params.tagId, false),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/attribute-definitions',
    auth: 'api',
    policy: 'attribute.read',
    summary: 'The custom attributes defined for contacts (keys, types, list options)',
    tags: ['Public API: contacts'],
    response: attributeDefinitionListSchema,
    handler: async ({ ctx, actor }) => ({
      definitions: await listDefinitions(ctx.database.db, actor.accountId),
    }),
  }),
];
