import type { Locale, Preferences, SessionInfo } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { browserLocale } from '../i18n/index.tsx';
import { ApiError, get, onUnauthenticated, patch, post, setCsrfToken } from './api.ts';
import { conversationStore } from './conversation-store.ts';
import { realtime } from './realtime-instance.ts';

type Membership = SessionInfo['memberships'][number];

export type SessionState =
  | { status: 'loading' }
  | { status: 'unreachable'; retry: () => void }
  | { status: 'setup' }
  | { status: 'anonymous' }
  | { status: 'no_account'; session: SessionInfo }
  | { status: 'ready'; session: SessionInfo; account: Membership };

interface SessionApi {
  state: SessionState;
  /** The language to show: the user's choice, else this browser's last choice, else the browser's. */
  locale: Locale;
  signedIn(info: SessionInfo): void;
  logout(): Promise<void>;
  switchAccount(accountId: string): void;
  preferences: Preferences;
  updatePreferences(change: Partial<Preferences>): void;
}

const ACCOUNT_KEY = 'parley.accountId';
const LOCALE_KEY = 'parley.locale';
const defaults: Preferences = { soundMuted: false, locale: null };

const SessionContext = createContext<SessionApi | null>(null);

/** Before sign-in the language comes from this browser's last choice; afterwards from the user's preferences. */
export function storedLocale(): Locale | null {
  const value = localStorage.getItem(LOCALE_KEY);
  return value === 'en' || value === 'pt-BR' || value === 'ru' ? value : null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [accountId, setAccountId] = useState<string | null>(() => localStorage.getItem(ACCOUNT_KEY));
  const [localLocale, setLocalLocale] = useState<Locale | null>(storedLocale);

  const setup = useQuery({
    queryKey: ['setup'],
    queryFn: () => get<{ needsSetup: boolean }>('/api/setup'),
    staleTime: Number.POSITIVE_INFINITY,
    retry: 2,
  });
  const session = useQuery({
    queryKey: ['session'],
    enabled: setup.data?.needsSetup === false,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      try {
        return await get<SessionInfo>('/api/auth/session');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  });
  const info = session.data ?? null;
  setCsrfToken(info?.csrfToken ?? null);

  const preferences = useQuery({
    queryKey: ['preferences'],
    enabled: info !== null,
    queryFn: () => get<Preferences>('/api/me/preferences'),
    staleTime: Number.POSITIVE_INFINITY,
  });

  const signedOut = useCallback(() => {
    realtime.stop();
    conversationStore.clear();
    setCsrfToken(null);
    queryClient.setQueryData(['session'], null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' && q.queryKey[0] !== 'setup' });
  }, [queryClient]);

  useEffect(() => onUnauthenticated(signedOut), [signedOut]);
  useEffect(() => {
    realtime.onSessionEnded = () => {
      // The socket closes when the session ends elsewhere; confirm over REST before signing out,
      // and reconnect if this session turns out to be still valid.
      void queryClient.refetchQueries({ queryKey: ['session'] }).then(() => {
        if (queryClient.getQueryData(['session'])) realtime.start();
      });
    };
  }, [queryClient]);
  useEffect(() => {
    if (info) realtime.start();
    else realtime.stop();
  }, [info]);

  const savePreferences = useMutation({
    mutationFn: (change: Partial<Preferences>) => patch<Preferences>('/api/me/preferences', change),
    onMutate: (change) => {
      const previous = queryClient.getQueryData<Preferences>(['preferences']);
      queryClient.setQueryData<Preferences>(['preferences'], { ...defaults, ...previous, ...change });
      return { previous };
    },
    onError: (_error, _change, context) => queryClient.setQueryData(['preferences'], context?.previous),
    onSuccess: (saved) => queryClient.setQueryData(['preferences'], saved),
  });

  const api = useMemo<SessionApi>(() => {
    let state: SessionState;
    if (setup.isPending || (setup.data?.needsSetup === false && session.isPending))
      state = { status: 'loading' };
    else if (setup.isError || session.isError)
      state = {
        status: 'unreachable',
        retry: () => {
          void setup.refetch();
          void session.refetch();
        },
      };
    else if (setup.data?.needsSetup && !info) state = { status: 'setup' };
    else if (!info) state = { status: 'anonymous' };
    else {
      const account = info.memberships.find((m) => m.accountId === accountId) ?? info.memberships[0];
      state = account ? { status: 'ready', session: info, account } : { status: 'no_account', session: info };
    }
    return {
      state,
      locale: preferences.data?.locale ?? localLocale ?? browserLocale(),
      preferences: preferences.data ?? defaults,
      signedIn: (next) => {
        setCsrfToken(next.csrfToken);
        queryClient.setQueryData(['setup'], { needsSetup: false });
        queryClient.setQueryData(['session'], next);
        void queryClient.invalidateQueries({ queryKey: ['preferences'] });
      },
      logout: async () => {
        try {
          await post('/api/auth/logout');
        } finally {
          signedOut();
        }
      },
      switchAccount: (id) => {
        localStorage.setItem(ACCOUNT_KEY, id);
        conversationStore.clear();
        setAccountId(id);
      },
      updatePreferences: (change) => {
        if (change.locale !== undefined) {
          if (change.locale) localStorage.setItem(LOCALE_KEY, change.locale);
          else localStorage.removeItem(LOCALE_KEY);
          setLocalLocale(change.locale);
        }
        if (info) savePreferences.mutate(change);
      },
    };
  }, [
    setup,
    session,
    info,
    accountId,
    localLocale,
    preferences.data,
    queryClient,
    signedOut,
    savePreferences,
  ]);

  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in state; only for screens rendered after sign-in. */
export function useReady(): Extract<SessionState, { status: 'ready' }> {
  const { state } = useSession();
  if (state.status !== 'ready') throw new Error('useReady before sign-in');
  return state;
}
