import type { ContactDetail, Inbox, Invitation, Member, Team } from '@parley/shared';
import { useQuery } from '@tanstack/react-query';
import { get } from './api.ts';

export const keys = {
  inboxes: (accountId: string) => ['inboxes', accountId] as const,
  members: (accountId: string) => ['members', accountId] as const,
  teams: (accountId: string) => ['teams', accountId] as const,
  invitations: (accountId: string) => ['invitations', accountId] as const,
  contact: (accountId: string, contactId: string) => ['contact', accountId, contactId] as const,
  inboxMembers: (accountId: string, inboxId: string) => ['inbox-members', accountId, inboxId] as const,
  conversations: (accountId: string) => ['conversations', accountId] as const,
};

export function useInboxes(accountId: string) {
  return useQuery({
    queryKey: keys.inboxes(accountId),
    queryFn: async () => (await get<{ inboxes: Inbox[] }>(`/api/accounts/${accountId}/inboxes`)).inboxes,
    staleTime: 60_000,
  });
}

/** Members of the account; `refreshMs` keeps it fresh where availability is shown (it changes by itself). */
export function useMembers(accountId: string, refreshMs?: number) {
  return useQuery({
    queryKey: keys.members(accountId),
    queryFn: async () => (await get<{ members: Member[] }>(`/api/accounts/${accountId}/agents`)).members,
    staleTime: 60_000,
    ...(refreshMs ? { refetchInterval: refreshMs } : {}),
  });
}

export function useTeams(accountId: string) {
  return useQuery({
    queryKey: keys.teams(accountId),
    queryFn: async () => (await get<{ teams: Team[] }>(`/api/accounts/${accountId}/teams`)).teams,
    staleTime: 60_000,
  });
}

export function useInvitations(accountId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.invitations(accountId),
    enabled,
    queryFn: async () =>
      (await get<{ invitations: Invitation[] }>(`/api/accounts/${accountId}/invitations`)).invitations,
  });
}

export function useContact(accountId: string, contactId: string | undefined) {
  return useQuery({
    queryKey: keys.contact(accountId, contactId ?? ''),
    enabled: contactId !== undefined,
    queryFn: () => get<ContactDetail>(`/api/accounts/${accountId}/contacts/${contactId}`),
    staleTime: 15_000,
  });
}

export function useInboxMembers(accountId: string, inboxId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.inboxMembers(accountId, inboxId),
    enabled,
    queryFn: async () =>
      (await get<{ userIds: string[] }>(`/api/accounts/${accountId}/inboxes/${inboxId}/members`)).userIds,
  });
}
