import type {
  AttributeDefinition,
  CannedReply,
  Contact,
  ContactDetail,
  ContactList,
  Conversation,
  cannedReplyListQuerySchema,
  changeStatusBodySchema,
  contactListQuerySchema,
  DriftConversation,
  driftConversationBodySchema,
  ErrorCode,
  Inbox,
  Member,
  Message,
  messagesQuerySchema,
  Tag,
  Team,
  updateContactBodySchema,
  v1ConversationListQuerySchema,
  v1CreateContactBodySchema,
  v1CreateConversationBodySchema,
  v1PostMessageBodySchema,
} from '@parley/shared';
import type { z } from 'zod';

/*
 * Inputs are typed by the server's own schemas (what a caller may send, defaults optional); answers by
 * the types the server's presenters return. Only types are imported: the SDK has no runtime dependency.
 */
/** Query inputs: numbers the server coerces from text are typed as numbers here. */
type QueryInput<T> = { [K in keyof T]?: unknown extends T[K] ? number : T[K] };

export type ConversationListQuery = QueryInput<z.input<typeof v1ConversationListQuerySchema>>;
export type CreateConversationInput = z.input<typeof v1CreateConversationBodySchema>;
export type DriftConversationInput = z.input<typeof driftConversationBodySchema>;
export type ConversationStatusInput = z.input<typeof changeStatusBodySchema>['status'];
export type MessagesQuery = QueryInput<z.input<typeof messagesQuerySchema>>;
export type PostMessageInput = z.input<typeof v1PostMessageBodySchema>;
export type ContactListQuery = QueryInput<z.input<typeof contactListQuerySchema>>;
export type CreateContactInput = z.input<typeof v1CreateContactBodySchema>;
export type UpdateContactInput = z.input<typeof updateContactBodySchema>;
export type CannedReplyListQuery = QueryInput<z.input<typeof cannedReplyListQuerySchema>>;

export interface ConversationPage {
  conversations: Conversation[];
  nextCursor: string | null;
}
export interface MessagePage {
  messages: Message[];
  lastSeq: number;
}

/** An answer that is not a success: branch on `code`, which never changes; `message` is for people. */
export class ParleyError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network_error' | 'invalid_response';
  readonly details: unknown;
  /** Seconds the server asked to wait (429 and 409 idempotency_key_in_use), when it said. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: ParleyError['code'],
    message: string,
    details?: unknown,
    retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ParleyError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export interface ParleyClientOptions {
  /** Where Parley runs, e.g. https://support.example.com (the API is under /api/v1). */
  baseUrl: string;
  /** An API token (pat_…), created in Settings → API tokens. */
  token: string;
  /** Retries of network errors, 429, 409 idempotency_key_in_use and 502/503/504 (default 2). */
  retries?: number;
  /** The longest wait between two attempts, whatever Retry-After says (default 30 s). */
  maxRetryDelayMs?: number;
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
  /** Makes the Idempotency-Key of each POST; default a random UUID. */
  idempotencyKey?: () => string;
}

/** Per call: the Idempotency-Key to send instead of a generated one (to retry across processes). */
export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const enc = encodeURIComponent;

function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as Array<[string, unknown]>) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * A client for Parley's public API. Every POST carries an Idempotency-Key that its retries reuse, so
 * a request whose answer was lost is replayed by the server rather than done twice.
 */
export class ParleyClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly retries: number;
  private readonly maxRetryDelayMs: number;
  private readonly fetcher: typeof fetch;
  private readonly newKey: () => string;

  constructor(options: ParleyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.retries = options.retries ?? 2;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  }

  /** Sends one request (with its retries) to /api/v1 + path and returns the parsed answer. */
  async request<T>(
    method: Method,
    path: string,
    input: { query?: object; body?: unknown } & RequestOptions = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.token}`,
    };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = input.idempotencyKey ?? this.newKey();
    const url = `${this.baseUrl}/api/v1${path}${queryString(input.query)}`;
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retries;
      let response: Response;
      try {
        response = await this.fetcher(url, { method, headers, body, signal: input.signal ?? null });
      } catch (error) {
        if (input.signal?.aborted) throw error;
        if (last) {
          throw new ParleyError(0, 'network_error', `Parley could not be reached: ${String(error)}`);
        }
        await sleep(this.backoff(attempt, null), input.signal);
        continue;
      }
      if (response.ok) return (await this.parse(response)) as T;
      const failure = await this.failure(response);
      const retryable =
        RETRYABLE_STATUS.has(response.status) ||
        (response.status === 409 && failure.code === 'idempotency_key_in_use');
      if (!retryable || last) throw failure;
      await sleep(this.backoff(attempt, failure.retryAfter), input.signal);
    }
  }

  private backoff(attempt: number, retryAfter: number | null): number {
    const ms = retryAfter !== null ? retryAfter * 1000 : 250 * 2 ** attempt;
    return Math.min(ms, this.maxRetryDelayMs);
  }

  private async parse(response: Response): Promise<unknown> {
    if (response.status === 204) return undefined;
    const text = await response.text();
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ParleyError(response.status, 'invalid_response', 'The answer is not JSON');
    }
  }

  private async failure(response: Response): Promise<ParleyError> {
    const header = response.headers.get('retry-after');
    const retryAfter = header !== null && /^\d+$/.test(header) ? Number(header) : null;
    let error: { code?: ErrorCode; message?: string; details?: unknown } | undefined;
    try {
      error = ((await response.json()) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    return new ParleyError(
      response.status,
      error?.code ?? 'invalid_response',
      error?.message ?? `Request failed with status ${response.status}`,
      error?.details,
      retryAfter,
    );
  }

  readonly conversations = {
    /** One page, newest activity first; pass `nextCursor` as `cursor` for the next. */
    list: (query: ConversationListQuery = {}) =>
      this.request<ConversationPage>('GET', '/conversations', { query }),
    /** Every conversation matching the filters, page after page. */
    iterate: (query: Omit<ConversationListQuery, 'cursor'> = {}) =>
      this.pages(
        (cursor) => this.conversations.list({ ...query, cursor }),
        (page) => page.conversations,
      ),
    get: async (id: string) =>
      (await this.request<{ conversation: Conversation }>('GET', `/conversations/${enc(id)}`)).conversation,
    /** Starts a conversation for a contact (by id, or by e-mail: found or created) with their first message. */
    create: (body: CreateConversationInput, options: RequestOptions = {}) =>
      this.request<{ conversation: Conversation; created: boolean }>('POST', '/conversations', {
        body,
        ...options,
      }),
    /** The Drift-compatible start (`POST /conversations/new`), answered in Drift's shape. */
    new: (body: DriftConversationInput, options: RequestOptions = {}) =>
      this.request<DriftConversation>('POST', '/conversations/new', { body, ...options }),
    setStatus: async (id: string, status: ConversationStatusInput, options: RequestOptions = {}) =>
      (
        await this.request<{ conversation: Conversation }>('POST', `/conversations/${enc(id)}/status`, {
          body: { status },
          ...options,
        })
      ).conversation,
    assign: async (id: string, assigneeId: string, options: RequestOptions = {}) =>
      (
        await this.request<{ conversation: Conversation }>('POST', `/conversations/${enc(id)}/assign`, {
          body: { assigneeId },
          ...options,
        })
      ).conversation,
    unassign: async (id: string, options: RequestOptions = {}) =>
      (
        await this.request<{ conversation: Conversation }>(
          'POST',
          `/conversations/${enc(id)}/unassign`,
          options,
        )
      ).conversation,
    tags: async (id: string) =>
      (await this.request<{ tags: Tag[] }>('GET', `/conversations/${enc(id)}/tags`)).tags,
    addTag: async (id: string, tagId: string) =>
      (await this.request<{ tags: Tag[] }>('PUT', `/conversations/${enc(id)}/tags/${enc(tagId)}`)).tags,
    removeTag: async (id: string, tagId: string) =>
      (await this.request<{ tags: Tag[] }>('DELETE', `/conversations/${enc(id)}/tags/${enc(tagId)}`)).tags,
  };

  readonly messages = {
    /** A page by seq: `afterSeq` reads forward, `beforeSeq` reads older messages, neither the newest. */
    list: (conversationId: string, query: MessagesQuery = {}) =>
      this.request<MessagePage>('GET', `/conversations/${enc(conversationId)}/messages`, { query }),
    /** Every message after `afterSeq` (default: from the start), in order. */
    iterate: (conversationId: string, options: { afterSeq?: number; limit?: number } = {}) =>
      this.messagesAfter(conversationId, options.afterSeq ?? 0, options.limit ?? 100),
    /** A reply as "API" (or a private note); idempotent on `clientMsgId` as well. */
    create: (conversationId: string, body: PostMessageInput, options: RequestOptions = {}) =>
      this.request<{ message: Message; created: boolean }>(
        'POST',
        `/conversations/${enc(conversationId)}/messages`,
        { body, ...options },
      ),
  };

  readonly contacts = {
    /** One page, newest first; `q` matches part of a name, e-mail address, company or phone number. */
    list: (query: ContactListQuery = {}) => this.request<ContactList>('GET', '/contacts', { query }),
    iterate: (query: Omit<ContactListQuery, 'cursor'> = {}) =>
      this.pages(
        (cursor) => this.contacts.list({ ...query, cursor }),
        (page) => page.contacts,
      ),
    /** The contact with their recent conversations. */
    get: (id: string) => this.request<ContactDetail>('GET', `/contacts/${enc(id)}`),
    create: async (body: CreateContactInput, options: RequestOptions = {}) =>
      (await this.request<{ contact: Contact }>('POST', '/contacts', { body, ...options })).contact,
    update: async (id: string, body: UpdateContactInput) =>
      (await this.request<{ contact: Contact }>('PATCH', `/contacts/${enc(id)}`, { body })).contact,
    /** Only contacts without conversations can be deleted (409 contact_in_use). */
    delete: async (id: string): Promise<void> => {
      await this.request<undefined>('DELETE', `/contacts/${enc(id)}`);
    },
    tags: async (id: string) =>
      (await this.request<{ tags: Tag[] }>('GET', `/contacts/${enc(id)}/tags`)).tags,
    addTag: async (id: string, tagId: string) =>
      (await this.request<{ tags: Tag[] }>('PUT', `/contacts/${enc(id)}/tags/${enc(tagId)}`)).tags,
    removeTag: async (id: string, tagId: string) =>
      (await this.request<{ tags: Tag[] }>('DELETE', `/contacts/${enc(id)}/tags/${enc(tagId)}`)).tags,
  };

  readonly attributeDefinitions = {
    list: async () =>
      (await this.request<{ definitions: AttributeDefinition[] }>('GET', '/attribute-definitions'))
        .definitions,
  };

  readonly inboxes = {
    list: async () => (await this.request<{ inboxes: Inbox[] }>('GET', '/inboxes')).inboxes,
    get: async (id: string) => (await this.request<{ inbox: Inbox }>('GET', `/inboxes/${enc(id)}`)).inbox,
  };

  readonly agents = {
    list: async () => (await this.request<{ members: Member[] }>('GET', '/agents')).members,
    get: async (userId: string) =>
      (await this.request<{ member: Member }>('GET', `/agents/${enc(userId)}`)).member,
  };

  readonly teams = {
    list: async () => (await this.request<{ teams: Team[] }>('GET', '/teams')).teams,
    get: async (id: string) => (await this.request<{ team: Team }>('GET', `/teams/${enc(id)}`)).team,
  };

  readonly tags = {
    list: async () => (await this.request<{ tags: Tag[] }>('GET', '/tags')).tags,
  };

  readonly cannedReplies = {
    list: async (query: CannedReplyListQuery = {}) =>
      (await this.request<{ cannedReplies: CannedReply[] }>('GET', '/canned-replies', { query }))
        .cannedReplies,
  };

  /** Follows `nextCursor` until the last page; items come one at a time. */
  private async *pages<P extends { nextCursor: string | null }, I>(
    load: (cursor: string | undefined) => Promise<P>,
    items: (page: P) => I[],
  ): AsyncGenerator<I, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await load(cursor);
      yield* items(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private async *messagesAfter(
    conversationId: string,
    afterSeq: number,
    limit: number,
  ): AsyncGenerator<Message, void, undefined> {
    let seq = afterSeq;
    for (;;) {
      const page = await this.messages.list(conversationId, { afterSeq: seq, limit });
      yield* page.messages;
      const last = page.messages.at(-1);
      if (!last || page.messages.length < limit) return;
      seq = last.seq;
    }
  }
}
