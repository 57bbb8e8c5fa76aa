import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import type { SessionInfo } from '@parley/shared';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { navigate } from '../lib/router.ts';
import { useSession } from '../lib/session.tsx';
import { AuthLayout } from './AuthLayout.tsx';

/** First run: creates the account and its admin, then opens the dashboard. */
export function SetupScreen() {
  const t = useT();
  const { signedIn } = useSession();
  const [form, setForm] = useState({ accountName: '', name: '', email: '', password: '' });
  const setup = useMutation({
    mutationFn: () => post<SessionInfo>('/api/setup', form),
    onSuccess: (info) => {
      navigate('/inbox/all', { replace: true });
      signedIn(info);
    },
  });
  const errors = fieldErrors(setup.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setup.mutate();
  };
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [key]: event.currentTarget.value }),
    error: errors[key],
  });
  return (
    <AuthLayout title={t('setup.title')} subtitle={t('setup.subtitle')}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {setup.isError && !Object.keys(errors).length ? (
            <Alert color="red" icon={<IconAlertCircle size={18} />}>
              {errorMessage(setup.error, t)}
            </Alert>
          ) : null}
          <TextInput
            label={t('setup.accountName')}
            placeholder={t('setup.accountNamePlaceholder')}
            name="accountName"
            required
            autoFocus
            {...field('accountName')}
          />
          <TextInput
            label={t('setup.yourName')}
            name="name"
            autoComplete="name"
            required
            {...field('name')}
          />
          <TextInput
            label={t('common.email')}
            name="email"
            type="email"
            autoComplete="email"
            required
            {...field('email')}
          />
          <PasswordInput
            label={t('common.password')}
            description={t('setup.passwordHint')}
            name="password"
            autoComplete="new-password"
            required
            {...field('password')}
          />
          <Button type="submit" size="md" loading={setup.isPending} fullWidth mt="xs">
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
