/**
 * Variables in canned replies: `{{contact.first_name}}` and friends are filled in from the conversation
 * being answered when the agent inserts the reply, so the agent sees (and can still edit) the final
 * text before sending. A missing value falls back to `{{contact.first_name | fallback: "friend"}}`'s
 * text, else to a default ("Hi {{contact.first_name}}" without a name reads "Hi there").
 */

export const cannedVariables = [
  'contact.first_name',
  'contact.name',
  'contact.email',
  'contact.phone',
  'agent.name',
  'agent.first_name',
  'conversation.number',
  'inbox.name',
] as const;
export type CannedVariable = (typeof cannedVariables)[number];

/** What the conversation being answered knows; null (or blank) where it does not. */
export interface CannedVariableValues {
  contact: { name: string | null; email: string | null; phone: string | null };
  agent: { name: string | null };
  conversation: { number: number | null };
  inbox: { name: string | null };
}

/** Used when a value is missing and the template names no fallback of its own. */
export const defaultVariableFallbacks: Record<CannedVariable, string> = {
  'contact.first_name': 'there',
  'contact.name': 'there',
  'contact.email': '',
  'contact.phone': '',
  'agent.name': '',
  'agent.first_name': '',
  'conversation.number': '',
  'inbox.name': '',
};

// {{ name }} or {{ name | fallback: "text" }} (double, single or no quotes); spaces are optional.
const VARIABLE =
  /\{\{\s*([a-z]+\.[a-z_]+)\s*(?:\|\s*fallback\s*:\s*(?:"([^"{}]{0,200})"|'([^'{}]{0,200})'|([^"'{}|]{0,200}?))\s*)?\}\}/gi;

const isVariable = (name: string): name is CannedVariable =>
  (cannedVariables as readonly string[]).includes(name);

const blankToNull = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

const firstWord = (name: string | null): string | null => blankToNull(name?.split(/\s+/)[0]);

/**
 * People's names and addresses are inserted as they are written, so formatting characters in them are
 * escaped: a contact called "*Ann*" is shown as *Ann*, never as emphasis or a link of their making.
 */
const escapeMarkdown = (value: string): string => value.replace(/[\\`*[\]]/g, (c) => `\\${c}`);

export function variableValue(name: CannedVariable, values: CannedVariableValues): string | null {
  switch (name) {
    case 'contact.first_name':
      return firstWord(blankToNull(values.contact.name));
    case 'contact.name':
      return blankToNull(values.contact.name);
    case 'contact.email':
      return blankToNull(values.contact.email);
    case 'contact.phone':
      return blankToNull(values.contact.phone);
    case 'agent.name':
      return blankToNull(values.agent.name);
    case 'agent.first_name':
      return firstWord(blankToNull(values.agent.name));
    case 'conversation.number':
      return values.conversation.number === null ? null : String(values.conversation.number);
    case 'inbox.name':
      return blankToNull(values.inbox.name);
  }
}

/**
 * The template with every known variable replaced, in one pass (a value that itself looks like a
 * variable is not expanded again). Unknown names stay as written, so a typo is visible before sending.
 */
export function fillVariables(
  template: string,
  values: CannedVariableValues,
  fallbacks: Partial<Record<CannedVariable, string>> = {},
): string {
  return template.replace(
    VARIABLE,
    (whole, written: string, doubleQuoted?: string, singleQuoted?: string, bare?: string) => {
      const name = written.toLowerCase();
      if (!isVariable(name)) return whole;
      const value = variableValue(name, values);
      if (value !== null) return escapeMarkdown(value);
      const own = doubleQuoted ?? singleQuoted ?? (bare?.trim() || undefined);
      return own ?? fallbacks[name] ?? defaultVariableFallbacks[name];
    },
  );
}

/** Variable names a template uses that Parley does not know (shown as a warning while editing). */
export function unknownVariables(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(VARIABLE)) {
    const name = (match[1] as string).toLowerCase();
    if (!isVariable(name)) unknown.add(name);
  }
  return [...unknown];
}
