import { type Inbox, inboxSettingsSchema } from '@parley/shared';
import type { inboxes } from '../../db/schema.ts';

export type InboxRow = typeof inboxes.$inferSelect;

/** Settings are stored as JSON; parsing fills defaults for keys added after the row was written. */
export const settingsOf = (row: InboxRow) => inboxSettingsSchema.parse(row.settings);

export function presentInbox(row: InboxRow): Inbox {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    channelType: row.channelType,
    settings: settingsOf(row),
    createdAt: row.createdAt.toISOString(),
  };
}
