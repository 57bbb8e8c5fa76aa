export type {
  AttributeDefinition,
  CannedReply,
  Contact,
  ContactDetail,
  ContactList,
  Conversation,
  DriftConversation,
  ErrorCode,
  Inbox,
  Member,
  Message,
  Tag,
  Team,
  TokenScope,
} from '@parley/shared';
export * from './client.ts';
