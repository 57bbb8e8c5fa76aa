import { featureStrings } from './define.ts';

export const webhooksStrings = featureStrings({
  en: {
    'followup.title': 'E-mail follow-up',
    'followup.help':
      'When a customer has not read an agent’s reply in time, Parley sends it to their e-mail address, once. Needs the server’s SMTP settings and a contact with an e-mail address.',
    'followup.enabled': 'Send unread replies by e-mail',
    'followup.delay': 'After (minutes)',
    'followup.delayHelp': 'How long a reply may stay unread before it is mailed.',
  },
  'pt-BR': {
    'followup.title': 'Acompanhamento por e-mail',
    'followup.help':
      'Quando o cliente não lê a resposta de um agente a tempo, o Parley a envia para o e-mail dele, uma única vez. Requer as configurações SMTP do servidor e um contato com e-mail.',
    'followup.enabled': 'Enviar respostas não lidas por e-mail',
    'followup.delay': 'Depois de (minutos)',
    'followup.delayHelp': 'Quanto tempo uma resposta pode ficar sem leitura antes de ser enviada por e-mail.',
  },
  ru: {
    'followup.title': 'Напоминание по e-mail',
    'followup.help':
      'Если клиент не прочитал ответ агента вовремя, Parley один раз отправит его на e-mail клиента. Нужны настройки SMTP на сервере и контакт с адресом e-mail.',
    'followup.enabled': 'Отправлять непрочитанные ответы по e-mail',
    'followup.delay': 'Через (минут)',
    'followup.delayHelp': 'Сколько ответ может оставаться непрочитанным, прежде чем уйдёт письмом.',
  },
});
