import type { RuleUnit, SeriesUnit } from '../../shared/contract/monitoring.js';
import { formatBytes } from '../../shared/format.js';

/** A value of a series, with its unit, short enough for an axis or a card. */
export function formatValue(value: number | null | undefined, unit: SeriesUnit | 'per-minute'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'percent':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
    case 'bytes':
      return formatBytes(value);
    case 'ms':
      return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
    case 'hours':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} h`;
    case 'boolean':
      return value >= 0.5 ? 'yes' : 'no';
    case 'per-minute':
      return `${value < 10 ? Number(value.toFixed(2)) : Math.round(value)}/min`;
    default:
      return String(Math.round(value * 100) / 100);
  }
}

export const RULE_UNIT_LABEL: Record<RuleUnit, string> = {
  percent: '%',
  gb: 'GB',
  ms: 'ms',
  minutes: 'minutes',
  hours: 'hours',
  count: '',
  flag: '',
};

export function formatDuration(seconds: number): string {
  if (seconds === 0) return 'at once';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A moment as its date and time of day ("1 Dec 2026, 09:20"); a dash when there is none. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** How long ago, in words: "just now", "5 minutes ago", "3 hours ago" (up to two days), "4 days ago". */
export function ago(iso: string, now = Date.now()): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Both: "1 Dec 2026, 09:20 (5 minutes ago)". */
export function whenAgo(iso: string, now = Date.now()): string {
  return `${when(iso)} (${ago(iso, now)})`;
}

/** For lists: "10:42" today, "Mon 10:42" this week, else the date. */
export function shortTime(iso: string): string {
  const t = new Date(iso);
  const now = new Date();
  if (t.toDateString() === now.toDateString()) return t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (now.getTime() - t.getTime() < 6 * 86_400_000) return t.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return t.toLocaleDateString();
}

/** A stretch of time as a clock would count it: "42 s", "3 min 5 s", "2 h 10 min", "3 days". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}
