import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/* The desktop's log files (electron-log, in the OS log folder): rotation, the last
   errors for the support information, and redaction for the support bundle.
   Plain Node, no electron, so that it is tested as it runs. */

/** Each log file grows to this size, then rotates. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept besides the current one (main.1.log … main.4.log). */
export const LOG_KEEP = 4;

/**
 * electron-log's `archiveLogFn`: main.log becomes main.1.log, main.1.log becomes
 * main.2.log…, and the oldest is dropped. Synchronous, as electron-log requires.
 */
export function rotateLogFile(file: string, keep = LOG_KEEP): void {
  const dir = dirname(file);
  const ext = extname(file);
  const stem = basename(file, ext);
  const nth = (n: number) => join(dir, `${stem}.${n}${ext}`);
  rmSync(nth(keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) if (existsSync(nth(n))) renameSync(nth(n), nth(n + 1));
  renameSync(file, nth(1));
}

/** The log files of a folder, the current one first, then the rotated ones from newest to oldest. */
export function logFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const order = (name: string) => {
    const match = /\.(\d+)\.log$/.exec(name);
    return match ? Number(match[1]) : 0;
  };
  return names
    .filter((name) => name.endsWith('.log'))
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    .map((name) => join(dir, name));
}

export interface RecentError {
  at: string;
  level: 'warn' | 'error';
  message: string;
}

/**
 * The last warnings and errors of this run, their sentences only: the fields
 * logged with them (ids, paths, numbers) are left out, so the support
 * information can carry them with nothing about clients.
 */
export class RecentErrors {
  private readonly entries: RecentError[] = [];
  constructor(private readonly keep = 20) {}

  add(level: RecentError['level'], message: string, at = new Date()): void {
    this.entries.push({ at: at.toISOString(), level, message: redactLogText(message).slice(0, 300) });
    if (this.entries.length > this.keep) this.entries.shift();
  }

  list(): RecentError[] {
    return [...this.entries];
  }
}

/** Field names whose values never leave the machine in a support bundle. */
const PRIVATE_FIELD =
  /"((?:[a-z]*_)?(?:text|body|message_?body|caption|name|displayname|username|number|phone|chat_?id|from|to|email|address|password|passphrase|token|secret|key|cookie|authorization|qr))"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/gi;

/**
 * A log line as a support bundle carries it: values of fields named like private
 * data replaced by "[redacted]", and anything shaped like a phone number, a
 * WhatsApp chat id, an e-mail address, a token or a key removed from the rest.
 *
 *   redactLogText('{"chatId":"5511987654321@c.us"}') // '{"chatId":"[redacted]"}'
 */
export function redactLogText(text: string): string {
  return text
    .replace(PRIVATE_FIELD, (_all, key: string) => `"${key}":"[redacted]"`)
    .replace(/\b\d{6,}@(?:c|g|s)\.us\b/g, '[chat]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[token]')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]')
    .replace(/\b(?:Bearer|Basic)\s+[\w\-.~+/=]+/gi, '[credentials]')
    .replace(/\b[a-f0-9]{32,}\b/gi, '[hex]')
    .replace(/\b[A-Za-z0-9+/_-]{40,}={0,2}/g, '[key]')
    .replace(/\+\d[\d -]{6,}\d/g, '[number]')
    .replace(/\b\d{8,15}\b/g, '[number]');
}
