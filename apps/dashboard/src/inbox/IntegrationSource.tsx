import { Group, Text } from '@mantine/core';
import type { Conversation } from '@parley/shared';
import { IconPlugConnected } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';

/**
 * Which integration started the conversation through the public API, as a strip under the header.
 * The source is whatever the integration sent: shown as text only.
 */
export function IntegrationSource({ conversation }: { conversation: Conversation }) {
  const t = useT();
  if (!conversation.startedByIntegration) return null;
  const label = conversation.integrationSource
    ? t('api.integration.source', { source: conversation.integrationSource })
    : t('api.integration.started');
  return (
    <Group
      gap={8}
      px="md"
      py={6}
      wrap="nowrap"
      data-testid="integration-source"
      style={{
        flex: 'none',
        background: 'var(--mantine-color-indigo-0)',
        borderBottom: '1px solid var(--mantine-color-indigo-1)',
      }}
    >
      <IconPlugConnected
        size={16}
        stroke={1.8}
        color="var(--mantine-color-indigo-6)"
        style={{ flexShrink: 0 }}
      />
      <Text fz="sm" fw={500} c="indigo.8" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
        {label}
      </Text>
    </Group>
  );
}
