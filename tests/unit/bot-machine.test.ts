import { describe, expect, test } from 'vitest';
import type { ConversationMode } from '../../shared/bot.js';
import { Texts } from '../../main/core/bot/catalog/texts.js';
import { initialState, turn, type ChatState, type Step, type TurnFacts } from '../../main/core/bot/machine.js';
import { defaultSettings } from '../../main/core/bot/settings.js';

const settings = defaultSettings();
settings.profile.name = 'Silva & Partners';
settings.hours.timeZone = 'Europe/Lisbon';

const facts = (over: Partial<TurnFacts> = {}): TurnFacts => ({
  settings,
  texts: (language) => new Texts(language),
  notice: { version: '3', text: () => 'We keep your data at {office}.' },
  client: null,
  consentedToCurrent: false,
  matters: [],
  ...over,
});

// Monday 10:00 in Lisbon (UTC in winter): open. Monday 22:00: closed.
const OPEN = new Date('2026-01-05T10:00:00Z');
const CLOSED = new Date('2026-01-05T22:00:00Z');

function say(state: ChatState, text: string, options: { now?: Date; mode?: ConversationMode; lastActivityAt?: string | null; facts?: TurnFacts } = {}) {
  return turn(
    state,
    { text, media: null, now: options.now ?? OPEN, mode: options.mode ?? 'bot', lastActivityAt: options.lastActivityAt ?? state.lastInboundAt },
    options.facts ?? facts(),
  );
}

/** Plays a list of messages, returning the last result. */
function play(texts: string[], start = initialState(), now = OPEN) {
  let state = start;
  let result = say(state, texts[0]!, { now });
  state = result.state;
  for (const text of texts.slice(1)) {
    result = say(state, text, { now });
    state = result.state;
  }
  return result;
}

describe('the conversation state machine', () => {
  test('the first message gets the greeting, the menu and the not-legal-advice footer; later ones no footer', () => {
    const first = say(initialState(), 'hello');
    expect(first.reply).toContain('Silva & Partners');
    expect(first.reply).toContain('1. New matter');
    expect(first.reply).toMatch(/not legal advice/);
    const second = say(first.state, '4');
    expect(second.reply).toContain('Opening hours: Mon–Fri 09:00–18:00');
    expect(second.reply).not.toMatch(/not legal advice/);
  });

  test('out of hours the bot says so once per conversation and still takes intake', () => {
    const first = say(initialState(), 'hi', { now: CLOSED });
    expect(first.reply).toMatch(/closed right now/);
    const second = say(first.state, '1', { now: CLOSED });
    expect(second.reply).not.toMatch(/closed right now/);
    expect(second.state.step).toEqual({ at: 'consent' });
    // a new conversation the next evening says it again
    const nextDay = say(second.state, 'hi', { now: new Date(CLOSED.getTime() + 24 * 3600_000) });
    expect(nextDay.reply).toMatch(/closed right now/);
  });

  test('consent comes before the first personal question, and shows the notice version', () => {
    const result = play(['hi', '1']);
    expect(result.reply).toContain('We keep your data at Silva & Partners.');
    expect(result.reply).toContain('version 3');
    expect(result.effects).toEqual([]);
    const yes = say(result.state, 'Yes');
    expect(yes.effects).toEqual([{ type: 'consent', version: '3' }]);
    expect(yes.reply).toMatch(/full name/);
  });

  test('a number that already consented to this notice version goes straight to the questions', () => {
    const menu = say(initialState(), 'hi').state;
    const result = say(menu, '1', { facts: facts({ consentedToCurrent: true }) });
    expect(result.state.step).toEqual({ at: 'intake', field: 'name', correcting: false });
  });

  test('"no" to consent ends politely and asks the engine to keep nothing of the person', () => {
    const result = play(['hi', 'new matter', 'no']);
    expect(result.reply).toMatch(/We will not keep your details: this conversation is erased within 24 hours/);
    expect(result.effects).toEqual([{ type: 'consent_declined' }]);
    expect(result.state.step).toEqual({ at: 'menu' });
    expect(result.state.draft).toEqual({});
  });

  test('"menu" returns to the menu from every state and forgets the draft', () => {
    const steps: Step[] = [
      { at: 'start' },
      { at: 'menu' },
      { at: 'consent' },
      { at: 'intake', field: 'name', correcting: false },
      { at: 'intake', field: 'area', correcting: false },
      { at: 'intake', field: 'description', correcting: false },
      { at: 'intake', field: 'opposing', correcting: false },
      { at: 'intake', field: 'deadline', correcting: true },
      { at: 'confirm' },
    ];
    for (const step of steps) {
      const state: ChatState = { ...initialState(), step, draft: { name: 'Ana' }, lastInboundAt: OPEN.toISOString(), footerSent: true };
      const result = say(state, 'MENU');
      expect(result.state.step, JSON.stringify(step)).toEqual({ at: 'menu' });
      expect(result.state.draft).toEqual({});
      expect(result.reply).toContain('1. New matter');
    }
  });

  test('three replies in a row it does not understand hand the conversation to staff', () => {
    let state = say(initialState(), 'hi').state;
    let result = say(state, 'banana');
    expect(result.reply).toMatch(/didn't understand/);
    state = result.state;
    result = say(state, 'what?');
    expect(result.mode).toBe('bot');
    result = say(result.state, 'hmm');
    expect(result.mode).toBe('waiting');
    expect(result.effects).toContainEqual({ type: 'handoff', reason: 'misunderstood' });
    expect(result.reply).toMatch(/passing you to a person/);
  });

  test('a recognised reply resets the count of misunderstandings', () => {
    let result = play(['hi', 'banana', 'banana', '4', 'banana', 'banana']);
    expect(result.mode).toBe('bot');
    result = say(result.state, 'banana');
    expect(result.mode).toBe('waiting');
  });

  test('while staff have the conversation the bot is silent, even for "menu"', () => {
    const state = say(initialState(), 'hi').state;
    for (const mode of ['waiting', 'staff'] as const) {
      for (const text of ['menu', '1', 'hello']) {
        const result = say(state, text, { mode, lastActivityAt: OPEN.toISOString() });
        expect(result.reply).toBeNull();
        expect(result.mode).toBe(mode);
      }
    }
  });

  test('after the idle time a handed-off conversation returns to the bot', () => {
    const state = say(initialState(), 'hi').state;
    const later = new Date(OPEN.getTime() + 25 * 3600_000);
    const result = say(state, 'hello', { mode: 'waiting', now: later, lastActivityAt: OPEN.toISOString() });
    expect(result.mode).toBe('bot');
    expect(result.effects).toContainEqual({ type: 'handback', reason: 'idle' });
    expect(result.reply).toContain('1. New matter');
  });

  test('"stop" and "delete my data" are recorded as requests for staff, even during a hand-off', () => {
    const state = say(initialState(), 'hi').state;
    const erase = say(state, 'Delete my data');
    expect(erase.effects).toContainEqual({ type: 'data_request', kind: 'erase' });
    expect(erase.mode).toBe('waiting');
    const stop = say(state, 'STOP', { mode: 'staff', lastActivityAt: OPEN.toISOString() });
    expect(stop.effects).toEqual([{ type: 'data_request', kind: 'stop' }]);
    expect(stop.reply).toBeNull();
  });

  test('intake asks each field, summarises, accepts a correction and confirms', () => {
    let result = play(['hi', '1', 'yes', 'Ana Lúcia Souza', 'employment', 'Not paid for 3 months', 'none', '12/03/2026']);
    expect(result.state.step).toEqual({ at: 'confirm' });
    expect(result.reply).toContain('2. Area: Employment');
    expect(result.reply).toContain('4. Other party: none');
    // the deadline is read as a date (day first) and shown in words beside what was typed
    expect(result.reply).toContain('5. Deadline: 12 March 2026 (12/03/2026)');
    result = say(result.state, '4');
    expect(result.reply).toMatch(/other party/);
    result = say(result.state, 'Padaria Pão Quente Ltda');
    expect(result.state.step).toEqual({ at: 'confirm' });
    expect(result.reply).toContain('4. Other party: Padaria Pão Quente Ltda');
    result = say(result.state, 'yes');
    expect(result.effects).toEqual([
      {
        type: 'intake',
        intake: {
          name: 'Ana Lúcia Souza',
          area: 'Employment',
          description: 'Not paid for 3 months',
          opposing: 'Padaria Pão Quente Ltda',
          deadline: '12/03/2026',
          deadlineDate: '2026-03-12',
          language: 'en',
        },
        consentVersion: '3',
      },
    ]);
    expect(result.reply).toContain('{reference}');
  });

  test('status lists this number’s matters with the next step, and offers intake to an unknown number', () => {
    const state = say(initialState(), 'hi').state;
    const none = say(state, '2');
    expect(none.reply).toMatch(/no matter registered for this number/);
    const known = say(state, 'status', {
      facts: facts({
        client: { name: 'Ana Souza' },
        matters: [{ reference: '2026-0007', area: 'Family', status: 'active', nextStep: 'Hearing on 3 March' }],
      }),
    });
    expect(known.reply).toContain('*2026-0007* (Family): in progress.');
    expect(known.reply).toContain('Next step: Hearing on 3 March');
  });

  test('a practice area is accepted by number, by name, or by the start of its name', () => {
    const base: ChatState = { ...initialState(), step: { at: 'intake', field: 'area', correcting: false }, lastInboundAt: OPEN.toISOString() };
    expect(say(base, '1').state.draft.area).toBe('Family');
    expect(say(base, 'HOUSING AND TENANCY').state.draft.area).toBe('Housing and tenancy');
    expect(say(base, 'crim').state.draft.area).toBe('Criminal');
    expect(say(base, '99').state.draft.area).toBeUndefined();
  });
});

describe('understanding inside the conversation', () => {
  const three = defaultSettings();
  three.profile.name = 'Silva & Partners';
  three.hours.timeZone = 'Europe/Lisbon';
  three.behaviour = { ...three.behaviour, language: 'pt-BR', languages: ['en', 'es'] };
  three.practiceAreas = ['Família', 'Trabalhista', 'Inquilinato', 'Outros'];
  const multi = facts({ settings: three });
  const sayIn = (state: ChatState, text: string, over: { from?: string; language?: string | null; now?: Date } = {}) =>
    turn(
      state,
      { text, from: over.from, language: over.language ?? (state.lastInboundAt ? 'pt-BR' : null), media: null, now: over.now ?? OPEN, mode: 'bot', lastActivityAt: state.lastInboundAt },
      multi,
    );

  test('"não quero falar com ninguém" is no hand-off; "quero falar com um advogado" is', () => {
    const menu = sayIn(initialState(), 'oi').state;
    expect(sayIn(menu, 'não quero falar com ninguém').effects).toEqual([]);
    expect(sayIn(menu, 'quero falar com um advogado').effects).toEqual([{ type: 'handoff', reason: 'asked' }]);
  });

  test('a new client is answered in the language of the message, else of the number, else the default, and offered the others once', () => {
    const spanish = sayIn(initialState(), 'Hola, buenas tardes, necesito información sobre sus horarios');
    expect(spanish.language).toBe('es');
    expect(spanish.reply).toContain('Le atiende el asistente');
    expect(spanish.reply).toContain('Para português, responda PT.');
    expect(spanish.reply).toContain('For English, reply EN.');
    expect(spanish.reply).not.toContain('Para español, responda ES.');
    expect(sayIn(spanish.state, '1', { language: 'es' }).reply).not.toContain('responda PT');
    expect(sayIn(initialState(), 'hi', { from: '447700900123' }).language).toBe('en');
    expect(sayIn(initialState(), 'ok', { from: '33612345678' }).language).toBe('pt-BR');
    // an explicit choice wins over the number, and is not offered back
    const chosen = sayIn(initialState(), 'EN', { from: '5511987654321' });
    expect(chosen.language).toBe('en');
    expect(chosen.reply).not.toMatch(/reply EN|responda/);
  });

  test('free text that names an area opens the intake with the area to confirm; NO asks for it', () => {
    const consent = sayIn(sayIn(initialState(), 'oi').state, 'meu senhorio não devolve a caução');
    expect(consent.state.step).toEqual({ at: 'consent' });
    expect(consent.state.draft.suggestedArea).toBe('Inquilinato');
    const name = sayIn(consent.state, 'sim');
    const area = sayIn(name.state, 'Rita Lopes');
    expect(area.reply).toContain('*Inquilinato*. Está correto?');
    expect(sayIn(area.state, 'sim').state.draft.area).toBe('Inquilinato');
    const other = sayIn(area.state, 'não');
    expect(other.reply).toContain('Qual é a área do seu caso?');
    expect(other.state.draft.suggestedArea).toBeUndefined();
    expect(sayIn(other.state, '2').state.draft.area).toBe('Trabalhista');
  });

  test('between two close meanings the bot asks which, in one line, instead of guessing', () => {
    const menu = say(initialState(), 'hi').state;
    const both = say(menu, '1 or 3');
    expect(both.reply).toBe('Just to be sure: did you mean a new matter (reply 1) or talking to a person (reply 3)?');
    expect(both.effects).toEqual([]);
    expect(say(both.state, '3').effects).toEqual([{ type: 'handoff', reason: 'asked' }]);
  });

  test('deadlines: impossible and past dates are asked again; words that are no date are kept the second time', () => {
    const atDeadline = play(['hi', '1', 'yes', 'Ana Souza', '1', 'Divorce by consent', 'none']);
    expect(atDeadline.state.step).toEqual({ at: 'intake', field: 'deadline', correcting: false });
    expect(say(atDeadline.state, '30/02/2026').reply).toBe('30/02/2026 does not exist. Which day did you mean?');
    expect(say(atDeadline.state, '1 January 2025').reply).toMatch(/That date \(1 January 2025\) has already passed/);
    const unclear = say(atDeadline.state, 'after the summer holidays');
    expect(unclear.reply).toBe('I could not read that as a date. Please write it like 31/12/2026, or reply NONE.');
    const kept = say(unclear.state, 'after the summer holidays');
    expect(kept.state.step).toEqual({ at: 'confirm' });
    expect(kept.state.draft).toMatchObject({ deadline: 'after the summer holidays', deadlineDate: null });
    expect(say(atDeadline.state, 'next Friday').state.draft.deadlineDate).toBe('2026-01-09');
  });

  test('an office in the United States reads 03/04/2026 as March 4', () => {
    const us = defaultSettings();
    us.hours.timeZone = 'America/New_York';
    us.behaviour = { ...us.behaviour, dateOrder: 'mdy' };
    const f = facts({ settings: us });
    let state = initialState();
    for (const text of ['hi', '1', 'yes', 'Ann Lee', '1', 'Custody of my son', 'none']) state = turn(state, { text, media: null, now: OPEN, mode: 'bot', lastActivityAt: state.lastInboundAt }, f).state;
    const summary = turn(state, { text: '03/04/2026', media: null, now: OPEN, mode: 'bot', lastActivityAt: state.lastInboundAt }, f);
    expect(summary.state.draft.deadlineDate).toBe('2026-03-04');
    expect(summary.reply).toContain('5. Deadline: March 4, 2026 (03/04/2026)');
    const impossible = turn(state, { text: '02/30', media: null, now: OPEN, mode: 'bot', lastActivityAt: state.lastInboundAt }, f);
    expect(impossible.reply).toBe('02/30 does not exist. Which day did you mean?');
  });

  test('a declined matter is reported as closed without being taken on, not as no matter at all', () => {
    const state = say(initialState(), 'hi').state;
    const declined = say(state, '2', {
      facts: facts({ client: { name: 'Ana Souza' }, matters: [{ reference: '2026-0002', area: 'Family', status: 'declined', nextStep: null }] }),
    });
    expect(declined.reply).toContain('Your matter *2026-0002* (Family) was closed without being taken on.');
    expect(declined.reply).not.toMatch(/no matter registered/);
  });

  test('office hours are said in the client’s language', () => {
    const info = sayIn(sayIn(initialState(), 'oi').state, '4');
    expect(info.reply).toContain('Horário de atendimento: seg.–sex. 09:00–18:00');
    const closed = sayIn(sayIn(initialState(), 'oi', { now: CLOSED }).state, 'quero falar com uma pessoa', { now: CLOSED });
    expect(closed.reply).toContain('amanhã às 09:00');
  });
});
