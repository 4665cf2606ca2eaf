// Runs @doyensec/electronegativity (Electron security checks) over the desktop face
// (main/electron) and the screens (renderer) and fails on any finding. A finding
// is either fixed or justified where the tool reads it: `/* eng-disable CHECK_ID */`
// on the line in TypeScript, `<!-- eng-disable CHECK_ID -->` in HTML, with the reason
// in a comment beside it. Used by `npm test`; `node scripts/electronegativity.mjs` alone.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;

/** One scan over both folders, so that global checks (the CSP) see the window and its page together. */
export function scan() {
  const work = mkdtempSync(join(tmpdir(), 'lexdesk-eng-'));
  try {
    cpSync(join(root, 'main', 'electron'), join(work, 'main-electron'), { recursive: true });
    cpSync(join(root, 'renderer'), join(work, 'renderer'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    const out = join(work, 'findings.csv');
    // -e: the installed Electron, so the tool need not ask the network which version this is
    const result = spawnSync(
      join(root, 'node_modules', '.bin', 'electronegativity'),
      ['-i', work, '-e', electronVersion, '-r', '-v', 'false', '-o', out],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) return { error: `electronegativity exited with ${result.status}: ${result.stderr || result.stdout}`.slice(0, 2000) };
    const lines = readFileSync(out, 'utf8').split('\n').slice(1).filter((line) => line.trim());
    return { findings: lines.map((line) => line.replaceAll(work, '')) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { error, findings } = scan();
  if (error) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  if (findings.length > 0) {
    process.stderr.write(`electronegativity found ${findings.length} problem(s); fix each or justify it with an eng-disable comment:\n${findings.join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`electronegativity (Electron ${electronVersion}): no findings in main/electron and renderer\n`);
}
