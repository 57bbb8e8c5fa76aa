import { ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useMemo, useRef } from 'react';
import { useT } from '../../i18n/index.tsx';
import { emojiCategories, searchEmoji } from './emoji-data.ts';

/** The inside of the emoji popover: search and the categorised grid (with the emoji data, loaded on demand). */
export function EmojiPanel({
  query,
  onQuery,
  onPick,
}: {
  query: string;
  onQuery: (query: string) => void;
  onPick: (emoji: string) => void;
}) {
  const t = useT();
  const found = useMemo(() => searchEmoji(query), [query]);
  const pick = onPick;
  // The popover's focus trap ran before this arrived; put the caret in the search field as it would be.
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <>
      <TextInput
        size="xs"
        value={query}
        onChange={(event) => onQuery(event.currentTarget.value)}
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
        ref={input}
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
    </>
  );
}
