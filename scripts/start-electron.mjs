// `npm start`: build what is stale, build Electron's native modules once, launch Electron.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build.mjs';
import { ensureElectronNative } from './electron-native.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await ensureBuilt();
try {
  await ensureElectronNative();
} catch (err) {
  process.stderr.write(
    `lexdesk: could not build the native modules for Electron (${err.message}).\n` +
      'The desktop app needs Electron and its headers; on a machine without them, use headless mode: npm run serve\n',
  );
  process.exit(1);
}
const electron = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron.cmd' : 'electron');
const child = spawn(electron, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
