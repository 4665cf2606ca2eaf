#!/usr/bin/env node
// LexDesk's command line. Builds what a fresh checkout lacks (once), then runs dist/main/cli/index.js.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'scripts', 'build.mjs'))) {
  const { ensureBuilt } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  await ensureBuilt();
}
const { run } = await import(pathToFileURL(join(root, 'dist', 'main', 'cli', 'index.js')).href);
await run(process.argv.slice(2));
