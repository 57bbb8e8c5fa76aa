import { type CreateInboxBody, inboxSettingsSchema } from '@parley/shared';
import type { DbOrTx } from '../../db/connect.ts';
import { inboxes } from '../../db/schema.ts';
import { randomToken } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';
import type { InboxRow } from './presenter.ts';

export async function createInbox(
  executor: DbOrTx,
  accountId: string,
  body: CreateInboxBody,
): Promise<InboxRow> {
  const [row] = await executor
    .insert(inboxes)
    .values({
      id: newId(),
      accountId,
      name: body.name,
      channelType: body.channelType,
      settings: inboxSettingsSchema.parse(body.settings ?? {}),
      identitySecret: randomToken(32),
    })
    .returning();
  if (!row) throw new Error('inbox insert returned nothing');
  return row;
}
