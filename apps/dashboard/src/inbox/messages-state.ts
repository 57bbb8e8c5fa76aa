import type { Message } from '@parley/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, post, qs } from '../lib/api.ts';
import { conversationStore } from '../lib/conversation-store.ts';
import { realtime } from '../lib/realtime-instance.ts';

export interface PendingMessage {
  clientMsgId: string;
  body: string;
  private: boolean;
  /** Colleagues a note mentions (it then goes through the notes route, which tells them). */
  mentions?: string[];
  state: 'sending' | 'sent' | 'failed';
  error?: string;
  createdAt: string;
}

export interface Typing {
  kind: 'contact' | 'agent';
  id: string;
  name: string | null;
}

interface State {
  status: 'loading' | 'ready' | 'not_found' | 'error';
  messages: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
}

const PAGE = 50;
const OLDER_PAGE = 100;

/**
 * The messages of one conversation: the newest page over REST, older pages on demand (by beforeSeq),
 * live messages from the conversation stream resuming after the last seq held, and sends that show at
 * once and are reconciled by clientMsgId when the stored message comes back.
 */
export function useConversationMessages(accountId: string, conversationId: string, me: string) {
  const [state, setState] = useState<State>({
    status: 'loading',
    messages: [],
    hasOlder: false,
    loadingOlder: false,
  });
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [typing, setTyping] = useState<Typing[]>([]);
  const [contactReadSeq, setContactReadSeq] = useState(0);
  const held = useRef(0);
  const messagesRef = useRef<Message[]>([]);
  const base = `/api/accounts/${accountId}/conversations/${conversationId}`;
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const replaceMessages = useCallback((messages: Message[], hasOlder: boolean) => {
    messagesRef.current = messages;
    held.current = messages.at(-1)?.seq ?? 0;
    setState({ status: 'ready', messages, hasOlder, loadingOlder: false });
  }, []);

  const loadNewest = useCallback(async () => {
    const page = await get<{ messages: Message[]; lastSeq: number }>(
      `${base}/messages${qs({ limit: PAGE })}`,
    );
    replaceMessages(page.messages, (page.messages[0]?.seq ?? 1) > 1);
  }, [base, replaceMessages]);

  useEffect(() => {
    let cancelled = false;
    let unsubscribe: (() => void) | null = null;
    held.current = 0;
    messagesRef.current = [];
    setState({ status: 'loading', messages: [], hasOlder: false, loadingOlder: false });
    setPending([]);
    setTyping([]);
    setContactReadSeq(0);
    const timers = typingTimers.current;
    loadNewest()
      .then(() => {
        if (cancelled) return;
        unsubscribe = realtime.subscribeConversation(conversationId, {
          lastSeq: () => held.current,
          onMessage: (message) => {
            held.current = message.seq;
            messagesRef.current = [...messagesRef.current, message];
            setState((s) => ({ ...s, messages: messagesRef.current }));
            if (message.clientMsgId) {
              setPending((list) => list.filter((p) => p.clientMsgId !== message.clientMsgId));
            }
            if (message.senderKind === 'contact') clearTyping(`contact:${message.senderId}`);
          },
          onTyping: (actor, isTyping) => {
            if (actor.kind === 'agent' && actor.id === me) return;
            const key = `${actor.kind}:${actor.id}`;
            clearTyping(key);
            if (!isTyping) return;
            setTyping((list) => [...list, actor]);
            // A lost "stopped typing" must not leave the indicator on forever.
            timers.set(
              key,
              setTimeout(() => clearTyping(key), 6000),
            );
          },
          onRead: (reader, seq) => {
            if (reader.kind === 'contact') setContactReadSeq((current) => Math.max(current, seq));
          },
          onResync: () => {
            void loadNewest().then(() => realtime.resubscribeConversation(conversationId));
          },
        });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const notFound = error instanceof ApiError && (error.status === 404 || error.status === 400);
        setState({
          status: notFound ? 'not_found' : 'error',
          messages: [],
          hasOlder: false,
          loadingOlder: false,
        });
      });

    function clearTyping(key: string) {
      const timer = timers.get(key);
      if (timer) clearTimeout(timer);
      timers.delete(key);
      setTyping((list) => list.filter((a) => `${a.kind}:${a.id}` !== key));
    }

    return () => {
      cancelled = true;
      unsubscribe?.();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    };
  }, [conversationId, loadNewest, me]);

  const loadOlder = useCallback(async () => {
    const first = messagesRef.current[0];
    if (!first || first.seq <= 1) return;
    setState((s) => (s.loadingOlder ? s : { ...s, loadingOlder: true }));
    try {
      const page = await get<{ messages: Message[] }>(
        `${base}/messages${qs({ beforeSeq: first.seq, limit: OLDER_PAGE })}`,
      );
      // Another load may have run meanwhile; keep only what is still older than what we hold.
      const oldestHeld = messagesRef.current[0]?.seq ?? Number.POSITIVE_INFINITY;
      const older = page.messages.filter((m) => m.seq < oldestHeld);
      messagesRef.current = [...older, ...messagesRef.current];
      setState((s) => ({
        ...s,
        messages: messagesRef.current,
        hasOlder: (messagesRef.current[0]?.seq ?? 1) > 1,
        loadingOlder: false,
      }));
    } catch {
      setState((s) => ({ ...s, loadingOlder: false }));
    }
  }, [base]);

  const settle = useCallback((clientMsgId: string, message: Message | null, error?: string) => {
    setPending((list) =>
      message && message.seq <= held.current
        ? list.filter((p) => p.clientMsgId !== clientMsgId)
        : list.map((p) =>
            p.clientMsgId === clientMsgId
              ? { ...p, state: message ? ('sent' as const) : ('failed' as const), error }
              : p,
          ),
    );
  }, []);

  const deliver = useCallback(
    async (item: { clientMsgId: string; body: string; private: boolean; mentions?: string[] }) => {
      try {
        let message: Message;
        if (item.mentions?.length) {
          const { clientMsgId, body, mentions } = item;
          message = (await post<{ message: Message }>(`${base}/notes`, { clientMsgId, body, mentions }))
            .message;
          settle(item.clientMsgId, message);
          return;
        }
        try {
          message = await realtime.send({ conversationId, ...item });
        } catch (error) {
          // Not connected or no answer: the same clientMsgId over REST cannot create a duplicate.
          if (!(error instanceof ApiError) || error.code !== 'network_error') throw error;
          message = (await post<{ message: Message }>(`${base}/messages`, item)).message;
        }
        settle(item.clientMsgId, message);
      } catch (error) {
        settle(item.clientMsgId, null, error instanceof ApiError ? error.code : 'internal_error');
      }
    },
    [base, conversationId, settle],
  );

  const send = useCallback(
    (body: string, isPrivate: boolean, mentions?: string[]) => {
      const item = {
        clientMsgId: `dash-${crypto.randomUUID()}`,
        body,
        private: isPrivate,
        ...(isPrivate && mentions?.length ? { mentions } : {}),
      };
      setPending((list) => [...list, { ...item, state: 'sending', createdAt: new Date().toISOString() }]);
      void deliver(item);
    },
    [deliver],
  );

  const retry = useCallback(
    (clientMsgId: string) => {
      let item: PendingMessage | undefined;
      setPending((list) =>
        list.map((p) => {
          if (p.clientMsgId !== clientMsgId) return p;
          item = p;
          return { ...p, state: 'sending', error: undefined };
        }),
      );
      queueMicrotask(() => {
        if (item) void deliver(item);
      });
    },
    [deliver],
  );

  /** Tells the server (and the visitor's "Seen") how far this agent has read. */
  const markRead = useCallback(() => {
    const seq = held.current;
    const known = conversationStore.get(conversationId);
    if (seq === 0 || (known?.myLastReadSeq ?? 0) >= seq) return;
    conversationStore.markRead(conversationId, seq);
    if (!realtime.read(conversationId, seq)) {
      void post(`${base}/read`, { seq }).catch(() => undefined);
    }
  }, [base, conversationId]);

  return { ...state, pending, typing, contactReadSeq, loadOlder, send, retry, markRead, heldSeq: held };
}
