const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB'];

/**
 * A size for people, in 1024-based units labelled KB, MB, GB, TB; one decimal
 * below 10 of a unit. The screens and the command line print sizes with it.
 *
 *   formatBytes(512)        // "512 B"
 *   formatBytes(1536)       // "1.5 KB"
 *   formatBytes(250 * 2**20) // "250 MB"
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1);
  return `${value.toFixed(Math.abs(value) < 10 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

/**
 * A deadline (YYYY-MM-DD) in words with the days left from `today`
 * (YYYY-MM-DD): "31 Dec 2026 · in 30 days", "today", "tomorrow", "3 days ago".
 */
export function deadlineLeft(date: string, today: string): { text: string; days: number } {
  const serial = (d: string) => {
    const [y, m, day] = d.split('-').map(Number) as [number, number, number];
    return Math.round(Date.UTC(y, m - 1, day) / 86_400_000);
  };
  const days = serial(date) - serial(today);
  const text =
    days === 0 ? 'today' : days === 1 ? 'tomorrow' : days === -1 ? 'yesterday' : days > 1 ? `in ${days} days` : `${-days} days ago`;
  return { text, days };
}

/** Today's date (YYYY-MM-DD) in a time zone, or in the machine's when none is given. */
export function todayIn(timeZone?: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
