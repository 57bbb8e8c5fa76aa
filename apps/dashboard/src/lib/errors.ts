import type { Translate } from '../i18n/index.tsx';
import { ApiError } from './api.ts';

/** A message for people, by error code (server messages are English and meant for developers). */
export function errorMessage(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('common.error');
  switch (error.code) {
    case 'network_error':
      return t('error.network');
    case 'forbidden':
      return t('error.forbidden');
    case 'validation_failed':
      return t('error.validation_failed');
    case 'invalid_status_transition':
      return t('error.invalid_status_transition');
    case 'conflict':
      return t('error.conflict');
    case 'rate_limited':
      return t('login.rateLimited');
    default:
      return error.message || t('common.error');
  }
}

/** Field errors from a validation_failed answer, keyed by the first path segment. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || !Array.isArray(error.details)) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const issue of error.details as Array<{ path?: string; message?: string }>) {
    const key = (issue.path ?? '').split('.')[0] ?? '';
    if (key && !out[key]) out[key] = issue.message ?? 'Invalid';
  }
  return out;
}
