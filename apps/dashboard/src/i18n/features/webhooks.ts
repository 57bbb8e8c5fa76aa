import { featureStrings } from './define.ts';

export const webhooksStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
