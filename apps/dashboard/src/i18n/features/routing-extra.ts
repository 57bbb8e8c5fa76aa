import { featureStrings } from './define.ts';

export const routingExtraStrings = featureStrings({
  en: {
    'routingExtra.reassignOnOffline': 'Reassign when an agent goes offline',
    'routingExtra.reassignOnOfflineHelp':
      'When an agent goes offline, or is set away after inactivity, their new and open conversations go back to the queue for someone else. An agent who chooses “away” keeps them.',
    'routingExtra.load': '{load}/{capacity} open',
    'routingExtra.full': 'Full',
    'routingExtra.loadLabel': '{name}: {availability}, {load} of {capacity} open conversations',
    'routingExtra.agentOffline': '{name} went offline: the conversation went back to the queue',
    'routingExtra.someone': 'The agent',
  },
  'pt-BR': {
    'routingExtra.reassignOnOffline': 'Reatribuir quando um agente ficar offline',
    'routingExtra.reassignOnOfflineHelp':
      'Quando um agente fica offline, ou é marcado como ausente por inatividade, as conversas novas e abertas dele voltam para a fila para outra pessoa. Um agente que escolhe “ausente” fica com elas.',
    'routingExtra.load': '{load}/{capacity} abertas',
    'routingExtra.full': 'Cheio',
    'routingExtra.loadLabel': '{name}: {availability}, {load} de {capacity} conversas abertas',
    'routingExtra.agentOffline': '{name} ficou offline: a conversa voltou para a fila',
    'routingExtra.someone': 'O agente',
  },
  ru: {
    'routingExtra.reassignOnOffline': 'Переназначать, когда агент уходит офлайн',
    'routingExtra.reassignOnOfflineHelp':
      'Когда агент уходит офлайн или становится «отошёл» из-за бездействия, его новые и открытые разговоры возвращаются в очередь для других. Агент, который сам выбрал «отошёл», их сохраняет.',
    'routingExtra.load': '{load}/{capacity} открыто',
    'routingExtra.full': 'Занят',
    'routingExtra.loadLabel': '{name}: {availability}, открыто {load} из {capacity} разговоров',
    'routingExtra.agentOffline': '{name} ушёл офлайн: разговор вернулся в очередь',
    'routingExtra.someone': 'Агент',
  },
});
