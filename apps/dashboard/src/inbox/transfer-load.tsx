import { Badge, Group, Text } from '@mantine/core';
import type { Availability, RoutingProfile } from '@parley/shared';
import { useQuery } from '@tanstack/react-query';
import { useT } from '../i18n/index.tsx';
import { get } from '../lib/api.ts';

/**
 * Agents as routing sees them, for choosing whom to hand a conversation to: fetched afresh each time
 * the dialog opens (loads change by the minute). Same cache entry as the agents' routing settings.
 */
export function useAgentLoads(accountId: string, opened: boolean) {
  return useQuery({
    queryKey: ['routing-agents', accountId],
    queryFn: async () =>
      (await get<{ agents: RoutingProfile[] }>(`/api/accounts/${accountId}/routing/agents`)).agents,
    enabled: opened,
    staleTime: 0,
    refetchOnMount: 'always',
  });
}

const availabilityColor: Record<Availability, string> = {
  online: 'teal',
  away: 'yellow',
  offline: 'gray',
};

/** One agent in the transfer list: name, availability and open conversations against capacity. */
export function AgentLoadOption({ name, profile }: { name: string; profile: RoutingProfile | undefined }) {
  const t = useT();
  if (!profile) return <Text fz="sm">{name}</Text>;
  const full = profile.load >= profile.capacity;
  const availability = t(`availability.${profile.availability}`);
  return (
    <Group
      justify="space-between"
      wrap="nowrap"
      gap="sm"
      w="100%"
      aria-label={t('routingExtra.loadLabel', {
        name,
        availability,
        load: String(profile.load),
        capacity: String(profile.capacity),
      })}
      data-testid={`transfer-agent-${profile.userId}`}
    >
      <Group gap={8} wrap="nowrap" miw={0}>
        <span
          aria-hidden
          style={{
            width: 8,
            height: 8,
            borderRadius: 4,
            flex: 'none',
            background: `var(--mantine-color-${availabilityColor[profile.availability]}-6)`,
          }}
        />
        <Text fz="sm" truncate>
          {name}
        </Text>
        <Text fz="xs" c="dimmed" style={{ flex: 'none' }}>
          {availability}
        </Text>
      </Group>
      <Badge
        variant="light"
        color={full ? 'red' : 'gray'}
        size="sm"
        style={{ flex: 'none' }}
        data-testid="transfer-agent-load"
      >
        {full
          ? `${t('routingExtra.full')} · ${profile.load}/${profile.capacity}`
          : t('routingExtra.load', { load: String(profile.load), capacity: String(profile.capacity) })}
      </Badge>
    </Group>
  );
}
