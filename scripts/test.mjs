// `npm test`: type-check, lint (layering), Electron security checks, unit and integration tests (vitest), then the screens in
// Chromium (Playwright). Ends with one summary line over all runners.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build.mjs';
import { findChromium } from './chromium.mjs';
import { killLeftovers } from './leftovers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
mkdirSync(join(root, 'test-results'), { recursive: true });

// every test's temporary folder lives under one folder of this run: what a test
// leaves running is recognisable by it at the end, and the folder goes with the run
const runTmp = mkdtempSync(join(tmpdir(), 'lexdesk-run-'));

function run(label, command, args, env = {}) {
  process.stdout.write(`\n=== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: runTmp, ...env } });
  return result.status === 0;
}

const chromium = findChromium();
if (!chromium) {
  process.stderr.write(
    'npm test needs Chromium for the end-to-end tests and found none.\n' +
      'Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set LEXDESK_CHROMIUM_PATH to its executable.\n',
  );
  process.exit(1);
}

const results = {};
results.typecheck = run('type-check', bin('tsc'), ['-p', 'tsconfig.main.json', '--noEmit']) &&
  run('type-check (screens)', bin('tsc'), ['-p', 'tsconfig.renderer.json']) &&
  run('type-check (tests)', bin('tsc'), ['-p', 'tsconfig.json']);
results.lint = run('layering and imports (ESLint)', bin('eslint'), ['.']);
results.electron = run('Electron security checks (electronegativity)', process.execPath, [join(root, 'scripts', 'electronegativity.mjs')]);
await ensureBuilt();
results.vitest = run('unit and integration (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
results.e2e = run('end-to-end (Playwright, Chromium)', bin('playwright'), ['test'], { LEXDESK_CHROMIUM_PATH: chromium });

process.stdout.write('\n=== processes left behind\n');
const marks = [runTmp, ...(process.env.CI ? ['lexdesk-test-', 'whatsapp/auth/session'] : [])];
const leftovers = killLeftovers(marks);
for (const { pid, args } of leftovers) process.stdout.write(`left running, killed: ${pid} ${args.slice(0, 200)}\n`);
results.leftovers = leftovers.length === 0;
if (results.leftovers) process.stdout.write('none\n');
rmSync(runTmp, { recursive: true, force: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const vitestReport = join(root, 'test-results', 'vitest.json');
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
const e2eReport = join(root, 'test-results', 'playwright.json');
if (existsSync(e2eReport)) {
  const stats = JSON.parse(readFileSync(e2eReport, 'utf8')).stats ?? {};
  passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  failed += stats.unexpected ?? 0;
  skipped += stats.skipped ?? 0;
}
if (!results.typecheck) failed += 1;
if (!results.lint) failed += 1;
if (!results.electron) failed += 1;
if (!results.leftovers) failed += 1;
const ok = Object.values(results).every(Boolean);
if (!ok && failed === 0) failed = 1;
process.stdout.write(`\n${Object.entries(results).map(([k, v]) => `${k}: ${v ? 'ok' : 'FAILED'}`).join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(ok ? 0 : 1);
