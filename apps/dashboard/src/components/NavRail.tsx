import {
  ActionIcon,
  ColorSwatch,
  Indicator,
  Menu,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { spotlight } from '@mantine/spotlight';
import type { Availability } from '@parley/shared';
import {
  IconAddressBook,
  IconBell,
  IconCheck,
  IconInbox,
  IconKeyboard,
  IconLanguage,
  IconLogout,
  IconMessageSearch,
  IconNotebook,
  IconSearch,
  IconSettings,
  IconUser,
  IconVolume,
  IconVolumeOff,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { locales, useI18n } from '../i18n/index.tsx';
import { notificationPermission, requestNotificationPermission } from '../lib/alerts.ts';
import { put } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { keys, useMembers } from '../lib/queries.ts';
import { linkHandler, navigate, useLocation } from '../lib/router.ts';
import { useReady, useSession } from '../lib/session.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { Logo, PersonAvatar } from './common.tsx';
import { openShortcutHelp } from './Shortcuts.tsx';

function RailLink({
  to,
  label,
  icon,
  active,
}: {
  to: string;
  label: string;
  icon: React.ReactNode;
  active: boolean;
}) {
  return (
    <Tooltip label={label} position="right">
      <UnstyledButton
        component="a"
        href={to}
        onClick={linkHandler(to)}
        className="rail__link"
        data-active={active || undefined}
        aria-label={label}
        aria-current={active ? 'page' : undefined}
      >
        {icon}
      </UnstyledButton>
    </Tooltip>
  );
}

const availabilityColors: Record<Availability, string> = { online: 'teal', away: 'yellow', offline: 'gray' };

/** The narrow bar on the left: where you are, search, and you. */
export function NavRail() {
  const { t, locale } = useI18n();
  const { pathname } = useLocation();
  const { session, account } = useReady();
  const { logout, preferences, updatePreferences, switchAccount } = useSession();
  const [permission, setPermission] = useState(notificationPermission);
  const queryClient = useQueryClient();
  const members = useMembers(account.accountId, 60_000);
  const availability = members.data?.find((m) => m.userId === session.user.id)?.availability ?? 'offline';
  const setAvailability = useMutation({
    mutationFn: (value: Availability) =>
      put<unknown>(`/api/accounts/${account.accountId}/me/availability`, { availability: value }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(account.accountId) }),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  return (
    <nav className="rail" aria-label="Main">
      <Stack gap={6} align="center">
        <UnstyledButton
          component="a"
          href="/inbox/all"
          onClick={linkHandler('/inbox/all')}
          mb="sm"
          aria-label="Parley"
        >
          <Logo size={34} />
        </UnstyledButton>
        <RailLink
          to="/inbox/all"
          label={t('nav.inbox')}
          icon={<IconInbox size={22} stroke={1.7} />}
          active={pathname.startsWith('/inbox')}
        />
        <RailLink
          to="/search"
          label={`${t('search.nav')} (/)`}
          icon={<IconMessageSearch size={22} stroke={1.7} />}
          active={pathname.startsWith('/search')}
        />
        <RailLink
          to="/contacts"
          label={t('contacts.nav')}
          icon={<IconAddressBook size={22} stroke={1.7} />}
          active={pathname.startsWith('/contacts')}
        />
        <RailLink
          to="/articles"
          label={t('articles.nav')}
          icon={<IconNotebook size={22} stroke={1.7} />}
          active={pathname.startsWith('/articles')}
        />
        <RailLink
          to="/settings/inboxes"
          label={t('nav.settings')}
          icon={<IconSettings size={22} stroke={1.7} />}
          active={pathname.startsWith('/settings')}
        />
        <Tooltip label={`${t('nav.search')} (Ctrl+K)`} position="right">
          <ActionIcon
            variant="subtle"
            color="gray"
            size={42}
            radius="md"
            onClick={() => spotlight.open()}
            aria-label={t('nav.search')}
          >
            <IconSearch size={21} stroke={1.7} />
          </ActionIcon>
        </Tooltip>
        <NotificationBell />
      </Stack>
      <Stack gap={6} align="center">
        <Tooltip label={`${t('nav.shortcuts')} (?)`} position="right">
          <ActionIcon
            variant="subtle"
            color="gray"
            size={42}
            radius="md"
            onClick={openShortcutHelp}
            aria-label={t('nav.shortcuts')}
            visibleFrom="sm"
          >
            <IconKeyboard size={21} stroke={1.7} />
          </ActionIcon>
        </Tooltip>
        <Menu position="right-end" width={260} shadow="md" withinPortal>
          <Menu.Target>
            <UnstyledButton aria-label={session.user.name} data-testid="user-menu">
              <Indicator
                color={availabilityColors[availability]}
                size={11}
                offset={4}
                position="bottom-end"
                withBorder
                data-availability={availability}
              >
                <PersonAvatar name={session.user.name} seed={session.user.id} size={36} />
              </Indicator>
            </UnstyledButton>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>
              <Text fz="sm" fw={600} c="var(--mantine-color-text)" truncate>
                {session.user.name}
              </Text>
              <Text fz="xs" c="dimmed" truncate>
                {session.user.email}
              </Text>
            </Menu.Label>
            <Menu.Divider />
            <Menu.Label>{t('availability.title')}</Menu.Label>
            {(['online', 'away', 'offline'] as const).map((value) => (
              <Menu.Item
                key={value}
                leftSection={
                  <ColorSwatch
                    color={`var(--mantine-color-${availabilityColors[value]}-6)`}
                    size={10}
                    withShadow={false}
                  />
                }
                rightSection={value === availability ? <IconCheck size={14} /> : null}
                onClick={() => setAvailability.mutate(value)}
                data-testid={`availability-${value}`}
              >
                {t(`availability.${value}`)}
              </Menu.Item>
            ))}
            {session.memberships.length > 1 ? (
              <>
                <Menu.Divider />
                {session.memberships.map((m) => (
                  <Menu.Item
                    key={m.accountId}
                    onClick={() => switchAccount(m.accountId)}
                    rightSection={m.accountId === account.accountId ? <IconCheck size={14} /> : null}
                  >
                    {m.accountName}
                  </Menu.Item>
                ))}
              </>
            ) : null}
            <Menu.Divider />
            <Menu.Item leftSection={<IconUser size={16} />} onClick={() => navigate('/settings/profile')}>
              {t('user.profile')}
            </Menu.Item>
            <Menu.Item
              leftSection={preferences.soundMuted ? <IconVolume size={16} /> : <IconVolumeOff size={16} />}
              onClick={() => updatePreferences({ soundMuted: !preferences.soundMuted })}
              data-testid="toggle-sound"
            >
              {preferences.soundMuted ? t('user.unmute') : t('user.mute')}
            </Menu.Item>
            {permission === 'default' ? (
              <Menu.Item
                leftSection={<IconBell size={16} />}
                onClick={() => void requestNotificationPermission().then(setPermission)}
              >
                {t('user.notifications')}
              </Menu.Item>
            ) : null}
            <Menu.Divider />
            <Menu.Sub position="right-start">
              <Menu.Sub.Target>
                <Menu.Sub.Item leftSection={<IconLanguage size={16} />} data-testid="language-menu">
                  {t('user.language')}: {locales.find((l) => l.value === locale)?.label}
                </Menu.Sub.Item>
              </Menu.Sub.Target>
              <Menu.Sub.Dropdown>
                {locales.map((l) => (
                  <Menu.Item
                    key={l.value}
                    onClick={() => updatePreferences({ locale: l.value })}
                    rightSection={l.value === locale ? <IconCheck size={14} /> : null}
                    data-locale={l.value}
                  >
                    {l.label}
                  </Menu.Item>
                ))}
              </Menu.Sub.Dropdown>
            </Menu.Sub>
            <Menu.Divider />
            <Menu.Item
              leftSection={<IconLogout size={16} />}
              color="red"
              onClick={() => void logout()}
              data-testid="logout"
            >
              {t('user.logout')}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Stack>
    </nav>
  );
}
