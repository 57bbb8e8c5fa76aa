import { ActionIcon, Box, Button, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';

/** A value shown in monospace with a copy button (snippets, links, secrets). */
export function Copyable({
  value,
  display,
  testId,
  multiline = false,
}: {
  value: string;
  display?: string;
  testId?: string;
  multiline?: boolean;
}) {
  const t = useT();
  return (
    <Box className="copyable" data-multiline={multiline || undefined}>
      <Text component="code" className="copyable__text" data-testid={testId}>
        {display ?? value}
      </Text>
      <CopyButton value={value} timeout={2000}>
        {({ copied, copy }) =>
          multiline ? (
            <Button
              size="xs"
              variant={copied ? 'filled' : 'light'}
              color={copied ? 'teal' : 'brand'}
              leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              onClick={copy}
              className="copyable__button"
              data-testid={testId ? `${testId}-copy` : undefined}
            >
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          ) : (
            <Tooltip label={copied ? t('common.copied') : t('common.copy')}>
              <ActionIcon
                variant="subtle"
                color={copied ? 'teal' : 'gray'}
                onClick={copy}
                aria-label={t('common.copy')}
                data-testid={testId ? `${testId}-copy` : undefined}
              >
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )
        }
      </CopyButton>
    </Box>
  );
}

export function CopyRow({ children }: { children: React.ReactNode }) {
  return <Group gap="xs">{children}</Group>;
}
