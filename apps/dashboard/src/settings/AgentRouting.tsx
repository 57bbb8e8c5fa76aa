import { Button, Group, Modal, NumberInput, SimpleGrid, Stack, TagsInput, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ChannelType, RoutingProfile } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { get, patch } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';

const channels: ChannelType[] = ['web', 'email', 'api', 'whatsapp', 'telegram'];
const profilesKey = (accountId: string) => ['routing-agents', accountId];

/** Agents as routing sees them (capacity, per-channel limits, skills, current load). */
export function useRoutingProfiles(accountId: string, enabled: boolean) {
  return useQuery({
    queryKey: profilesKey(accountId),
    queryFn: async () =>
      (await get<{ agents: RoutingProfile[] }>(`/api/accounts/${accountId}/routing/agents`)).agents,
    enabled,
    staleTime: 15_000,
  });
}

/** Edits how many conversations routing may give an agent at once, per channel, and the agent's skills. */
export function RoutingModal({ profile, onClose }: { profile: RoutingProfile; onClose: () => void }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [capacity, setCapacity] = useState(profile.capacity);
  // An empty field means "no limit for this channel besides the overall capacity".
  const [perChannel, setPerChannel] = useState<Partial<Record<ChannelType, number | ''>>>(() => {
    const out: Partial<Record<ChannelType, number | ''>> = {};
    for (const c of channels) out[c] = profile.channelCapacity[c] ?? '';
    return out;
  });
  const [skills, setSkills] = useState(profile.skills);
  const save = useMutation({
    mutationFn: () => {
      const channelCapacity: Partial<Record<ChannelType, number>> = {};
      for (const c of channels) {
        const v = perChannel[c];
        if (typeof v === 'number') channelCapacity[c] = v;
      }
      return patch<{ agent: RoutingProfile }>(
        `/api/accounts/${account.accountId}/routing/agents/${profile.userId}`,
        {
          capacity,
          channelCapacity,
          skills,
        },
      );
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: profilesKey(account.accountId) });
      notifications.show({ color: 'teal', message: t('common.saved') });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`${t('agents.routing')}: ${profile.name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack data-testid="routing-editor">
          <NumberInput
            label={t('agents.capacity')}
            description={t('agents.capacityHelp')}
            value={capacity}
            min={0}
            max={1000}
            allowDecimal={false}
            onChange={(v) => typeof v === 'number' && setCapacity(v)}
            name="capacity"
            maw={220}
          />
          <Text fz="sm" fw={500}>
            {t('agents.channelCapacity')}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3 }}>
            {channels.map((c) => (
              <NumberInput
                key={c}
                label={t(`inboxes.channel.${c}`)}
                value={perChannel[c] ?? ''}
                min={0}
                max={1000}
                allowDecimal={false}
                placeholder={t('agents.noLimit')}
                onChange={(v) => setPerChannel({ ...perChannel, [c]: typeof v === 'number' ? v : '' })}
              />
            ))}
          </SimpleGrid>
          <TagsInput
            label={t('agents.skills')}
            value={skills}
            onChange={(values) => setSkills([...new Set(values.map((v) => v.trim()).filter(Boolean))])}
            acceptValueOnBlur
            maxTags={50}
            data-testid="agent-skills"
          />
          <Group justify="flex-end">
            {save.isError ? (
              <Text c="red" fz="sm">
                {errorMessage(save.error, t)}
              </Text>
            ) : null}
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="save-routing">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
