import { ActionIcon, Badge, Box, Group, Select, Stack, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type AttributeDefinition, type Contact, RESERVED_ATTRIBUTE_KEYS } from '@parley/shared';
import { IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';
import { errorMessage } from '../lib/errors.ts';
import {
  useAccountTags,
  useAttributeDefinitions,
  useContactTagging,
  useContactTags,
  useUpdateContact,
} from './api.ts';
import { EditableField, ExternalLink, type FieldValue } from './EditableField.tsx';
import { visitorInfoOf } from './visitor-info.ts';
import './contacts.css';

export function SectionTitle({ children }: { children: ReactNode }) {
  return (
    <Text fz={12} fw={650} c="dimmed" className="contact-section__title">
      {children}
    </Text>
  );
}

function ReadOnlyField({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Box className="field" data-testid={testId}>
      <Text fz={11} c="dimmed" fw={600} tt="uppercase" lts={0.3} className="field__label">
        {label}
      </Text>
      <Box fz="sm" mt={2} className="field__value">
        {children}
      </Box>
    </Box>
  );
}

/** Tags on the contact, removable, and a picker of the account's other tags. */
export function ContactTags({
  accountId,
  contactId,
  canEdit,
}: {
  accountId: string;
  contactId: string;
  canEdit: boolean;
}) {
  const t = useT();
  const onContact = useContactTags(accountId, contactId);
  const all = useAccountTags(accountId);
  const tagging = useContactTagging(accountId, contactId);
  const change = (tagId: string, present: boolean) =>
    tagging.mutate(
      { tagId, present },
      { onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }) },
    );
  const present = new Set((onContact.data ?? []).map((tag) => tag.id));
  const addable = (all.data ?? []).filter((tag) => !present.has(tag.id));
  return (
    <Stack gap={8} data-testid="contact-tags">
      {onContact.data?.length ? (
        <Group gap={6}>
          {onContact.data.map((tag) => (
            <Badge
              key={tag.id}
              variant="light"
              color={tag.color}
              radius="sm"
              tt="none"
              fw={600}
              data-testid="contact-tag"
              rightSection={
                canEdit ? (
                  <ActionIcon
                    size={14}
                    variant="transparent"
                    color={tag.color}
                    onClick={() => change(tag.id, false)}
                    aria-label={t('contacts.removeTag', { tag: tag.name })}
                  >
                    <IconX size={11} />
                  </ActionIcon>
                ) : null
              }
            >
              {tag.name}
            </Badge>
          ))}
        </Group>
      ) : (
        <Text fz="sm" c="dimmed">
          {t('contacts.noTags')}
        </Text>
      )}
      {canEdit && addable.length > 0 ? (
        <Select
          size="xs"
          placeholder={t('contacts.addTag')}
          aria-label={t('contacts.addTag')}
          data={addable.map((tag) => ({ value: tag.id, label: tag.name }))}
          value={null}
          onChange={(tagId) => tagId && change(tagId, true)}
          searchable
          data-testid="contact-add-tag"
          maw={240}
        />
      ) : null}
    </Stack>
  );
}

/** Attribute values the account has no definition for (any more): shown as they are, read-only. */
function undefinedAttributes(contact: Contact, definitions: AttributeDefinition[]): Array<[string, unknown]> {
  const defined = new Set(definitions.map((d) => d.key));
  const rows: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(contact.attributes)) {
    if (defined.has(key) || RESERVED_ATTRIBUTE_KEYS.includes(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      rows.push([key, value]);
  }
  const preChat = contact.attributes.preChat;
  if (preChat !== null && typeof preChat === 'object' && !Array.isArray(preChat)) {
    for (const [key, value] of Object.entries(preChat as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        rows.push([key, value]);
    }
  }
  return rows;
}

/**
 * The contact's profile, every field edited in place: name, e-mail, phone, company, the account's custom
 * attributes with an input per type, where the visitor is (from the widget), and tags. `compact` is the
 * conversation's side panel.
 */
export function ContactProfile({
  accountId,
  contact,
  compact = false,
}: {
  accountId: string;
  contact: Contact;
  compact?: boolean;
}) {
  const t = useT();
  const definitions = useAttributeDefinitions(accountId);
  const update = useUpdateContact(accountId, contact.id);
  const canEdit = contact.mergedIntoId === null;
  const save = (field: 'name' | 'email' | 'phone' | 'company') => (value: FieldValue) =>
    update.mutateAsync({ [field]: value === null ? null : String(value) });
  const saveAttribute = (key: string) => (value: FieldValue) =>
    update.mutateAsync({ attributes: { [key]: value } });
  const visitor = visitorInfoOf(contact.attributes);
  const extra = undefinedAttributes(contact, definitions.data ?? []);
  const hasLocation =
    visitor.pageUrl || visitor.referrer || visitor.locale || visitor.timezone || visitor.browser;

  return (
    <Stack gap={compact ? 'lg' : 'xl'} className="contact-profile" data-compact={compact || undefined}>
      <Stack gap="sm">
        {compact ? null : <SectionTitle>{t('contacts.details')}</SectionTitle>}
        <EditableField
          label={t('common.name')}
          kind={{ type: 'text' }}
          value={contact.name}
          onSave={save('name')}
          canEdit={canEdit}
          testId="field-name"
        />
        <EditableField
          label={t('contact.email')}
          kind={{ type: 'email' }}
          value={contact.email}
          onSave={save('email')}
          canEdit={canEdit}
          testId="contact-email"
        />
        <EditableField
          label={t('contact.phone')}
          kind={{ type: 'tel' }}
          value={contact.phone}
          onSave={save('phone')}
          canEdit={canEdit}
          testId="field-phone"
        />
        <EditableField
          label={t('contacts.company')}
          kind={{ type: 'text' }}
          value={contact.company}
          onSave={save('company')}
          canEdit={canEdit}
          testId="field-company"
        />
        {contact.externalId ? (
          <ReadOnlyField label={t('contact.externalId')}>
            <Text fz="sm" ff="monospace" className="field__text">
              {contact.externalId}
            </Text>
          </ReadOnlyField>
        ) : null}
      </Stack>

      {(definitions.data?.length ?? 0) > 0 || extra.length > 0 ? (
        <Stack gap="sm" data-testid="contact-attributes">
          <SectionTitle>{t('contacts.attributes')}</SectionTitle>
          {(definitions.data ?? []).map((definition) => (
            <EditableField
              key={definition.id}
              label={definition.label}
              kind={
                definition.type === 'list'
                  ? { type: 'list', options: definition.options }
                  : { type: definition.type }
              }
              value={contact.attributes[definition.key]}
              onSave={saveAttribute(definition.key)}
              canEdit={canEdit}
              testId={`attr-${definition.key}`}
            />
          ))}
          {extra.map(([key, value]) => (
            <ReadOnlyField key={key} label={key} testId={`extra-${key}`}>
              <Text fz="sm" className="field__text">
                {String(value)}
              </Text>
            </ReadOnlyField>
          ))}
        </Stack>
      ) : null}

      {hasLocation ? (
        <Stack gap="sm" data-testid="contact-location">
          <SectionTitle>{t('contacts.location')}</SectionTitle>
          {visitor.pageUrl ? (
            <ReadOnlyField label={t('contact.currentPage')} testId="contact-page">
              {visitor.pageTitle ? (
                <Text fz="sm" fw={500} className="field__text">
                  {visitor.pageTitle}
                </Text>
              ) : null}
              <ExternalLink url={visitor.pageUrl} />
            </ReadOnlyField>
          ) : null}
          {visitor.referrer ? (
            <ReadOnlyField label={t('contact.referrer')}>
              <ExternalLink url={visitor.referrer} />
            </ReadOnlyField>
          ) : null}
          {visitor.locale || visitor.timezone ? (
            <Group grow align="flex-start">
              {visitor.locale ? (
                <ReadOnlyField label={t('contact.locale')}>{visitor.locale}</ReadOnlyField>
              ) : null}
              {visitor.timezone ? (
                <ReadOnlyField label={t('contact.timezone')}>{visitor.timezone}</ReadOnlyField>
              ) : null}
            </Group>
          ) : null}
          {visitor.browser ? (
            <ReadOnlyField label={t('contact.browser')}>{visitor.browser}</ReadOnlyField>
          ) : null}
        </Stack>
      ) : null}

      <Stack gap="sm">
        <SectionTitle>{t('contacts.tags')}</SectionTitle>
        <ContactTags accountId={accountId} contactId={contact.id} canEdit={canEdit} />
      </Stack>
    </Stack>
  );
}

export function BlockedBadge() {
  const t = useT();
  return (
    <Tooltip label={t('contacts.blockedHelp')}>
      <Badge color="red" variant="light" data-testid="contact-blocked">
        {t('contacts.blocked')}
      </Badge>
    </Tooltip>
  );
}
