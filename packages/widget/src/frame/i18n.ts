/** The widget's strings in English, Brazilian Portuguese and Russian. */

const en = {
  open: 'Open chat',
  close: 'Close chat',
  minimize: 'Minimize chat',
  frame: 'Chat with us',
  unread: '{n} unread',
  back: 'Back to conversations',
  newConversation: 'New conversation',
  sendUsAMessage: 'Send us a message',
  replyTime: 'We usually reply in a few minutes',
  yourConversations: 'Your conversations',
  conversation: 'Conversation',
  noPreview: 'No messages yet',
  placeholder: 'Write a message…',
  messageLabel: 'Message',
  send: 'Send message',
  sending: 'Sending…',
  waiting: 'Waiting for network…',
  notSent: 'Not delivered',
  seen: 'Seen',
  typing: '{name} is typing…',
  someoneTyping: 'Typing…',
  offline: 'You are offline. Messages will be sent when you reconnect.',
  reconnecting: 'Reconnecting…',
  prechatIntro: 'Before we start, tell us a little about yourself.',
  name: 'Name',
  email: 'E-mail',
  startChat: 'Start the conversation',
  required: 'This field is required',
  optional: 'optional',
  invalidEmail: 'Enter a valid e-mail address',
  invalidPhone: 'Enter a valid phone number',
  you: 'You',
  team: 'Support team',
  attachment: 'Attachment',
  article: 'Article',
  flow: 'Form',
  call: 'Call',
  survey: 'Survey',
  closedNotice: 'This conversation is closed. Send a message to start a new one.',
  error: 'Something went wrong. Please try again.',
  verificationNeeded: 'Please sign in to the website to chat with us.',
  messages: 'Messages',
  poweredBy: 'Powered by Parley',
  earlier: 'Show earlier messages',
  retry: 'Retry',
};

export type Strings = typeof en;
export type Locale = 'en' | 'pt-BR' | 'ru';

const ptBR: Strings = {
  open: 'Abrir chat',
  close: 'Fechar chat',
  minimize: 'Minimizar chat',
  frame: 'Fale conosco',
  unread: '{n} não lidas',
  back: 'Voltar às conversas',
  newConversation: 'Nova conversa',
  sendUsAMessage: 'Envie uma mensagem',
  replyTime: 'Costumamos responder em poucos minutos',
  yourConversations: 'Suas conversas',
  conversation: 'Conversa',
  noPreview: 'Nenhuma mensagem ainda',
  placeholder: 'Escreva uma mensagem…',
  messageLabel: 'Mensagem',
  send: 'Enviar mensagem',
  sending: 'Enviando…',
  waiting: 'Aguardando conexão…',
  notSent: 'Não entregue',
  seen: 'Vista',
  typing: '{name} está digitando…',
  someoneTyping: 'Digitando…',
  offline: 'Você está offline. As mensagens serão enviadas quando a conexão voltar.',
  reconnecting: 'Reconectando…',
  prechatIntro: 'Antes de começar, conte um pouco sobre você.',
  name: 'Nome',
  email: 'E-mail',
  startChat: 'Iniciar a conversa',
  required: 'Campo obrigatório',
  optional: 'opcional',
  invalidEmail: 'Informe um e-mail válido',
  invalidPhone: 'Informe um telefone válido',
  you: 'Você',
  team: 'Equipe de suporte',
  attachment: 'Anexo',
  article: 'Artigo',
  flow: 'Formulário',
  call: 'Chamada',
  survey: 'Pesquisa',
  closedNotice: 'Esta conversa foi encerrada. Envie uma mensagem para iniciar outra.',
  error: 'Algo deu errado. Tente novamente.',
  verificationNeeded: 'Entre no site para conversar conosco.',
  messages: 'Mensagens',
  poweredBy: 'Feito com Parley',
  earlier: 'Mostrar mensagens anteriores',
  retry: 'Tentar de novo',
};

const ru: Strings = {
  open: 'Открыть чат',
  close: 'Закрыть чат',
  minimize: 'Свернуть чат',
  frame: 'Напишите нам',
  unread: 'непрочитанных: {n}',
  back: 'К списку диалогов',
  newConversation: 'Новый диалог',
  sendUsAMessage: 'Написать нам',
  replyTime: 'Обычно отвечаем за несколько минут',
  yourConversations: 'Ваши диалоги',
  conversation: 'Диалог',
  noPreview: 'Сообщений пока нет',
  placeholder: 'Напишите сообщение…',
  messageLabel: 'Сообщение',
  send: 'Отправить сообщение',
  sending: 'Отправка…',
  waiting: 'Ожидание сети…',
  notSent: 'Не доставлено',
  seen: 'Просмотрено',
  typing: '{name} печатает…',
  someoneTyping: 'Печатает…',
  offline: 'Нет подключения. Сообщения отправятся, когда связь восстановится.',
  reconnecting: 'Переподключение…',
  prechatIntro: 'Прежде чем начать, расскажите немного о себе.',
  name: 'Имя',
  email: 'Эл. почта',
  startChat: 'Начать диалог',
  required: 'Обязательное поле',
  optional: 'необязательно',
  invalidEmail: 'Введите корректный адрес почты',
  invalidPhone: 'Введите корректный номер телефона',
  you: 'Вы',
  team: 'Служба поддержки',
  attachment: 'Вложение',
  article: 'Статья',
  flow: 'Форма',
  call: 'Звонок',
  survey: 'Опрос',
  closedNotice: 'Этот диалог закрыт. Напишите сообщение, чтобы начать новый.',
  error: 'Что-то пошло не так. Попробуйте ещё раз.',
  verificationNeeded: 'Войдите на сайт, чтобы написать нам.',
  messages: 'Сообщения',
  poweredBy: 'Работает на Parley',
  earlier: 'Показать более ранние сообщения',
  retry: 'Повторить',
};

const dictionaries: Record<Locale, Strings> = { en, 'pt-BR': ptBR, ru };

/** Picks the best supported locale for a list of BCP 47 tags (most preferred first). */
export function pickLocale(tags: readonly string[]): Locale {
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('pt')) return 'pt-BR';
    if (lower.startsWith('ru')) return 'ru';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function stringsFor(locale: Locale): Strings {
  return dictionaries[locale];
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) =>
    values[key] === undefined ? match : String(values[key]),
  );
}
