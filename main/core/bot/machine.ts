import type { BotSettings, ConversationMode, MatterStatus } from '../../../shared/bot.js';
import { foldWords, type Texts } from './catalog/texts.js';
import type { TextKey } from './catalog/en.js';
import { describeHours, isOpen, nextOpening } from './hours.js';

/**
 * The conversation with one client, as a state machine. `turn` is pure: given the
 * chat's state, what the client wrote, the time and what the office knows, it
 * returns the new state, the reply (or silence) and the side effects for the
 * engine to carry out (record consent, create the intake, hand off, record a data
 * request). The state is plain JSON, kept in SQLite, so a restart continues
 * mid-flow.
 */

export const INTAKE_FIELDS = ['name', 'area', 'description', 'opposing', 'deadline'] as const;
export type IntakeField = (typeof INTAKE_FIELDS)[number];

export interface IntakeDraft {
  name?: string;
  area?: string;
  description?: string;
  /** null: the client said there is none */
  opposing?: string | null;
  deadline?: string | null;
}

export type CompleteIntake = Required<IntakeDraft>;

export type Step =
  | { at: 'start' }
  | { at: 'menu' }
  | { at: 'consent' }
  | { at: 'intake'; field: IntakeField; correcting: boolean }
  | { at: 'confirm' };

export type HandoffReason = 'asked' | 'misunderstood' | 'data_request' | 'staff';

export interface ChatState {
  v: 1;
  step: Step;
  draft: IntakeDraft;
  /** replies in a row the bot did not understand */
  misunderstood: number;
  /** the "not legal advice" footer went out in this conversation */
  footerSent: boolean;
  /** the out-of-hours notice went out in this conversation */
  outOfHoursSaid: boolean;
  /** the notice version this conversation consented to */
  consentVersion: string | null;
  lastInboundAt: string | null;
}

export function initialState(): ChatState {
  return {
    v: 1,
    step: { at: 'start' },
    draft: {},
    misunderstood: 0,
    footerSent: false,
    outOfHoursSaid: false,
    consentVersion: null,
    lastInboundAt: null,
  };
}

/** A stored state, or a fresh one when it is missing or from an unknown shape. */
export function parseState(json: string | null | undefined): ChatState {
  if (!json) return initialState();
  try {
    const value = JSON.parse(json) as Partial<ChatState>;
    if (value && value.v === 1 && value.step && typeof value.step === 'object') return { ...initialState(), ...value };
  } catch {
    // fall through
  }
  return initialState();
}

export interface MatterForStatus {
  reference: string;
  area: string;
  status: MatterStatus;
  nextStep: string | null;
}

export interface TurnInput {
  text: string;
  /** a file the client sent with (or instead of) the text; `stored` false when it could not be fetched */
  media: { fileName: string | null; stored?: boolean } | null;
  now: Date;
  mode: ConversationMode;
  /** the last message in either direction before this one (for the hand-back after idle time) */
  lastActivityAt: string | null;
}

export interface TurnFacts {
  settings: BotSettings;
  texts: Texts;
  notice: { version: string; text: string };
  /** the client on record for this WhatsApp number */
  client: { name: string } | null;
  /** this number has already consented to the current notice version */
  consentedToCurrent: boolean;
  /** this number's own matters, and only those */
  matters: MatterForStatus[];
}

export type Effect =
  | { type: 'consent'; version: string }
  | { type: 'intake'; intake: CompleteIntake; consentVersion: string | null }
  | { type: 'handoff'; reason: HandoffReason }
  | { type: 'handback'; reason: 'idle' }
  | { type: 'data_request'; kind: 'stop' | 'erase' };

export interface TurnResult {
  state: ChatState;
  mode: ConversationMode;
  /** the message to send, or null for silence. May hold `{reference}` after an intake. */
  reply: string | null;
  effects: Effect[];
}

const LIMITS = {
  name: { min: 2, max: 120 },
  description: { min: 3, max: 1500 },
  opposing: { min: 2, max: 200 },
  deadline: { min: 1, max: 120 },
};

const HOUR = 3_600_000;

function hoursBetween(from: string | null, to: Date): number {
  if (!from) return Number.POSITIVE_INFINITY;
  return (to.getTime() - new Date(from).getTime()) / HOUR;
}

/** Collapses whitespace and trims; keeps the client's own spelling. */
function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function turn(previous: ChatState, input: TurnInput, facts: TurnFacts): TurnResult {
  const { texts, settings } = facts;
  const behaviour = settings.behaviour;
  const office = settings.profile.name;
  const state: ChatState = { ...previous, draft: { ...previous.draft } };
  const effects: Effect[] = [];
  const parts: string[] = [];
  let mode = input.mode;
  const text = input.text.trim();

  const sinceLastInbound = hoursBetween(previous.lastInboundAt, input.now);
  state.lastInboundAt = input.now.toISOString();

  const isStop = text !== '' && texts.means('stop.words', text);
  const isErase = text !== '' && texts.means('erase.words', text);

  // A person has the conversation: the bot stays silent, unless it has been idle long enough.
  if (mode !== 'bot') {
    const idle =
      behaviour.handBackAfterHours > 0 &&
      hoursBetween(input.lastActivityAt, input.now) >= behaviour.handBackAfterHours;
    if (!idle) {
      if (isStop || isErase) effects.push({ type: 'data_request', kind: isStop ? 'stop' : 'erase' });
      return { state, mode, reply: null, effects };
    }
    mode = 'bot';
    effects.push({ type: 'handback', reason: 'idle' });
    state.step = { at: 'menu' };
    state.draft = {};
    state.misunderstood = 0;
  }

  const newConversation = previous.lastInboundAt === null || sinceLastInbound >= behaviour.newConversationAfterHours || mode !== input.mode;
  if (newConversation) {
    state.footerSent = false;
    state.outOfHoursSaid = false;
    state.misunderstood = 0;
  }
  const clientName = facts.client ? ` ${facts.client.name.split(' ')[0]}` : '';
  const hoursText = () => describeHours(settings.hours, texts.t('hours.closed_all_week'));

  const say = (key: TextKey, params: Record<string, string | number | null> = {}) =>
    parts.push(texts.t(key, { office, ...params }));

  const finish = (): TurnResult => {
    if (parts.length === 0) return { state, mode, reply: null, effects };
    if (!state.outOfHoursSaid && mode === 'bot' && !isOpen(input.now, settings.hours)) {
      // said once per conversation, after the greeting when there is one
      parts.splice(newConversation ? 1 : 0, 0, texts.t('out_of_hours', { office, hours: hoursText() }));
      state.outOfHoursSaid = true;
    }
    if (!state.footerSent) {
      parts.push(texts.t('footer', { office }));
      state.footerSent = true;
    }
    return { state, mode, reply: parts.join('\n\n'), effects };
  };

  const handoff = (reason: HandoffReason) => {
    mode = 'waiting';
    state.step = { at: 'menu' };
    state.draft = {};
    state.misunderstood = 0;
    effects.push({ type: 'handoff', reason });
    if (reason === 'misunderstood') say('handoff.misunderstood');
    if (reason !== 'data_request') {
      if (isOpen(input.now, settings.hours)) say('handoff.open');
      else say('handoff.closed', { nextOpen: nextOpening(input.now, settings.hours) ?? hoursText() });
      // the client already knows the office is closed from this sentence
      state.outOfHoursSaid = true;
    }
  };

  const misunderstood = (again: () => void) => {
    state.misunderstood += 1;
    if (state.misunderstood >= behaviour.misunderstandingsBeforeHandoff) {
      handoff('misunderstood');
      return;
    }
    again();
  };

  const showMenu = () => {
    state.step = { at: 'menu' };
    state.draft = {};
    say('menu');
  };

  const areaList = () => settings.practiceAreas.map((a, i) => `${i + 1}. ${a}`).join('\n');

  const ask = (field: IntakeField) => {
    switch (field) {
      case 'name':
        return say('intake.ask_name');
      case 'area':
        return say('intake.ask_area', { areas: areaList() });
      case 'description':
        return say('intake.ask_description');
      case 'opposing':
        return say('intake.ask_opposing');
      case 'deadline':
        return say('intake.ask_deadline');
    }
  };

  const summary = () => {
    const d = state.draft;
    const none = texts.t('intake.none');
    say('intake.summary', {
      name: d.name ?? '',
      area: d.area ?? '',
      description: d.description ?? '',
      opposing: d.opposing ?? none,
      deadline: d.deadline ?? none,
    });
  };

  const startIntake = () => {
    state.draft = {};
    if (facts.consentedToCurrent || state.consentVersion === facts.notice.version) {
      state.step = { at: 'intake', field: 'name', correcting: false };
      ask('name');
    } else {
      state.step = { at: 'consent' };
      say('consent.ask', { notice: fillNotice(facts.notice.text, office), version: facts.notice.version });
    }
  };

  const status = () => {
    if (facts.matters.length === 0) {
      say('status.none');
      return;
    }
    const items = facts.matters.map((m) =>
      texts.t('status.item', {
        reference: m.reference,
        area: m.area,
        status: texts.t(`status.${m.status}` as TextKey),
        nextStep: m.nextStep?.trim() || texts.t('status.no_next_step'),
      }),
    );
    parts.push([texts.t('status.header'), ...items].join('\n\n'));
    say('menu.hint');
  };

  /** A menu choice by number or words; false when the text is none of them. */
  const menuChoice = (): boolean => {
    if (texts.means('menu.new.words', text)) {
      state.misunderstood = 0;
      startIntake();
    } else if (texts.means('menu.status.words', text)) {
      state.misunderstood = 0;
      status();
    } else if (texts.means('menu.person.words', text)) {
      handoff('asked');
    } else if (texts.means('menu.info.words', text)) {
      state.misunderstood = 0;
      const p = settings.profile;
      say('info', { address: p.address || '—', phone: p.phone || '—', email: p.email || '—', hours: hoursText() });
      say('menu.hint');
    } else {
      return false;
    }
    return true;
  };

  if (newConversation) {
    const resuming = state.step.at === 'intake' || state.step.at === 'confirm' || state.step.at === 'consent';
    say(resuming || previous.lastInboundAt !== null ? 'greeting.back' : 'greeting', { clientName });
    if (resuming && !isStop && !isErase && !texts.means('menu.words', text)) {
      say('intake.continue');
      if (state.step.at === 'intake') ask(state.step.field);
      else if (state.step.at === 'confirm') summary();
      else startIntake();
      return finish();
    }
    if (!isStop && !isErase && !texts.means('menu.words', text) && !(text === '' && input.media)) {
      // a new conversation opens on the menu; whatever the client wrote is no misunderstanding yet
      state.step = { at: 'menu' };
      if (!menuChoice()) showMenu();
      return finish();
    }
  }

  if (isStop || isErase) {
    effects.push({ type: 'data_request', kind: isStop ? 'stop' : 'erase' });
    say(isStop ? 'data_request.stop' : 'data_request.erase');
    handoff('data_request');
    return finish();
  }

  if (text === '' && input.media) {
    say(input.media.stored === false ? 'media.failed' : 'media.received', { fileName: input.media.fileName ?? 'file' });
    if (state.step.at === 'intake') ask(state.step.field);
    return finish();
  }

  if (texts.means('menu.words', text)) {
    state.misunderstood = 0;
    showMenu();
    return finish();
  }

  const step = state.step;
  switch (step.at) {
    case 'start':
      if (!menuChoice()) showMenu();
      break;

    case 'menu':
      if (!menuChoice()) {
        misunderstood(() => {
          say('help.unrecognised');
          showMenu();
        });
      }
      break;

    case 'consent':
      if (texts.means('yes.words', text)) {
        state.misunderstood = 0;
        state.consentVersion = facts.notice.version;
        effects.push({ type: 'consent', version: facts.notice.version });
        say('consent.recorded');
        state.step = { at: 'intake', field: 'name', correcting: false };
        ask('name');
      } else if (texts.means('no.words', text)) {
        state.misunderstood = 0;
        state.step = { at: 'menu' };
        state.draft = {};
        say('consent.declined', { phone: settings.profile.phone || '—' });
      } else {
        misunderstood(() => say('consent.unclear'));
      }
      break;

    case 'intake': {
      const accepted = answer(step.field);
      if (!accepted) break;
      state.misunderstood = 0;
      const next = INTAKE_FIELDS[INTAKE_FIELDS.indexOf(step.field) + 1];
      if (step.correcting || !next) {
        state.step = { at: 'confirm' };
        summary();
      } else {
        state.step = { at: 'intake', field: next, correcting: false };
        ask(next);
      }
      break;
    }

    case 'confirm': {
      const n = Number.parseInt(text, 10);
      if (texts.means('yes.words', text)) {
        state.misunderstood = 0;
        const d = state.draft;
        if (d.name && d.area && d.description && d.opposing !== undefined && d.deadline !== undefined) {
          effects.push({
            type: 'intake',
            intake: { name: d.name, area: d.area, description: d.description, opposing: d.opposing, deadline: d.deadline },
            consentVersion: state.consentVersion,
          });
          say('intake.confirmed');
          state.step = { at: 'menu' };
          state.draft = {};
        } else {
          // a field went missing (an older state): ask for the first one again
          const missing = INTAKE_FIELDS.find((f) => d[f] === undefined) ?? 'name';
          state.step = { at: 'intake', field: missing, correcting: false };
          ask(missing);
        }
      } else if (/^\d+$/.test(text) && n >= 1 && n <= INTAKE_FIELDS.length) {
        state.misunderstood = 0;
        const field = INTAKE_FIELDS[n - 1]!;
        state.step = { at: 'intake', field, correcting: true };
        ask(field);
      } else if (texts.means('no.words', text)) {
        // "no" is understood: something needs correcting, and the client is told how
        state.misunderstood = 0;
        say('intake.confirm_unclear');
      } else {
        misunderstood(() => say('intake.confirm_unclear'));
      }
      break;
    }
  }
  return finish();

  /** Stores the client's answer for `field`; false (with a reply) when it cannot be used. */
  function answer(field: IntakeField): boolean {
    const value = clean(text);
    if (field === 'area') {
      const areas = settings.practiceAreas;
      const n = /^\d+$/.test(value) ? Number.parseInt(value, 10) : NaN;
      const folded = foldWords(value);
      const chosen =
        (n >= 1 && n <= areas.length ? areas[n - 1] : undefined) ??
        areas.find((a) => foldWords(a) === folded) ??
        (folded.length >= 3 ? areas.find((a) => foldWords(a).startsWith(folded)) : undefined);
      if (!chosen) {
        misunderstood(() => {
          say('intake.area_unclear');
          ask('area');
        });
        return false;
      }
      state.draft.area = chosen;
      return true;
    }
    if ((field === 'opposing' || field === 'deadline') && texts.means('none.words', value)) {
      state.draft[field] = null;
      return true;
    }
    const limit = LIMITS[field];
    if (value.length < limit.min) {
      say('intake.too_short');
      ask(field);
      return false;
    }
    if (value.length > limit.max) {
      say('intake.too_long', { max: limit.max });
      return false;
    }
    state.draft[field] = value;
    return true;
  }
}

/** The notice as clients read it: `{office}` filled in. */
export function fillNotice(text: string, office: string): string {
  return text.replace(/\{office\}/g, office);
}
