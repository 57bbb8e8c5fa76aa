import { Button, Group, Modal, Text } from '@mantine/core';
import { useState } from 'react';
import { useT } from '../i18n/index.tsx';

/** A confirmation dialog for destructive actions; `ask(message, action)` opens it. */
export function useConfirm() {
  const t = useT();
  const [pending, setPending] = useState<{ message: string; confirm: string; action: () => void } | null>(
    null,
  );
  const ask = (message: string, confirm: string, action: () => void) =>
    setPending({ message, confirm, action });
  const dialog = (
    <Modal opened={pending !== null} onClose={() => setPending(null)} withCloseButton={false} size="sm">
      <Text fz="sm">{pending?.message}</Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={() => setPending(null)}>
          {t('common.cancel')}
        </Button>
        <Button
          color="red"
          onClick={() => {
            pending?.action();
            setPending(null);
          }}
          data-testid="confirm"
        >
          {pending?.confirm}
        </Button>
      </Group>
    </Modal>
  );
  return { ask, dialog };
}
