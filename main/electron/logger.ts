import log from 'electron-log/main.js';
import type { Logger } from '../core/log.js';

/** electron-log (a rotating file in the user's log folder, plus the console) behind the core's Logger. */
export function createElectronLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  log.transports.file.level = level as 'info';
  log.transports.console.level = level as 'info';
  const write =
    (fn: (...params: unknown[]) => void) =>
    (fields: Record<string, unknown>, message: string) => {
      const merged = { ...bindings, ...fields };
      if (merged.err instanceof Error) merged.err = { message: merged.err.message, stack: merged.err.stack };
      fn(message, Object.keys(merged).length ? JSON.stringify(merged) : '');
    };
  return {
    debug: write(log.debug),
    info: write(log.info),
    warn: write(log.warn),
    error: write(log.error),
    child: (more) => createElectronLogger(level, { ...bindings, ...more }),
  };
}
