import { offeredLanguages, type BotSettings, type ConversationMode, type MatterStatus } from '../../../shared/bot.js';
import { foldWords, type Texts } from './catalog/texts.js';
import type { TextKey } from './catalog/en.js';
import { describeHours, isOpen, nextOpening, type OpeningWords } from './hours.js';
import { parseDeadline, type DateOrder } from './understand/dates.js';
import { understand, type Expecting, type Intent, type Understanding } from './understand/index.js';
import { detectLanguage, languageChoice, languageOfNumber } from './understand/language.js';

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
  /** the deadline read as a date (YYYY-MM-DD), null when there is none or it could not be read */
  deadlineDate?: string | null;
  /** a practice area the client named before the intake began, to confirm at the area question */
  suggestedArea?: string;
}

export interface CompleteIntake {
  name: string;
  area: string;
  description: string;
  opposing: string | null;
  deadline: string | null;
  deadlineDate: string | null;
  /** the language of the conversation (the PDF is made in it) */
  language: string;
}

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
  /** the client was told once how to choose another language */
  languageOffered?: boolean;
  /** the deadline answer could not be read as a date once; a second time it is kept as typed */
  deadlineUnread?: boolean;
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
  /** the sender's WhatsApp number or chat id (its country code hints at a language) */
  from?: string;
  /** the language stored for this chat; null or undefined for a new client */
  language?: string | null;
  /** a file the client sent with (or instead of) the text; `stored` false when it could not be fetched */
  media: { fileName: string | null; stored?: boolean } | null;
  now: Date;
  mode: ConversationMode;
  /** the last message in either direction before this one (for the hand-back after idle time) */
  lastActivityAt: string | null;
}

export interface TurnFacts {
  settings: BotSettings;
  /** the bot's texts in a language (the office's overrides included) */
  texts: (language: string) => Texts;
  /** the current privacy notice; `text(language)` is its wording in that language */
  notice: { version: string; text: (language: string) => string };
  /** the client on record for this WhatsApp number */
  client: { name: string } | null;
  /** this number has already consented to the current notice version */
  consentedToCurrent: boolean;
  /** this number's own matters, and only those */
  matters: MatterForStatus[];
  /** how long a declined consent's anonymous entry is kept (the office's retention schedule) */
  declinedConsentHours?: number;
}

export type Effect =
  | { type: 'consent'; version: string }
  | { type: 'intake'; intake: CompleteIntake; consentVersion: string | null }
  | { type: 'handoff'; reason: HandoffReason }
  | { type: 'handback'; reason: 'idle' }
  | { type: 'data_request'; kind: 'stop' | 'erase' }
  /** the person said no to the privacy notice: keep nothing of them but an anonymous entry */
  | { type: 'consent_declined' };

export interface TurnResult {
  state: ChatState;
  mode: ConversationMode;
  /** the language of the conversation after this message (stored for the chat) */
  language: string;
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

/** What each question expects, for reading the answer. */
function expectingAt(step: Step): Expecting {
  switch (step.at) {
    case 'start':
    case 'menu':
      return 'menu';
    case 'consent':
      return 'consent';
    case 'confirm':
      return 'confirm';
    case 'intake':
      return step.field === 'opposing' || step.field === 'deadline' ? 'none-or-value' : 'free';
  }
}

/** The locale dates are written in: English follows the office's day/month order. */
export function dateLocale(language: string, order: DateOrder): string {
  if (language.toLowerCase().split('-')[0] === 'en') return order === 'mdy' ? 'en-US' : 'en-GB';
  return language;
}

/** A date (YYYY-MM-DD) in words, as the client reads it: "31 December 2026", "31 de dezembro de 2026". */
export function formatDate(date: string, locale: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d, 12));
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(at);
  } catch {
    return date;
  }
}

/** A deadline as the client and the lawyer read it: the date in words, with the client's own words beside it when they differ. */
export function deadlineInWords(typed: string, date: string | null | undefined, locale: string, texts: Texts): string {
  if (!date) return typed;
  const written = formatDate(date, locale);
  return foldWords(written) === foldWords(typed) ? written : texts.t('intake.deadline_shown', { date: written, typed });
}

/** The intents a clarifying question can name, with their catalog labels. */
const INTENT_LABELS: Partial<Record<Intent, TextKey>> = {
  'menu.new': 'intent.menu.new',
  'menu.status': 'intent.menu.status',
  'menu.person': 'intent.menu.person',
  'menu.info': 'intent.menu.info',
  menu: 'intent.menu',
  stop: 'intent.stop',
  erase: 'intent.erase',
};

/**
 * The conversation's language: the one stored for the chat while the office
 * still offers it; for a new client an explicit choice, then the language of the
 * message when it is clear, then the number's country code, then the default.
 */
function languageFor(input: TurnInput, offered: string[], fallback: string): { language: string; chosen: boolean; isNew: boolean } {
  const stored = input.language ?? null;
  if (stored && offered.includes(stored)) return { language: stored, chosen: false, isNew: false };
  if (stored) return { language: fallback, chosen: false, isNew: false };
  if (offered.length === 1) return { language: offered[0]!, chosen: false, isNew: true };
  const choice = languageChoice(input.text, offered);
  if (choice && choice !== 'ask') return { language: choice, chosen: true, isNew: true };
  const detected = input.text.trim() ? detectLanguage(input.text, offered) : null;
  const byNumber = input.from ? languageOfNumber(input.from, offered) : null;
  return { language: detected ?? byNumber ?? fallback, chosen: false, isNew: true };
}


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
  const { settings } = facts;
  const behaviour = settings.behaviour;
  const office = settings.profile.name;
  const offered = offeredLanguages(behaviour);
  const picked = languageFor(input, offered, behaviour.language);
  let language = picked.language;
  let texts = facts.texts(language);
  const state: ChatState = { ...previous, draft: { ...previous.draft } };
  const effects: Effect[] = [];
  const parts: string[] = [];
  let mode = input.mode;
  const text = input.text.trim();

  const sinceLastInbound = hoursBetween(previous.lastInboundAt, input.now);
  state.lastInboundAt = input.now.toISOString();

  const read = (expecting: Expecting, what = text): Understanding =>
    understand(what, { language, words: (key) => texts.words(key as TextKey & `${string}words`), practiceAreas: settings.practiceAreas, expecting });

  // A person has the conversation: the bot stays silent, unless it has been idle long enough.
  if (mode !== 'bot') {
    const idle =
      behaviour.handBackAfterHours > 0 &&
      hoursBetween(input.lastActivityAt, input.now) >= behaviour.handBackAfterHours;
    if (!idle) {
      const request = text === '' ? null : read('free').intent;
      if (request === 'stop' || request === 'erase') effects.push({ type: 'data_request', kind: request });
      return { state, mode, language, reply: null, effects };
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

  // what the client's words mean where the conversation stands
  let heard: Understanding = text === '' ? { intent: null, confidence: 0, alternatives: [] } : read(expectingAt(state.step));
  const isStop = heard.intent === 'stop';
  const isErase = heard.intent === 'erase';
  const asksMenu = heard.intent === 'menu';

  const clientName = facts.client ? ` ${facts.client.name.split(' ')[0]}` : '';
  const locale = () => dateLocale(language, behaviour.dateOrder);
  const hoursText = () => describeHours(settings.hours, texts.t('hours.closed_all_week'), language);
  const openingWords = (): OpeningWords => ({
    locale: language,
    today: (time) => texts.t('hours.today', { time }),
    tomorrow: (time) => texts.t('hours.tomorrow', { time }),
    onDay: (day, time) => texts.t('hours.on_day', { day, time }),
  });

  const say = (key: TextKey, params: Record<string, string | number | null> = {}) =>
    parts.push(texts.t(key, { office, ...params }));

  const finish = (): TurnResult => {
    if (parts.length === 0) return { state, mode, language, reply: null, effects };
    if (!state.outOfHoursSaid && mode === 'bot' && !isOpen(input.now, settings.hours)) {
      // said once per conversation, after the greeting when there is one
      parts.splice(newConversation ? 1 : 0, 0, texts.t('out_of_hours', { office, hours: hoursText() }));
      state.outOfHoursSaid = true;
    }
    if (picked.isNew && !picked.chosen && !state.languageOffered && offered.length > 1 && mode === 'bot') {
      // a new client hears once how to choose another of the office's languages
      const others = offered.filter((code) => code !== language).map((code) => facts.texts(code).t('language.offer'));
      if (others.length > 0) parts.push(others.join('\n'));
      state.languageOffered = true;
    }
    if (!state.footerSent) {
      parts.push(texts.t('footer', { office }));
      state.footerSent = true;
    }
    return { state, mode, language, reply: parts.join('\n\n'), effects };
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
      else say('handoff.closed', { nextOpen: nextOpening(input.now, settings.hours, openingWords()) ?? hoursText() });
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

  /** Two readings were close: one line asking which, instead of a guess. False when they cannot be named. */
  const clarify = (alternatives: Intent[]): boolean => {
    const [a, b] = alternatives.map((i) => INTENT_LABELS[i]);
    if (!a || !b) return false;
    say('help.which', { first: texts.t(a), second: texts.t(b) });
    return true;
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
        if (state.draft.suggestedArea && settings.practiceAreas.includes(state.draft.suggestedArea))
          return say('intake.confirm_area', { area: state.draft.suggestedArea, areas: areaList() });
        return say('intake.ask_area', { areas: areaList() });
      case 'description':
        return say('intake.ask_description');
      case 'opposing':
        return say('intake.ask_opposing');
      case 'deadline':
        return say('intake.ask_deadline');
    }
  };

  const deadlineShown = (): string =>
    state.draft.deadline ? deadlineInWords(state.draft.deadline, state.draft.deadlineDate, locale(), texts) : texts.t('intake.none');

  const summary = () => {
    const d = state.draft;
    const none = texts.t('intake.none');
    say('intake.summary', {
      name: d.name ?? '',
      area: d.area ?? '',
      description: d.description ?? '',
      opposing: d.opposing ?? none,
      deadline: deadlineShown(),
    });
  };

  /** The question the conversation is waiting on, asked again (after a change of language). */
  const askAgain = () => {
    const step = state.step;
    if (step.at === 'intake') ask(step.field);
    else if (step.at === 'confirm') summary();
    else if (step.at === 'consent') say('consent.ask', { notice: fillNotice(facts.notice.text(language), office), version: facts.notice.version });
    else showMenu();
  };

  const startIntake = (area?: string) => {
    state.draft = area ? { suggestedArea: area } : {};
    state.deadlineUnread = false;
    if (facts.consentedToCurrent || state.consentVersion === facts.notice.version) {
      state.step = { at: 'intake', field: 'name', correcting: false };
      ask('name');
    } else {
      state.step = { at: 'consent' };
      say('consent.ask', { notice: fillNotice(facts.notice.text(language), office), version: facts.notice.version });
    }
  };

  const status = () => {
    if (facts.matters.length === 0) {
      say('status.none');
      return;
    }
    const items = facts.matters.map((m) =>
      m.status === 'declined'
        ? texts.t('status.declined_item', { reference: m.reference, area: m.area })
        : texts.t('status.item', {
            reference: m.reference,
            area: m.area,
            status: texts.t(`status.${m.status}` as TextKey),
            nextStep: m.nextStep?.trim() || texts.t('status.no_next_step'),
          }),
    );
    parts.push([texts.t('status.header'), ...items].join('\n\n'));
    say('menu.hint');
  };

  /** A menu choice, in numbers or words; false when the message is none of them. */
  const menuChoice = (u: Understanding): boolean => {
    switch (u.intent) {
      case 'menu.new':
        state.misunderstood = 0;
        startIntake(u.area);
        return true;
      case 'menu.status':
        state.misunderstood = 0;
        status();
        return true;
      case 'menu.person':
        handoff('asked');
        return true;
      case 'menu.info': {
        state.misunderstood = 0;
        const p = settings.profile;
        say('info', { address: p.address || '—', phone: p.phone || '—', email: p.email || '—', hours: hoursText() });
        say('menu.hint');
        return true;
      }
      default:
        return false;
    }
  };

  const languageList = () =>
    offered.map((code) => { const t = facts.texts(code); return `${t.t('language.code')} · ${t.t('language.name')}`; }).join('\n');

  /**
   * "PT", "español", "change language", "idioma": a change of language, at any
   * point of the conversation; the question it was waiting on is asked again in
   * the new language. True when the message was about the language.
   */
  const languageRequest = (): boolean => {
    if (text === '') return false;
    const choice = languageChoice(text, offered);
    const named = heard.intent === 'language' ? heard.language : undefined;
    const base = (code: string) => code.toLowerCase().split('-')[0];
    const fromNamed = named ? (offered.find((code) => base(code) === base(named)) ?? 'not offered') : undefined;
    const wanted = choice ?? fromNamed ?? (heard.intent === 'language' ? 'ask' : null);
    if (wanted === null) return false;
    if (wanted === 'not offered' || (wanted === 'ask' && named)) {
      say('language.not_offered', { languages: languageList() });
      return true;
    }
    if (wanted === 'ask') {
      say('language.ask', { languages: languageList() });
      return true;
    }
    if (wanted !== language) {
      language = wanted;
      texts = facts.texts(language);
      heard = read(expectingAt(state.step));
    }
    state.misunderstood = 0;
    if (!newConversation) say('language.changed');
    return true;
  };

  if (newConversation) {
    const resuming = state.step.at === 'intake' || state.step.at === 'confirm' || state.step.at === 'consent';
    say(resuming || previous.lastInboundAt !== null ? 'greeting.back' : 'greeting', { clientName });
    if (languageRequest()) {
      askAgain();
      return finish();
    }
    if (resuming && !isStop && !isErase && !asksMenu) {
      say('intake.continue');
      if (state.step.at === 'consent') startIntake(state.draft.suggestedArea);
      else askAgain();
      return finish();
    }
    if (!isStop && !isErase && !asksMenu && !(text === '' && input.media)) {
      // a new conversation opens on the menu; whatever the client wrote is no misunderstanding yet
      state.step = { at: 'menu' };
      if (!menuChoice(read('menu'))) showMenu();
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
    say(input.media.stored === false ? 'media.failed' : 'media.received', { fileName: input.media.fileName ?? texts.t('media.unnamed') });
    if (state.step.at === 'intake') ask(state.step.field);
    return finish();
  }

  if (!newConversation && languageRequest()) {
    askAgain();
    return finish();
  }

  if (asksMenu) {
    state.misunderstood = 0;
    showMenu();
    return finish();
  }

  const step = state.step;
  switch (step.at) {
    case 'start':
      if (!menuChoice(heard)) showMenu();
      break;

    case 'menu':
      if (heard.intent === 'greeting') {
        state.misunderstood = 0;
        showMenu();
      } else if (!menuChoice(heard)) {
        misunderstood(() => {
          if (heard.intent === null && clarify(heard.alternatives)) return;
          say('help.unrecognised');
          showMenu();
        });
      }
      break;

    case 'consent':
      if (heard.intent === 'yes') {
        state.misunderstood = 0;
        state.consentVersion = facts.notice.version;
        effects.push({ type: 'consent', version: facts.notice.version });
        say('consent.recorded');
        state.step = { at: 'intake', field: 'name', correcting: false };
        ask('name');
      } else if (heard.intent === 'no') {
        state.misunderstood = 0;
        state.step = { at: 'menu' };
        state.draft = {};
        effects.push({ type: 'consent_declined' });
        say('consent.declined', { phone: settings.profile.phone || '—', hours: String(facts.declinedConsentHours ?? 24) });
      } else if (heard.intent === 'menu.person') {
        handoff('asked');
      } else {
        misunderstood(() => say('consent.unclear'));
      }
      break;

    case 'intake': {
      if (heard.intent === 'menu.person' && (step.field !== 'area' || heard.confidence >= 0.9)) {
        handoff('asked');
        break;
      }
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
      if (heard.intent === 'yes') {
        state.misunderstood = 0;
        const d = state.draft;
        if (d.name && d.area && d.description && d.opposing !== undefined && d.deadline !== undefined) {
          effects.push({
            type: 'intake',
            intake: {
              name: d.name,
              area: d.area,
              description: d.description,
              opposing: d.opposing,
              deadline: d.deadline,
              deadlineDate: d.deadline ? (d.deadlineDate ?? null) : null,
              language,
            },
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
      } else if (heard.intent === 'no' && heard.line !== undefined && heard.line >= 1 && heard.line <= INTAKE_FIELDS.length) {
        state.misunderstood = 0;
        const field = INTAKE_FIELDS[heard.line - 1]!;
        state.step = { at: 'intake', field, correcting: true };
        if (field === 'deadline') state.deadlineUnread = false;
        ask(field);
      } else if (heard.intent === 'no') {
        // "no" is understood: something needs correcting, and the client is told how
        state.misunderstood = 0;
        say('intake.confirm_unclear');
      } else if (heard.intent === 'menu.person') {
        handoff('asked');
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
    if (field === 'area') return answerArea(value);
    if ((field === 'opposing' || field === 'deadline') && heard.intent === 'none') {
      state.draft[field] = null;
      if (field === 'deadline') state.draft.deadlineDate = null;
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
    if (field === 'deadline') return answerDeadline(value);
    state.draft[field] = value;
    return true;
  }

  /** A practice area by its number, its name (typos forgiven), words that name it, or YES to the one suggested. */
  function answerArea(value: string): boolean {
    const areas = settings.practiceAreas;
    const suggested = state.draft.suggestedArea && areas.includes(state.draft.suggestedArea) ? state.draft.suggestedArea : undefined;
    const n = /^\d+$/.test(value) ? Number.parseInt(value, 10) : NaN;
    const folded = foldWords(value);
    let chosen =
      (n >= 1 && n <= areas.length ? areas[n - 1] : undefined) ??
      areas.find((a) => foldWords(a) === folded) ??
      (folded.length >= 3 ? areas.find((a) => foldWords(a).startsWith(folded)) : undefined);
    if (!chosen && suggested) {
      const reply = read('consent');
      if (reply.intent === 'yes') chosen = suggested;
      else if (reply.intent === 'no') {
        delete state.draft.suggestedArea;
        state.misunderstood = 0;
        ask('area');
        return false;
      }
    }
    chosen ??= read('free').area;
    if (!chosen) {
      misunderstood(() => {
        say('intake.area_unclear');
        ask('area');
      });
      return false;
    }
    state.draft.area = chosen;
    delete state.draft.suggestedArea;
    return true;
  }

  /** A deadline read as a date; an impossible or past date is asked again, words that are no date are kept the second time. */
  function answerDeadline(value: string): boolean {
    const parsed = parseDeadline(value, { language, order: behaviour.dateOrder, now: input.now, timeZone: settings.hours.timeZone });
    if (parsed.ok) {
      state.draft.deadline = value;
      state.draft.deadlineDate = parsed.date;
      state.deadlineUnread = false;
      return true;
    }
    if (parsed.reason === 'impossible') {
      const dm = behaviour.dateOrder === 'mdy' ? [parsed.month, parsed.day] : [parsed.day, parsed.month];
      const written = dm.map((x) => String(x).padStart(2, '0')).join('/') + (parsed.year !== undefined ? `/${parsed.year}` : '');
      say('intake.deadline_impossible', { date: written });
      return false;
    }
    if (parsed.reason === 'past') {
      say('intake.deadline_past', { date: formatDate(parsed.date, locale()) });
      return false;
    }
    if (!state.deadlineUnread) {
      state.deadlineUnread = true;
      const year = input.now.getUTCFullYear();
      say('intake.deadline_unclear', { example: behaviour.dateOrder === 'mdy' ? `12/31/${year}` : `31/12/${year}` });
      return false;
    }
    // asked twice: the client's words are kept as typed for a lawyer to read
    state.draft.deadline = value;
    state.draft.deadlineDate = null;
    state.deadlineUnread = false;
    return true;
  }
}

/** The notice as clients read it: `{office}` filled in. */
export function fillNotice(text: string, office: string): string {
  return text.replace(/\{office\}/g, office);
}
