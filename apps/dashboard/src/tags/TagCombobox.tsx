import { Box, ColorSwatch, Combobox, Group, Text, useCombobox } from '@mantine/core';
import type { Tag } from '@parley/shared';
import { IconCheck, IconPlus } from '@tabler/icons-react';
import { type ReactElement, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { colourFor, tagPalette } from './colours.ts';
import { useTags } from './queries.ts';

const CREATE = '\u0000create';

/**
 * A searchable list of the account's tags that toggles them on and off and stays open for more. With
 * `onCreate`, a name no tag has yet can be created on the spot in a colour from the palette.
 */
export function TagCombobox({
  accountId,
  selected,
  onToggle,
  onCreate,
  target,
  placeholder,
}: {
  accountId: string;
  selected: readonly string[];
  onToggle: (tag: Tag, present: boolean) => void;
  onCreate?: (name: string, color: string) => void;
  target: (toggle: () => void) => ReactElement;
  placeholder: string;
}) {
  const t = useT();
  const tags = useTags(accountId);
  const [search, setSearch] = useState('');
  const [colour, setColour] = useState<string | null>(null);
  const combobox = useCombobox({
    onDropdownClose: () => {
      combobox.resetSelectedOption();
      setSearch('');
      setColour(null);
    },
    onDropdownOpen: () => combobox.focusSearchInput(),
  });
  const needle = search.trim().toLowerCase();
  const all = tags.data ?? [];
  const shown = all.filter((tag) => tag.name.toLowerCase().includes(needle));
  const name = search.trim();
  const creatable =
    onCreate !== undefined &&
    name.length > 0 &&
    name.length <= 50 &&
    !all.some((tag) => tag.name.toLowerCase() === needle);
  const newColour = colour ?? colourFor(name);

  return (
    <Combobox
      store={combobox}
      width={260}
      position="bottom-start"
      withinPortal
      onOptionSubmit={(value) => {
        if (value === CREATE) {
          if (creatable) onCreate?.(name, newColour);
          setSearch('');
          setColour(null);
          return;
        }
        const tag = all.find((candidate) => candidate.id === value);
        if (tag) onToggle(tag, !selected.includes(tag.id));
      }}
    >
      <Combobox.Target targetType="button">{target(() => combobox.toggleDropdown())}</Combobox.Target>
      <Combobox.Dropdown>
        <Combobox.Search
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            combobox.updateSelectedOptionIndex();
          }}
          placeholder={placeholder}
          aria-label={placeholder}
          maxLength={50}
          data-testid="tag-search"
        />
        <Combobox.Options mah={260} style={{ overflowY: 'auto' }} data-testid="tag-options">
          {shown.map((tag) => {
            const on = selected.includes(tag.id);
            return (
              <Combobox.Option value={tag.id} key={tag.id} active={on} data-testid="tag-option">
                <Group gap={8} wrap="nowrap">
                  <Box className="tag-option__check">{on ? <IconCheck size={14} /> : null}</Box>
                  <ColorSwatch color={tag.color} size={12} withShadow={false} />
                  <Text fz="sm" truncate>
                    {tag.name}
                  </Text>
                </Group>
              </Combobox.Option>
            );
          })}
          {creatable ? (
            <Combobox.Option value={CREATE} data-testid="tag-create">
              <Group gap={8} wrap="nowrap">
                <Box className="tag-option__check">
                  <IconPlus size={14} />
                </Box>
                <ColorSwatch color={newColour} size={12} withShadow={false} />
                <Text fz="sm" truncate>
                  {t('tags.create', { name })}
                </Text>
              </Group>
            </Combobox.Option>
          ) : null}
          {shown.length === 0 && !creatable ? (
            <Combobox.Empty>{all.length === 0 ? t('tags.noTags') : t('tags.noMatch')}</Combobox.Empty>
          ) : null}
        </Combobox.Options>
        {creatable ? (
          <Combobox.Footer>
            <Text fz={11} c="dimmed" mb={6}>
              {t('tags.createColour')}
            </Text>
            <Group gap={6}>
              {tagPalette.map((swatch) => (
                <button
                  type="button"
                  key={swatch}
                  className="tag-swatch"
                  aria-pressed={swatch === newColour}
                  aria-label={t('tags.colour', { colour: swatch })}
                  data-selected={swatch === newColour || undefined}
                  style={{ background: swatch }}
                  // Keeps the search focused, so Enter still creates the tag.
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => setColour(swatch)}
                />
              ))}
            </Group>
          </Combobox.Footer>
        ) : null}
      </Combobox.Dropdown>
    </Combobox>
  );
}
