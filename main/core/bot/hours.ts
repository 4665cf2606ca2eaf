import { WEEKDAYS, type OfficeHours, type Weekday } from '../../../shared/bot.js';

/** The office's local calendar date and time for an instant, in its time zone. */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  weekday: Weekday;
  /** HH:MM, 24-hour */
  time: string;
  year: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTime(now: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(now)) parts[p.type] = p.value;
  const weekday = (parts.weekday ?? 'Mon').slice(0, 3).toLowerCase() as Weekday;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    time: `${parts.hour}:${parts.minute}`,
    year: Number(parts.year),
  };
}

/** True while the office is open at `now`. */
export function isOpen(now: Date, hours: OfficeHours): boolean {
  const local = localTime(now, hours.timeZone);
  if (hours.closedDates.includes(local.date)) return false;
  return hours.week[local.weekday].some((i) => local.time >= i.open && local.time < i.close);
}

/** A weekday's name in a language ("Monday", "segunda-feira", "lunes"; short: "Mon", "seg.", "lun"). */
export function dayName(day: Weekday, locale: string, width: 'long' | 'short' = 'long'): string {
  // 2024-01-01 was a Monday
  const date = new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(day), 12));
  try {
    return new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en', { weekday: width, timeZone: 'UTC' }).format(date);
  }
}

/** How "today at 14:00" is said in the conversation's language. */
export interface OpeningWords {
  locale: string;
  today: (time: string) => string;
  tomorrow: (time: string) => string;
  onDay: (day: string, time: string) => string;
}

const ENGLISH: OpeningWords = {
  locale: 'en',
  today: (time) => `today at ${time}`,
  tomorrow: (time) => `tomorrow at ${time}`,
  onDay: (day, time) => `${day} at ${time}`,
};

function addDays(date: string, days: number): { date: string; weekday: Weekday } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  const weekday = WEEKDAYS[(t.getUTCDay() + 6) % 7]!;
  return { date: t.toISOString().slice(0, 10), weekday };
}

/** When the office next opens after `now`, in words ("today at 14:00", "Monday at 09:00"), or null if never. */
export function nextOpening(now: Date, hours: OfficeHours, words: OpeningWords = ENGLISH): string | null {
  const local = localTime(now, hours.timeZone);
  for (let offset = 0; offset <= 14; offset++) {
    const day = addDays(local.date, offset);
    if (hours.closedDates.includes(day.date)) continue;
    const intervals = [...hours.week[day.weekday]].sort((a, b) => a.open.localeCompare(b.open));
    for (const interval of intervals) {
      if (offset === 0 && interval.open <= local.time) continue;
      if (offset === 0) return words.today(interval.open);
      if (offset === 1) return words.tomorrow(interval.open);
      return words.onDay(dayName(day.weekday, words.locale), interval.open);
    }
  }
  return null;
}

/**
 * The week in words, grouping days with the same hours: "Mon–Fri 09:00–18:00; Sat 09:00–12:00".
 * `closedAllWeek` is said when no day has hours.
 */
export function describeHours(hours: OfficeHours, closedAllWeek: string, locale = 'en'): string {
  const short = (d: Weekday) => dayName(d, locale, 'short');
  const label = (d: Weekday) =>
    hours.week[d].map((i) => `${i.open}–${i.close}`).join(', ');
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const day of WEEKDAYS) {
    const h = label(day);
    const last = groups[groups.length - 1];
    if (last && last.hours === h && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(day) - 1) last.to = day;
    else groups.push({ from: day, to: day, hours: h });
  }
  const open = groups.filter((g) => g.hours !== '');
  if (open.length === 0) return closedAllWeek;
  return open
    .map((g) => `${g.from === g.to ? short(g.from) : `${short(g.from)}–${short(g.to)}`} ${g.hours}`)
    .join('; ');
}
