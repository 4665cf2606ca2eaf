#!/usr/bin/env node
// node scripts/migrate-data.js <folder> [--dry-run] [--country-code 55]
// The old bot's JSON folder into LexDesk: the same as `lexdesk import legacy <folder>` (README: "Bringing in the old bot's data").
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'scripts', 'build.mjs'))) {
  const { ensureBuilt } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  await ensureBuilt();
}
const { run } = await import(pathToFileURL(join(root, 'dist', 'main', 'cli', 'index.js')).href);
await run(['import', 'legacy', ...process.argv.slice(2)]);
