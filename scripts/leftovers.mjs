// The last step of `npm test`: no process a test started may outlive the run. Lists
// the processes whose command line names this run's temporary folder (where every
// test data folder, WhatsApp browser profile and Chromium profile lives) — and, on
// CI, any LexDesk test data folder or WhatsApp browser profile at all — kills them
// and reports them, so a leak fails the run instead of piling up on the machine.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

function processTable() {
  if (process.platform === 'linux') {
    const rows = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        if (args) rows.push({ pid: Number(entry), args });
      } catch {
        // it ended while we looked
      }
    }
    return rows;
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), args: m[2] }));
}

/**
 * Kills and returns what was left running. `marks` are substrings of a command line
 * that only a test's processes carry.
 */
export function killLeftovers(marks) {
  const left = processTable().filter(({ pid, args }) => pid !== process.pid && marks.some((mark) => args.includes(mark)));
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left;
}
