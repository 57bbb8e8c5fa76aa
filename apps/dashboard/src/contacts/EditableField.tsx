import {
  ActionIcon,
  Anchor,
  Box,
  Group,
  NumberInput,
  Select,
  Switch,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import type { AttributeType } from '@parley/shared';
import { IconCheck, IconExternalLink, IconPencil, IconX } from '@tabler/icons-react';
import { type KeyboardEvent, type ReactNode, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { errorMessage } from '../lib/errors.ts';
import { safeHref } from '../lib/text.tsx';

/** How a field is shown and edited: the attribute types plus the profile's e-mail and phone. */
export type FieldKind =
  | { type: Exclude<AttributeType, 'list'> | 'email' | 'tel' }
  | { type: 'list'; options: string[] };

export type FieldValue = string | number | boolean | null;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A link only for http(s) (and mailto for e-mail fields); anything else stays text. */
export function ExternalLink({ url, label }: { url: string; label?: string | null }) {
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

/** The stored value as people read it; always React text (values are untrusted). */
export function FieldDisplay({ kind, value }: { kind: FieldKind; value: unknown }) {
  const { t, locale } = useI18n();
  if (value === null || value === undefined || value === '')
    return (
      <Text fz="sm" c="dimmed">
        {t('contact.unknown')}
      </Text>
    );
  if (typeof value === 'object')
    return (
      <Text fz="sm" ff="monospace" className="field__text">
        {JSON.stringify(value)}
      </Text>
    );
  const text = String(value);
  switch (kind.type) {
    case 'email': {
      const href = safeHref(`mailto:${text}`);
      return href ? (
        <Anchor href={href} fz="sm" className="field__text">
          {text}
        </Anchor>
      ) : (
        <Text fz="sm">{text}</Text>
      );
    }
    case 'link':
      return <ExternalLink url={text} />;
    case 'boolean':
      return <Text fz="sm">{value === true ? t('contacts.yes') : t('contacts.no')}</Text>;
    case 'number':
      return (
        <Text fz="sm">{typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : text}</Text>
      );
    case 'date': {
      const time = Date.parse(text);
      if (!Number.isFinite(time)) return <Text fz="sm">{text}</Text>;
      // A calendar date means the same day everywhere: format it in UTC, where it was stored.
      const format = new Intl.DateTimeFormat(locale, {
        dateStyle: 'medium',
        ...(DATE_ONLY.test(text) ? { timeZone: 'UTC' } : { timeStyle: 'short' }),
      });
      return <Text fz="sm">{format.format(new Date(time))}</Text>;
    }
    default:
      return (
        <Text fz="sm" className="field__text">
          {text}
        </Text>
      );
  }
}

function draftOf(kind: FieldKind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (kind.type === 'date' && typeof value === 'string') return value.slice(0, 10);
  return String(value);
}

function parseDraft(kind: FieldKind, draft: string): FieldValue {
  const text = draft.trim();
  if (text === '') return null;
  if (kind.type === 'number') return Number(text);
  return text;
}

/**
 * One profile field or custom attribute, edited in place: the value is shown as text; a click (or Enter
 * on the focused value) turns it into the input its type calls for; Enter or the tick saves, Escape or
 * the cross cancels. Booleans are a switch that saves at once.
 */
export function EditableField({
  label,
  kind,
  value,
  onSave,
  canEdit,
  testId,
  display,
}: {
  label: string;
  kind: FieldKind;
  value: unknown;
  onSave: (value: FieldValue) => Promise<unknown>;
  canEdit: boolean;
  testId: string;
  /** Replaces the standard display (the name as a heading, for example). */
  display?: ReactNode;
}) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = () => {
    setDraft(draftOf(kind, value));
    setError(null);
    setEditing(true);
  };
  const save = async (next: FieldValue) => {
    setSaving(true);
    setError(null);
    try {
      await onSave(next);
      setEditing(false);
    } catch (failure) {
      setError(errorMessage(failure, t));
    } finally {
      setSaving(false);
    }
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      setEditing(false);
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void save(parseDraft(kind, draft));
    }
  };

  const heading = (
    <Text fz={11} c="dimmed" fw={600} tt="uppercase" lts={0.3} className="field__label">
      {label}
    </Text>
  );

  if (kind.type === 'boolean') {
    return (
      <Box data-testid={testId} className="field">
        {heading}
        <Group gap="xs" mt={4}>
          <Switch
            size="sm"
            checked={value === true}
            disabled={!canEdit || saving}
            onChange={(event) => void save(event.currentTarget.checked)}
            aria-label={label}
            label={value === undefined || value === null ? t('contact.unknown') : undefined}
            styles={{ label: { color: 'var(--mantine-color-dimmed)', fontSize: 13 } }}
          />
          {value !== undefined && value !== null ? <FieldDisplay kind={kind} value={value} /> : null}
        </Group>
        {error ? (
          <Text fz="xs" c="red" mt={2} role="alert">
            {error}
          </Text>
        ) : null}
      </Box>
    );
  }

  if (!editing) {
    return (
      <Box data-testid={testId} className="field">
        {heading}
        {canEdit ? (
          <UnstyledButton
            className="field__edit"
            onClick={start}
            aria-label={t('contacts.editField', { field: label })}
            data-testid={`${testId}-edit`}
          >
            <Box className="field__value" style={{ flex: 1, minWidth: 0 }}>
              {display ?? <FieldDisplay kind={kind} value={value} />}
            </Box>
            <IconPencil size={13} className="field__pencil" aria-hidden />
          </UnstyledButton>
        ) : (
          <Box className="field__value" mt={2}>
            {display ?? <FieldDisplay kind={kind} value={value} />}
          </Box>
        )}
      </Box>
    );
  }

  const inputProps = {
    size: 'xs' as const,
    'aria-label': label,
    'data-testid': `${testId}-input`,
    error: error ?? undefined,
    onKeyDown: onKey,
    disabled: saving,
    autoFocus: true,
    style: { flex: 1 },
  };
  let input: ReactNode;
  if (kind.type === 'list') {
    input = (
      <Select
        {...inputProps}
        // Picking an option is the decision: it saves at once (Enter belongs to the option list here).
        onKeyDown={(event) => event.key === 'Escape' && setEditing(false)}
        data={kind.options}
        value={draft || null}
        onChange={(next) => {
          setDraft(next ?? '');
          void save(next);
        }}
        clearable
        searchable
        comboboxProps={{ withinPortal: true }}
        defaultDropdownOpened
      />
    );
  } else if (kind.type === 'number') {
    input = (
      <NumberInput {...inputProps} value={draft} onChange={(next) => setDraft(String(next))} hideControls />
    );
  } else {
    const htmlType =
      kind.type === 'date'
        ? 'date'
        : kind.type === 'link'
          ? 'url'
          : kind.type === 'email'
            ? 'email'
            : kind.type === 'tel'
              ? 'tel'
              : 'text';
    input = (
      <TextInput
        {...inputProps}
        type={htmlType}
        value={draft}
        onChange={(event) => setDraft(event.currentTarget.value)}
        placeholder={kind.type === 'link' ? 'https://' : undefined}
      />
    );
  }
  return (
    <Box data-testid={testId} className="field">
      {heading}
      <Group gap={4} mt={4} align="flex-start" wrap="nowrap">
        {input}
        <Tooltip label={t('common.save')}>
          <ActionIcon
            variant="light"
            size={30}
            onClick={() => void save(parseDraft(kind, draft))}
            loading={saving}
            aria-label={t('common.save')}
            data-testid={`${testId}-save`}
          >
            <IconCheck size={15} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={t('common.cancel')}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size={30}
            onClick={() => setEditing(false)}
            aria-label={t('common.cancel')}
          >
            <IconX size={15} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Box>
  );
}
