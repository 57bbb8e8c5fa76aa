import { featureStrings } from './define.ts';

export const articlesStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
