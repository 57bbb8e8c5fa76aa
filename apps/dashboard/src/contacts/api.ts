import type {
  AttributeDefinition,
  Contact,
  ContactList,
  JourneyPage,
  MergePreview,
  MergeResult,
  Tag,
  UpdateContactBody,
} from '@parley/shared';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post, put, qs } from '../lib/api.ts';
import { keys } from '../lib/queries.ts';

/** Query keys of the contact profile; everything about one contact starts with `contactKeys.all`. */
export const contactKeys = {
  list: (accountId: string) => ['contacts', accountId] as const,
  journey: (accountId: string, contactId: string) => ['contact-journey', accountId, contactId] as const,
  tags: (accountId: string, contactId: string) => ['contact-tags', accountId, contactId] as const,
  definitions: (accountId: string) => ['attribute-definitions', accountId] as const,
  accountTags: (accountId: string) => ['tags', accountId] as const,
};

const base = (accountId: string) => `/api/accounts/${accountId}`;

export function useAttributeDefinitions(accountId: string) {
  return useQuery({
    queryKey: contactKeys.definitions(accountId),
    queryFn: async () =>
      (await get<{ definitions: AttributeDefinition[] }>(`${base(accountId)}/attribute-definitions`))
        .definitions,
    staleTime: 60_000,
  });
}

export function useContactList(accountId: string, q: string) {
  return useInfiniteQuery({
    queryKey: [...contactKeys.list(accountId), q],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      get<ContactList>(`${base(accountId)}/contacts${qs({ q, cursor: pageParam, limit: 50 })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useJourney(accountId: string, contactId: string, pageSize: number) {
  return useInfiniteQuery({
    queryKey: [...contactKeys.journey(accountId, contactId), pageSize],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      get<JourneyPage>(
        `${base(accountId)}/contacts/${contactId}/journey${qs({ cursor: pageParam, limit: pageSize })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 10_000,
  });
}

export function useContactTags(accountId: string, contactId: string) {
  return useQuery({
    queryKey: contactKeys.tags(accountId, contactId),
    queryFn: async () => (await get<{ tags: Tag[] }>(`${base(accountId)}/contacts/${contactId}/tags`)).tags,
  });
}

export function useAccountTags(accountId: string) {
  return useQuery({
    queryKey: contactKeys.accountTags(accountId),
    queryFn: async () => (await get<{ tags: Tag[] }>(`${base(accountId)}/tags`)).tags,
    staleTime: 60_000,
  });
}

/** After any change to a contact: its profile, journey and the lists it appears in. */
function useRefreshContact(accountId: string) {
  const queryClient = useQueryClient();
  return (contactId: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.contact(accountId, contactId) }),
      queryClient.invalidateQueries({ queryKey: contactKeys.journey(accountId, contactId) }),
      queryClient.invalidateQueries({ queryKey: contactKeys.tags(accountId, contactId) }),
      queryClient.invalidateQueries({ queryKey: contactKeys.list(accountId) }),
      queryClient.invalidateQueries({ queryKey: keys.conversations(accountId) }),
    ]);
}

export function useUpdateContact(accountId: string, contactId: string) {
  const refresh = useRefreshContact(accountId);
  return useMutation({
    mutationFn: (body: UpdateContactBody) =>
      patch<{ contact: Contact }>(`${base(accountId)}/contacts/${contactId}`, body),
    onSuccess: () => refresh(contactId),
  });
}

export function useBlockContact(accountId: string, contactId: string) {
  const refresh = useRefreshContact(accountId);
  return useMutation({
    mutationFn: (blocked: boolean) =>
      blocked
        ? put<{ contact: Contact }>(`${base(accountId)}/contacts/${contactId}/block`)
        : del<{ contact: Contact }>(`${base(accountId)}/contacts/${contactId}/block`),
    onSuccess: () => refresh(contactId),
  });
}

export function useContactTagging(accountId: string, contactId: string) {
  const refresh = useRefreshContact(accountId);
  return useMutation({
    mutationFn: ({ tagId, present }: { tagId: string; present: boolean }) =>
      present
        ? put<{ tags: Tag[] }>(`${base(accountId)}/contacts/${contactId}/tags/${tagId}`)
        : del<{ tags: Tag[] }>(`${base(accountId)}/contacts/${contactId}/tags/${tagId}`),
    onSuccess: () => refresh(contactId),
  });
}

export function useMergePreview(accountId: string, targetId: string, sourceId: string | null) {
  return useQuery({
    queryKey: ['contact-merge', accountId, targetId, sourceId],
    enabled: sourceId !== null,
    queryFn: () =>
      get<MergePreview>(`${base(accountId)}/contacts/${targetId}/merge${qs({ sourceContactId: sourceId })}`),
    staleTime: 0,
  });
}

export function useMergeContacts(accountId: string, targetId: string) {
  const refresh = useRefreshContact(accountId);
  return useMutation({
    mutationFn: (sourceContactId: string) =>
      post<MergeResult>(`${base(accountId)}/contacts/${targetId}/merge`, { sourceContactId }),
    onSuccess: async (_result, sourceContactId) => {
      await Promise.all([refresh(targetId), refresh(sourceContactId)]);
    },
  });
}
