import { Anchor, Badge, Divider, Group, Skeleton, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import type { Conversation } from '@parley/shared';
import { IconArrowUpRight, IconRosetteDiscountCheck } from '@tabler/icons-react';
import { PersonAvatar, RelativeTime, StatusBadge } from '../components/common.tsx';
import { BlockedBadge, ContactProfile, SectionTitle } from '../contacts/ContactProfile.tsx';
import { JourneyTimeline } from '../contacts/Journey.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useContact } from '../lib/queries.ts';
import { linkHandler } from '../lib/router.ts';

/**
 * The contact beside a conversation: the profile edited in place (the same fields as the full contact
 * page), the latest journey entries, and the contact's other conversations.
 */
export function ContactPanel({
  accountId,
  conversation,
  currentId,
  filterHref,
}: {
  accountId: string;
  conversation: Conversation;
  currentId: string;
  filterHref: (id: string) => string;
}) {
  const { t, formatDate } = useI18n();
  const detail = useContact(accountId, conversation.contactId);
  const contact = detail.data?.contact;
  const name =
    contact?.name ?? conversation.contactName ?? t('list.visitor', { number: conversation.number });
  const profileHref = `/contacts/${conversation.contactId}`;
  return (
    <Stack gap="lg" p="lg" className="contact" data-testid="contact-panel">
      <Stack align="center" gap={6}>
        <PersonAvatar
          name={contact?.name ?? conversation.contactName}
          seed={conversation.contactId}
          size={64}
        />
        <Title order={3} fz={17} ta="center" className="field__text" data-testid="contact-name">
          {name}
        </Title>
        <Group gap={6} justify="center">
          {contact?.externalId ? (
            <Badge variant="light" color="teal" leftSection={<IconRosetteDiscountCheck size={12} />}>
              {t('contact.verified')}
            </Badge>
          ) : null}
          {contact?.blockedAt ? <BlockedBadge /> : null}
        </Group>
        <Anchor
          href={profileHref}
          onClick={linkHandler(profileHref)}
          fz="xs"
          fw={600}
          data-testid="contact-open-profile"
        >
          {t('contacts.openProfile')} <IconArrowUpRight size={12} style={{ verticalAlign: -1 }} />
        </Anchor>
      </Stack>
      {detail.isPending || !contact ? (
        <Stack gap="sm">
          <Skeleton h={12} w="70%" />
          <Skeleton h={12} w="90%" />
          <Skeleton h={12} w="60%" />
        </Stack>
      ) : (
        <>
          <ContactProfile accountId={accountId} contact={contact} compact />
          <Text fz="xs" c="dimmed">
            {t('contact.firstSeen')}: {formatDate(contact.createdAt)}
          </Text>
          <Divider />
          <Stack gap="sm">
            <Group justify="space-between">
              <SectionTitle>{t('contacts.journey.title')}</SectionTitle>
              <Anchor href={profileHref} onClick={linkHandler(profileHref)} fz="xs">
                {t('contacts.journey.all')}
              </Anchor>
            </Group>
            <JourneyTimeline
              accountId={accountId}
              contactId={contact.id}
              compact
              conversationHref={filterHref}
            />
          </Stack>
        </>
      )}
      {(detail.data?.conversations.length ?? 0) > 1 ? (
        <>
          <Divider />
          <Stack gap={4}>
            <SectionTitle>{t('contact.conversations')}</SectionTitle>
            {detail.data?.conversations.map((c) => (
              <UnstyledButton
                key={c.id}
                component="a"
                href={filterHref(c.id)}
                onClick={linkHandler(filterHref(c.id))}
                className="past"
                data-current={c.id === currentId || undefined}
              >
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text fz="sm" fw={600}>
                    #{c.number}
                  </Text>
                  <StatusBadge status={c.status} size="xs" />
                </Group>
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text fz="xs" c="dimmed" truncate>
                    {c.lastMessagePreview ?? ''}
                  </Text>
                  <Text fz="xs" c="dimmed" style={{ flexShrink: 0 }}>
                    <RelativeTime iso={c.lastActivityAt} />
                  </Text>
                </Group>
              </UnstyledButton>
            ))}
          </Stack>
        </>
      ) : null}
    </Stack>
  );
}
