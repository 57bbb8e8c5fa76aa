import {
  Anchor,
  Box,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAddressBook, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Empty, PersonAvatar, RelativeTime } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { linkHandler, navigate } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { useContactList } from './api.ts';
import { ContactPage } from './ContactPage.tsx';
import { BlockedBadge } from './ContactProfile.tsx';
import './contacts.css';

/** The contacts the agent may see, searchable by name, e-mail, phone or company. */
function ContactsList() {
  const { t } = useI18n();
  const { account } = useReady();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const list = useContactList(account.accountId, q);
  const contacts = list.data?.pages.flatMap((p) => p.contacts) ?? [];

  return (
    <ScrollArea h="100%" className="contacts-list">
      <Box maw={1180} mx="auto" px={{ base: 'md', sm: 'xl' }} py="xl">
        <Group justify="space-between" align="flex-end" mb="lg" gap="md">
          <Box>
            <Title order={1} fz={24}>
              {t('contacts.title')}
            </Title>
            <Text c="dimmed" fz="sm" mt={4}>
              {t('contacts.subtitle')}
            </Text>
          </Box>
          <TextInput
            leftSection={<IconSearch size={15} />}
            placeholder={t('contacts.searchPlaceholder')}
            aria-label={t('contacts.searchPlaceholder')}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            w={{ base: '100%', sm: 340 }}
            data-testid="contacts-search"
          />
        </Group>
        <Paper withBorder radius="lg">
          {list.isPending ? (
            <Center py="xl">
              <Loader type="dots" />
            </Center>
          ) : contacts.length === 0 ? (
            <Empty
              icon={<IconAddressBook size={26} />}
              title={q ? t('contacts.noMatches') : t('contacts.empty.title')}
              description={q ? undefined : t('contacts.empty.description')}
            />
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table
                highlightOnHover
                verticalSpacing="sm"
                horizontalSpacing="md"
                data-testid="contacts-table"
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common.name')}</Table.Th>
                    <Table.Th>{t('contact.email')}</Table.Th>
                    <Table.Th>{t('contact.phone')}</Table.Th>
                    <Table.Th>{t('contacts.company')}</Table.Th>
                    <Table.Th ta="right">{t('contact.conversations')}</Table.Th>
                    <Table.Th ta="right">{t('contacts.lastActivity')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {contacts.map((contact) => {
                    const href = `/contacts/${contact.id}`;
                    return (
                      <Table.Tr
                        key={contact.id}
                        className="contacts-list__row"
                        onClick={() => navigate(href)}
                        data-testid="contact-row"
                        data-contact-id={contact.id}
                      >
                        <Table.Td>
                          <Group gap="sm" wrap="nowrap">
                            <PersonAvatar name={contact.name} seed={contact.id} size={30} />
                            <Anchor
                              href={href}
                              onClick={(event) => {
                                event.stopPropagation();
                                linkHandler(href)(event);
                              }}
                              fz="sm"
                              fw={600}
                              c="var(--mantine-color-text)"
                              className="field__text"
                            >
                              {contact.name ?? t('contacts.unnamed')}
                            </Anchor>
                            {contact.blockedAt ? <BlockedBadge /> : null}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Text fz="sm" className="field__text">
                            {contact.email ?? ''}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text fz="sm">{contact.phone ?? ''}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text fz="sm" className="field__text">
                            {contact.company ?? ''}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <Text fz="sm">{contact.conversationCount}</Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <Text fz="sm" c="dimmed">
                            {contact.lastActivityAt ? <RelativeTime iso={contact.lastActivityAt} /> : '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
        {list.hasNextPage ? (
          <Center mt="md">
            <Button
              variant="default"
              onClick={() => void list.fetchNextPage()}
              loading={list.isFetchingNextPage}
            >
              {t('contacts.more')}
            </Button>
          </Center>
        ) : null}
      </Box>
    </ScrollArea>
  );
}

/** `/contacts` and `/contacts/:id`. */
export function ContactsScreen({ contactId }: { contactId: string | undefined }) {
  return contactId ? <ContactPage key={contactId} contactId={contactId} /> : <ContactsList />;
}
