import { featureStrings } from './define.ts';

export const cannedStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
