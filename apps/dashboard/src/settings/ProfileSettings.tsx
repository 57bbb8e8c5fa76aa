import {
  Alert,
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { PersonAvatar } from '../components/common.tsx';
import { locales, useI18n } from '../i18n/index.tsx';
import { ApiError, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { useReady, useSession } from '../lib/session.tsx';
import { NotificationPreferences } from '../notifications/NotificationPreferences.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

export function ProfileSettings() {
  const { t } = useI18n();
  const { session, account } = useReady();
  const { preferences, updatePreferences } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => post('/api/auth/password', { currentPassword: current, newPassword: next }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      notifications.show({
        color: 'teal',
        icon: <IconCheck size={16} />,
        message: t('profile.passwordChanged'),
      });
    },
  });
  const errors = fieldErrors(change.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <>
      <SectionHeader title={t('settings.profile')} subtitle={t('profile.subtitle')} />
      <Stack gap="lg">
        <Paper withBorder radius="lg" p="xl">
          <Group gap="lg">
            <PersonAvatar name={session.user.name} seed={session.user.id} size={64} />
            <div>
              <Title order={3} fz={18}>
                {session.user.name}
              </Title>
              <Text c="dimmed" fz="sm">
                {session.user.email}
              </Text>
              <Text c="dimmed" fz="xs" mt={4}>
                {account.accountName} · {t(`role.${account.role}`)}
              </Text>
            </div>
          </Group>
        </Paper>
        <Paper withBorder radius="lg" p="xl">
          <Title order={3} fz={16} mb="md">
            {t('profile.preferences')}
          </Title>
          <Stack gap="md">
            <Select
              label={t('user.language')}
              data={[{ value: '', label: t('user.languageAuto') }, ...locales]}
              value={preferences.locale ?? ''}
              onChange={(value) =>
                updatePreferences({
                  locale: value === 'en' || value === 'pt-BR' || value === 'ru' ? value : null,
                })
              }
              allowDeselect={false}
              maw={320}
            />
            <Switch
              label={t('profile.sound')}
              checked={!preferences.soundMuted}
              onChange={(e) => updatePreferences({ soundMuted: !e.currentTarget.checked })}
              data-testid="sound-switch"
            />
          </Stack>
        </Paper>
        <NotificationPreferences />
        <Paper withBorder radius="lg" p="xl">
          <Title order={3} fz={16} mb="md">
            {t('profile.changePassword')}
          </Title>
          <form onSubmit={submit}>
            <Stack gap="md" maw={360}>
              {change.isError && !Object.keys(errors).length ? (
                <Alert color="red">
                  {change.error instanceof ApiError && change.error.code === 'invalid_credentials'
                    ? t('profile.wrongPassword')
                    : errorMessage(change.error, t)}
                </Alert>
              ) : null}
              <TextInput type="hidden" value={session.user.email} autoComplete="username" readOnly hidden />
              <PasswordInput
                label={t('profile.currentPassword')}
                autoComplete="current-password"
                value={current}
                onChange={(e) => setCurrent(e.currentTarget.value)}
                error={errors.currentPassword}
                required
                name="currentPassword"
              />
              <PasswordInput
                label={t('profile.newPassword')}
                description={t('setup.passwordHint')}
                autoComplete="new-password"
                value={next}
                onChange={(e) => setNext(e.currentTarget.value)}
                error={errors.newPassword}
                required
                name="newPassword"
              />
              <Group>
                <Button type="submit" loading={change.isPending} disabled={!current || !next}>
                  {t('profile.changePassword')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      </Stack>
    </>
  );
}
