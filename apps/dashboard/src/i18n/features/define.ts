/**
 * A feature's strings in every language, kept beside each other so a feature adds its words in one file.
 * The English keys are the reference: the other languages must have exactly the same keys.
 */
export function featureStrings<const E extends Record<string, string>>(strings: {
  en: E;
  'pt-BR': Record<keyof E, string>;
  ru: Record<keyof E, string>;
}) {
  return strings;
}
