import {
  Alert,
  Badge,
  Button,
  ColorSwatch,
  Group,
  Modal,
  Paper,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import type { Inbox } from '@parley/shared';
import { IconChevronRight, IconInbox, IconPlus, IconWorld } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Empty } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { keys, useInboxes } from '../lib/queries.ts';
import { linkHandler, navigate, useLocation } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

function CreateInboxModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () =>
      post<{ inbox: Inbox }>(`/api/accounts/${account.accountId}/inboxes`, { name, channelType: 'web' }),
    onSuccess: ({ inbox }) => {
      void queryClient.invalidateQueries({ queryKey: keys.inboxes(account.accountId) });
      onClose();
      setName('');
      navigate(`/settings/inboxes/${inbox.id}?created=1`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('inboxes.createTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <Text fz="sm" c="dimmed">
            {t('inboxes.createDescription')}
          </Text>
          {create.isError && !fieldErrors(create.error).name ? (
            <Alert color="red">{errorMessage(create.error, t)}</Alert>
          ) : null}
          <TextInput
            label={t('common.name')}
            placeholder={t('inboxes.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldErrors(create.error).name}
            data-autofocus
            required
            name="inboxName"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function InboxesSettings({ isAdmin }: { isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const { search } = useLocation();
  const inboxes = useInboxes(account.accountId);
  const [creating, setCreating] = useState(search.get('new') === '1' && isAdmin);
  const createButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-inbox">
      {t('inboxes.create')}
    </Button>
  ) : null;
  return (
    <>
      <SectionHeader title={t('settings.inboxes')} subtitle={t('inboxes.subtitle')} action={createButton} />
      {inboxes.data?.length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconInbox size={26} />}
            title={t('inboxes.empty.title')}
            description={t('inboxes.empty.description')}
          >
            {createButton}
          </Empty>
        </Paper>
      ) : (
        <Paper withBorder radius="lg" className="table-card">
          {(inboxes.data ?? []).map((inbox) => (
            <UnstyledButton
              key={inbox.id}
              component="a"
              href={`/settings/inboxes/${inbox.id}`}
              onClick={linkHandler(`/settings/inboxes/${inbox.id}`)}
              className="table-row"
              data-inbox-id={inbox.id}
            >
              <Group gap="md" wrap="nowrap">
                <ColorSwatch color={inbox.settings.color} size={36} radius="md" withShadow={false}>
                  <IconWorld size={18} color="white" />
                </ColorSwatch>
                <div>
                  <Text fw={600} fz="sm">
                    {inbox.name}
                  </Text>
                  <Text fz="xs" c="dimmed">
                    {inbox.settings.allowedOrigins.length > 0
                      ? inbox.settings.allowedOrigins.join(', ')
                      : t(`inboxes.channel.${inbox.channelType}`)}
                  </Text>
                </div>
              </Group>
              <Group gap="sm">
                <Badge variant="light" color="gray">
                  {t(`inboxes.channel.${inbox.channelType}`)}
                </Badge>
                <IconChevronRight size={18} color="var(--mantine-color-gray-5)" />
              </Group>
            </UnstyledButton>
          ))}
        </Paper>
      )}
      <CreateInboxModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}
