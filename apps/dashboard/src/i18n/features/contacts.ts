import { featureStrings } from './define.ts';

export const contactsStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
