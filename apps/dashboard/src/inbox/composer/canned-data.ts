import type { CannedReply, CannedVariableValues } from '@parley/shared';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../lib/api.ts';
import { useConversation } from '../../lib/conversation-store.ts';
import { useContact, useInboxes } from '../../lib/queries.ts';
import { useReady } from '../../lib/session.tsx';

/** Every canned reply query of an account starts with this key, so one invalidation refreshes all. */
export const cannedKey = (accountId: string) => ['canned-replies', accountId] as const;

/**
 * The replies this agent can insert (the account's, their teams' and their own). Loaded once and
 * filtered in the browser as they type: the list is small and the popover must keep up with typing.
 */
export function useCannedReplies(accountId: string, enabled = true) {
  return useQuery({
    queryKey: [...cannedKey(accountId), 'mine'],
    enabled,
    queryFn: async () =>
      (await get<{ cannedReplies: CannedReply[] }>(`/api/accounts/${accountId}/canned-replies`))
        .cannedReplies,
    staleTime: 30_000,
  });
}

/**
 * Replies matching what follows the `#`: the exact shortcut first, then shortcuts starting with it,
 * then containing it, then replies whose text contains it.
 */
export function matchCanned(replies: readonly CannedReply[], query: string, limit = 50): CannedReply[] {
  const q = query.trim().toLowerCase();
  if (!q) return replies.slice(0, limit);
  const ranked: Array<{ reply: CannedReply; rank: number }> = [];
  for (const reply of replies) {
    const shortcut = reply.shortcut.toLowerCase();
    const rank =
      shortcut === q
        ? 0
        : shortcut.startsWith(q)
          ? 1
          : shortcut.includes(q)
            ? 2
            : reply.body.toLowerCase().includes(q)
              ? 3
              : -1;
    if (rank >= 0) ranked.push({ reply, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.reply.shortcut.localeCompare(b.reply.shortcut));
  return ranked.slice(0, limit).map((r) => r.reply);
}

/** What the conversation being answered knows, for filling in variables. */
export function useCannedVariables(conversationId: string): CannedVariableValues {
  const { account, session } = useReady();
  const conversation = useConversation(conversationId);
  const contact = useContact(account.accountId, conversation?.contactId).data?.contact;
  const inbox = useInboxes(account.accountId).data?.find((i) => i.id === conversation?.inboxId);
  return {
    contact: {
      name: contact?.name ?? conversation?.contactName ?? null,
      email: contact?.email ?? null,
      phone: contact?.phone ?? null,
    },
    agent: { name: session.user.name },
    conversation: { number: conversation?.number ?? null },
    inbox: { name: inbox?.name ?? null },
  };
}
