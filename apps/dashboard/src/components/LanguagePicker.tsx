import { Select } from '@mantine/core';
import { IconLanguage } from '@tabler/icons-react';
import { locales, useI18n } from '../i18n/index.tsx';
import { useSession } from '../lib/session.tsx';

/** Chooses the language; signed-in users keep it in their preferences, others in this browser. */
export function LanguagePicker() {
  const { locale, t } = useI18n();
  const { updatePreferences } = useSession();
  return (
    <Select
      aria-label={t('user.language')}
      size="xs"
      w={190}
      leftSection={<IconLanguage size={14} />}
      data={locales}
      value={locale}
      allowDeselect={false}
      onChange={(value) => {
        if (value === 'en' || value === 'pt-BR' || value === 'ru') updatePreferences({ locale: value });
      }}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
