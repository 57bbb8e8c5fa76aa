import {
  ActionIcon,
  Avatar,
  Button,
  Group,
  Menu,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Team } from '@parley/shared';
import { IconDots, IconPencil, IconPlus, IconTrash, IconUsersGroup, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Empty, PersonAvatar } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { del, patch, post, put } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { keys, useMembers, useTeams } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

function NameModal({
  opened,
  title,
  initial,
  onClose,
  onSubmit,
  pending,
  error,
}: {
  opened: boolean;
  title: string;
  initial: string;
  onClose: () => void;
  onSubmit: (name: string) => void;
  pending: boolean;
  error: unknown;
}) {
  const t = useT();
  const [name, setName] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(name);
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('common.name')}
            placeholder={t('teams.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldErrors(error).name ?? (error ? errorMessage(error, t) : undefined)}
            data-autofocus
            required
            name="teamName"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={pending} disabled={!name.trim()}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function TeamCard({ team, isAdmin }: { team: Team; isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const members = useMembers(account.accountId);
  const [renaming, setRenaming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.teams(account.accountId) });
  const onError = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error, t) });
  const rename = useMutation({
    mutationFn: (name: string) => patch(`/api/accounts/${account.accountId}/teams/${team.id}`, { name }),
    onSuccess: () => {
      setRenaming(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/accounts/${account.accountId}/teams/${team.id}`),
    onSuccess: refresh,
    onError,
  });
  const membership = useMutation({
    mutationFn: ({ userId, add }: { userId: string; add: boolean }) =>
      add
        ? put(`/api/accounts/${account.accountId}/teams/${team.id}/members/${userId}`)
        : del(`/api/accounts/${account.accountId}/teams/${team.id}/members/${userId}`),
    onSuccess: refresh,
    onError,
  });
  const confirm = useConfirm();
  const byId = new Map((members.data ?? []).map((m) => [m.userId, m]));
  const inTeam = team.memberIds.flatMap((id) => {
    const m = byId.get(id);
    return m ? [m] : [];
  });
  const addable = (members.data ?? []).filter((m) => !team.memberIds.includes(m.userId));
  return (
    <Paper withBorder radius="lg" p="lg" data-team={team.name}>
      {confirm.dialog}
      <Group justify="space-between" mb="md" wrap="nowrap">
        <Group gap="sm" wrap="nowrap">
          <Avatar color="brand" variant="light" radius="md">
            <IconUsersGroup size={20} />
          </Avatar>
          <div>
            <Text fw={650}>{team.name}</Text>
            <Text fz="xs" c="dimmed">
              {t('teams.members')}: {inTeam.length}
            </Text>
          </div>
        </Group>
        {isAdmin ? (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={t('common.more')}>
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => setRenaming(true)}>
                {t('teams.rename')}
              </Menu.Item>
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={14} />}
                onClick={() =>
                  confirm.ask(t('teams.deleteConfirm', { name: team.name }), t('common.delete'), () =>
                    remove.mutate(),
                  )
                }
              >
                {t('common.delete')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        ) : null}
      </Group>
      <Stack gap="xs">
        {inTeam.length === 0 ? (
          <Text fz="sm" c="dimmed">
            {t('teams.noMembers')}
          </Text>
        ) : (
          inTeam.map((m) => (
            <Group key={m.userId} justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <PersonAvatar name={m.name} seed={m.userId} size={28} />
                <Text fz="sm">{m.name}</Text>
              </Group>
              {isAdmin ? (
                <Tooltip label={t('common.remove')}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="sm"
                    onClick={() => membership.mutate({ userId: m.userId, add: false })}
                    aria-label={t('common.remove')}
                  >
                    <IconX size={14} />
                  </ActionIcon>
                </Tooltip>
              ) : null}
            </Group>
          ))
        )}
        {isAdmin && addable.length > 0 ? (
          <Select
            size="xs"
            mt="xs"
            placeholder={t('teams.addMember')}
            data={addable.map((m) => ({ value: m.userId, label: m.name }))}
            value={null}
            onChange={(value) => value && membership.mutate({ userId: value, add: true })}
            searchable
            aria-label={t('teams.addMember')}
          />
        ) : null}
      </Stack>
      {renaming ? (
        <NameModal
          opened
          title={t('teams.rename')}
          initial={team.name}
          onClose={() => setRenaming(false)}
          onSubmit={(name) => rename.mutate(name)}
          pending={rename.isPending}
          error={rename.error}
        />
      ) : null}
    </Paper>
  );
}

export function TeamsSettings({ isAdmin }: { isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const teams = useTeams(account.accountId);
  const [creating, setCreating] = useState(false);
  const create = useMutation({
    mutationFn: (name: string) => post(`/api/accounts/${account.accountId}/teams`, { name }),
    onSuccess: () => {
      setCreating(false);
      void queryClient.invalidateQueries({ queryKey: keys.teams(account.accountId) });
    },
  });
  const createButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-team">
      {t('teams.create')}
    </Button>
  ) : null;
  return (
    <>
      <SectionHeader title={t('settings.teams')} subtitle={t('teams.subtitle')} action={createButton} />
      {teams.data?.length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconUsersGroup size={26} />}
            title={t('teams.empty.title')}
            description={t('teams.empty.description')}
          >
            {createButton}
          </Empty>
        </Paper>
      ) : (
        <Stack gap="md">
          {(teams.data ?? []).map((team) => (
            <TeamCard key={team.id} team={team} isAdmin={isAdmin} />
          ))}
        </Stack>
      )}
      {creating ? (
        <NameModal
          opened
          title={t('teams.create')}
          initial=""
          onClose={() => {
            setCreating(false);
            create.reset();
          }}
          onSubmit={(name) => create.mutate(name)}
          pending={create.isPending}
          error={create.error}
        />
      ) : null}
    </>
  );
}
