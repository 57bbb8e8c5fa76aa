import type {
  Contact,
  Conversation,
  DriftConversation,
  DriftConversationBody,
  Inbox,
  Member,
  Message,
  Tag,
  Team,
  V1CreateConversationBody,
} from '@parley/shared';

/** Examples shown in the OpenAPI document; typed, so they stay true to the schemas. */

const accountId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const inboxId = '0190a1b2-c3d4-7e5f-8a9b-1c1d2e3f4a5b';
const contactId = '0190a1b2-c3d4-7e5f-8a9b-2c1d2e3f4a5b';
const conversationId = '0190a1b2-c3d4-7e5f-8a9b-3c1d2e3f4a5b';
const agentId = '0190a1b2-c3d4-7e5f-8a9b-4c1d2e3f4a5b';
const tagId = '0190a1b2-c3d4-7e5f-8a9b-5c1d2e3f4a5b';
const teamId = '0190a1b2-c3d4-7e5f-8a9b-6c1d2e3f4a5b';
const at = '2025-03-14T09:26:53.589Z';

const conversation = {
  id: conversationId,
  number: 1042,
  accountId,
  inboxId,
  contactId,
  contactName: 'Ana Souza',
  status: 'open',
  priority: 'normal',
  assigneeId: agentId,
  teamId: null,
  botPhase: null,
  previousAssigneeId: null,
  assignedAt: at,
  queuedAt: null,
  requiredSkills: [],
  handoffNote: null,
  snoozedUntil: null,
  solvedAt: null,
  closedAt: null,
  lastSeq: 2,
  version: 4,
  lastMessagePreview: 'Where is my order #5521?',
  startedByIntegration: true,
  integrationSource: 'Shop orders',
  tagIds: [tagId],
  firstReplyAt: null,
  waitingSince: at,
  lastActivityAt: at,
  createdAt: at,
} satisfies Conversation;

const message = {
  id: '0190a1b2-c3d4-7e5f-8a9b-7c1d2e3f4a5b',
  conversationId,
  seq: 1,
  kind: 'text',
  senderKind: 'contact',
  senderId: contactId,
  senderName: 'Ana Souza',
  body: 'Where is my order #5521?',
  private: false,
  attributes: {},
  clientMsgId: 'order-5521-question',
  createdAt: at,
} satisfies Message;

export const examples = {
  conversation,
  conversationPage: {
    conversations: [conversation],
    nextCursor: 'eyJ0IjoiMjAyNS0wMy0xNFQwOToyNjo1My41ODlaIn0',
  },
  createConversation: {
    email: 'ana@example.com',
    name: 'Ana Souza',
    integrationSource: 'Shop orders',
    message: { clientMsgId: 'order-5521-question', body: 'Where is my order #5521?' },
  } satisfies V1CreateConversationBody,
  createdConversation: { conversation, created: true },
  message,
  reply: {
    ...message,
    seq: 2,
    senderKind: 'bot',
    senderId: '0190a1b2-c3d4-7e5f-8a9b-8c1d2e3f4a5b',
    senderName: 'API',
    body: 'Your order has shipped.',
    clientMsgId: 'order-1042-shipped',
  } satisfies Message,
  tag: { id: tagId, accountId, name: 'vip', color: '#64748b', createdAt: at } satisfies Tag,
  contact: {
    id: contactId,
    accountId,
    name: 'Ana Souza',
    email: 'ana@example.com',
    phone: null,
    company: 'Acme',
    externalId: 'customer-77',
    attributes: { plan: 'pro' },
    blockedAt: null,
    mergedIntoId: null,
    createdAt: at,
    updatedAt: at,
  } satisfies Contact,
  inbox: {
    id: inboxId,
    accountId,
    name: 'API',
    channelType: 'api',
    createdAt: at,
  } satisfies Omit<Inbox, 'settings'>,
  member: {
    userId: agentId,
    name: 'Sam Lee',
    email: 'sam@example.com',
    role: 'agent',
    availability: 'online',
    createdAt: at,
  } satisfies Member,
  team: { id: teamId, accountId, name: 'Billing', memberIds: [agentId], createdAt: at } satisfies Team,
  driftRequest: {
    email: 'ana@example.com',
    message: {
      body: 'Where is my order #5521?',
      attributes: { integrationSource: 'Shop orders', autoAssigneeId: agentId },
    },
  } satisfies DriftConversationBody,
  driftResponse: {
    status: 'open',
    participants: [agentId],
    contactId,
    createdAt: Date.parse(at),
    id: conversationId,
    inboxId,
  } satisfies DriftConversation,
};
