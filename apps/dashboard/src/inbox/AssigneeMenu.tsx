import { ActionIcon, Button, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Conversation } from '@parley/shared';
import {
  IconCheck,
  IconChevronDown,
  IconUserCircle,
  IconUserMinus,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { PersonAvatar } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';
import { conversationStore } from '../lib/conversation-store.ts';
import { useMembers, useTeams } from '../lib/queries.ts';
import { actionErrorMessage } from './action-errors.ts';

type Change =
  | { kind: 'assign'; assigneeId: string }
  | { kind: 'team'; teamId: string }
  | { kind: 'unassign' };

/** Who has the conversation: take it, give it to a colleague or a team, or put it back. */
export function AssigneeMenu({
  accountId,
  conversation,
  me,
  compact,
}: {
  accountId: string;
  conversation: Conversation;
  me: string;
  compact: boolean;
}) {
  const t = useT();
  const members = useMembers(accountId);
  const teams = useTeams(accountId);
  const base = `/api/accounts/${accountId}/conversations/${conversation.id}`;
  const change = useMutation({
    mutationFn: (c: Change) =>
      c.kind === 'assign'
        ? post<{ conversation: Conversation }>(`${base}/assign`, { assigneeId: c.assigneeId })
        : c.kind === 'team'
          ? post<{ conversation: Conversation }>(`${base}/transfer`, { teamId: c.teamId })
          : post<{ conversation: Conversation }>(`${base}/unassign`),
    onSuccess: ({ conversation: updated }) => conversationStore.upsert([updated]),
    onError: (error) => notifications.show({ color: 'red', message: actionErrorMessage(error, t) }),
  });
  const assignee = members.data?.find((m) => m.userId === conversation.assigneeId);
  const team = teams.data?.find((x) => x.id === conversation.teamId);
  const label = conversation.assigneeId
    ? conversation.assigneeId === me
      ? t('conversation.you')
      : (assignee?.name ?? t('assign.someone'))
    : team
      ? team.name
      : t('assign.unassigned');
  const closed = conversation.status === 'closed';
  const icon = conversation.assigneeId ? (
    <PersonAvatar name={assignee?.name ?? label} seed={conversation.assigneeId} size={22} />
  ) : team ? (
    <IconUsersGroup size={18} />
  ) : (
    <IconUserCircle size={18} />
  );
  return (
    <Menu position="bottom-end" width={260} withinPortal shadow="md" disabled={closed}>
      <Menu.Target>
        {compact ? (
          <ActionIcon
            variant="default"
            size={36}
            loading={change.isPending}
            aria-label={`${t('assign.title')}: ${label}`}
            title={`${t('assign.title')}: ${label}`}
            data-testid="assignee"
          >
            {icon}
          </ActionIcon>
        ) : (
          <Button
            variant="default"
            leftSection={icon}
            rightSection={<IconChevronDown size={14} />}
            loading={change.isPending}
            aria-label={`${t('assign.title')}: ${label}`}
            data-testid="assignee"
          >
            <Text fz="sm" maw={120} truncate>
              {label}
            </Text>
          </Button>
        )}
      </Menu.Target>
      <Menu.Dropdown>
        {conversation.assigneeId !== me ? (
          <Menu.Item
            leftSection={<IconCheck size={16} />}
            onClick={() => change.mutate({ kind: 'assign', assigneeId: 'me' })}
            data-testid="assign-me"
          >
            {t('assign.me')}
          </Menu.Item>
        ) : null}
        <Menu.Label>{t('assign.agents')}</Menu.Label>
        {(members.data ?? [])
          .filter((m) => m.userId !== me)
          .map((m) => (
            <Menu.Item
              key={m.userId}
              leftSection={<PersonAvatar name={m.name} seed={m.userId} size={22} />}
              rightSection={m.userId === conversation.assigneeId ? <IconCheck size={14} /> : null}
              onClick={() => change.mutate({ kind: 'assign', assigneeId: m.userId })}
            >
              {m.name}
            </Menu.Item>
          ))}
        {(teams.data?.length ?? 0) > 0 ? (
          <>
            <Menu.Label>{t('assign.teams')}</Menu.Label>
            {(teams.data ?? []).map((x) => (
              <Menu.Item
                key={x.id}
                leftSection={<IconUsersGroup size={16} />}
                onClick={() => change.mutate({ kind: 'team', teamId: x.id })}
              >
                {x.name}
              </Menu.Item>
            ))}
          </>
        ) : null}
        {conversation.assigneeId ? (
          <>
            <Menu.Divider />
            <Menu.Item
              color="red"
              leftSection={<IconUserMinus size={16} />}
              onClick={() => change.mutate({ kind: 'unassign' })}
            >
              {t('assign.unassign')}
            </Menu.Item>
          </>
        ) : null}
      </Menu.Dropdown>
    </Menu>
  );
}
