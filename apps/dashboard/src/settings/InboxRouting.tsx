import {
  ActionIcon,
  Box,
  Button,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { BotMenuOption, BotSettings, BusinessHours, InboxSettings, Weekday } from '@parley/shared';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';

const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A fresh menu option id: the server only needs it unique and made of letters, digits, _ and -. */
function optionId(options: BotMenuOption[]): string {
  let n = options.length + 1;
  while (options.some((o) => o.id === `option${n}`)) n += 1;
  return `option${n}`;
}

function Block({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }}>
      <Title order={3} fz={16}>
        {title}
      </Title>
      {description ? (
        <Text fz="sm" c="dimmed" mt={4}>
          {description}
        </Text>
      ) : null}
      <Box mt="lg">{children}</Box>
    </Paper>
  );
}

type Props = {
  settings: InboxSettings;
  set: (change: Partial<InboxSettings>) => void;
  disabled: boolean;
};

/** How conversations end, how they reach agents, and when the team works. */
export function RoutingSection({ settings, set, disabled }: Props) {
  const t = useT();
  const hours = settings.businessHours;
  const setHours = (change: Partial<BusinessHours>) => set({ businessHours: { ...hours, ...change } });
  return (
    <Block title={t('inboxRouting.title')} description={t('inboxRouting.help')}>
      <Stack gap="md">
        <Box>
          <Text fz="sm" fw={500} mb={4}>
            {t('inboxRouting.style')}
          </Text>
          <SegmentedControl
            value={settings.style}
            onChange={(value) =>
              set({
                style: value === 'live_chat' || value === 'live_chat_returning' ? value : 'messaging',
              })
            }
            data={[
              { value: 'live_chat', label: t('inboxRouting.style.live_chat') },
              { value: 'live_chat_returning', label: t('inboxRouting.style.live_chat_returning') },
              { value: 'messaging', label: t('inboxRouting.style.messaging') },
            ]}
            disabled={disabled}
            aria-label={t('inboxRouting.style')}
            data-testid="inbox-style"
          />
          <Text fz="xs" c="dimmed" mt={4}>
            {t(`inboxRouting.styleHelp.${settings.style}`)}
          </Text>
        </Box>
        {settings.style === 'live_chat_returning' ? (
          <NumberInput
            label={t('inboxRouting.returningWindow')}
            value={settings.returningWindowMinutes}
            min={1}
            max={7 * 24 * 60}
            allowDecimal={false}
            onChange={(v) => typeof v === 'number' && set({ returningWindowMinutes: v })}
            disabled={disabled}
            maw={240}
            name="returningWindowMinutes"
          />
        ) : null}
        {settings.style === 'messaging' ? (
          <NumberInput
            label={t('inboxRouting.closeDays')}
            value={settings.messagingCloseDays}
            min={1}
            max={28}
            allowDecimal={false}
            clampBehavior="strict"
            onChange={(v) => typeof v === 'number' && set({ messagingCloseDays: v })}
            disabled={disabled}
            maw={240}
            name="messagingCloseDays"
          />
        ) : null}
        <Switch
          label={t('inboxRouting.autoAssign')}
          description={t('inboxRouting.autoAssignHelp')}
          checked={settings.autoAssign}
          onChange={(e) => set({ autoAssign: e.currentTarget.checked })}
          disabled={disabled}
        />
        <Switch
          label={t('routingExtra.reassignOnOffline')}
          description={t('routingExtra.reassignOnOfflineHelp')}
          checked={settings.reassignOnOffline}
          onChange={(e) => set({ reassignOnOffline: e.currentTarget.checked })}
          disabled={disabled}
          data-testid="reassign-on-offline"
        />
        <TagsInput
          label={t('inboxRouting.requiredSkills')}
          description={t('inboxRouting.requiredSkillsHelp')}
          value={settings.requiredSkills}
          onChange={(values) =>
            set({ requiredSkills: [...new Set(values.map((v) => v.trim()).filter(Boolean))] })
          }
          maxTags={20}
          disabled={disabled}
          acceptValueOnBlur
          data-testid="required-skills"
        />
        <Switch
          label={t('inboxRouting.businessHours')}
          checked={hours.enabled}
          onChange={(e) => setHours({ enabled: e.currentTarget.checked })}
          disabled={disabled}
        />
        {hours.enabled ? (
          <Stack gap="xs">
            <TextInput
              label={t('inboxRouting.timezone')}
              value={hours.timezone}
              onChange={(e) => setHours({ timezone: e.currentTarget.value })}
              disabled={disabled}
              maw={280}
              placeholder="Europe/Lisbon"
            />
            {weekdays.map((day) => {
              const entry = hours.hours.find((h) => h.day === day);
              const update = (from: string, to: string) =>
                setHours({ hours: [...hours.hours.filter((h) => h.day !== day), { day, from, to }] });
              return (
                <Group key={day} gap="sm" wrap="nowrap">
                  <Switch
                    w={120}
                    label={t(`inboxRouting.day.${day}`)}
                    checked={entry !== undefined}
                    onChange={(e) =>
                      e.currentTarget.checked
                        ? update('09:00', '17:00')
                        : setHours({ hours: hours.hours.filter((h) => h.day !== day) })
                    }
                    disabled={disabled}
                  />
                  {entry ? (
                    <>
                      <TextInput
                        type="time"
                        value={entry.from}
                        onChange={(e) => update(e.currentTarget.value, entry.to)}
                        aria-label={`${t(`inboxRouting.day.${day}`)} ${t('inboxRouting.from')}`}
                        disabled={disabled}
                      />
                      <TextInput
                        type="time"
                        value={entry.to}
                        onChange={(e) => update(entry.from, e.currentTarget.value)}
                        aria-label={`${t(`inboxRouting.day.${day}`)} ${t('inboxRouting.to')}`}
                        disabled={disabled}
                      />
                    </>
                  ) : (
                    <Text fz="sm" c="dimmed">
                      {t('inboxRouting.closed')}
                    </Text>
                  )}
                </Group>
              );
            })}
          </Stack>
        ) : null}
      </Stack>
    </Block>
  );
}

/** The bot in front of the inbox: the built-in one (greeting, menu, keyword answers) or a webhook. */
export function BotSection({ settings, set, disabled }: Props) {
  const t = useT();
  const bot = settings.bot;
  const setBot = (change: Partial<BotSettings>) => set({ bot: { ...bot, ...change } });
  const options = bot.menu.options;
  const setOptions = (next: BotMenuOption[]) => setBot({ menu: { ...bot.menu, options: next } });
  return (
    <Block title={t('inboxBot.title')} description={t('inboxBot.help')}>
      <Stack gap="md" data-testid="bot-settings">
        <Switch
          label={t('inboxBot.enabled')}
          checked={bot.enabled}
          onChange={(e) => setBot({ enabled: e.currentTarget.checked })}
          disabled={disabled}
          data-testid="bot-enabled"
        />
        {bot.enabled ? (
          <>
            <SegmentedControl
              value={bot.kind}
              onChange={(value) => setBot({ kind: value === 'webhook' ? 'webhook' : 'builtin' })}
              data={[
                { value: 'builtin', label: t('inboxBot.builtin') },
                { value: 'webhook', label: t('inboxBot.webhook') },
              ]}
              disabled={disabled}
              aria-label={t('inboxBot.kind')}
              maw={360}
            />
            <TextInput
              label={t('inboxBot.name')}
              value={bot.name}
              maxLength={60}
              onChange={(e) => setBot({ name: e.currentTarget.value })}
              disabled={disabled}
              name="botName"
            />
            {bot.kind === 'webhook' ? (
              <TextInput
                label={t('inboxBot.webhookUrl')}
                description={t('inboxBot.webhookHelp')}
                value={bot.webhook?.url ?? ''}
                placeholder="https://bot.example.com/parley"
                onChange={(e) =>
                  setBot({
                    webhook: { url: e.currentTarget.value, timeoutMs: bot.webhook?.timeoutMs ?? 5000 },
                  })
                }
                disabled={disabled}
                name="webhookUrl"
              />
            ) : (
              <>
                <Textarea
                  label={t('inboxBot.greeting')}
                  value={bot.greeting}
                  maxLength={2000}
                  autosize
                  minRows={2}
                  onChange={(e) => setBot({ greeting: e.currentTarget.value })}
                  disabled={disabled}
                  name="botGreeting"
                />
                <TextInput
                  label={t('inboxBot.menuText')}
                  value={bot.menu.text}
                  maxLength={1000}
                  onChange={(e) => setBot({ menu: { ...bot.menu, text: e.currentTarget.value } })}
                  disabled={disabled}
                  name="menuText"
                />
                <Stack gap="xs">
                  <Text fz="sm" fw={500}>
                    {t('inboxBot.options')}
                  </Text>
                  {options.map((option, index) => (
                    <Group key={option.id} gap="xs" align="flex-start" wrap="nowrap" data-testid="bot-option">
                      <TextInput
                        placeholder={t('inboxBot.optionLabel')}
                        aria-label={t('inboxBot.optionLabel')}
                        value={option.label}
                        maxLength={80}
                        onChange={(e) =>
                          setOptions(
                            options.map((o, i) => (i === index ? { ...o, label: e.currentTarget.value } : o)),
                          )
                        }
                        disabled={disabled}
                        w={180}
                      />
                      <Select
                        aria-label={t('inboxBot.optionAction')}
                        value={option.action}
                        data={[
                          { value: 'reply', label: t('inboxBot.optionReply') },
                          { value: 'handoff', label: t('inboxBot.optionHandoff') },
                        ]}
                        onChange={(value) =>
                          setOptions(
                            options.map((o, i) =>
                              i === index ? { ...o, action: value === 'handoff' ? 'handoff' : 'reply' } : o,
                            ),
                          )
                        }
                        allowDeselect={false}
                        disabled={disabled}
                        w={150}
                      />
                      {option.action === 'reply' ? (
                        <TextInput
                          placeholder={t('inboxBot.optionAnswer')}
                          aria-label={t('inboxBot.optionAnswer')}
                          value={option.reply}
                          maxLength={2000}
                          onChange={(e) =>
                            setOptions(
                              options.map((o, i) =>
                                i === index ? { ...o, reply: e.currentTarget.value } : o,
                              ),
                            )
                          }
                          disabled={disabled}
                          style={{ flex: 1 }}
                        />
                      ) : (
                        <Box style={{ flex: 1 }} />
                      )}
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        size={36}
                        onClick={() => setOptions(options.filter((_, i) => i !== index))}
                        aria-label={t('common.remove')}
                        disabled={disabled}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  ))}
                  {options.length < 10 ? (
                    <Button
                      variant="subtle"
                      size="xs"
                      leftSection={<IconPlus size={14} />}
                      onClick={() =>
                        setOptions([
                          ...options,
                          { id: optionId(options), label: '', action: 'reply', reply: '' },
                        ])
                      }
                      disabled={disabled}
                      w="fit-content"
                    >
                      {t('inboxBot.addOption')}
                    </Button>
                  ) : null}
                </Stack>
                <Stack gap="xs">
                  <Text fz="sm" fw={500}>
                    {t('inboxBot.keywords')}
                  </Text>
                  {bot.keywords.map((answer, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: keyword answers have no id; order is identity.
                    <Group key={index} gap="xs" align="flex-start" wrap="nowrap" data-testid="bot-keyword">
                      <TagsInput
                        placeholder={t('inboxBot.keywordWords')}
                        aria-label={t('inboxBot.keywordWords')}
                        value={answer.keywords}
                        onChange={(values) =>
                          setBot({
                            keywords: bot.keywords.map((k, i) =>
                              i === index ? { ...k, keywords: values } : k,
                            ),
                          })
                        }
                        acceptValueOnBlur
                        maxTags={20}
                        disabled={disabled}
                        w={240}
                      />
                      <TextInput
                        placeholder={t('inboxBot.optionAnswer')}
                        aria-label={t('inboxBot.keywordAnswer')}
                        value={answer.reply}
                        maxLength={2000}
                        onChange={(e) =>
                          setBot({
                            keywords: bot.keywords.map((k, i) =>
                              i === index ? { ...k, reply: e.currentTarget.value } : k,
                            ),
                          })
                        }
                        disabled={disabled}
                        style={{ flex: 1 }}
                      />
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        size={36}
                        onClick={() => setBot({ keywords: bot.keywords.filter((_, i) => i !== index) })}
                        aria-label={t('common.remove')}
                        disabled={disabled}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  ))}
                  <Button
                    variant="subtle"
                    size="xs"
                    leftSection={<IconPlus size={14} />}
                    onClick={() => setBot({ keywords: [...bot.keywords, { keywords: [], reply: '' }] })}
                    disabled={disabled}
                    w="fit-content"
                  >
                    {t('inboxBot.addKeyword')}
                  </Button>
                </Stack>
                <Textarea
                  label={t('inboxBot.fallback')}
                  value={bot.fallback}
                  maxLength={2000}
                  autosize
                  onChange={(e) => setBot({ fallback: e.currentTarget.value })}
                  disabled={disabled}
                />
              </>
            )}
          </>
        ) : null}
      </Stack>
    </Block>
  );
}
