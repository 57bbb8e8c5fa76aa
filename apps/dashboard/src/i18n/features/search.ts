import { featureStrings } from './define.ts';

export const searchStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
