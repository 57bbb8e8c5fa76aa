import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CannedVariableValues, fillVariables, unknownVariables } from './canned-variables.ts';

const full: CannedVariableValues = {
  contact: { name: 'Ana Souza', email: 'ana@example.com', phone: '+55 11 5555-0000' },
  agent: { name: 'Marta Lopes' },
  conversation: { number: 42 },
  inbox: { name: 'Website' },
};
const empty: CannedVariableValues = {
  contact: { name: null, email: null, phone: null },
  agent: { name: null },
  conversation: { number: null },
  inbox: { name: null },
};

test('every variable is filled from the conversation', () => {
  assert.equal(
    fillVariables(
      'Hi {{contact.first_name}} ({{contact.name}}, {{contact.email}}, {{contact.phone}}), ' +
        "I'm {{agent.first_name}} — {{agent.name}} — about #{{conversation.number}} on {{inbox.name}}.",
      full,
    ),
    "Hi Ana (Ana Souza, ana@example.com, +55 11 5555-0000), I'm Marta — Marta Lopes — about #42 on Website.",
  );
});

test('a missing name reads "there" by default', () => {
  assert.equal(fillVariables('Hi {{contact.first_name}}', empty), 'Hi there');
  assert.equal(
    fillVariables('Hi {{contact.name}}!', { ...empty, contact: { ...empty.contact, name: '   ' } }),
    'Hi there!',
  );
  assert.equal(fillVariables('Mail: {{contact.email}}.', empty), 'Mail: .');
});

test('a fallback in the template wins over the default, in any quoting', () => {
  assert.equal(fillVariables('Hi {{contact.first_name | fallback: "friend"}}', empty), 'Hi friend');
  assert.equal(fillVariables("Hi {{ contact.first_name|fallback:'amigo' }}", empty), 'Hi amigo');
  assert.equal(
    fillVariables('Hi {{contact.first_name | fallback: dear customer}}!', empty),
    'Hi dear customer!',
  );
  assert.equal(fillVariables('Hi {{contact.first_name | fallback: ""}}!', empty), 'Hi !');
  // With a value the fallback is not used.
  assert.equal(fillVariables('Hi {{contact.first_name | fallback: "friend"}}', full), 'Hi Ana');
});

test('defaults can be given per language', () => {
  assert.equal(
    fillVariables('Olá {{contact.first_name}}', empty, { 'contact.first_name': 'cliente' }),
    'Olá cliente',
  );
});

test('names are case-insensitive; unknown variables stay as written', () => {
  assert.equal(fillVariables('{{ Contact.First_Name }}', full), 'Ana');
  assert.equal(
    fillVariables('{{contact.nickname}} {{foo}} {{ contact.first_name', full),
    '{{contact.nickname}} {{foo}} {{ contact.first_name',
  );
  assert.deepEqual(
    unknownVariables('{{contact.nickname}} {{contact.name}} {{agent.mood | fallback: "ok"}}'),
    ['contact.nickname', 'agent.mood'],
  );
});

test('values are inserted once, literally: no second expansion, formatting escaped', () => {
  const tricky: CannedVariableValues = {
    ...empty,
    contact: { name: '{{agent.name}} *Boss* [x](https://evil.example)', email: null, phone: null },
    agent: { name: 'Marta' },
  };
  assert.equal(
    fillVariables('Hi {{contact.name}}', tricky),
    'Hi {{agent.name}} \\*Boss\\* \\[x\\](https://evil.example)',
  );
  assert.equal(fillVariables('Hi {{contact.first_name}}', tricky), 'Hi {{agent.name}}');
  assert.equal(
    fillVariables('{{contact.name}}', {
      ...empty,
      contact: { name: '<script>alert(1)</script>', email: null, phone: null },
    }),
    '<script>alert(1)</script>',
  );
});
