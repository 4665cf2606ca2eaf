import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { supportText } from '../../shared/support.js';
import type { UpdateStatus } from '../../shared/contract/updates.js';
import type { SupportInformation } from '../core/system/support.js';
import { logFilesIn, redactLogText, type RecentError } from './log-files.js';
import { zip } from './zip.js';

export interface SupportDeps {
  /** the core's part (main/core/system/support.ts) */
  information: () => Promise<SupportInformation>;
  update: () => UpdateStatus;
  recentErrors: () => RecentError[];
  /** the folder electron-log writes to */
  logsDir: string;
  now?: () => Date;
}

/**
 * Help → "Copy support information": the same text as the Overview's button
 * (versions, this computer from systeminformation, health), plus the update state
 * and the last errors of this run. No secrets, nothing about clients.
 */
export async function supportInformationText(deps: SupportDeps): Promise<string> {
  const info = await deps.information();
  return supportText({ ...info, update: deps.update(), recentErrors: deps.recentErrors(), at: deps.now?.() ?? new Date() });
}

/** Logs larger than this are cut to their end in the bundle (the newest lines matter). */
const LOG_TAIL_BYTES = 2 * 1024 * 1024;

/**
 * Help → "Export a support bundle": a zip of `support-information.txt` and the
 * log files (current and rotated), each line redacted (redactLogText).
 */
export async function supportBundle(deps: SupportDeps): Promise<{ fileName: string; data: Buffer }> {
  const now = deps.now?.() ?? new Date();
  const entries = [{ name: 'support-information.txt', data: await supportInformationText({ ...deps, now: () => now }), modified: now }];
  for (const file of logFilesIn(deps.logsDir)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      continue;
    }
    let text = bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('utf8');
    if (bytes.length > LOG_TAIL_BYTES) text = `[… the start of this log is left out]\n${text.slice(text.indexOf('\n') + 1)}`;
    entries.push({ name: `logs/${basename(file)}`, data: text.split('\n').map(redactLogText).join('\n'), modified: now });
  }
  const stamp = now.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return { fileName: `LexDesk-support-${stamp}.zip`, data: zip(entries) };
}
