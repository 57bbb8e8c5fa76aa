import { type BotButton, type BotSettings, HUMAN_BUTTON_ID } from '@parley/shared';
import type { Bot, BotAction, BotIntent, ConversationStartedEvent, CustomerMessageEvent } from './bot.ts';
import { asksForHuman, containsPhrase, normalize } from './matching.ts';

/**
 * The bot an inbox gets without any outside service: a greeting, a menu of buttons, keyword answers and
 * "talk to a human", all from the inbox's settings. While a person has been asked for (`requested`) it
 * still answers what it knows, but no longer repeats its menu or its fallback.
 */
export class BuiltinBot implements Bot {
  private readonly settings: BotSettings;

  constructor(settings: BotSettings) {
    this.settings = settings;
  }

  async onConversationStarted(_event: ConversationStartedEvent): Promise<BotAction[]> {
    if (this.settings.greetOn !== 'conversation_started') return [];
    return [...this.greeting(), ...this.menu('menu')];
  }

  async onCustomerMessage(event: CustomerMessageEvent): Promise<BotAction[]> {
    const s = this.settings;
    const text = event.message.body;
    const requested = event.conversation.botPhase === 'requested';
    const greet = s.greetOn === 'first_message' && event.isFirstCustomerMessage ? this.greeting() : [];

    const option =
      s.menu.options.find((o) => event.message.buttonId !== null && o.id === event.message.buttonId) ??
      s.menu.options.find((o) => normalize(o.label) === normalize(text));
    if (option) {
      if (option.action === 'handoff') return [...greet, ...this.handoff('menu_option', requested)];
      return [...greet, ...(option.reply ? [reply(option.reply, 'option')] : [])];
    }
    if (normalize(text) === normalize(s.humanButtonLabel) || asksForHuman(text, s.handoffPhrases)) {
      return [...greet, ...this.handoff('customer_asked', requested)];
    }
    const answer = s.keywords.find((k) => k.keywords.some((keyword) => containsPhrase(text, keyword)));
    if (answer) return [...greet, reply(answer.reply, 'keyword')];
    // The first message opens the conversation: greet and offer the menu rather than "not understood".
    // When the bot greeted at the start of this very turn, its greeting and menu are already there.
    if (event.isFirstCustomerMessage && s.greetOn === 'first_message')
      return [...greet, ...this.menu('menu')];
    if (event.isFirstCustomerMessage && !event.history.some((h) => h.senderKind === 'bot')) return [];
    if (requested) return [];

    const unanswered = unansweredBefore(event) + 1;
    if (s.handoffAfterFallbacks > 0 && unanswered >= s.handoffAfterFallbacks) {
      return this.handoff('bot_gave_up', false);
    }
    return [...(s.fallback ? [reply(s.fallback, 'fallback')] : []), ...this.menu('fallback')];
  }

  private greeting(): BotAction[] {
    return this.settings.greeting ? [reply(this.settings.greeting, 'greeting')] : [];
  }

  /** The menu as buttons, with "talk to a human" last; nothing when there is nothing to choose. */
  private menu(intent: 'menu' | 'fallback'): BotAction[] {
    const s = this.settings;
    const buttons: BotButton[] = s.menu.options.map((o) => ({ id: o.id, label: o.label }));
    if (s.humanButton) buttons.push({ id: HUMAN_BUTTON_ID, label: s.humanButtonLabel });
    if (buttons.length === 0) return [];
    const text = s.menu.text || buttons.map((b) => b.label).join(' · ');
    return [{ type: 'menu', text, buttons, intent }];
  }

  private handoff(reason: string, alreadyRequested: boolean): BotAction[] {
    if (alreadyRequested) return [];
    const s = this.settings;
    return [...(s.handoffReply ? [reply(s.handoffReply, 'handoff')] : []), { type: 'handoff', reason }];
  }
}

const reply = (text: string, intent: BotIntent): BotAction => ({ type: 'reply', text, intent });

/**
 * Customer messages since the bot last said something useful (not a fallback): how long the bot has
 * been failing to help, so it can give up and call a person.
 */
function unansweredBefore(event: CustomerMessageEvent): number {
  let count = 0;
  for (let i = event.history.length - 1; i >= 0; i--) {
    const item = event.history[i];
    if (!item || item.seq >= event.message.seq) continue;
    if (item.senderKind === 'contact') count += 1;
    else if (item.senderKind === 'bot' && item.intent !== 'fallback') break;
    else if (item.senderKind === 'agent') break;
  }
  return count;
}
