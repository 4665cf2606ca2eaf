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

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
