import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { type Webhook, type WebhookEventType, webhookEventTypes } from '@parley/shared';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useT } from '../../i18n/index.tsx';
import { ApiError, patch, post } from '../../lib/api.ts';
import { errorMessage, fieldErrors } from '../../lib/errors.ts';
import { useInboxes } from '../../lib/queries.ts';
import { useReady } from '../../lib/session.tsx';
import { eventHint, useRefreshWebhooks, type WebhookWithSecret, webhooksPath } from './queries.ts';

/**
 * Adding an endpoint (`editing` absent) or changing one. Creating hands the secret to `onCreated`,
 * which shows it once.
 */
export function WebhookForm({
  editing,
  onClose,
  onCreated,
}: {
  editing?: Webhook;
  onClose: () => void;
  onCreated?: (created: WebhookWithSecret) => void;
}) {
  const t = useT();
  const { account } = useReady();
  const inboxes = useInboxes(account.accountId);
  const refresh = useRefreshWebhooks(account.accountId);
  const [url, setUrl] = useState(editing?.url ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [eventTypes, setEventTypes] = useState<string[]>(
    editing?.eventTypes ?? ['conversation.created', 'message.created'],
  );
  const [inboxId, setInboxId] = useState<string | null>(editing?.inboxId ?? null);
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        url: url.trim(),
        // An empty description clears it when editing and is left out when creating.
        ...(editing || description.trim() ? { description: description.trim() } : {}),
        eventTypes: eventTypes as WebhookEventType[],
        inboxId,
      };
      if (editing) {
        await patch<{ webhook: Webhook }>(`${webhooksPath(account.accountId)}/${editing.id}`, body);
        return null;
      }
      return post<WebhookWithSecret>(webhooksPath(account.accountId), body);
    },
    onSuccess: (created) => {
      void refresh();
      if (created) onCreated?.(created);
      else onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const errors = fieldErrors(save.error);
  // The only conflict creating can meet is the per-account limit.
  const tooMany = save.error instanceof ApiError && save.error.code === 'conflict';
  const generalError =
    save.error && !errors.url && !errors.eventTypes && !errors.description
      ? tooMany
        ? t('webhooks.form.tooMany')
        : errorMessage(save.error, t)
      : null;
  return (
    <Modal
      opened
      onClose={onClose}
      title={editing ? t('webhooks.form.editTitle') : t('webhooks.form.createTitle')}
      size="lg"
    >
      <form onSubmit={submit}>
        <Stack data-testid="webhook-form">
          <TextInput
            label={t('webhooks.form.url')}
            description={t('webhooks.form.urlHint')}
            placeholder="https://example.com/parley/webhooks"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url}
            maxLength={2000}
            type="url"
            data-autofocus
            required
            name="webhookUrl"
          />
          <TextInput
            label={t('webhooks.form.description')}
            placeholder={t('webhooks.form.descriptionPlaceholder')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.description}
            maxLength={200}
            name="webhookDescription"
          />
          <Checkbox.Group
            label={t('webhooks.form.events')}
            description={t('webhooks.form.eventsHint')}
            value={eventTypes}
            onChange={setEventTypes}
            error={eventTypes.length === 0 ? t('webhooks.form.eventsRequired') : errors.eventTypes}
          >
            <Stack gap="xs" mt="xs">
              {webhookEventTypes.map((type) => (
                <Checkbox
                  key={type}
                  value={type}
                  label={
                    <Text component="span" ff="monospace" fz="sm" fw={500}>
                      {type}
                    </Text>
                  }
                  description={t(eventHint(type))}
                  data-event={type}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          <Select
            label={t('webhooks.form.inbox')}
            description={t('webhooks.form.inboxHint')}
            placeholder={t('webhooks.allInboxes')}
            data={(inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))}
            value={inboxId}
            onChange={setInboxId}
            clearable
            data-testid="webhook-inbox"
          />
          {generalError ? (
            <Alert color="red" variant="light">
              {generalError}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!url.trim() || eventTypes.length === 0}
              data-testid="save-webhook"
            >
              {editing ? t('common.save') : t('webhooks.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
