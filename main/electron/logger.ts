import log from 'electron-log/main.js';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.js';
import { LOG_MAX_BYTES, RecentErrors, rotateLogFile } from './log-files.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export interface DesktopLog {
  logger: Logger;
  /** the folder of the log files (the OS log folder: %APPDATA%\LexDesk\logs, ~/Library/Logs/LexDesk, ~/.config/LexDesk/logs) */
  dir: () => string;
  recentErrors: RecentErrors;
}

/**
 * electron-log behind the core's Logger: rotating files in the OS log folder
 * (5 MB each, the current one and four older), plus the console. Warnings and
 * errors are also kept in memory, their sentences only, for the support
 * information.
 */
export function createElectronLogger(level: string): DesktopLog {
  log.transports.file.level = level as 'info';
  log.transports.console.level = level as 'info';
  log.transports.file.maxSize = LOG_MAX_BYTES;
  log.transports.file.archiveLogFn = (file) => rotateLogFile(file.path);
  const recentErrors = new RecentErrors();
  const make = (bindings: Record<string, unknown>): Logger => {
    const write =
      (name: (typeof LEVELS)[number]) =>
      (fields: Record<string, unknown>, message: string) => {
        const merged = { ...bindings, ...fields };
        if (merged.err instanceof Error) merged.err = { message: merged.err.message, stack: merged.err.stack };
        if (name === 'warn' || name === 'error') recentErrors.add(name, message);
        log[name](message, Object.keys(merged).length ? JSON.stringify(merged) : '');
      };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return { logger: make({}), dir: () => dirname(log.transports.file.getFile().path), recentErrors };
}
