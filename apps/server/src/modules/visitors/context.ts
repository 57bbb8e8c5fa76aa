import type { VisitorContextBody } from '@parley/shared';
import { eq, sql } from 'drizzle-orm';
import type { VisitorActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { contacts } from '../../db/schema.ts';

/**
 * Stores where the visitor is (page, browser, locale) in the contact's attributes under `visitor`,
 * replacing the previous value; agents read it from the contact profile.
 */
export async function recordVisitorContext(
  ctx: AppContext,
  visitor: VisitorActor,
  body: VisitorContextBody,
  userAgent: string | undefined,
): Promise<void> {
  const visitorInfo = {
    currentPage: { url: body.url, title: body.title ?? null, at: ctx.now().toISOString() },
    referrer: body.referrer ?? null,
    locale: body.locale ?? null,
    timezone: body.timezone ?? null,
    userAgent: userAgent?.slice(0, 400) ?? null,
  };
  await ctx.database.db
    .update(contacts)
    .set({
      attributes: sql`${contacts.attributes} || ${JSON.stringify({ visitor: visitorInfo })}::jsonb`,
      updatedAt: ctx.now(),
    })
    .where(eq(contacts.id, visitor.contactId));
}
