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

const DAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
const SHORT: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

function addDays(date: string, days: number): { date: string; weekday: Weekday } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  const weekday = WEEKDAYS[(t.getUTCDay() + 6) % 7]!;
  return { date: t.toISOString().slice(0, 10), weekday };
}

/** When the office next opens after `now`, in words ("today at 14:00", "Monday at 09:00"), or null if never. */
export function nextOpening(now: Date, hours: OfficeHours): string | null {
  const local = localTime(now, hours.timeZone);
  for (let offset = 0; offset <= 14; offset++) {
    const day = addDays(local.date, offset);
    if (hours.closedDates.includes(day.date)) continue;
    const intervals = [...hours.week[day.weekday]].sort((a, b) => a.open.localeCompare(b.open));
    for (const interval of intervals) {
      if (offset === 0 && interval.open <= local.time) continue;
      const when = offset === 0 ? 'today' : offset === 1 ? 'tomorrow' : DAY_NAMES[day.weekday];
      return `${when} at ${interval.open}`;
    }
  }
  return null;
}

/**
 * The week in words, grouping days with the same hours: "Mon–Fri 09:00–18:00; Sat 09:00–12:00".
 * `closedAllWeek` is said when no day has hours.
 */
export function describeHours(hours: OfficeHours, closedAllWeek: string): string {
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
    .map((g) => `${g.from === g.to ? SHORT[g.from] : `${SHORT[g.from]}–${SHORT[g.to]}`} ${g.hours}`)
    .join('; ');
}
