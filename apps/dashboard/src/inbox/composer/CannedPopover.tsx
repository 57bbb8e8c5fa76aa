import { Badge, Group, Paper, ScrollArea, Text } from '@mantine/core';
import { type CannedReply, markdownToPlainText, parseMarkdownLite } from '@parley/shared';
import { useEffect, useRef } from 'react';
import { useT } from '../../i18n/index.tsx';

export const cannedOptionId = (listId: string, index: number) => `${listId}-option-${index}`;

/** A reply's text on one line, without formatting marks, for the list. */
const preview = (body: string) => markdownToPlainText(parseMarkdownLite(body)).replace(/\s+/g, ' ').trim();

/**
 * The list that opens above the composer while `#shortcut` is typed. Focus stays in the textarea
 * (which owns the keyboard and points at the active option with aria-activedescendant); a click
 * picks without taking focus away.
 */
export function CannedPopover({
  id,
  replies,
  active,
  onHover,
  onPick,
}: {
  id: string;
  replies: CannedReply[];
  active: number;
  onHover: (index: number) => void;
  onPick: (reply: CannedReply) => void;
}) {
  const t = useT();
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    list.current
      ?.querySelector(`#${CSS.escape(cannedOptionId(id, active))}`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [id, active]);

  return (
    <Paper className="canned-popover" shadow="md" withBorder radius="md" data-testid="canned-popover">
      <Group justify="space-between" px="sm" pt={8} pb={4} gap="xs" wrap="nowrap">
        <Text fz="xs" fw={650} c="dimmed" tt="uppercase">
          {t('canned.popover.label')}
        </Text>
        <Text fz="xs" c="dimmed" truncate>
          {t('canned.popover.hint')}
        </Text>
      </Group>
      <ScrollArea.Autosize mah={260} type="auto" viewportRef={list}>
        <div role="listbox" id={id} aria-label={t('canned.popover.label')} className="canned-popover__list">
          {replies.map((reply, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard drives the list from the textarea (aria-activedescendant).
            <div
              key={reply.id}
              id={cannedOptionId(id, index)}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              className="canned-popover__option"
              data-active={index === active || undefined}
              data-testid="canned-option"
              data-shortcut={reply.shortcut}
              onMouseDown={(event) => event.preventDefault()}
              onMouseMove={() => index !== active && onHover(index)}
              onClick={() => onPick(reply)}
            >
              <Group gap={8} wrap="nowrap" justify="space-between">
                <Text fz="sm" fw={650} className="canned-popover__shortcut">
                  #{reply.shortcut}
                </Text>
                <Badge size="xs" variant="light" color={reply.scope === 'personal' ? 'gray' : 'brand'}>
                  {reply.scope === 'team'
                    ? (reply.teamName ?? t('canned.scope.team'))
                    : t(`canned.scope.${reply.scope}`)}
                </Badge>
              </Group>
              <Text fz="xs" c="dimmed" lineClamp={2}>
                {preview(reply.body)}
              </Text>
            </div>
          ))}
        </div>
      </ScrollArea.Autosize>
    </Paper>
  );
}
