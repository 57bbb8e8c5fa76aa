import type { CreateVisitorSessionBody, VisitorSession } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { signVisitorToken } from '../../auth/visitor-token.ts';
import type { AppContext } from '../../context.ts';
import { contactIdentities, contacts, inboxes } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { hmacHex, safeEqual } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';
import { PendingPublish, recordEvent } from '../../realtime/outbox.ts';
import { survivingContact } from '../contacts/surviving.ts';
import { type InboxRow, settingsOf } from '../inboxes/presenter.ts';

/** A signature older than this is refused, so a leaked one cannot be replayed forever. */
const IDENTITY_MAX_AGE_MS = 7 * 24 * 3600_000;
const IDENTITY_MAX_SKEW_MS = 5 * 60_000;

export async function loadInbox(ctx: AppContext, inboxId: string): Promise<InboxRow> {
  const [inbox] = await ctx.database.db.select().from(inboxes).where(eq(inboxes.id, inboxId)).limit(1);
  if (!inbox) throw notFound('inbox_not_found', 'Inbox');
  return inbox;
}

/**
 * Browsers send Origin; a page on a site the inbox does not list may not use it. The server's own
 * origin (the demo page) is always allowed. Requests without Origin come from non-browser clients.
 */
export function assertOriginAllowed(ctx: AppContext, inbox: InboxRow, origin: string | undefined): void {
  if (!origin) return;
  if (ctx.env.allowedOrigins.includes(origin)) return;
  if (settingsOf(inbox).allowedOrigins.includes(origin)) return;
  throw new AppError('origin_not_allowed', 403, 'This site is not allowed to use this inbox');
}

function verifyIdentity(
  ctx: AppContext,
  inbox: InboxRow,
  identity: NonNullable<CreateVisitorSessionBody['identity']>,
): boolean {
  if (!identity.signature) return false;
  const expected = hmacHex(inbox.identitySecret, `${identity.id}.${identity.timestamp}`);
  if (!safeEqual(expected, identity.signature)) return false;
  const age = ctx.now().getTime() - identity.timestamp;
  return age <= IDENTITY_MAX_AGE_MS && age >= -IDENTITY_MAX_SKEW_MS;
}

/**
 * Creates a visitor session. A verified identity finds (or creates) the contact with that external id;
 * anything unverified gets a brand-new contact, so nobody can attach themselves to someone else's
 * history by claiming their id.
 */
export async function createVisitorSession(
  ctx: AppContext,
  inbox: InboxRow,
  body: CreateVisitorSessionBody,
): Promise<VisitorSession> {
  const settings = settingsOf(inbox);
  let verifiedId: string | null = null;
  if (body.identity) {
    if (verifyIdentity(ctx, inbox, body.identity)) verifiedId = body.identity.id;
    else if (settings.requireIdentityVerification || body.identity.signature) {
      throw new AppError(
        'identity_verification_failed',
        401,
        'The identity signature is missing, wrong or expired',
      );
    }
  } else if (settings.requireIdentityVerification) {
    throw new AppError('identity_verification_failed', 401, 'This inbox requires a signed identity');
  }

  // Only the extra fields this inbox's pre-chat form declares are kept: a visitor cannot write other attributes.
  const declared = new Set(
    settings.preChatForm.fields.map((f) => f.key).filter((k) => k !== 'name' && k !== 'email'),
  );
  const preChat = Object.fromEntries(
    Object.entries(body.attributes ?? {}).filter(([key, value]) => declared.has(key) && value !== ''),
  );
  const hasPreChat = Object.keys(preChat).length > 0;

  const pending = new PendingPublish();
  const session = await ctx.database.db.transaction(async (tx) => {
    let contact: typeof contacts.$inferSelect | undefined;
    if (verifiedId) {
      [contact] = await tx
        .select()
        .from(contacts)
        .where(and(eq(contacts.accountId, inbox.accountId), eq(contacts.externalId, verifiedId)))
        .limit(1);
      if (contact?.mergedIntoId) contact = await survivingContact(tx, contact);
      if (contact && (body.name || body.email || hasPreChat)) {
        [contact] = await tx
          .update(contacts)
          .set({
            name: body.name ?? contact.name,
            email: body.email ?? contact.email,
            attributes: hasPreChat ? { ...contact.attributes, preChat } : contact.attributes,
            updatedAt: ctx.now(),
          })
          .where(eq(contacts.id, contact.id))
          .returning();
      }
    }
    if (!contact) {
      [contact] = await tx
        .insert(contacts)
        .values({
          id: newId(),
          accountId: inbox.accountId,
          name: body.name ?? null,
          email: body.email ?? null,
          externalId: verifiedId,
          attributes: {
            ...(body.identity && !verifiedId ? { unverifiedExternalId: body.identity.id } : {}),
            ...(hasPreChat ? { preChat } : {}),
          },
        })
        .onConflictDoNothing()
        .returning();
      if (contact) {
        await recordEvent(tx, pending, {
          accountId: inbox.accountId,
          contactId: contact.id,
          type: 'contact.created',
          actor: { kind: 'contact', id: contact.id },
          payload: { inboxId: inbox.id, verified: verifiedId !== null },
        });
      }
      if (!contact && verifiedId) {
        // Another session created the same verified contact a moment ago.
        [contact] = await tx
          .select()
          .from(contacts)
          .where(and(eq(contacts.accountId, inbox.accountId), eq(contacts.externalId, verifiedId)))
          .limit(1);
      }
    }
    if (!contact) throw new AppError('conflict', 409, 'Could not create the contact; retry');
    const sourceId = verifiedId ? `ext:${verifiedId}` : `anon:${newId()}`;
    await tx
      .insert(contactIdentities)
      .values({
        id: newId(),
        contactId: contact.id,
        inboxId: inbox.id,
        sourceId,
        verified: verifiedId !== null,
      })
      .onConflictDoNothing();
    const [identity] = await tx
      .select()
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, sourceId)))
      .limit(1);
    if (!identity) throw new Error('identity missing after insert');
    const token = signVisitorToken(ctx.env.SECRET_KEY, {
      identityId: identity.id,
      contactId: identity.contactId,
      inboxId: inbox.id,
      accountId: inbox.accountId,
      issuedAt: ctx.now().getTime(),
    });
    return {
      token,
      contact: { id: contact.id, name: contact.name, email: contact.email, verified: verifiedId !== null },
    };
  });
  ctx.outbox.publish(pending);
  return session;
}
