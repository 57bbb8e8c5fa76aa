/**
 * Where the visitor is, as the widget stores it on the contact (`attributes.visitor`): every value is
 * untrusted text typed or sent by the visitor's browser, read defensively.
 */
export interface VisitorInfo {
  pageUrl: string | null;
  pageTitle: string | null;
  referrer: string | null;
  locale: string | null;
  timezone: string | null;
  browser: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** A short browser name from a user agent, e.g. "Chrome 130 · Linux". */
export function browserOf(userAgent: string): string {
  const version = (pattern: RegExp) => pattern.exec(userAgent)?.[1];
  const browser = version(/Edg\/(\d+)/)
    ? `Edge ${version(/Edg\/(\d+)/)}`
    : version(/Firefox\/(\d+)/)
      ? `Firefox ${version(/Firefox\/(\d+)/)}`
      : version(/Chrome\/(\d+)/)
        ? `Chrome ${version(/Chrome\/(\d+)/)}`
        : version(/Version\/(\d+).*Safari/)
          ? `Safari ${version(/Version\/(\d+)/)}`
          : null;
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return [browser, os].filter(Boolean).join(' · ') || userAgent.slice(0, 60);
}

export function visitorInfoOf(attributes: Record<string, unknown> | undefined): VisitorInfo {
  const visitor = record(attributes?.visitor);
  const page = record(visitor.currentPage);
  const userAgent = str(visitor.userAgent);
  return {
    pageUrl: str(page.url),
    pageTitle: str(page.title),
    referrer: str(visitor.referrer),
    locale: str(visitor.locale),
    timezone: str(visitor.timezone),
    browser: userAgent ? browserOf(userAgent) : null,
  };
}
