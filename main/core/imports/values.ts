import type { MatterStatus } from '../../../shared/bot.js';
import type { Role } from '../../../shared/permissions.js';

/**
 * The values of the old bot's files as LexDesk keeps them. Each reader returns
 * the value, or a `Problem` string saying what is wrong with it in words an IT
 * person can act on.
 */

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = <T>(problem: string): Read<T> => ({ ok: false, problem });

/** Before 2001-09-09 in milliseconds: a number this small is seconds, or not a time at all. */
const SMALLEST_MS = 1e12;

/** Milliseconds to add to UTC to get the local time of `timeZone` at `instant`. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  for (const p of f.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local - Math.floor(instant / 1000) * 1000;
}

/** A wall-clock time in `timeZone` as the instant it names (the earlier one when a clock change repeats it). */
export function fromLocalTime(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let instant = guess - zoneOffset(guess, timeZone);
  instant = guess - zoneOffset(instant, timeZone);
  return new Date(instant);
}

const LOCAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::\d{2})?)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 string, Unix milliseconds, or DD/MM/YYYY HH:mm in the office's time zone, as an ISO time in UTC. */
export function readDate(value: unknown, timeZone: string): Read<string> {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{12,14}$/.test(value.trim()))) {
    const n = Number(value);
    if (!Number.isFinite(n) || n < SMALLEST_MS || n > 4102444800000) {
      return bad(`${JSON.stringify(value)} is not a time in Unix milliseconds (seconds are not accepted)`);
    }
    return ok(new Date(n).toISOString());
  }
  if (typeof value !== 'string' || !value.trim()) return bad(`${JSON.stringify(value)} is not a date`);
  const text = value.trim();
  const local = LOCAL.exec(text);
  if (local) {
    const [, d, mo, y, h = '0', mi = '0'] = local;
    const [day, month, hour, minute] = [Number(d), Number(mo), Number(h), Number(mi)];
    const probe = new Date(Date.UTC(Number(y), month - 1, day));
    if (month < 1 || month > 12 || probe.getUTCDate() !== day || hour > 23 || minute > 59) return bad(`"${text}" is not a real date (DD/MM/YYYY HH:mm)`);
    return ok(fromLocalTime(Number(y), month, day, hour, minute, timeZone).toISOString());
  }
  if (ISO.test(text)) {
    // an ISO time without a zone is the office's local time
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10;
    const ms = Date.parse(hasZone ? text : text.length === 10 ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
    if (Number.isNaN(ms)) return bad(`"${text}" is not a real date`);
    if (hasZone) return ok(new Date(ms).toISOString());
    const u = new Date(ms);
    return ok(fromLocalTime(u.getUTCFullYear(), u.getUTCMonth() + 1, u.getUTCDate(), u.getUTCHours(), u.getUTCMinutes(), timeZone).toISOString());
  }
  return bad(`"${text}" is not a date in a format the old bot wrote (ISO 8601, Unix milliseconds or DD/MM/YYYY HH:mm)`);
}

/**
 * A phone number as typed ("+55 (11) 98765-4321", "11987654321",
 * "5511987654321@c.us") as the international digits WhatsApp uses. A number
 * without its country code gets the office's; without one it is a problem.
 */
export function readPhone(value: unknown, countryCode: string | null): Read<string> {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || !value.trim()) return bad('has no phone number');
  const text = value.trim();
  if (/@g\.us$/.test(text)) return bad(`"${text}" is a group chat, not a person's number`);
  const international = /@(c\.us|s\.whatsapp\.net)$/.test(text) || text.startsWith('+') || text.startsWith('00');
  let digits = text.replace(/@.*$/, '').replace(/\D/g, '');
  if (text.startsWith('00')) digits = digits.slice(2);
  if (!international) {
    const cc = countryCode ?? '';
    if (digits.length >= 12 && cc && digits.startsWith(cc)) {
      // already has it: 5511987654321
    } else if (digits.length >= 12 && !cc) {
      // long enough to carry a country code
    } else if (cc) {
      digits = cc + digits.replace(/^0+/, '');
    } else {
      return bad(`"${text}" has no country code; run the import with --country-code (e.g. --country-code 55)`);
    }
  }
  if (digits.length < 8 || digits.length > 15) return bad(`"${text}" is not a phone number (${digits.length} digits)`);
  return ok(digits);
}

/** The old bot's roles as LexDesk's three. */
export const ROLE_MAP: Readonly<Record<string, Role>> = {
  admin: 'admin',
  lawyer: 'lawyer',
  attorney: 'lawyer',
  secretary: 'assistant',
  receptionist: 'assistant',
  staff: 'assistant',
};

/** The old bot's case statuses as LexDesk's matter statuses. */
export const STATUS_MAP: Readonly<Record<string, MatterStatus>> = {
  new: 'intake',
  open: 'active',
  in_progress: 'active',
  waiting_client: 'waiting_client',
  closed: 'closed',
  declined: 'declined',
};

/** A bcrypt hash as the old bot stored it ($2a$, $2b$, $2y$, 60 characters). */
export function isBcryptHash(value: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value);
}

/** An id as text: numbers and strings are both ids; anything else is not. */
export function readId(value: unknown): Read<string> {
  if (typeof value === 'number' && Number.isFinite(value)) return ok(String(value));
  if (typeof value === 'string' && value.trim()) return ok(value.trim());
  return bad(value === undefined ? 'has no id' : `id ${JSON.stringify(value)} is not a number or a string`);
}

export function readText(value: unknown, field: string, options: { required?: boolean; max?: number } = {}): Read<string | null> {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    return options.required ? bad(`has no ${field}`) : ok(null);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return bad(`${field} ${JSON.stringify(value).slice(0, 40)} is not text`);
  const text = String(value).trim();
  if (options.max && text.length > options.max) return bad(`${field} is longer than ${options.max} characters`);
  return ok(text);
}
