import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import type { SessionInfo } from '@parley/shared';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { ApiError, post } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useSession } from '../lib/session.tsx';
import { AuthLayout } from './AuthLayout.tsx';

export function LoginScreen() {
  const t = useT();
  const { signedIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => post<SessionInfo>('/api/auth/login', { email, password }),
    onSuccess: signedIn,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  const message =
    login.error instanceof ApiError &&
    (login.error.code === 'invalid_credentials' || login.error.code === 'validation_failed')
      ? t('login.failed')
      : errorMessage(login.error, t);
  return (
    <AuthLayout title={t('login.title')} subtitle={t('login.subtitle')}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {login.isError ? (
            <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
              {message}
            </Alert>
          ) : null}
          <TextInput
            label={t('common.email')}
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('common.password')}
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" size="md" loading={login.isPending} fullWidth mt="xs">
            {t('login.submit')}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
