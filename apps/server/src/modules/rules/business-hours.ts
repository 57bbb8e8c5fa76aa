import type { BusinessHours, Weekday } from '@parley/shared';

const WEEKDAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The weekday and wall-clock time (HH:MM) at `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { day: Weekday; time: string } {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS[get('weekday')] ?? 'mon', time: `${get('hour')}:${get('minute')}` };
}

/**
 * Whether `at` falls inside the inbox's business hours, in its own time zone (so daylight-saving
 * changes move with the clock on the wall). Hours that are not enabled mean always open.
 */
export function withinBusinessHours(hours: BusinessHours, at: Date): boolean {
  if (!hours.enabled) return true;
  const { day, time } = localTime(at, hours.timezone);
  return hours.hours.some((h) => h.day === day && h.from <= time && time < h.to);
}
