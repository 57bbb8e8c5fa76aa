import { featureStrings } from './define.ts';

export const apiStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
