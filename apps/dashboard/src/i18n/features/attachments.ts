import { featureStrings } from './define.ts';

export const attachmentsStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
