/** "just now", "5 minutes ago", "3 hours ago", else the date and time. */
export function ago(isoTime: string, now = Date.now()): string {
  const ms = now - Date.parse(isoTime);
  if (ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return when(isoTime);
}

export function when(isoTime: string): string {
  return new Date(isoTime).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const FACE_LABEL: Record<string, string> = { desktop: 'Desktop app', headless: 'Browser', cli: 'Command line' };
