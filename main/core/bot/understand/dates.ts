import { localTime } from '../hours.js';
import { ALL_DATE_WORDS, DATE_LEXICONS, type DateLexicon, type Unit } from './date-words.js';

/**
 * Reads the deadline a client types ("31/12", "amanhã", "el próximo viernes",
 * "in two weeks") as a calendar date in the office's time zone. It only
 * extracts: "none" and follow-up questions are the state machine's business.
 * Rules, not guesses: what it cannot read with confidence is 'unrecognised', so
 * the bot asks again instead of storing a wrong date for a lawyer.
 */

export type DateOrder = 'dmy' | 'mdy';

export type DeadlineParse =
  | { ok: true; date: string; text: string }
  | { ok: false; reason: 'impossible'; text: string; day: number; month: number; year?: number }
  | { ok: false; reason: 'past'; text: string; date: string }
  | { ok: false; reason: 'unrecognised'; text: string };

export interface DeadlineOptions {
  /** 'en' | 'pt-BR' | 'es' | another code (then every known lexicon is tried) */
  language: string;
  /** how 1/2/2026 is read; dmy unless the office chose English (US) */
  order?: DateOrder;
  now: Date;
  timeZone: string;
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** What one reading found, before it is compared with today. */
type Found =
  | { kind: 'date'; date: Ymd }
  | { kind: 'impossible'; d: number; m: number; y?: number }
  | { kind: 'unrecognised' };

const DAY = 86_400_000;

export function parseDeadline(text: string, options: DeadlineOptions): DeadlineParse {
  const typed = text.trim();
  const today = todayIn(options.now, options.timeZone);
  const found = read(normalise(typed), today, options);
  if (!found || found.kind === 'unrecognised') return { ok: false, reason: 'unrecognised', text: typed };
  if (found.kind === 'impossible') {
    const base = { ok: false as const, reason: 'impossible' as const, text: typed, day: found.d, month: found.m };
    return found.y === undefined ? base : { ...base, year: found.y };
  }
  const date = iso(found.date);
  if (serial(found.date) < serial(today)) return { ok: false, reason: 'past', text: typed, date };
  return { ok: true, date, text: typed };
}

/** Calendar days from today (in `timeZone`) to `date` (YYYY-MM-DD): 0 today, negative once it has passed. */
export function daysUntil(date: string, now: Date, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return serial({ y, m, d }) - serial(todayIn(now, timeZone));
}

// ---------------------------------------------------------------- reading

/** The readings in order of trust: a written date beats a relative phrase, which beats a weekday. */
function read(text: string, today: Ymd, options: DeadlineOptions): Found | null {
  if (text === '') return null;
  const base = options.language.toLowerCase().split(/[-_]/)[0] ?? '';
  const own = DATE_LEXICONS[base];
  const lexicons = own ? [own, ALL_DATE_WORDS] : [ALL_DATE_WORDS];
  const clean = stripTimes(text, patterns(ALL_DATE_WORDS));

  const numeric = readNumeric(clean, options.order ?? 'dmy');
  if (numeric) return numeric;
  const readers = [readMonthName, readShortNumeric, readDayOnly, readRelative, readNextWeekOrMonth, readDayWord, readWeekday];
  for (const reader of readers) {
    for (const lexicon of lexicons) {
      const found = reader(clean, today, patterns(lexicon), options.order ?? 'dmy');
      if (found) return found;
    }
  }
  return null;
}

/** Lower case, no accents, punctuation other than date separators turned to spaces. */
function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/(?<=\p{L})-(?=\p{L})/gu, ' ')
    .replace(/(?<!\d):|:(?!\d)/g, ' ')
    .replace(/[^a-z0-9/.:'$€£\- ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function stripTimes(text: string, p: Patterns): string {
  return text.replace(p.timesOfDay, ' ').replace(p.atTime, ' ').replace(p.clock, ' ').replace(/\s+/g, ' ').trim();
}

function readNumeric(text: string, order: DateOrder): Found | null {
  const isoMatch = ISO.exec(text);
  if (isoMatch) return check({ y: Number(isoMatch[1]), m: Number(isoMatch[3]), d: Number(isoMatch[4]) });
  const full = FULL.exec(text);
  if (full) {
    const [a, b] = [Number(full[1]), Number(full[3])];
    const y = full[4]!.length === 2 ? 2000 + Number(full[4]) : Number(full[4]);
    return check(order === 'mdy' ? { y, m: a, d: b } : { y, m: b, d: a });
  }
  return null;
}

function readShortNumeric(text: string, today: Ymd, p: Patterns, order: DateOrder): Found | null {
  const match = p.shortNumeric.exec(text);
  if (!match) return null;
  const [a, b] = [Number(match[1]), Number(match[2])];
  return order === 'mdy' ? yearless(b, a, today) : yearless(a, b, today);
}

function readMonthName(text: string, today: Ymd, p: Patterns): Found | null {
  const hits = [
    { re: p.dayMonth, day: 1, month: 2, year: 3 },
    { re: p.dayWordMonth, day: 1, month: 2, year: 3 },
    { re: p.monthDay, day: 2, month: 1, year: 3 },
    { re: p.monthDayWord, day: 2, month: 1, year: 3 },
  ]
    .map((h) => ({ ...h, match: h.re.exec(text) }))
    .filter((h) => h.match !== null)
    .sort((x, y) => x.match!.index - y.match!.index);
  const hit = hits[0];
  if (!hit) return null;
  const g = hit.match!;
  const d = wordOrNumber(g[hit.day]!, p.lexicon.dayWords);
  const m = p.lexicon.months[g[hit.month]!] ?? p.lexicon.monthAbbreviations[g[hit.month]!] ?? 0;
  const yearText = g[hit.year] ?? g[hit.year + 1];
  if (!yearText) return yearless(d, m, today);
  const y = yearText.replace("'", '').length === 2 ? 2000 + Number(yearText.replace("'", '')) : Number(yearText);
  return check({ y, m, d });
}

/** "dia 15", "el 3", "the 15th": that day this month, or the next month that has it. */
function readDayOnly(text: string, today: Ymd, p: Patterns): Found | null {
  const match = p.dayOnly.exec(text) ?? p.dayOnlyOrdinal.exec(text) ?? p.dayOnlyWord.exec(text);
  if (!match) return null;
  const d = wordOrNumber(match[1]!, p.lexicon.dayWords);
  if (d < 1 || d > 31) return { kind: 'unrecognised' };
  if (p.nextMonth.test(text)) {
    const next = addMonths({ ...today, d: 1 }, 1);
    return check({ ...next, d });
  }
  for (let ahead = 0; ahead < 3; ahead++) {
    const month = addMonths({ ...today, d: 1 }, ahead);
    if (d <= daysInMonth(month.y, month.m) && (ahead > 0 || d >= today.d)) return { kind: 'date', date: { ...month, d } };
  }
  return null;
}

/** "in 3 days", "em duas semanas", "dentro de un mes", "10 dias a partir de hoje". */
function readRelative(text: string, today: Ymd, p: Patterns): Found | null {
  const match = p.relativeIn.exec(text) ?? p.relativeFrom.exec(text) ?? p.relativeBare.exec(text);
  if (!match) return null;
  const g = match.groups!;
  if (g.business1 || g.business2) return { kind: 'unrecognised' };
  const n = wordOrNumber(g.count!, p.lexicon.counts);
  return { kind: 'date', date: addUnits(today, n, p.lexicon.units[g.unit!]!) };
}

/** "next week" is taken as seven days on, "next month" as the same day next month (or its last day). */
function readNextWeekOrMonth(text: string, today: Ymd, p: Patterns): Found | null {
  if (p.nextWeek.test(text)) {
    const weekday = p.weekday.exec(text);
    if (weekday && isWeekday(text, weekday, p)) {
      const monday = addDays(today, 7 - weekdayOf(today));
      return { kind: 'date', date: addDays(monday, p.lexicon.weekdays[weekday[1]!]!) };
    }
    return { kind: 'date', date: addDays(today, 7) };
  }
  if (p.nextMonth.test(text)) return { kind: 'date', date: addMonths(today, 1) };
  return null;
}

function readDayWord(text: string, today: Ymd, p: Patterns): Found | null {
  const match = p.days.exec(text);
  return match ? { kind: 'date', date: addDays(today, p.lexicon.days[match[1]!]!) } : null;
}

/**
 * A weekday is the next one after today ("sexta", "next Friday", "el próximo
 * viernes" all mean the coming Friday; said on a Friday, the one a week later);
 * "last Friday" / "sexta passada" is the one before, hence 'past'.
 */
function readWeekday(text: string, today: Ymd, p: Patterns): Found | null {
  const re = new RegExp(p.weekday.source, 'g');
  for (const match of text.matchAll(re)) {
    if (!isWeekday(text, match, p)) continue;
    const target = p.lexicon.weekdays[match[1]!]!;
    const before = text.slice(0, match.index);
    const after = text.slice(match.index + match[0].length);
    const past = p.pastBefore.test(before) || p.pastAfter.test(after);
    const ahead = (target - weekdayOf(today) + 7) % 7 || 7;
    return { kind: 'date', date: addDays(today, past ? ahead - 7 : ahead) };
  }
  return null;
}

/** "segunda vara" is a court and "quinta turma" a panel: an ordinal, not a weekday. */
function isWeekday(text: string, match: RegExpExecArray | RegExpMatchArray, p: Patterns): boolean {
  if (match[1]!.includes(' ')) return true;
  return !p.notWeekday.test(text.slice((match.index ?? 0) + match[0].length));
}

function wordOrNumber(token: string, words: Record<string, number>): number {
  const digits = /^\d+/.exec(token);
  return digits ? Number(digits[0]) : (words[token.replace(/\s+/g, ' ')] ?? 0);
}

// ---------------------------------------------------------------- patterns

const B = '(?<![a-z0-9])';
const E = '(?![a-z0-9])';
const ISO = /(?<![\d./-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![./-]?\d)/;
const FULL = /(?<![\d./-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![./-]?\d)/;
const DIGIT_DAY = '(\\d{1,2})(?:st|nd|rd|th|o|ro|ero|er)?';

interface Patterns {
  lexicon: DateLexicon;
  timesOfDay: RegExp;
  atTime: RegExp;
  clock: RegExp;
  shortNumeric: RegExp;
  dayMonth: RegExp;
  dayWordMonth: RegExp;
  monthDay: RegExp;
  monthDayWord: RegExp;
  dayOnly: RegExp;
  dayOnlyOrdinal: RegExp;
  dayOnlyWord: RegExp;
  relativeIn: RegExp;
  relativeFrom: RegExp;
  relativeBare: RegExp;
  nextWeek: RegExp;
  nextMonth: RegExp;
  days: RegExp;
  weekday: RegExp;
  notWeekday: RegExp;
  pastBefore: RegExp;
  pastAfter: RegExp;
}

const compiled = new Map<DateLexicon, Patterns>();

function patterns(lexicon: DateLexicon): Patterns {
  let p = compiled.get(lexicon);
  if (p) return p;
  const months = alt([...Object.keys(lexicon.months), ...Object.keys(lexicon.monthAbbreviations)]);
  const fullMonths = alt(Object.keys(lexicon.months));
  const dayWords = alt(Object.keys(lexicon.dayWords));
  const units = alt(Object.keys(lexicon.units));
  const counts = `\\d{1,3}|${alt(Object.keys(lexicon.counts))}`;
  const business = alt(lexicon.business);
  const notAmount = `(?!\\s*(?:%|${units}${E}|minutes?|minutos?|hours?|horas?))`;
  const year = `(?:(?:\\s*(?:,|de|del|of)\\s*|\\s*[/.-]\\s*|\\s*')(\\d{4}|\\d{2})|\\s+(\\d{4}))`;
  const quantity = `(?<count>${counts})\\s+(?:(?<business1>${business})\\s+)?(?<unit>${units})(?:\\s+(?<business2>${business}))?${E}`;
  p = {
    lexicon,
    timesOfDay: new RegExp(`${B}${alt(lexicon.timesOfDay)}${E}`, 'g'),
    atTime: new RegExp(
      `${B}(?:a las|a la|at|as|pelas|por volta das|around)\\s+\\d{1,2}(?:[.:h]\\d{2}|h|hs|hrs)?(?![a-z0-9]|\\s*[/.-]\\d|\\s+(?:de|of|del)\\s|\\s+${months}${E}|\\s+${units}${E})`,
      'g',
    ),
    clock: /(?<![\d./-])\d{1,2}\s*(?::\d{2}|h\s*\d{2}|hs|hrs?|horas?|hours?|h|am|pm|a\.m\.?|p\.m\.?)(?![a-z0-9])/g,
    shortNumeric: new RegExp(`(?<![\\d./-]|[$€£]\\s?)(\\d{1,2})[-/.](\\d{1,2})(?![./-]?\\d)${notAmount}`),
    dayMonth: new RegExp(`${B}${DIGIT_DAY}${notAmount}(?:\\s*(?:de|of|del)\\s+|\\s*[/.-]\\s*|\\s*)(${months})\\.?(?:${year}${notAmount})?${E}`),
    dayWordMonth: new RegExp(`${B}(${dayWords})(?:\\s+(?:de|of|del)\\s+|\\s+)(${fullMonths})(?:${year}${notAmount})?${E}`),
    monthDay: new RegExp(`${B}(${months})\\.?(?:\\s*[/.-]\\s*|\\s*)(?:the\\s+)?${DIGIT_DAY}${notAmount}(?:\\s*(?:,|de|del|of)?\\s*(\\d{4}))?${E}`),
    monthDayWord: new RegExp(`${B}(${fullMonths})\\s+(?:the\\s+)?(${dayWords})(?:\\s*(?:,|de|del|of)?\\s*(\\d{4}))?${E}`),
    dayOnly: new RegExp(`${B}(?:${alt(lexicon.dayMarkers)})\\s+${DIGIT_DAY}${E}${notAmount}(?!\\s*[/.-]\\d)`),
    dayOnlyOrdinal: new RegExp(
      `${B}(?:${alt(lexicon.ordinalDayMarkers)})\\s+(\\d{1,2})(?:(?:st|nd|rd|th)${E}|(?=\\s*\\.?$|\\s+of\\s+(?:next|this|the)\\s+month))`,
    ),
    // a day in words only where nothing follows, or "of next month": "the first" is too often not a date
    dayOnlyWord: new RegExp(`${B}(?:${alt([...lexicon.dayMarkers, ...lexicon.ordinalDayMarkers])})\\s+(${dayWords})(?=\\s*\\.?$|\\s+(?:do|de|del|of)\\s)`),
    relativeIn: new RegExp(`${B}(?:${alt(lexicon.relativePrefixes)})\\s+${quantity}`),
    relativeFrom: new RegExp(`${B}${quantity}'?\\s+(?:${alt(lexicon.relativeSuffixes)})${E}`),
    relativeBare: new RegExp(`^(?:(?:o |el |the |my |meu |mi )?(?:prazo|plazo|deadline)(?:\\s+(?:e|es|is|de|of))?\\s+)?${quantity}\\.?$`),
    nextWeek: new RegExp(`${B}${alt(lexicon.nextWeek)}${E}`),
    nextMonth: new RegExp(`${B}${alt(lexicon.nextMonth)}${E}`),
    days: new RegExp(`${B}(${alt(Object.keys(lexicon.days))})${E}`),
    weekday: new RegExp(`${B}(${alt(Object.keys(lexicon.weekdays))})${E}`),
    notWeekday: new RegExp(`^\\s+(?:${alt(lexicon.notWeekdayBefore)})${E}`),
    pastBefore: new RegExp(`${B}(?:${alt(lexicon.pastBefore)})\\s*$`),
    pastAfter: new RegExp(`^\\s*(?:${alt(lexicon.pastAfter)})${E}`),
  };
  compiled.set(lexicon, p);
  return p;
}

/** An alternation of words, longest first so "depois de amanha" wins over "amanha"; none matches nothing. */
function alt(words: string[]): string {
  if (words.length === 0) return '(?!)';
  return `(?:${[...new Set(words)]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|')})`;
}

// ---------------------------------------------------------------- calendar

function todayIn(now: Date, timeZone: string): Ymd {
  const [y, m, d] = localTime(now, timeZone).date.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function check(date: Ymd): Found {
  const { y, m, d } = date;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return { kind: 'impossible', d, m, y };
  return { kind: 'date', date };
}

/**
 * A day and month without a year: the next time it comes (today included). The
 * year is given back with 'impossible' only for 29/02, which exists in other years.
 */
function yearless(d: number, m: number, today: Ymd): Found {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(2000, m)) return { kind: 'impossible', d, m };
  const y = m > today.m || (m === today.m && d >= today.d) ? today.y : today.y + 1;
  return check({ y, m, d });
}

function serial(date: Ymd): number {
  return Date.UTC(date.y, date.m - 1, date.d) / DAY;
}

function fromSerial(n: number): Ymd {
  const t = new Date(n * DAY);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function addDays(date: Ymd, days: number): Ymd {
  return fromSerial(serial(date) + days);
}

/** Same day n months on, or that month's last day (31 Jan + 1 month = 28 or 29 Feb). */
function addMonths(date: Ymd, n: number): Ymd {
  const index = date.y * 12 + (date.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

function addUnits(date: Ymd, n: number, unit: Unit): Ymd {
  if (unit === 'month') return addMonths(date, n);
  return addDays(date, n * (unit === 'week' ? 7 : unit === 'fortnight' ? 14 : 1));
}

/** 0 = Monday … 6 = Sunday */
function weekdayOf(date: Ymd): number {
  return (new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7;
}

function iso(date: Ymd): string {
  return `${String(date.y).padStart(4, '0')}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}
