import type { BotButton, BotPhase } from '@parley/shared';

/**
 * The contract between Parley and a bot. The built-in bot implements it from the inbox's settings; the
 * webhook bot implements it by asking an external service, so any engine can take the built-in bot's
 * place. A bot only decides: Parley applies the actions (writes replies, hands off) idempotently, from
 * durable jobs after the customer's message has committed.
 */
export interface Bot {
  onConversationStarted(event: ConversationStartedEvent): Promise<BotAction[]>;
  onCustomerMessage(event: CustomerMessageEvent): Promise<BotAction[]>;
}

export type BotAction =
  | { type: 'reply'; text: string; intent?: BotIntent }
  | { type: 'menu'; text: string; buttons: BotButton[]; intent?: BotIntent }
  | { type: 'handoff'; reason?: string };

/** Why the built-in bot said something; kept on the message so later turns can count unanswered ones. */
export type BotIntent = 'greeting' | 'menu' | 'option' | 'keyword' | 'fallback' | 'handoff';

export interface BotConversation {
  id: string;
  accountId: string;
  inboxId: string;
  number: number;
  status: string;
  botPhase: BotPhase | null;
}

export interface BotContact {
  id: string;
  name: string | null;
  email: string | null;
  attributes: Record<string, unknown>;
}

export interface BotEventBase {
  /** Stable across retries of the same event. */
  id: string;
  attempt: number;
  inbox: { id: string; name: string };
  conversation: BotConversation;
  contact: BotContact;
}

export type ConversationStartedEvent = BotEventBase;

/** One earlier message, oldest first, as the bot may need it (no private notes). */
export interface BotHistoryItem {
  seq: number;
  senderKind: 'contact' | 'agent' | 'bot' | 'system';
  kind: string;
  body: string;
  intent: string | null;
}

export interface CustomerMessageEvent extends BotEventBase {
  message: { id: string; seq: number; body: string; buttonId: string | null; createdAt: string };
  /** No earlier message from the customer in this conversation. */
  isFirstCustomerMessage: boolean;
  history: BotHistoryItem[];
}
