import { z } from 'zod';

/**
 * Every error the API or the realtime gateway can return carries one of these codes.
 * Clients branch on the code, never on the message, so codes are never renamed.
 */
export const errorCodes = [
  'validation_failed',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'unauthenticated',
  'invalid_credentials',
  'csrf_failed',
  'forbidden',
  'insufficient_scope',
  'rate_limited',
  'conflict',
  'conversation_closed',
  'idempotency_conflict',
  'account_not_found',
  'inbox_not_found',
  'contact_not_found',
  'conversation_not_found',
  'message_not_found',
  'user_not_found',
  'token_not_found',
  'email_taken',
  'setup_already_done',
  'identity_verification_failed',
  'origin_not_allowed',
  'invalid_status_transition',
  'cursor_invalid',
  'service_unavailable',
  'internal_error',
  'team_not_found',
  'invitation_not_found',
  'invitation_expired',
  'member_exists',
  'last_admin',
  'capacity_reached',
  'tag_not_found',
  'tag_exists',
  'rule_not_found',
  'bot_not_active',
  'article_not_found',
  'article_slug_taken',
  'article_not_published',
  'review_not_found',
  'review_decided',
  'mention_not_allowed',
  'saved_view_not_found',
  'saved_view_limit_reached',
  'article_not_found',
  'article_slug_taken',
  'article_not_published',
  'attribute_definition_not_found',
  'attribute_definition_exists',
  'attribute_unknown',
  'attribute_invalid',
  'contact_blocked',
  'contact_merge_invalid',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'canned_reply_not_found',
  'canned_reply_exists',
] as const;

export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
