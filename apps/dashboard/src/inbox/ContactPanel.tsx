import {
  Anchor,
  Badge,
  Box,
  Divider,
  Group,
  Skeleton,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import type { Conversation } from '@parley/shared';
import { IconExternalLink, IconMail, IconPhone, IconRosetteDiscountCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { PersonAvatar, RelativeTime, StatusBadge } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useContact } from '../lib/queries.ts';
import { linkHandler } from '../lib/router.ts';
import { safeHref } from '../lib/text.tsx';

type VisitorInfo = {
  currentPage?: { url?: unknown; title?: unknown };
  referrer?: unknown;
  locale?: unknown;
  timezone?: unknown;
  userAgent?: unknown;
};

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text fz={11} c="dimmed" fw={600} tt="uppercase" lts={0.3}>
        {label}
      </Text>
      <Box fz="sm" mt={2} className="field__value">
        {children}
      </Box>
    </Box>
  );
}

/** A link for a customer-provided URL, or plain text when it is not http(s). */
function ExternalLink({ url, label }: { url: string; label?: string | null }) {
  const href = safeHref(url);
  if (!href || href.startsWith('mailto:'))
    return (
      <Text fz="sm" className="field__text">
        {url}
      </Text>
    );
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer nofollow" fz="sm" className="field__text">
      {label ?? url} <IconExternalLink size={12} style={{ verticalAlign: -1 }} />
    </Anchor>
  );
}

/** A short browser name from a user agent, e.g. "Chrome 130 on Linux". */
function browserOf(userAgent: string): string {
  const browser =
    /Edg\/(\d+)/.exec(userAgent)?.[1] !== undefined
      ? `Edge ${/Edg\/(\d+)/.exec(userAgent)?.[1]}`
      : /Firefox\/(\d+)/.exec(userAgent)
        ? `Firefox ${/Firefox\/(\d+)/.exec(userAgent)?.[1]}`
        : /Chrome\/(\d+)/.exec(userAgent)
          ? `Chrome ${/Chrome\/(\d+)/.exec(userAgent)?.[1]}`
          : /Version\/(\d+).*Safari/.exec(userAgent)
            ? `Safari ${/Version\/(\d+)/.exec(userAgent)?.[1]}`
            : null;
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return [browser, os].filter(Boolean).join(' · ') || userAgent.slice(0, 60);
}

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
  const name = conversation.contactName ?? t('list.visitor', { number: conversation.number });
  const visitor = (contact?.attributes.visitor ?? {}) as VisitorInfo;
  const pageUrl = str(visitor.currentPage?.url);
  const pageTitle = str(visitor.currentPage?.title);
  const other = Object.entries(contact?.attributes ?? {}).filter(
    ([key, value]) =>
      key !== 'visitor' &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'),
  );
  return (
    <Stack gap="lg" p="lg" className="contact" data-testid="contact-panel">
      <Stack align="center" gap={6}>
        <PersonAvatar name={conversation.contactName} seed={conversation.contactId} size={64} />
        <Title order={3} fz={17} ta="center" className="field__text" data-testid="contact-name">
          {name}
        </Title>
        {contact?.externalId ? (
          <Badge variant="light" color="teal" leftSection={<IconRosetteDiscountCheck size={12} />}>
            {t('contact.verified')}
          </Badge>
        ) : null}
      </Stack>
      {detail.isPending ? (
        <Stack gap="sm">
          <Skeleton h={12} w="70%" />
          <Skeleton h={12} w="90%" />
          <Skeleton h={12} w="60%" />
        </Stack>
      ) : (
        <Stack gap="md">
          <Field label={t('contact.email')}>
            {contact?.email ? (
              <Group gap={6} wrap="nowrap">
                <IconMail size={14} color="var(--mantine-color-dimmed)" />
                <Anchor
                  href={safeHref(`mailto:${contact.email}`) ?? undefined}
                  fz="sm"
                  className="field__text"
                  data-testid="contact-email"
                >
                  {contact.email}
                </Anchor>
              </Group>
            ) : (
              <Text fz="sm" c="dimmed">
                {t('contact.unknown')}
              </Text>
            )}
          </Field>
          {contact?.phone ? (
            <Field label={t('contact.phone')}>
              <Group gap={6} wrap="nowrap">
                <IconPhone size={14} />
                <Text fz="sm">{contact.phone}</Text>
              </Group>
            </Field>
          ) : null}
          {pageUrl ? (
            <Field label={t('contact.currentPage')}>
              <Box data-testid="contact-page">
                {pageTitle ? (
                  <Text fz="sm" fw={500} className="field__text">
                    {pageTitle}
                  </Text>
                ) : null}
                <ExternalLink url={pageUrl} />
              </Box>
            </Field>
          ) : null}
          {str(visitor.referrer) ? (
            <Field label={t('contact.referrer')}>
              <ExternalLink url={str(visitor.referrer) ?? ''} />
            </Field>
          ) : null}
          {str(visitor.locale) || str(visitor.timezone) ? (
            <Group grow align="flex-start">
              {str(visitor.locale) ? <Field label={t('contact.locale')}>{str(visitor.locale)}</Field> : null}
              {str(visitor.timezone) ? (
                <Field label={t('contact.timezone')}>{str(visitor.timezone)}</Field>
              ) : null}
            </Group>
          ) : null}
          {str(visitor.userAgent) ? (
            <Field label={t('contact.browser')}>{browserOf(str(visitor.userAgent) ?? '')}</Field>
          ) : null}
          {contact?.externalId ? (
            <Field label={t('contact.externalId')}>
              <Text fz="sm" ff="monospace" className="field__text">
                {contact.externalId}
              </Text>
            </Field>
          ) : null}
          {other.map(([key, value]) => (
            <Field key={key} label={key}>
              <Text fz="sm" className="field__text">
                {String(value)}
              </Text>
            </Field>
          ))}
          {contact ? <Field label={t('contact.firstSeen')}>{formatDate(contact.createdAt)}</Field> : null}
        </Stack>
      )}
      {(detail.data?.conversations.length ?? 0) > 1 ? (
        <>
          <Divider />
          <Stack gap={4}>
            <Text fz={11} c="dimmed" fw={600} tt="uppercase" lts={0.3}>
              {t('contact.conversations')}
            </Text>
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
