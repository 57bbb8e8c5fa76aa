import {
  type CreateSavedViewBody,
  conversationFiltersSchema,
  MAX_SAVED_VIEWS,
  type SavedView,
  type UpdateSavedViewBody,
} from '@parley/shared';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { savedViews } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';

type SavedViewRow = typeof savedViews.$inferSelect;

/**
 * Stored filters are read through today's schema: a view saved under an older one shows everything
 * rather than failing the whole list.
 */
export function presentSavedView(row: SavedViewRow): SavedView {
  const filters = conversationFiltersSchema.safeParse(row.filters);
  return {
    id: row.id,
    name: row.name,
    filters: filters.success ? filters.data : {},
    position: row.position,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A saved view belongs to a person in an account; the policy keeps tokens out before this. */
export interface ViewOwner {
  accountId: string;
  userId: string;
}

export function ownerOf(actor: AccountActor): ViewOwner {
  if (actor.kind !== 'agent') throw new AppError('forbidden', 403, 'Saved views belong to people');
  return { accountId: actor.accountId, userId: actor.userId };
}

const mine = (owner: ViewOwner) =>
  and(eq(savedViews.accountId, owner.accountId), eq(savedViews.userId, owner.userId));

const byPosition = [asc(savedViews.position), asc(savedViews.createdAt), asc(savedViews.id)];

export async function listSavedViews(executor: DbOrTx, owner: ViewOwner): Promise<SavedView[]> {
  const rows = await executor
    .select()
    .from(savedViews)
    .where(mine(owner))
    .orderBy(...byPosition);
  return rows.map(presentSavedView);
}

/** The owner's view, or 404 saved_view_not_found (also for another person's or account's view). */
async function findSavedView(executor: DbOrTx, owner: ViewOwner, id: string): Promise<SavedViewRow> {
  const [row] = await executor
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.id, id), mine(owner)));
  if (!row) throw notFound('saved_view_not_found', 'Saved view');
  return row;
}

/** A new view goes last. */
export function createSavedView(
  ctx: AppContext,
  owner: ViewOwner,
  body: CreateSavedViewBody,
): Promise<SavedView> {
  return ctx.database.db.transaction(async (tx) => {
    const [stats] = await tx
      .select({ n: count(), last: sql<number | null>`max(${savedViews.position})` })
      .from(savedViews)
      .where(mine(owner));
    if ((stats?.n ?? 0) >= MAX_SAVED_VIEWS) {
      throw conflict('saved_view_limit_reached', `At most ${MAX_SAVED_VIEWS} saved views per person`);
    }
    const [row] = await tx
      .insert(savedViews)
      .values({
        id: newId(),
        accountId: owner.accountId,
        userId: owner.userId,
        name: body.name,
        filters: body.filters,
        position: stats?.last === null || stats?.last === undefined ? 0 : Number(stats.last) + 1,
      })
      .returning();
    if (!row) throw new Error('saved view insert returned nothing');
    return presentSavedView(row);
  });
}

export async function updateSavedView(
  ctx: AppContext,
  owner: ViewOwner,
  id: string,
  body: UpdateSavedViewBody,
): Promise<SavedView> {
  const current = await findSavedView(ctx.database.db, owner, id);
  const [row] = await ctx.database.db
    .update(savedViews)
    .set({ name: body.name ?? current.name, filters: body.filters ?? current.filters })
    .where(and(eq(savedViews.id, id), mine(owner)))
    .returning();
  if (!row) throw notFound('saved_view_not_found', 'Saved view');
  return presentSavedView(row);
}

/**
 * The listed views first, in the given order; the others keep their order after them. Positions are
 * rewritten 0…n-1, under the rows' locks so two reorders do not interleave.
 */
export function reorderSavedViews(ctx: AppContext, owner: ViewOwner, ids: string[]): Promise<SavedView[]> {
  return ctx.database.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(savedViews)
      .where(mine(owner))
      .orderBy(...byPosition)
      .for('update');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const wanted = [...new Set(ids)];
    if (wanted.some((id) => !byId.has(id))) throw notFound('saved_view_not_found', 'Saved view');
    const listed = new Set(wanted);
    const order = [...wanted, ...rows.map((r) => r.id).filter((id) => !listed.has(id))];
    const result: SavedView[] = [];
    for (const [position, id] of order.entries()) {
      const row = byId.get(id);
      if (!row) continue;
      if (row.position !== position) {
        await tx.update(savedViews).set({ position }).where(eq(savedViews.id, id));
      }
      result.push(presentSavedView({ ...row, position }));
    }
    return result;
  });
}

export async function deleteSavedView(ctx: AppContext, owner: ViewOwner, id: string): Promise<void> {
  const deleted = await ctx.database.db
    .delete(savedViews)
    .where(and(eq(savedViews.id, id), mine(owner)))
    .returning({ id: savedViews.id });
  if (deleted.length === 0) throw notFound('saved_view_not_found', 'Saved view');
}
