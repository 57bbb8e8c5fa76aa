import { Avatar, Badge, Center, EmptyState, Loader, type MantineSize, Tooltip } from '@mantine/core';
import type { ConversationStatus } from '@parley/shared';
import { IconUser } from '@tabler/icons-react';
import { type ReactNode, useSyncExternalStore } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { colorFor, initials } from '../lib/text.tsx';

export function PersonAvatar({
  name,
  seed,
  size = 'md',
}: {
  name: string | null | undefined;
  seed: string;
  size?: MantineSize | number;
}) {
  const pixels = typeof size === 'number' ? size : 38;
  return (
    <Avatar size={size} radius="xl" color={colorFor(seed)} variant="light" aria-hidden>
      {name?.trim() ? initials(name) : <IconUser size={Math.round(pixels * 0.5)} stroke={1.8} />}
    </Avatar>
  );
}

const statusColors: Record<ConversationStatus, string> = {
  new: 'blue',
  open: 'teal',
  pending: 'yellow',
  on_hold: 'orange',
  solved: 'gray',
  closed: 'dark',
};

export function StatusBadge({ status, size = 'sm' }: { status: ConversationStatus; size?: MantineSize }) {
  const { t } = useI18n();
  return (
    <Badge color={statusColors[status]} variant="light" size={size} data-status={status}>
      {t(`status.${status}`)}
    </Badge>
  );
}

/** One shared clock for every relative time on screen, ticking twice a minute. */
let now = Date.now();
const clockListeners = new Set<() => void>();
setInterval(() => {
  now = Date.now();
  for (const listener of clockListeners) listener();
}, 30_000);
const subscribeClock = (listener: () => void) => {
  clockListeners.add(listener);
  return () => clockListeners.delete(listener);
};

export function RelativeTime({ iso }: { iso: string }) {
  const { formatRelative, formatDate, formatTime } = useI18n();
  useSyncExternalStore(subscribeClock, () => now);
  return (
    <Tooltip label={`${formatDate(iso)} ${formatTime(iso)}`}>
      <time dateTime={iso}>{formatRelative(iso)}</time>
    </Tooltip>
  );
}

export function FullPageLoader() {
  return (
    <Center h="100dvh">
      <Loader type="dots" />
    </Center>
  );
}

export function Empty({
  icon,
  title,
  description,
  children,
}: {
  icon: ReactNode;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <EmptyState
      icon={icon}
      title={title}
      description={description}
      variant="light"
      size="md"
      maw={420}
      mx="auto"
      py="xl"
    >
      {children ? <EmptyState.Actions>{children}</EmptyState.Actions> : null}
    </EmptyState>
  );
}

/** The Parley mark: a speech bubble; `inverse` for dark or coloured backgrounds. */
export function Logo({ size = 32, inverse = false }: { size?: number; inverse?: boolean }) {
  const back = inverse ? '#fff' : 'var(--mantine-color-brand-7)';
  const front = inverse ? 'var(--mantine-color-brand-7)' : '#fff';
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="9" fill={back} />
      <path
        d="M9 11.5A3.5 3.5 0 0 1 12.5 8h7A3.5 3.5 0 0 1 23 11.5v5a3.5 3.5 0 0 1-3.5 3.5H15l-4.2 3.4c-.5.4-1.3 0-1.3-.6V20A3.5 3.5 0 0 1 9 16.5v-5Z"
        fill={front}
      />
      <circle cx="13" cy="14" r="1.3" fill={back} />
      <circle cx="16" cy="14" r="1.3" fill={back} />
      <circle cx="19" cy="14" r="1.3" fill={back} />
    </svg>
  );
}
