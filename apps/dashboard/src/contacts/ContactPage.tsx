import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Conversation } from '@parley/shared';
import {
  IconArrowLeft,
  IconBan,
  IconGitMerge,
  IconInfoCircle,
  IconLockOpen,
  IconRosetteDiscountCheck,
} from '@tabler/icons-react';
import { useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Empty, PersonAvatar, RelativeTime, StatusBadge } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { errorMessage } from '../lib/errors.ts';
import { useContact } from '../lib/queries.ts';
import { linkHandler, navigate } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { useBlockContact } from './api.ts';
import { BlockedBadge, ContactProfile, SectionTitle } from './ContactProfile.tsx';
import { JourneyTimeline } from './Journey.tsx';
import { MergeDialog } from './MergeDialog.tsx';

export const conversationHref = (conversationId: string) => `/inbox/all/${conversationId}`;

function PastConversations({ conversations }: { conversations: Conversation[] }) {
  const { t } = useI18n();
  if (conversations.length === 0)
    return (
      <Text fz="sm" c="dimmed">
        {t('contacts.noConversations')}
      </Text>
    );
  return (
    <Stack gap={4} data-testid="contact-conversations">
      {conversations.map((c) => (
        <UnstyledButton
          key={c.id}
          component="a"
          href={conversationHref(c.id)}
          onClick={linkHandler(conversationHref(c.id))}
          className="past"
          data-testid="contact-conversation"
          data-conversation-id={c.id}
        >
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fz="sm" fw={600}>
              #{c.number}
            </Text>
            <StatusBadge status={c.status} size="xs" />
          </Group>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fz="xs" c="dimmed" truncate className="field__text">
              {c.lastMessagePreview ?? ''}
            </Text>
            <Text fz="xs" c="dimmed" style={{ flexShrink: 0 }}>
              <RelativeTime iso={c.lastActivityAt} />
            </Text>
          </Group>
        </UnstyledButton>
      ))}
    </Stack>
  );
}

/** The full contact page: profile edited in place, the journey, past conversations, merge and block. */
export function ContactPage({ contactId }: { contactId: string }) {
  const { t, formatDate } = useI18n();
  const { account } = useReady();
  const accountId = account.accountId;
  const detail = useContact(accountId, contactId);
  const block = useBlockContact(accountId, contactId);
  const confirm = useConfirm();
  const [merging, setMerging] = useState(false);
  const canMerge = account.role === 'admin' || account.role === 'supervisor';

  if (detail.isPending) {
    return (
      <Center className="contact-page" h="100%">
        <Loader type="dots" />
      </Center>
    );
  }
  if (detail.isError || !detail.data) {
    return (
      <Center className="contact-page" h="100%">
        <Empty icon={<IconInfoCircle size={26} />} title={t('contacts.notFound')}>
          <Button variant="light" component="a" href="/contacts" onClick={linkHandler('/contacts')}>
            {t('contacts.backToList')}
          </Button>
        </Empty>
      </Center>
    );
  }
  const { contact, conversations } = detail.data;
  const name = contact.name ?? t('contacts.unnamed');
  const blocked = contact.blockedAt !== null;
  const merged = contact.mergedIntoId;
  const toggleBlock = () => {
    const run = () =>
      block.mutate(!blocked, {
        onSuccess: () =>
          notifications.show({
            message: blocked ? t('contacts.unblockedToast') : t('contacts.blockedToast'),
          }),
        onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
      });
    if (blocked) run();
    else confirm.ask(t('contacts.blockConfirm', { name }), t('contacts.block'), run);
  };

  return (
    <ScrollArea className="contact-page" h="100%" data-testid="contact-screen">
      {confirm.dialog}
      <Box maw={1180} mx="auto" px={{ base: 'md', sm: 'xl' }} py="lg">
        <Anchor
          href="/contacts"
          onClick={linkHandler('/contacts')}
          fz="sm"
          c="dimmed"
          className="contact-page__back"
        >
          <IconArrowLeft size={14} style={{ verticalAlign: -2 }} /> {t('contacts.title')}
        </Anchor>
        <Group justify="space-between" align="flex-start" mt="sm" mb="xl" gap="md">
          <Group gap="md" wrap="nowrap" style={{ minWidth: 0 }}>
            <PersonAvatar name={contact.name} seed={contact.id} size={60} />
            <Box style={{ minWidth: 0 }}>
              <Group gap="xs">
                <Title order={1} fz={24} className="field__text" data-testid="contact-title">
                  {name}
                </Title>
                {contact.externalId ? (
                  <Badge variant="light" color="teal" leftSection={<IconRosetteDiscountCheck size={12} />}>
                    {t('contact.verified')}
                  </Badge>
                ) : null}
                {blocked ? <BlockedBadge /> : null}
              </Group>
              <Text fz="sm" c="dimmed" mt={2} className="field__text">
                {[
                  contact.email,
                  contact.company,
                  `${t('contact.firstSeen')} ${formatDate(contact.createdAt)}`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            </Box>
          </Group>
          {merged ? null : (
            <Group gap="xs">
              {canMerge ? (
                <Button
                  variant="default"
                  leftSection={<IconGitMerge size={16} />}
                  onClick={() => setMerging(true)}
                  data-testid="merge-open"
                >
                  {t('contacts.merge.open')}
                </Button>
              ) : null}
              <Button
                variant={blocked ? 'light' : 'default'}
                color={blocked ? 'teal' : 'red'}
                leftSection={blocked ? <IconLockOpen size={16} /> : <IconBan size={16} />}
                onClick={toggleBlock}
                loading={block.isPending}
                data-testid={blocked ? 'unblock' : 'block'}
              >
                {blocked ? t('contacts.unblock') : t('contacts.block')}
              </Button>
            </Group>
          )}
        </Group>
        {merged ? (
          <Alert color="gray" mb="lg" data-testid="merged-notice">
            {t('contacts.mergedNotice')}{' '}
            <Anchor href={`/contacts/${merged}`} onClick={linkHandler(`/contacts/${merged}`)}>
              {t('contacts.openMerged')}
            </Anchor>
          </Alert>
        ) : null}
        {blocked ? (
          <Alert color="red" variant="light" mb="lg" icon={<IconBan size={18} />}>
            {t('contacts.blockedHelp')}
          </Alert>
        ) : null}
        <Box className="contact-page__grid">
          <Paper withBorder radius="lg" p="lg" className="contact-page__profile">
            <ContactProfile accountId={accountId} contact={contact} />
          </Paper>
          <Stack gap="lg">
            <Paper withBorder radius="lg" p="lg">
              <SectionTitle>{t('contacts.journey.title')}</SectionTitle>
              <Box mt="md">
                <JourneyTimeline
                  accountId={accountId}
                  contactId={contact.id}
                  conversationHref={conversationHref}
                />
              </Box>
            </Paper>
            <Paper withBorder radius="lg" p="lg">
              <SectionTitle>{t('contact.conversations')}</SectionTitle>
              <Box mt="sm">
                <PastConversations conversations={conversations} />
              </Box>
            </Paper>
          </Stack>
        </Box>
      </Box>
      {canMerge && !merged ? (
        <MergeDialog
          accountId={accountId}
          target={contact}
          opened={merging}
          onClose={() => setMerging(false)}
          onMerged={(result) => {
            notifications.show({
              message: t('contacts.merge.done', { count: result.moved.conversations }),
            });
            navigate(`/contacts/${result.contact.id}`);
          }}
        />
      ) : null}
    </ScrollArea>
  );
}
