import type { BotPhaseCounts, Conversation } from '@parley/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { get } from '../lib/api.ts';

const key = (accountId: string) => ['bot-phase-counts', accountId] as const;

/**
 * How many open conversations the bot holds, have asked for a person, or were accepted. The server
 * counts (the store only knows loaded conversations); a change of any known conversation's phase
 * refetches at once, and a slow poll catches the ones never loaded.
 */
export function usePhaseCounts(accountId: string, known: Conversation[]) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: key(accountId),
    queryFn: () => get<BotPhaseCounts>(`/api/accounts/${accountId}/bot/phase-counts`),
    refetchInterval: 30_000,
  });
  const signature = useMemo(
    () =>
      known
        .filter((c) => c.botPhase !== null)
        .map((c) => `${c.id}:${c.botPhase}:${c.status}`)
        .sort()
        .join(','),
    [known],
  );
  useEffect(() => {
    if (signature !== undefined) void client.invalidateQueries({ queryKey: key(accountId) });
  }, [signature, client, accountId]);
  return query.data ?? { bot: 0, requested: 0, accepted: 0 };
}
