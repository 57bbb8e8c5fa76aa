import type {
  CreateVisitorSessionBody,
  Message,
  publicInboxSchema,
  QueueInfo,
  VisitorContextBody,
  VisitorConversation,
  VisitorSession,
} from '@parley/shared';
import type { z } from 'zod';

export type PublicInbox = z.infer<typeof publicInboxSchema>;

/** A message as the Client API takes it; `attributes.buttonId` is the bot menu button pressed. */
export interface OutgoingBody {
  clientMsgId: string;
  body: string;
  attributes?: { buttonId: string };
}

/** The server answered with an error (4xx/5xx); `code` is the stable error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The request never got an answer (offline, DNS, connection reset). */
export class NetworkError extends Error {}

/** The Client API over fetch, same-origin from the iframe; the visitor token travels as a bearer. */
export class ClientApi {
  readonly base: string;
  readonly inboxId: string;
  token: string | null = null;

  constructor(base: string, inboxId: string) {
    this.base = base;
    this.inboxId = inboxId;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new NetworkError('network unavailable');
    }
    if (response.status === 204) return undefined as T;
    let json: unknown = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : 'unknown',
        typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
      );
    }
    return json as T;
  }

  inbox(): Promise<PublicInbox> {
    return this.request('GET', `/api/client/inboxes/${this.inboxId}`);
  }

  createSession(body: CreateVisitorSessionBody): Promise<VisitorSession> {
    return this.request('POST', `/api/client/inboxes/${this.inboxId}/sessions`, body);
  }

  async conversations(): Promise<VisitorConversation[]> {
    return (await this.request<{ conversations: VisitorConversation[] }>('GET', '/api/client/conversations'))
      .conversations;
  }

  async startConversation(message: OutgoingBody): Promise<VisitorConversation> {
    return (
      await this.request<{ conversation: VisitorConversation }>('POST', '/api/client/conversations', {
        message,
      })
    ).conversation;
  }

  messages(
    conversationId: string,
    query: { afterSeq?: number; beforeSeq?: number; limit?: number },
  ): Promise<{ messages: Message[]; lastSeq: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return this.request('GET', `/api/client/conversations/${conversationId}/messages${qs ? `?${qs}` : ''}`);
  }

  postMessage(
    conversationId: string,
    message: OutgoingBody,
  ): Promise<{ message: Message; created: boolean }> {
    return this.request('POST', `/api/client/conversations/${conversationId}/messages`, message);
  }

  /** The conversation's place in the routing queue (also pushed live as `queue` frames). */
  queue(conversationId: string): Promise<QueueInfo> {
    return this.request('GET', `/api/client/conversations/${conversationId}/queue`);
  }

  markRead(conversationId: string, seq: number): Promise<{ lastReadSeq: number }> {
    return this.request('POST', `/api/client/conversations/${conversationId}/read`, { seq });
  }

  context(body: VisitorContextBody): Promise<void> {
    return this.request('POST', '/api/client/context', body);
  }
}
