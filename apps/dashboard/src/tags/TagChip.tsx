import { Box, CloseButton, Group, Text } from '@mantine/core';
import type { Tag } from '@parley/shared';
import { useT } from '../i18n/index.tsx';
import { textOn } from './colours.ts';
import './tags.css';
import { useTagLookup } from './queries.ts';

/** A tag in its colour, with text that stays readable on it. The name is always text, never markup. */
export function TagChip({
  tag,
  size = 'sm',
  onRemove,
}: {
  tag: Pick<Tag, 'id' | 'name' | 'color'>;
  size?: 'xs' | 'sm';
  onRemove?: () => void;
}) {
  const t = useT();
  const foreground = textOn(tag.color);
  return (
    <Box
      component="span"
      className="tag-chip"
      data-size={size}
      data-tag-id={tag.id}
      style={{ background: tag.color, color: foreground }}
      title={tag.name}
    >
      <span className="tag-chip__name">{tag.name}</span>
      {onRemove ? (
        <CloseButton
          size={size === 'xs' ? 12 : 14}
          iconSize={size === 'xs' ? 9 : 11}
          variant="transparent"
          style={{ color: foreground }}
          aria-label={t('tags.remove', { name: tag.name })}
          onClick={(event) => {
            event.stopPropagation();
            onRemove();
          }}
        />
      ) : null}
    </Box>
  );
}

/** The tags of a conversation by id, in name order, at most `max` of them and a count of the rest. */
export function TagChips({
  accountId,
  tagIds,
  max = 3,
  size = 'xs',
}: {
  accountId: string;
  tagIds: readonly string[];
  max?: number;
  size?: 'xs' | 'sm';
}) {
  const t = useT();
  const lookup = useTagLookup(accountId);
  const known = tagIds
    .map(lookup)
    .filter((tag): tag is Tag => tag !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (known.length === 0) return null;
  const shown = known.slice(0, max);
  return (
    <Group gap={4} wrap="nowrap" className="tag-chips" style={{ minWidth: 0, overflow: 'hidden' }}>
      {shown.map((tag) => (
        <TagChip key={tag.id} tag={tag} size={size} />
      ))}
      {known.length > shown.length ? (
        <Text fz={11} c="dimmed" style={{ flexShrink: 0 }}>
          {t('tags.more', { count: known.length - shown.length })}
        </Text>
      ) : null}
    </Group>
  );
}
