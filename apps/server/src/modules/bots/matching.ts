/**
 * Text matching for the built-in bot: case-insensitive, accent-insensitive, on whole words, in any
 * script (Latin, Cyrillic…). "Agent" matches "I want an agent!" but not "agents" or "reagent".
 */

/** Lower case, accents removed (ã → a, é → e), runs of spaces collapsed. */
export function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const cache = new Map<string, RegExp>();

function wordPattern(phrase: string): RegExp {
  let pattern = cache.get(phrase);
  if (!pattern) {
    const words = normalize(phrase).split(' ').map(escapeRegExp).join('\\s+');
    pattern = new RegExp(`(?:^|[^\\p{L}\\p{N}])${words}(?:$|[^\\p{L}\\p{N}])`, 'u');
    if (cache.size > 5_000) cache.clear();
    cache.set(phrase, pattern);
  }
  return pattern;
}

/** Whether `phrase` appears in `text` as whole words. */
export function containsPhrase(text: string, phrase: string): boolean {
  if (normalize(phrase) === '') return false;
  return wordPattern(phrase).test(normalize(text));
}

/**
 * Ways customers ask for a person, in English, Portuguese and Russian. Russian words are listed in the
 * cases people write them in ("позовите оператора"); a bare "человек" is left out on purpose, because
 * it also means "people" ("нас 3 человека").
 */
export const HUMAN_PHRASES: readonly string[] = [
  // English
  'talk to a human',
  'speak to a human',
  'talk to a person',
  'speak to a person',
  'talk to someone',
  'real person',
  'human',
  'agent',
  'live agent',
  'operator',
  'representative',
  // Portuguese
  'falar com atendente',
  'falar com um atendente',
  'atendente humano',
  'atendente',
  'humano',
  'falar com alguém',
  'falar com uma pessoa',
  'pessoa de verdade',
  // Russian
  'оператор',
  'оператора',
  'оператором',
  'оператору',
  'позовите человека',
  'позови человека',
  'живой человек',
  'живого человека',
  'с человеком',
  'соедините с оператором',
  'менеджер',
  'менеджера',
];

export function asksForHuman(text: string, extraPhrases: readonly string[] = []): boolean {
  return [...HUMAN_PHRASES, ...extraPhrases].some((phrase) => containsPhrase(text, phrase));
}
