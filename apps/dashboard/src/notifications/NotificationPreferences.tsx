import { Alert, Button, Checkbox, Group, Paper, Table, Text, Title } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { type NotificationChannel, notificationChannels, notificationTypes } from '@parley/shared';
import { IconBell, IconVolumeOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { notificationPermission, requestNotificationPermission } from '../lib/alerts.ts';
import { errorMessage } from '../lib/errors.ts';
import { useSession } from '../lib/session.tsx';
import { useNotificationPreferences, useUpdateNotificationPreferences } from './state.ts';

/** Which notifications reach the user, per event and channel; asks the browser's permission here. */
export function NotificationPreferences() {
  const { t } = useI18n();
  const { preferences: general } = useSession();
  const preferences = useNotificationPreferences();
  const update = useUpdateNotificationPreferences();
  const [permission, setPermission] = useState(notificationPermission);
  const browserWanted = notificationTypes.some((type) => preferences.data?.[type].browser);

  const toggle = (type: (typeof notificationTypes)[number], channel: NotificationChannel, value: boolean) => {
    update.mutate(
      { [type]: { [channel]: value } },
      { onError: (error) => toasts.show({ color: 'red', message: errorMessage(error, t) }) },
    );
    // Switching a browser channel on is the moment to ask the browser.
    if (channel === 'browser' && value && notificationPermission() === 'default')
      void requestNotificationPermission().then(setPermission);
  };

  return (
    <Paper withBorder radius="lg" p="xl" data-testid="notification-preferences">
      <Title order={3} fz={16}>
        {t('notifications.prefs.title')}
      </Title>
      <Text c="dimmed" fz="sm" mb="md">
        {t('notifications.prefs.subtitle')}
      </Text>
      <Table.ScrollContainer minWidth={520}>
        <Table verticalSpacing={8} horizontalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('notifications.prefs.event')}</Table.Th>
              {notificationChannels.map((channel) => (
                <Table.Th key={channel} ta="center" w={90}>
                  {t(`notifications.prefs.channel.${channel}`)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {notificationTypes.map((type) => (
              <Table.Tr key={type}>
                <Table.Td>
                  <Text fz="sm">{t(`notifications.prefs.type.${type}`)}</Text>
                </Table.Td>
                {notificationChannels.map((channel) => (
                  <Table.Td key={channel}>
                    <Checkbox
                      mx="auto"
                      w="fit-content"
                      aria-label={`${t(`notifications.prefs.type.${type}`)}: ${t(`notifications.prefs.channel.${channel}`)}`}
                      checked={preferences.data?.[type][channel] ?? false}
                      disabled={!preferences.data}
                      onChange={(event) => toggle(type, channel, event.currentTarget.checked)}
                      data-testid={`pref-${type}-${channel}`}
                    />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group mt="md" gap="sm">
        {permission === 'default' ? (
          <Button
            variant="light"
            size="xs"
            leftSection={<IconBell size={14} />}
            onClick={() => void requestNotificationPermission().then(setPermission)}
          >
            {t('notifications.prefs.browserAsk')}
          </Button>
        ) : browserWanted ? (
          <Text fz="xs" c={permission === 'granted' ? 'dimmed' : 'orange.8'}>
            {permission === 'granted'
              ? t('notifications.prefs.browserGranted')
              : permission === 'denied'
                ? t('notifications.prefs.browserDenied')
                : t('notifications.prefs.browserUnsupported')}
          </Text>
        ) : null}
      </Group>
      {general.soundMuted ? (
        <Alert mt="md" color="gray" variant="light" icon={<IconVolumeOff size={16} />} py={8}>
          <Text fz="xs">{t('notifications.prefs.muted')}</Text>
        </Alert>
      ) : null}
    </Paper>
  );
}
