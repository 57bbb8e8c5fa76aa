import type { Translate } from '../i18n/index.tsx';
import { ApiError } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';

/** Toast text for the conversation actions: routing and bot refusals get their own words. */
export function actionErrorMessage(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.code === 'capacity_reached') return t('error.capacity_reached');
    if (error.code === 'bot_not_active') return t('error.bot_not_active');
  }
  return errorMessage(error, t);
}
