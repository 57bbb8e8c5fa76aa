import {
  type AttributeDefinition,
  type ContactChange,
  type CreateAttributeDefinitionBody,
  RESERVED_ATTRIBUTE_KEYS,
  type UpdateAttributeDefinitionBody,
  type UpdateContactBody,
} from '@parley/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { attributeDefinitions } from '../../db/schema.ts';
import { AppError, conflict, notFound, sqlStateOf } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type AttributeDefinitionRow, presentAttributeDefinition } from './presenter.ts';

type AttributeInput = NonNullable<UpdateContactBody['attributes']>;

export async function definitionRows(executor: DbOrTx, accountId: string): Promise<AttributeDefinitionRow[]> {
  return executor
    .select()
    .from(attributeDefinitions)
    .where(eq(attributeDefinitions.accountId, accountId))
    .orderBy(
      asc(attributeDefinitions.position),
      asc(attributeDefinitions.createdAt),
      asc(attributeDefinitions.id),
    );
}

export async function listDefinitions(executor: DbOrTx, accountId: string): Promise<AttributeDefinition[]> {
  return (await definitionRows(executor, accountId)).map(presentAttributeDefinition);
}

async function findDefinition(executor: DbOrTx, accountId: string, id: string) {
  const [row] = await executor
    .select()
    .from(attributeDefinitions)
    .where(and(eq(attributeDefinitions.id, id), eq(attributeDefinitions.accountId, accountId)));
  if (!row) throw notFound('attribute_definition_not_found', 'Attribute');
  return row;
}

export async function createDefinition(
  ctx: AppContext,
  accountId: string,
  body: CreateAttributeDefinitionBody,
): Promise<AttributeDefinition> {
  try {
    const [row] = await ctx.database.db
      .insert(attributeDefinitions)
      .values({
        id: newId(),
        accountId,
        key: body.key,
        label: body.label,
        type: body.type,
        options: body.options,
        // New attributes go last unless placed.
        position:
          body.position ??
          sql<number>`(select coalesce(max(position) + 1, 0) from attribute_definitions where account_id = ${accountId})`,
      })
      .returning();
    if (!row) throw new Error('attribute definition insert returned nothing');
    return presentAttributeDefinition(row);
  } catch (error) {
    if (sqlStateOf(error) === '23505') {
      throw conflict('attribute_definition_exists', `An attribute with the key "${body.key}" exists already`);
    }
    throw error;
  }
}

export async function updateDefinition(
  ctx: AppContext,
  accountId: string,
  id: string,
  body: UpdateAttributeDefinitionBody,
): Promise<AttributeDefinition> {
  return ctx.database.db.transaction(async (tx) => {
    const current = await findDefinition(tx, accountId, id);
    if (body.options !== undefined && (current.type === 'list') !== body.options.length > 0) {
      throw new AppError('validation_failed', 400, 'Invalid body', {
        details: [
          {
            path: 'options',
            message: 'a list attribute needs options; other types take none',
            code: 'custom',
          },
        ],
      });
    }
    const [row] = await tx
      .update(attributeDefinitions)
      .set({
        label: body.label ?? current.label,
        options: body.options ?? current.options,
        position: body.position ?? current.position,
      })
      .where(eq(attributeDefinitions.id, id))
      .returning();
    if (!row) throw notFound('attribute_definition_not_found', 'Attribute');
    return presentAttributeDefinition(row);
  });
}

/**
 * Deleting a definition keeps the values already stored on contacts (they stay readable and can be
 * removed one by one); nothing new can be written under the key until it is defined again.
 */
export async function deleteDefinition(ctx: AppContext, accountId: string, id: string): Promise<void> {
  const deleted = await ctx.database.db
    .delete(attributeDefinitions)
    .where(and(eq(attributeDefinitions.id, id), eq(attributeDefinitions.accountId, accountId)))
    .returning({ id: attributeDefinitions.id });
  if (deleted.length === 0) throw notFound('attribute_definition_not_found', 'Attribute');
}

// ---- values ------------------------------------------------------------------------------------

const TEXT_MAX = 500;
const LINK_MAX = 2000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function invalid(key: string, type: string, reason: string): AppError {
  return new AppError('attribute_invalid', 400, `Attribute "${key}" needs ${reason}`, {
    details: { key, type, reason },
  });
}

/** The stored form of a value for its definition, or attribute_invalid. */
export function normalizeValue(
  definition: AttributeDefinitionRow,
  value: string | number | boolean,
): unknown {
  const { key, type } = definition;
  switch (type) {
    case 'text': {
      if (typeof value !== 'string') throw invalid(key, type, 'text');
      const text = value.trim();
      if (text.length > TEXT_MAX) throw invalid(key, type, `text of at most ${TEXT_MAX} characters`);
      return text;
    }
    case 'number': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())
            ? Number(value.trim())
            : Number.NaN;
      if (!Number.isFinite(number) || Math.abs(number) > 1e15) throw invalid(key, type, 'a number');
      return number;
    }
    case 'date': {
      if (typeof value !== 'string') throw invalid(key, type, 'an ISO date (YYYY-MM-DD)');
      const text = value.trim();
      const day = DATE_ONLY.exec(text);
      if (day) {
        const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
        const parsed = new Date(Date.UTC(year, month - 1, date));
        // Rejects 2024-02-30 and friends, which Date would roll over into March.
        if (
          parsed.getUTCFullYear() === year &&
          parsed.getUTCMonth() === month - 1 &&
          parsed.getUTCDate() === date
        )
          return text;
      } else if (DATE_TIME.test(text) && Number.isFinite(Date.parse(text))) {
        return new Date(text).toISOString();
      }
      throw invalid(key, type, 'an ISO date (YYYY-MM-DD)');
    }
    case 'list': {
      if (typeof value !== 'string' || !definition.options.includes(value))
        throw invalid(key, type, `one of: ${definition.options.join(', ')}`);
      return value;
    }
    case 'boolean': {
      if (typeof value !== 'boolean') throw invalid(key, type, 'true or false');
      return value;
    }
    case 'link': {
      if (typeof value !== 'string' || value.length > LINK_MAX) throw invalid(key, type, 'an http(s) link');
      let url: URL;
      try {
        url = new URL(value.trim());
      } catch {
        throw invalid(key, type, 'an http(s) link');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(key, type, 'an http(s) link');
      return url.href;
    }
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Applies attribute edits to a contact's stored attributes: each key must be defined for the account
 * (attribute_unknown otherwise), each value must fit its type (attribute_invalid); null or empty text
 * removes a value. A value whose definition was deleted can still be removed. Returns the new attributes
 * and what changed, for the journey.
 */
export function applyAttributeEdits(
  definitions: AttributeDefinitionRow[],
  current: Record<string, unknown>,
  input: AttributeInput,
): { next: Record<string, unknown>; changes: ContactChange[] } {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const next: Record<string, unknown> = { ...current };
  const changes: ContactChange[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const definition = byKey.get(key);
    const reserved = RESERVED_ATTRIBUTE_KEYS.includes(key);
    const removal = raw === null || raw === '';
    if (!definition && (reserved || !removal || !Object.hasOwn(current, key))) {
      throw new AppError(
        'attribute_unknown',
        400,
        reserved
          ? `"${key}" is kept by Parley itself and cannot be edited`
          : `No attribute "${key}" is defined for this account; define it in the settings first`,
        { details: { key } },
      );
    }
    const value = raw === null || raw === '' || !definition ? null : normalizeValue(definition, raw);
    const removes = value === null || value === '';
    const before = Object.hasOwn(current, key) ? current[key] : null;
    if (removes) delete next[key];
    else next[key] = value;
    const after = removes ? null : value;
    if (!same(before, after)) changes.push({ field: `attributes.${key}`, from: before, to: after });
  }
  return { next, changes };
}
