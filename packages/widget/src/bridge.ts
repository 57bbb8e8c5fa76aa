/**
 * The postMessage bridge between the loader (on the customer's page) and the iframe app (on the Parley
 * origin). Both sides check `event.origin` and `event.source` before looking at the data, and both
 * validate its shape here: the other window is a different site and its messages are untrusted input.
 */

export const BRIDGE_NS = 'parley';

/** The largest value the loader stores for the iframe (an outbox item holds up to 10,000 characters). */
export const MAX_STORED = 40_000;

export interface IdentifyPayload {
  id?: string;
  name?: string;
  email?: string;
  timestamp?: number;
  signature?: string;
}

export interface PageInfo {
  url: string;
  title: string;
  referrer: string;
}

export interface HostLabels {
  open: string;
  close: string;
  frame: string;
  unread: string;
}

export interface PublicMessage {
  conversationId: string;
  kind: string;
  body: string;
  senderName: string | null;
  createdAt: string;
}

/** Loader → iframe. */
export type HostMessage =
  /** The page's copy of the widget's storage, for browsers that give the iframe none of its own. */
  | { ns: 'parley'; type: 'init'; storage: Record<string, string> }
  /** Another tab changed a stored value. */
  | { ns: 'parley'; type: 'stored'; key: string; value: string | null }
  | { ns: 'parley'; type: 'visibility'; open: boolean; mobile: boolean }
  | { ns: 'parley'; type: 'identify'; identity: IdentifyPayload }
  | { ns: 'parley'; type: 'reset' }
  | { ns: 'parley'; type: 'locale'; locale: string }
  | { ns: 'parley'; type: 'page'; page: PageInfo };

/** Iframe → loader. */
export type FrameMessage =
  /** Asks for `init`: the iframe cannot use storage of its own (third-party storage blocked). */
  | { ns: 'parley'; type: 'hello' }
  /** Persist (or with null, delete) a value in the page's storage; keys are `parley:v1:<inbox>:…`. */
  | { ns: 'parley'; type: 'store'; key: string; value: string | null }
  | { ns: 'parley'; type: 'ready'; color: string; fg: string; position: 'right' | 'left'; labels: HostLabels }
  | { ns: 'parley'; type: 'labels'; labels: HostLabels }
  | { ns: 'parley'; type: 'request'; action: 'open' | 'close' }
  | { ns: 'parley'; type: 'unread'; count: number }
  | { ns: 'parley'; type: 'message'; message: PublicMessage };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

function cleanIdentity(value: unknown): IdentifyPayload | null {
  if (!isRecord(value)) return null;
  const out: IdentifyPayload = {};
  if (value.id !== undefined) {
    if (typeof value.id === 'number') out.id = String(value.id);
    else if (str(value.id, 200) && value.id !== '') out.id = value.id;
    else return null;
  }
  if (value.name !== undefined && str(value.name, 120)) out.name = value.name;
  if (value.email !== undefined && str(value.email, 254)) out.email = value.email;
  if (typeof value.timestamp === 'number' && Number.isSafeInteger(value.timestamp))
    out.timestamp = value.timestamp;
  if (typeof value.signature === 'string' && /^[0-9a-f]{64}$/.test(value.signature))
    out.signature = value.signature;
  return out;
}

/** Validates a message the iframe received from the host page; null for anything malformed. */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isRecord(data) || data.ns !== BRIDGE_NS) return null;
  switch (data.type) {
    case 'init': {
      if (!isRecord(data.storage)) return null;
      const storage: Record<string, string> = {};
      for (const [key, value] of Object.entries(data.storage)) {
        if (str(key, 200) && str(value, MAX_STORED)) storage[key] = value;
      }
      return { ns: BRIDGE_NS, type: 'init', storage };
    }
    case 'stored':
      return str(data.key, 200) && (data.value === null || str(data.value, MAX_STORED))
        ? { ns: BRIDGE_NS, type: 'stored', key: data.key, value: data.value }
        : null;
    case 'visibility':
      return typeof data.open === 'boolean'
        ? { ns: BRIDGE_NS, type: 'visibility', open: data.open, mobile: data.mobile === true }
        : null;
    case 'identify': {
      const identity = cleanIdentity(data.identity);
      return identity ? { ns: BRIDGE_NS, type: 'identify', identity } : null;
    }
    case 'reset':
      return { ns: BRIDGE_NS, type: 'reset' };
    case 'locale':
      return str(data.locale, 35) ? { ns: BRIDGE_NS, type: 'locale', locale: data.locale } : null;
    case 'page': {
      const page = data.page;
      if (!isRecord(page) || !str(page.url, 2000)) return null;
      return {
        ns: BRIDGE_NS,
        type: 'page',
        page: {
          url: page.url,
          title: str(page.title, 300) ? page.title : '',
          referrer: str(page.referrer, 2000) ? page.referrer : '',
        },
      };
    }
    default:
      return null;
  }
}
