import type { Locale } from '@parley/shared';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { FullPageLoader } from '../components/common.tsx';
import { type Dictionary, en, type MessageKey } from './en.ts';

export type { MessageKey };

export const locales: Array<{ value: Locale; label: string }> = [
  { value: 'en', label: 'English' },
  { value: 'pt-BR', label: 'Português (Brasil)' },
  { value: 'ru', label: 'Русский' },
];

// English is the reference and every missing key's fallback, so it ships with the app; the other
// languages load when someone uses them, which keeps them out of everyone's first load.
const loaders: Record<Exclude<Locale, 'en'>, () => Promise<Dictionary>> = {
  'pt-BR': () => import('./pt-BR.ts').then((m) => m.ptBR),
  ru: () => import('./ru.ts').then((m) => m.ru),
};
const dictionaries = new Map<Locale, Dictionary>([['en', en]]);
const loading = new Map<Locale, Promise<Dictionary>>();

function loadDictionary(locale: Locale): Promise<Dictionary> {
  const ready = dictionaries.get(locale);
  if (ready) return Promise.resolve(ready);
  if (locale === 'en') return Promise.resolve(en);
  let pending = loading.get(locale);
  if (!pending) {
    pending = loaders[locale]().then(
      (dictionary) => {
        dictionaries.set(locale, dictionary);
        return dictionary;
      },
      (error: unknown) => {
        loading.delete(locale); // a later switch may retry
        throw error;
      },
    );
    loading.set(locale, pending);
  }
  return pending;
}

/**
 * The locale whose words are on screen: the wanted one once its dictionary is here. While another
 * language loads, the one shown so far stays (no flash of a loader over the workspace); only the very
 * first render may have nothing to show. If the language cannot be fetched, English stands in.
 */
function useLoadedLocale(locale: Locale): Locale | null {
  const [shown, setShown] = useState<Locale | null>(dictionaries.has(locale) ? locale : null);
  useEffect(() => {
    let live = true;
    loadDictionary(locale).then(
      () => live && setShown(locale),
      () => live && setShown((current) => current ?? 'en'),
    );
    return () => {
      live = false;
    };
  }, [locale]);
  return dictionaries.has(locale) ? locale : shown;
}

/** The best of our languages for the browser's preferences (pt-PT still reads pt-BR well). */
export function browserLocale(
  languages: readonly string[] = navigator.languages ?? [navigator.language],
): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith('pt')) return 'pt-BR';
    if (lower.startsWith('ru')) return 'ru';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  locale: Locale;
  t: Translate;
  formatTime(iso: string): string;
  formatDate(iso: string): string;
  formatRelative(iso: string, now?: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ locale: wanted, children }: { locale: Locale; children: ReactNode }) {
  const loaded = useLoadedLocale(wanted);
  const locale = loaded ?? 'en';
  const t = useCallback<Translate>(
    (key, values) => {
      const template = dictionaries.get(locale)?.[key] ?? en[key];
      if (!values) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in values ? String(values[name]) : whole,
      );
    },
    [locale],
  );
  const value = useMemo<I18n>(() => {
    const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
    const shortDate = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' });
    return {
      locale,
      t,
      formatTime: (iso) => time.format(new Date(iso)),
      formatDate: (iso) => date.format(new Date(iso)),
      formatRelative: (iso, now = Date.now()) => {
        const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
        const abs = Math.abs(seconds);
        if (abs < 45) return relative.format(0, 'second');
        if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
        if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
        if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
        return shortDate.format(new Date(iso));
      },
    };
  }, [locale, t]);
  if (!loaded) return <FullPageLoader />;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export const useT = (): Translate => useI18n().t;
