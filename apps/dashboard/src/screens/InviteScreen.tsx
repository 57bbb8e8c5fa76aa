import { Alert, Button, Center, Loader, PasswordInput, Stack, TextInput } from '@mantine/core';
import type { InvitationPreview, SessionInfo } from '@parley/shared';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { ApiError, get, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { navigate } from '../lib/router.ts';
import { useSession } from '../lib/session.tsx';
import { AuthLayout } from './AuthLayout.tsx';

/** Someone opened an invitation link: they choose a name and password (or confirm theirs) and are in. */
export function InviteScreen({ token }: { token: string }) {
  const t = useT();
  const { signedIn } = useSession();
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => get<InvitationPreview>(`/api/invitations/${encodeURIComponent(token)}`),
    retry: false,
  });
  const [name, setName] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const accept = useMutation({
    mutationFn: () =>
      post<SessionInfo>(`/api/invitations/${encodeURIComponent(token)}/accept`, {
        ...(preview.data?.existingUser ? {} : { name: name ?? preview.data?.name ?? '' }),
        password,
      }),
    onSuccess: (info) => {
      // The token is spent; keep it out of the address bar and history.
      navigate('/inbox/all', { replace: true });
      signedIn(info);
    },
  });

  if (preview.isPending) {
    return (
      <Center h="100dvh">
        <Loader type="dots" />
      </Center>
    );
  }
  if (preview.isError) {
    const expired = preview.error instanceof ApiError && preview.error.code === 'invitation_expired';
    return (
      <AuthLayout title={t('app.name')} subtitle="">
        <Stack>
          <Alert color="orange" icon={<IconAlertCircle size={18} />}>
            {expired ? t('invite.expired') : t('invite.notFound')}
          </Alert>
          <Button variant="light" onClick={() => navigate('/', { replace: true })}>
            {t('invite.goToLogin')}
          </Button>
        </Stack>
      </AuthLayout>
    );
  }
  const invitation = preview.data;
  const role = t(`role.${invitation.role}`);
  const errors = fieldErrors(accept.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate();
  };
  return (
    <AuthLayout
      title={t('invite.title', { account: invitation.accountName })}
      subtitle={
        invitation.existingUser
          ? t('invite.subtitleExisting', { role, email: invitation.email })
          : t('invite.subtitle', { role })
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {accept.isError && !Object.keys(errors).length ? (
            <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
              {accept.error instanceof ApiError && accept.error.code === 'invalid_credentials'
                ? t('login.failed')
                : errorMessage(accept.error, t)}
            </Alert>
          ) : null}
          <TextInput label={t('common.email')} value={invitation.email} readOnly variant="filled" />
          {invitation.existingUser ? null : (
            <TextInput
              label={t('common.name')}
              name="name"
              autoComplete="name"
              required
              autoFocus
              value={name ?? invitation.name ?? ''}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
            />
          )}
          <PasswordInput
            label={t('common.password')}
            description={invitation.existingUser ? undefined : t('setup.passwordHint')}
            name="password"
            autoComplete={invitation.existingUser ? 'current-password' : 'new-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <Button type="submit" size="md" loading={accept.isPending} fullWidth mt="xs">
            {t('invite.submit')}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
