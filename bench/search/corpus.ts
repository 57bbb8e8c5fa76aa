/**
 * The words the bench writes messages with: real words of five languages (support-chat vocabulary
 * first, so the most frequent words are the ones customers and agents actually repeat), then made-up
 * words in Latin and Cyrillic letters for the long tail. Messages draw ranks from a Zipf-like
 * distribution (P(rank) ∝ 1/rank), so a handful of words are in almost every message and most words
 * are rare, as in real text.
 */
const english = `the to and a i you is it for of my in on this that have with can be order not please
  we your is was help thanks hi hello account no do at but are so if me will just get from an they
  payment refund delivery invoice password login error problem issue card email phone address shipping
  package tracking number cancel subscription plan upgrade price discount coupon bill charge receipt
  app website page button click screen update version install download sync backup export import file
  today tomorrow yesterday week month morning evening time minutes hours days soon later still again
  thank sorry great perfect okay sure right wrong broken missing late early fast slow working stopped
  customer support team agent manager colleague ticket request reply answer question details information
  send sent received check checked looking looks seems try tried trying need needs want wanted know`;
const portuguese = `olá obrigado obrigada por favor pedido pagamento reembolso entrega fatura senha conta
  erro problema cartão endereço envio rastreamento número cancelar assinatura plano preço desconto cupom
  recibo aplicativo página botão atualização versão arquivo hoje amanhã ontem semana mês manhã tarde
  noite ainda não sim também então porque quando onde como ajuda atendimento cliente equipe resposta
  pergunta informação enviado recebido verificar funcionando parou quebrado atrasado rápido devagar
  ação produto estoque troca devolução nota fiscal boleto pix transferência cobrança`;
const russian = `здравствуйте спасибо пожалуйста заказ оплата возврат доставка счёт пароль аккаунт ошибка
  проблема карта адрес отправка отслеживание номер отменить подписка тариф цена скидка купон чек
  приложение страница кнопка обновление версия файл сегодня завтра вчера неделя месяц утро вечер
  ещё нет да тоже потому когда где как помощь поддержка клиент команда ответ вопрос информация
  отправлено получено проверить работает сломалось опоздание быстро медленно товар склад обмен`;
const spanish = `hola gracias pedido pago reembolso entrega factura contraseña cuenta error problema tarjeta
  dirección envío seguimiento cancelar suscripción precio descuento aplicación página botón hoy mañana
  ayer semana todavía también porque cuando donde ayuda soporte cliente respuesta pregunta enviado`;
const german = `hallo danke bitte bestellung zahlung rückerstattung lieferung rechnung passwort konto fehler
  problem karte adresse versand sendungsverfolgung kündigen abonnement preis rabatt gutschein heute
  morgen gestern woche monat noch nicht auch weil wann wo hilfe kundendienst antwort frage gesendet`;
const japanese = `注文 支払い 返金 配送 請求書 パスワード アカウント エラー 問題 住所 キャンセル 今日 明日 ありがとう`;

const LATIN = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ven',
  'do',
  'sa',
  'tor',
  'el',
  'ni',
  'pu',
  'zen',
  'qua',
  'bri',
  'fo',
  'gal',
];
const CYRILLIC = ['ка', 'ло', 'ми', 'ра', 'вен', 'до', 'са', 'тор', 'ель', 'ни', 'пу', 'зен', 'бри', 'фо'];

/** Made-up words from syllables, deterministic for a given index. */
function madeUp(index: number): string {
  const syllables = index % 4 === 3 ? CYRILLIC : LATIN;
  let n = index;
  let word = '';
  for (let k = 0; k < 3 || n > 0; k++) {
    word += syllables[n % syllables.length];
    n = Math.floor(n / syllables.length);
  }
  return word;
}

const split = (text: string) => text.split(/\s+/).filter(Boolean);

/** `size` distinct words, most frequent first: real words interleaved by language, then made-up ones. */
export function vocabulary(size: number): string[] {
  const lists = [english, portuguese, russian, spanish, german, japanese].map(split);
  const words: string[] = [];
  const seen = new Set<string>();
  const add = (word: string) => {
    if (words.length < size && !seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  };
  // English first for the very top ranks (its function words), then the languages take turns.
  for (const word of split(english).slice(0, 40)) add(word);
  for (let i = 0; lists.some((l) => i < l.length); i++) {
    for (const list of lists) {
      const word = list[i];
      if (word) add(word);
    }
  }
  for (let i = 0; words.length < size; i++) add(madeUp(i));
  return words;
}

export const firstNames = split(`Ana João Maria Pedro Lucas Julia Olga Ivan Dmitri Natasha Sergei Anna Emma
  Liam Olivia Noah Sophia Mason Isabella Lena Jonas Felix Carmen Diego Lucía Mateo Yuki Haruto Sakura Aiko
  Margarethe Wilhelm Chiara Marco Fatima Omar Priya Arjun Mei Wei Zanele Kwame`);
export const lastNames = split(`Silva Santos Oliveira Souza Ivanov Petrov Smirnova Kuznetsov Smith Johnson
  Williams Brown Müller Schmidt Schneider García Martínez López Tanaka Suzuki Sato Rossi Bianchi Khan
  Patel Sharma Chen Wang Li Dlamini Mensah Quist Novak Kowalski Nguyen Kim Park`);
export const companies = split(`Acme Globex Initech Umbrella Soylent Hooli Vandelay Stark Wayne Tyrell
  Cyberdyne Wonka Nakatomi Oscorp Monarch Aperture Gringotts Pied Piper Dunder Mifflin`);
