// Builds dist/ (main process with tsc, screens with vite) when the sources are newer
// than the last build. `node scripts/build.mjs --force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN_INPUTS = ['main', 'shared', 'migrations', 'tsconfig.base.json', 'tsconfig.main.json', 'package.json'];
const RENDERER_INPUTS = ['renderer', 'shared', 'vite.config.ts', 'tsconfig.base.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

function stale(inputs, stamp) {
  const stampFile = join(root, 'dist', stamp);
  if (!existsSync(stampFile)) return true;
  const built = statSync(stampFile).mtimeMs;
  return inputs.some((input) => newest(join(root, input)) > built);
}

function step(label, command, args) {
  process.stderr.write(`lexdesk: ${label}…\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`lexdesk: ${label} failed\n`);
    process.exit(result.status ?? 1);
  }
}

function touch(stamp) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist', stamp), new Date().toISOString());
}

export async function ensureBuilt({ force = false } = {}) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  if (!existsSync(bin('tsc'))) {
    if (existsSync(join(root, 'dist', 'main', 'cli', 'index.js'))) return; // an installed build without dev tools
    process.stderr.write('lexdesk: run `npm ci` first\n');
    process.exit(1);
  }
  if (force || stale(MAIN_INPUTS, '.main-stamp')) {
    step('compiling the main process', bin('tsc'), ['-p', 'tsconfig.main.json']);
    touch('.main-stamp');
  }
  if (force || stale(RENDERER_INPUTS, '.renderer-stamp')) {
    step('building the screens', bin('vite'), ['build', '--logLevel', 'warn']);
    touch('.renderer-stamp');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureBuilt({ force: process.argv.includes('--force') });
}
