// Builds Electron's copies of the native modules (better-sqlite3, keytar) into
// .native/electron, leaving node_modules with the Node builds that tests and the
// headless face use. Needs Electron's headers, so it runs where Electron can be
// downloaded; `npm start` calls it once per Electron version.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const MODULES = ['better-sqlite3', 'keytar'];

export async function ensureElectronNative() {
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const target = join(root, '.native', 'electron');
  const stampFile = join(target, '.electron-version');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === electronVersion) return target;

  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(target, 'node_modules'), { recursive: true });
  const dependencies = {};
  for (const name of MODULES) {
    const source = join(root, 'node_modules', name);
    if (!existsSync(source)) continue; // keytar is optional
    cpSync(source, join(target, 'node_modules', name), {
      recursive: true,
      filter: (path) => !path.includes(`${name}/build/`),
    });
    dependencies[name] = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
  }
  writeFileSync(join(target, 'package.json'), JSON.stringify({ name: 'lexdesk-electron-native', private: true, dependencies }, null, 2));
  process.stderr.write(`lexdesk: building native modules for Electron ${electronVersion}…\n`);
  const { rebuild } = require('@electron/rebuild');
  await rebuild({ buildPath: target, electronVersion, onlyModules: Object.keys(dependencies), force: true });
  writeFileSync(stampFile, electronVersion);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureElectronNative();
}
