import { Button, Group, NumberInput, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { EmailFollowup, Inbox } from '@parley/shared';
import { IconCheck, IconMail } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { patch } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { keys } from '../lib/queries.ts';

/**
 * Per inbox: whether an agent's reply the customer has not read is sent to them by e-mail, and after
 * how long. Saved on its own so it never carries half-edited widget settings along.
 */
export function EmailFollowupSettings({ accountId, inbox }: { accountId: string; inbox: Inbox }) {
  const t = useT();
  const queryClient = useQueryClient();
  const stored = inbox.settings.emailFollowup;
  const [draft, setDraft] = useState<EmailFollowup>(stored);
  const save = useMutation({
    mutationFn: (emailFollowup: EmailFollowup) =>
      patch<{ inbox: Inbox }>(`/api/accounts/${accountId}/inboxes/${inbox.id}`, {
        settings: { emailFollowup },
      }),
    onSuccess: ({ inbox: saved }) => {
      queryClient.setQueryData<Inbox[]>(keys.inboxes(accountId), (list) =>
        list?.map((i) => (i.id === saved.id ? saved : i)),
      );
      setDraft(saved.settings.emailFollowup);
      notifications.show({ color: 'teal', message: t('common.saved'), icon: <IconCheck size={16} /> });
    },
  });
  const dirty = draft.enabled !== stored.enabled || draft.delayMinutes !== stored.delayMinutes;
  return (
    <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }} data-testid="email-followup">
      <Group gap="xs">
        <IconMail size={18} color="var(--mantine-color-brand-6)" />
        <Title order={3} fz={16}>
          {t('followup.title')}
        </Title>
      </Group>
      <Text fz="sm" c="dimmed" mt={4}>
        {t('followup.help')}
      </Text>
      <Stack gap="md" mt="lg">
        <Switch
          label={t('followup.enabled')}
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.currentTarget.checked })}
        />
        <NumberInput
          label={t('followup.delay')}
          description={t('followup.delayHelp')}
          min={1}
          max={7 * 24 * 60}
          maw={240}
          disabled={!draft.enabled}
          value={draft.delayMinutes}
          onChange={(value) =>
            setDraft({ ...draft, delayMinutes: typeof value === 'number' ? value : Number(value) || 1 })
          }
        />
        {save.isError ? (
          <Text c="red" fz="sm">
            {errorMessage(save.error, t)}
          </Text>
        ) : null}
        <Group>
          <Button disabled={!dirty} loading={save.isPending} onClick={() => save.mutate(draft)}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
