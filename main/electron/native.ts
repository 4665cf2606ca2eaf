import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * better-sqlite3 and keytar are native: Node (tests, headless) and Electron need
 * different builds. node_modules keeps the Node build; `npm start` builds Electron's
 * copies into .native/electron (scripts/electron-native.mjs) and the desktop face
 * points better-sqlite3 at that file. A packaged app carries the Electron build in
 * its own node_modules (the after-pack step puts it there), so none is needed then.
 */
export function electronNativeDir(appRoot: string): string {
  return join(appRoot, '.native', 'electron', 'node_modules');
}

export function betterSqliteBinding(appRoot: string, packaged: boolean): string | undefined {
  if (packaged) return undefined;
  const file = join(electronNativeDir(appRoot), 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(file)) {
    throw new Error(
      `The Electron build of better-sqlite3 is missing (${file}). Start the desktop app with \`npm start\`, which builds it.`,
    );
  }
  return file;
}
