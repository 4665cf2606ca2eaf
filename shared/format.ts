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
