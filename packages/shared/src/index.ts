export * from './auth.ts';
export * from './common.ts';
export * from './conversations.ts';
export * from './errors.ts';
export * from './inboxes.ts';
export * from './messages.ts';
export * from './realtime.ts';
export * from './visitors.ts';
