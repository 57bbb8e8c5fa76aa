/**
 * When a failed delivery is tried again, after its 1st, 2nd … failed attempt. After the last one it is
 * given up (status failed); a redeliver from settings starts it again.
 */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

/** An endpoint that has failed every attempt for this long is disabled and its admins are told. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/** How long one attempt may take; a slow endpoint holds only its own slots meanwhile. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** A claimed delivery is someone's for this long; if its node dies, another node takes it then. */
export const CLAIM_LEASE_MS = 60_000;

export function nextAttemptDelay(failedAttempts: number): number | null {
  return RETRY_SCHEDULE_MS[failedAttempts - 1] ?? null;
}
