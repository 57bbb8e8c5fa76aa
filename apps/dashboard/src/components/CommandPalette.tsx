import { Spotlight, type SpotlightActionData } from '@mantine/spotlight';
import {
  IconInbox,
  IconLogout,
  IconMessageCircle,
  IconPlus,
  IconSearch,
  IconStack2,
  IconUser,
  IconUserPlus,
  IconUserQuestion,
  IconUsers,
  IconUsersGroup,
  IconVolume,
} from '@tabler/icons-react';
import { useMemo } from 'react';
import { useT } from '../i18n/index.tsx';
import { byActivity, useConversations } from '../lib/conversation-store.ts';
import { navigate } from '../lib/router.ts';
import { useReady, useSession } from '../lib/session.tsx';

/** Ctrl/Cmd+K: jump to a conversation by name, number or text, or run a command. */
export function CommandPalette() {
  const t = useT();
  const { account } = useReady();
  const { logout, preferences, updatePreferences } = useSession();
  const conversations = useConversations();
  const isAdmin = account.role === 'admin';

  const actions = useMemo(() => {
    const commands: SpotlightActionData[] = [
      {
        id: 'go-mine',
        label: t('palette.goMine'),
        leftSection: <IconUser size={18} />,
        onClick: () => navigate('/inbox/mine'),
      },
      {
        id: 'go-unassigned',
        label: t('palette.goUnassigned'),
        leftSection: <IconUserQuestion size={18} />,
        onClick: () => navigate('/inbox/unassigned'),
      },
      {
        id: 'go-all',
        label: t('palette.goAll'),
        leftSection: <IconStack2 size={18} />,
        onClick: () => navigate('/inbox/all'),
      },
      {
        id: 'go-inboxes',
        label: t('palette.goInboxes'),
        leftSection: <IconInbox size={18} />,
        onClick: () => navigate('/settings/inboxes'),
      },
      {
        id: 'go-agents',
        label: t('palette.goAgents'),
        leftSection: <IconUsers size={18} />,
        onClick: () => navigate('/settings/agents'),
      },
      {
        id: 'go-teams',
        label: t('palette.goTeams'),
        leftSection: <IconUsersGroup size={18} />,
        onClick: () => navigate('/settings/teams'),
      },
      {
        id: 'go-profile',
        label: t('palette.goProfile'),
        leftSection: <IconUser size={18} />,
        onClick: () => navigate('/settings/profile'),
      },
      ...(isAdmin
        ? [
            {
              id: 'new-inbox',
              label: t('palette.newInbox'),
              leftSection: <IconPlus size={18} />,
              onClick: () => navigate('/settings/inboxes?new=1'),
            },
            {
              id: 'invite',
              label: t('palette.invite'),
              leftSection: <IconUserPlus size={18} />,
              onClick: () => navigate('/settings/agents'),
            },
          ]
        : []),
      {
        id: 'sound',
        label: t('palette.toggleSound'),
        leftSection: <IconVolume size={18} />,
        onClick: () => updatePreferences({ soundMuted: !preferences.soundMuted }),
      },
      {
        id: 'logout',
        label: t('palette.logout'),
        leftSection: <IconLogout size={18} />,
        onClick: () => void logout(),
      },
    ];
    const recent = [...conversations].sort(byActivity).slice(0, 50);
    return [
      {
        group: t('palette.conversations'),
        actions: recent.map((c) => ({
          id: `conversation-${c.id}`,
          label: `${c.contactName ?? t('list.visitor', { number: c.number })} · #${c.number}`,
          description: c.lastMessagePreview ?? '',
          keywords: [String(c.number), c.lastMessagePreview ?? ''],
          leftSection: <IconMessageCircle size={18} />,
          onClick: () => navigate(`/inbox/all/${c.id}`),
        })),
      },
      { group: t('palette.commands'), actions: commands },
    ];
  }, [t, conversations, isAdmin, logout, preferences.soundMuted, updatePreferences]);

  return (
    <Spotlight
      actions={actions}
      shortcut={['mod + K']}
      nothingFound={t('palette.nothing')}
      highlightQuery
      limit={12}
      scrollable
      maxHeight={420}
      searchProps={{ leftSection: <IconSearch size={18} />, placeholder: t('palette.placeholder') }}
    />
  );
}
