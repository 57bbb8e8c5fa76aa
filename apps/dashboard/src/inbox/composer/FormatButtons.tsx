import { ActionIcon, Tooltip } from '@mantine/core';
import { IconBold, IconCode, IconItalic, IconLink } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { type MessageKey, useT } from '../../i18n/index.tsx';

export type FormatKind = 'bold' | 'italic' | 'code' | 'link';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? '⌘' : 'Ctrl';

const buttons: Array<{ kind: FormatKind; label: MessageKey; icon: ReactNode; key?: string }> = [
  { kind: 'bold', label: 'canned.format.bold', icon: <IconBold size={16} stroke={1.8} />, key: 'B' },
  { kind: 'italic', label: 'canned.format.italic', icon: <IconItalic size={16} stroke={1.8} />, key: 'I' },
  { kind: 'code', label: 'canned.format.code', icon: <IconCode size={16} stroke={1.8} /> },
  { kind: 'link', label: 'canned.format.link', icon: <IconLink size={16} stroke={1.8} /> },
];

/** Ctrl/Cmd+B and Ctrl/Cmd+I in the textarea; null for any other key. */
export function formatShortcut(event: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): FormatKind | null {
  if (!(isMac ? event.metaKey : event.ctrlKey) || event.altKey || event.shiftKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'b') return 'bold';
  if (key === 'i') return 'italic';
  return null;
}

/** Bold, italic, code and link: each wraps the selection in the composer. */
export function FormatButtons({
  disabled,
  onFormat,
}: {
  disabled: boolean;
  onFormat: (kind: FormatKind) => void;
}) {
  const t = useT();
  return buttons.map((button) => {
    const label = button.key ? `${t(button.label)} (${MOD}+${button.key})` : t(button.label);
    return (
      <Tooltip key={button.kind} label={label}>
        <ActionIcon
          variant="subtle"
          color="gray"
          size={30}
          disabled={disabled}
          // Keep the textarea's focus and selection: the edit applies to what is selected there.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onFormat(button.kind)}
          aria-label={label}
          data-testid={`composer-format-${button.kind}`}
        >
          {button.icon}
        </ActionIcon>
      </Tooltip>
    );
  });
}
