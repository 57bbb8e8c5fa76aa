import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  Paper,
  Select,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { CreatedInvitation, Member, Role, RoutingProfile } from '@parley/shared';
import {
  IconAdjustments,
  IconDots,
  IconLink,
  IconMailForward,
  IconTrash,
  IconUserPlus,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Copyable } from '../components/Copyable.tsx';
import { PersonAvatar } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ApiError, del, patch, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { keys, useInvitations, useMembers } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import { RoutingModal, useRoutingProfiles } from './AgentRouting.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

const roles: Role[] = ['admin', 'supervisor', 'agent'];
const roleColors: Record<Role, string> = { admin: 'grape', supervisor: 'blue', agent: 'gray' };

function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<{ email: string; name: string; role: Role }>({
    email: '',
    name: '',
    role: 'agent',
  });
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const invite = useMutation({
    mutationFn: () =>
      post<CreatedInvitation>(`/api/accounts/${account.accountId}/invitations`, {
        email: form.email,
        role: form.role,
        ...(form.name.trim() ? { name: form.name } : {}),
      }),
    onSuccess: (data) => {
      setCreated(data);
      void queryClient.invalidateQueries({ queryKey: keys.invitations(account.accountId) });
    },
  });
  const close = () => {
    onClose();
    setCreated(null);
    setForm({ email: '', name: '', role: 'agent' });
    invite.reset();
  };
  const errors = fieldErrors(invite.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('agents.inviteTitle')} size="lg">
      {created ? (
        <Stack>
          <Alert color="teal" icon={<IconLink size={18} />} title={t('agents.inviteLink')}>
            {t('agents.inviteLinkHelp', { email: created.invitation.email })}
          </Alert>
          <Copyable value={created.url} testId="invite-link" multiline />
          <Group justify="flex-end">
            <Button onClick={close}>{t('agents.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <Text fz="sm" c="dimmed">
              {t('agents.inviteDescription')}
            </Text>
            {invite.isError && !Object.keys(errors).length ? (
              <Alert color="red">
                {invite.error instanceof ApiError && invite.error.code === 'member_exists'
                  ? t('agents.memberExists')
                  : errorMessage(invite.error, t)}
              </Alert>
            ) : null}
            <TextInput
              label={t('common.email')}
              type="email"
              required
              data-autofocus
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
              error={errors.email}
              name="inviteEmail"
            />
            <TextInput
              label={t('common.name')}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              error={errors.name}
              name="inviteName"
            />
            <Select
              label={t('common.role')}
              data={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
              value={form.role}
              onChange={(value) => value && setForm({ ...form, role: value as Role })}
              allowDeselect={false}
              name="inviteRole"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={invite.isPending} leftSection={<IconMailForward size={16} />}>
                {t('agents.invite')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function MemberRow({
  member,
  isAdmin,
  me,
  profile,
}: {
  member: Member;
  isAdmin: boolean;
  me: string;
  profile: RoutingProfile | undefined;
}) {
  const [routing, setRouting] = useState(false);
  const { t } = useI18n();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const onError = (error: unknown) =>
    notifications.show({
      color: 'red',
      message:
        error instanceof ApiError && error.code === 'last_admin'
          ? t('agents.lastAdmin')
          : errorMessage(error, t),
    });
  const changeRole = useMutation({
    mutationFn: (role: Role) => patch(`/api/accounts/${account.accountId}/agents/${member.userId}`, { role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(account.accountId) }),
    onError,
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/accounts/${account.accountId}/agents/${member.userId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(account.accountId) }),
    onError,
  });
  const confirm = useConfirm();
  return (
    <Group className="table-row" justify="space-between" wrap="nowrap" data-member-email={member.email}>
      {confirm.dialog}
      <Group gap="md" wrap="nowrap" style={{ minWidth: 0 }}>
        <PersonAvatar name={member.name} seed={member.userId} size={38} />
        <div style={{ minWidth: 0 }}>
          <Text fw={600} fz="sm" truncate>
            {member.name}
            {member.userId === me ? (
              <Text span c="dimmed" fw={400}>
                {' '}
                ({t('common.you')})
              </Text>
            ) : null}
          </Text>
          <Text fz="xs" c="dimmed" truncate>
            {member.email}
          </Text>
        </div>
      </Group>
      <Group gap="sm" wrap="nowrap">
        {profile ? (
          <Text fz="xs" c="dimmed" data-testid="agent-load" visibleFrom="sm">
            {t('agents.load', { load: profile.load, capacity: profile.capacity })}
          </Text>
        ) : null}
        {isAdmin && profile ? (
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={t('agents.routing')}
            onClick={() => setRouting(true)}
            data-testid="agent-routing"
          >
            <IconAdjustments size={16} />
          </ActionIcon>
        ) : null}
        {routing && profile ? <RoutingModal profile={profile} onClose={() => setRouting(false)} /> : null}
        {isAdmin ? (
          <Select
            size="xs"
            w={140}
            data={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            value={member.role}
            onChange={(value) => value && value !== member.role && changeRole.mutate(value as Role)}
            allowDeselect={false}
            aria-label={t('common.role')}
          />
        ) : (
          <Badge color={roleColors[member.role]} variant="light">
            {t(`role.${member.role}`)}
          </Badge>
        )}
        {isAdmin && member.userId !== me ? (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={t('common.more')}>
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={14} />}
                onClick={() =>
                  confirm.ask(t('agents.removeConfirm', { name: member.name }), t('common.remove'), () =>
                    remove.mutate(),
                  )
                }
              >
                {t('common.remove')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        ) : null}
      </Group>
    </Group>
  );
}

export function AgentsSettings({ isAdmin }: { isAdmin: boolean }) {
  const { t, formatDate } = useI18n();
  const { account, session } = useReady();
  const queryClient = useQueryClient();
  const members = useMembers(account.accountId);
  const invitations = useInvitations(account.accountId, isAdmin);
  const profiles = useRoutingProfiles(account.accountId, isAdmin);
  const [inviting, setInviting] = useState(false);
  const revoke = useMutation({
    mutationFn: (id: string) => del(`/api/accounts/${account.accountId}/invitations/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.invitations(account.accountId) }),
  });
  return (
    <>
      <SectionHeader
        title={t('settings.agents')}
        subtitle={t('agents.subtitle')}
        action={
          isAdmin ? (
            <Button
              leftSection={<IconUserPlus size={16} />}
              onClick={() => setInviting(true)}
              data-testid="invite-agent"
            >
              {t('agents.invite')}
            </Button>
          ) : null
        }
      />
      <Paper withBorder radius="lg" className="table-card">
        {members.isPending
          ? [0, 1].map((i) => <Skeleton key={i} h={40} m="md" w="auto" />)
          : (members.data ?? []).map((m) => (
              <MemberRow
                key={m.userId}
                member={m}
                isAdmin={isAdmin}
                me={session.user.id}
                profile={profiles.data?.find((p) => p.userId === m.userId)}
              />
            ))}
      </Paper>
      {isAdmin && (invitations.data?.length ?? 0) > 0 ? (
        <>
          <Title order={3} fz={16} mt="xl" mb="sm">
            {t('agents.pending')}
          </Title>
          <Paper withBorder radius="lg" className="table-card">
            {(invitations.data ?? []).map((inv) => (
              <Group key={inv.id} className="table-row" justify="space-between" wrap="nowrap">
                <Group gap="md" wrap="nowrap">
                  <PersonAvatar name={inv.name ?? inv.email} seed={inv.email} size={38} />
                  <div>
                    <Text fw={600} fz="sm">
                      {inv.name ?? inv.email}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {inv.email} · {t('agents.expires', { date: formatDate(inv.expiresAt) })}
                    </Text>
                  </div>
                </Group>
                <Group gap="sm" wrap="nowrap">
                  <Badge color={roleColors[inv.role]} variant="light">
                    {t(`role.${inv.role}`)}
                  </Badge>
                  <Button variant="subtle" color="red" size="xs" onClick={() => revoke.mutate(inv.id)}>
                    {t('agents.revoke')}
                  </Button>
                </Group>
              </Group>
            ))}
          </Paper>
        </>
      ) : null}
      {!isAdmin ? (
        <Text fz="sm" c="dimmed" mt="md">
          {t('settings.adminOnly')}
        </Text>
      ) : null}
      <InviteModal opened={inviting} onClose={() => setInviting(false)} />
    </>
  );
}
