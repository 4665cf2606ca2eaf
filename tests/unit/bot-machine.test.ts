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

  test('"no" to consent ends politely and records nothing', () => {
    const result = play(['hi', 'new matter', 'no']);
    expect(result.reply).toMatch(/not stored any of your details/);
    expect(result.effects).toEqual([]);
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
