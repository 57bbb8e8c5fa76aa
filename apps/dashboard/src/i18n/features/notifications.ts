import { featureStrings } from './define.ts';

export const notificationsStrings = featureStrings({
  en: {},
  'pt-BR': {},
  ru: {},
});
