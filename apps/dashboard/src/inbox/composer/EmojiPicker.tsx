import { ActionIcon, Popover, ScrollArea, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconMoodSmile, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useT } from '../../i18n/index.tsx';
import { emojiCategories, searchEmoji } from './emoji-data.ts';

/** The emoji button of the composer: a searchable, categorised grid; a pick inserts at the caret. */
export function EmojiPicker({ disabled, onPick }: { disabled: boolean; onPick: (emoji: string) => void }) {
  const t = useT();
  const [opened, setOpened] = useState(false);
  const [query, setQuery] = useState('');
  const found = useMemo(() => searchEmoji(query), [query]);
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
            aria-label={t('canned.emoji.button')}
            aria-expanded={opened}
            data-testid="composer-emoji"
          >
            <IconMoodSmile size={18} stroke={1.7} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={8} data-testid="emoji-picker">
        <TextInput
          size="xs"
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => {
            const first = found[0];
            if (event.key === 'Enter' && first) {
              event.preventDefault();
              pick(first.char);
            }
          }}
          placeholder={t('canned.emoji.search')}
          aria-label={t('canned.emoji.search')}
          leftSection={<IconSearch size={14} />}
          data-autofocus
          mb={6}
        />
        <ScrollArea h={240} type="auto" offsetScrollbars>
          {found.length === 0 ? (
            <Text fz="sm" c="dimmed" ta="center" py="lg">
              {t('canned.emoji.none')}
            </Text>
          ) : (
            <Stack gap={6}>
              {emojiCategories.map((category) => {
                const items = found.filter((e) => e.category === category);
                if (items.length === 0) return null;
                return (
                  <div key={category}>
                    <Text fz={11} fw={650} c="dimmed" tt="uppercase" mb={2}>
                      {t(`canned.emoji.${category}`)}
                    </Text>
                    <div className="emoji-grid">
                      {items.map((emoji) => (
                        <button
                          key={emoji.char}
                          type="button"
                          className="emoji-grid__item"
                          title={emoji.name}
                          aria-label={emoji.name}
                          onClick={() => pick(emoji.char)}
                        >
                          {emoji.char}
                        </button>
                      ))}
                    </div>
                  </div>
                );
              })}
            </Stack>
          )}
        </ScrollArea>
      </Popover.Dropdown>
    </Popover>
  );
}
