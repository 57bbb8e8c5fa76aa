import { Alert, Button, Center, Stack, Text } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { lazy, useEffect, useState } from 'react';
import { FullPageLoader } from './components/common.tsx';
import { LazyPart, LazyScreen } from './components/LazyBoundary.tsx';
import { NavRail } from './components/NavRail.tsx';
import { ShortcutHelp } from './components/Shortcuts.tsx';
import { useT } from './i18n/index.tsx';
import { useAccountFeed } from './inbox/feed.ts';
import { InboxScreen } from './inbox/InboxScreen.tsx';
import { useConnectionState } from './lib/realtime-instance.ts';
import { match, navigate, useLocation } from './lib/router.ts';
import { useReady, useSession } from './lib/session.tsx';
import { InviteScreen } from './screens/InviteScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { SetupScreen } from './screens/SetupScreen.tsx';
import { useSearchShortcut } from './search/shortcut.ts';

// Settings are visited rarely; they load on first visit instead of with the inbox.
const SettingsScreen = lazy(() =>
  import('./settings/SettingsScreen.tsx').then((m) => ({ default: m.SettingsScreen })),
);
const ContactsScreen = lazy(() =>
  import('./contacts/ContactsScreen.tsx').then((m) => ({ default: m.ContactsScreen })),
);
const ArticlesScreen = lazy(() =>
  import('./articles/ArticlesScreen.tsx').then((m) => ({ default: m.ArticlesScreen })),
);
// The command palette (Mantine Spotlight) mounts right after the first paint instead of delaying it.
const CommandPalette = lazy(() =>
  import('./components/CommandPalette.tsx').then((m) => ({ default: m.CommandPalette })),
);
const SearchScreen = lazy(() =>
  import('./search/SearchScreen.tsx').then((m) => ({ default: m.SearchScreen })),
);

/** Shown only when the socket has been down for a moment, not during the first connect. */
function ConnectionBanner() {
  const t = useT();
  const state = useConnectionState();
  const [late, setLate] = useState(false);
  useEffect(() => {
    setLate(false);
    if (state === 'online') return;
    const timer = setTimeout(() => setLate(true), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  if (state === 'online' || !late) return null;
  return (
    <div className="connection" role="status" data-state={state}>
      {t('common.offline')}
    </div>
  );
}

/** Everything after sign-in: the rail, the screen for the current path, palette and shortcuts. */
function Workspace() {
  const { pathname } = useLocation();
  const { session, account } = useReady();
  const { preferences } = useSession();
  useAccountFeed(account.accountId, session.user.id, preferences.soundMuted);

  const inbox = match('/inbox/:view/:conversationId?', pathname);
  const settings = match('/settings/:section?/:id?', pathname);
  const contacts = match('/contacts/:id?', pathname);
  const articles = match('/articles/:id?', pathname);
  const search = match('/search', pathname);
  useSearchShortcut();
  useEffect(() => {
    if (!inbox && !settings && !contacts && !articles && !search) navigate('/inbox/all', { replace: true });
  }, [inbox, settings, contacts, articles, search]);

  return (
    <div className="shell">
      <NavRail />
      <main className="shell__main">
        <ConnectionBanner />
        {inbox ? (
          <InboxScreen view={inbox.view ?? 'all'} conversationId={inbox.conversationId} />
        ) : settings ? (
          <LazyScreen key="settings">
            <SettingsScreen section={settings.section ?? 'inboxes'} id={settings.id} />
          </LazyScreen>
        ) : contacts ? (
          <LazyScreen key="contacts">
            <ContactsScreen contactId={contacts.id} />
          </LazyScreen>
        ) : articles ? (
          <LazyScreen key="articles">
            <ArticlesScreen id={articles.id} />
          </LazyScreen>
        ) : search ? (
          <LazyScreen key="search">
            <SearchScreen />
          </LazyScreen>
        ) : null}
      </main>
      <LazyPart>
        <CommandPalette />
      </LazyPart>
      <ShortcutHelp />
    </div>
  );
}

export function App() {
  const t = useT();
  const { state, logout } = useSession();
  const { pathname } = useLocation();
  const invite = match('/invite/:token', pathname);
  if (invite?.token) return <InviteScreen token={invite.token} />;
  switch (state.status) {
    case 'loading':
      return <FullPageLoader />;
    case 'unreachable':
      return (
        <Center h="100dvh">
          <Stack align="center">
            <IconPlugConnectedX size={40} color="var(--mantine-color-gray-6)" />
            <Text>{t('error.network')}</Text>
            <Button onClick={state.retry}>{t('common.retry')}</Button>
          </Stack>
        </Center>
      );
    case 'setup':
      return <SetupScreen />;
    case 'anonymous':
      return <LoginScreen />;
    case 'no_account':
      return (
        <Center h="100dvh">
          <Stack align="center" maw={420}>
            <Alert color="orange">{t('invite.notFound')}</Alert>
            <Button variant="light" onClick={() => void logout()}>
              {t('user.logout')}
            </Button>
          </Stack>
        </Center>
      );
    case 'ready':
      return <Workspace />;
  }
}
