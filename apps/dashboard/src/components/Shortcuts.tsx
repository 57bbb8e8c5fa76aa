import { Group, Kbd, Modal, Stack, Text } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useSyncExternalStore } from 'react';
import { type MessageKey, useT } from '../i18n/index.tsx';

let open = false;
const listeners = new Set<() => void>();
const setOpen = (value: boolean) => {
  open = value;
  for (const listener of listeners) listener();
};

export const openShortcutHelp = () => setOpen(true);

const shortcuts: Array<{ keys: string[]; label: MessageKey }> = [
  { keys: ['J'], label: 'shortcuts.next' },
  { keys: ['K'], label: 'shortcuts.previous' },
  { keys: ['R'], label: 'shortcuts.reply' },
  { keys: ['N'], label: 'shortcuts.note' },
  { keys: ['E'], label: 'shortcuts.resolve' },
  { keys: ['Enter'], label: 'shortcuts.send' },
  { keys: ['Shift', 'Enter'], label: 'shortcuts.newline' },
  { keys: ['Ctrl', 'K'], label: 'shortcuts.palette' },
  { keys: ['/'], label: 'search.shortcutHelp' },
  { keys: ['?'], label: 'shortcuts.help' },
];

/** The `?` help dialog; mounted once in the workspace. */
export function ShortcutHelp() {
  const t = useT();
  const isOpen = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => open,
  );
  useHotkeys([['shift+?', () => setOpen(!open)]]);
  return (
    <Modal opened={isOpen} onClose={() => setOpen(false)} title={t('shortcuts.title')} size="sm">
      <Stack gap="xs">
        {shortcuts.map((s) => (
          <Group key={s.label} justify="space-between">
            <Text fz="sm">{t(s.label)}</Text>
            <Group gap={4}>
              {s.keys.map((k) => (
                <Kbd key={k}>{k}</Kbd>
              ))}
            </Group>
          </Group>
        ))}
      </Stack>
    </Modal>
  );
}
