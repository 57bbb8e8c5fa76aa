import { ActionIcon, Center, Loader, Popover, Tooltip } from '@mantine/core';
import { IconMoodSmile } from '@tabler/icons-react';
import { lazy, useState } from 'react';
import { LazyPart } from '../../components/LazyBoundary.tsx';
import { useT } from '../../i18n/index.tsx';

// The emoji list is not needed until the picker opens; hovering the button starts loading it.
const loadPanel = () => import('./EmojiPanel.tsx');
const EmojiPanel = lazy(() => loadPanel().then((m) => ({ default: m.EmojiPanel })));

/** Same height as the panel (search field and grid), so the popover does not jump when it arrives. */
function EmojiPanelLoading() {
  return (
    <Center h={276}>
      <Loader size="sm" type="dots" />
    </Center>
  );
}

/** The emoji button of the composer: a searchable, categorised grid; a pick inserts at the caret. */
export function EmojiPicker({ disabled, onPick }: { disabled: boolean; onPick: (emoji: string) => void }) {
  const t = useT();
  const [opened, setOpened] = useState(false);
  const [query, setQuery] = useState('');
  const pick = (char: string) => {
    setOpened(false);
    setQuery('');
    onPick(char);
  };
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="top-start"
      shadow="md"
      width={316}
      trapFocus
      returnFocus={false}
    >
      <Popover.Target>
        <Tooltip label={t('canned.emoji.button')} disabled={opened}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size={30}
            disabled={disabled}
            onClick={() => setOpened((o) => !o)}
            onPointerEnter={() => void loadPanel()}
            onFocus={() => void loadPanel()}
            aria-label={t('canned.emoji.button')}
            aria-expanded={opened}
            data-testid="composer-emoji"
          >
            <IconMoodSmile size={18} stroke={1.7} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={8} data-testid="emoji-picker">
        <LazyPart fallback={<EmojiPanelLoading />}>
          <EmojiPanel query={query} onQuery={setQuery} onPick={pick} />
        </LazyPart>
      </Popover.Dropdown>
    </Popover>
  );
}
