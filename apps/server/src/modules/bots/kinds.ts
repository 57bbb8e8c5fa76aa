/** Job kinds of the bot phase (handlers in jobs.ts; scheduled by triggers and the message statement). */
export const BOT_JOBS = {
  started: 'bot.conversation_started',
  customerMessage: 'bot.customer_message',
  accepted: 'bot.accepted',
} as const;
