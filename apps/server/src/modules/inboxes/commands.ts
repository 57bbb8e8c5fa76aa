import { type CreateInboxBody, inboxSettingsSchema, type UpdateInboxBody } from '@parley/shared';
import { and, asc, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/connect.ts';
import { inboxes, inboxMembers } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { randomToken } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';
import { assertAccountTags } from '../tags/commands.ts';
import { type InboxRow, settingsOf } from './presenter.ts';

export async function createInbox(
  executor: DbOrTx,
  accountId: string,
  body: CreateInboxBody,
): Promise<InboxRow> {
  await assertAccountTags(executor, accountId, body.settings?.autoTagIds ?? [], 'settings.autoTagIds');
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

/** Applies a partial change; settings keys that are absent keep their stored values. */
export async function updateInbox(
  executor: Db,
  accountId: string,
  inboxId: string,
  body: UpdateInboxBody,
): Promise<InboxRow> {
  return executor.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.id, inboxId), eq(inboxes.accountId, accountId)))
      .for('update');
    if (!current) throw notFound('inbox_not_found', 'Inbox');
    await assertAccountTags(tx, accountId, body.settings?.autoTagIds ?? [], 'settings.autoTagIds');
    const settings = inboxSettingsSchema.parse({ ...settingsOf(current), ...(body.settings ?? {}) });
    if (settings.allowedOrigins.length > 0) {
      settings.allowedOrigins = [...new Set(settings.allowedOrigins.map((o) => o.toLowerCase()))];
    }
    const [row] = await tx
      .update(inboxes)
      .set({ name: body.name ?? current.name, settings })
      .where(eq(inboxes.id, inboxId))
      .returning();
    if (!row) throw notFound('inbox_not_found', 'Inbox');
    return row;
  });
}

/** An inbox of this account, or 404 (also for inboxes of other accounts). */
export async function findInbox(executor: DbOrTx, accountId: string, inboxId: string): Promise<InboxRow> {
  const [row] = await executor
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.accountId, accountId)))
    .limit(1);
  if (!row) throw notFound('inbox_not_found', 'Inbox');
  return row;
}

export async function listInboxMemberIds(executor: DbOrTx, inboxId: string): Promise<string[]> {
  const rows = await executor
    .select({ userId: inboxMembers.userId })
    .from(inboxMembers)
    .where(eq(inboxMembers.inboxId, inboxId));
  return rows.map((r) => r.userId);
}

/** The account's inboxes, oldest first. */
export async function listInboxes(executor: DbOrTx, accountId: string): Promise<InboxRow[]> {
  return executor
    .select()
    .from(inboxes)
    .where(eq(inboxes.accountId, accountId))
    .orderBy(asc(inboxes.createdAt), asc(inboxes.id));
}
