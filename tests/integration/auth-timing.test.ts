import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

let core: TestCore;
afterAll(async () => {
  await core?.dispose();
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('sign-in timing', () => {
  // A comparison, not a time limit: whatever the machine's speed, an unknown
  // username must cost what a wrong password costs, or the time would tell
  // which usernames exist. Cost 10 (~90 ms) makes bcrypt dominate as it does in production.
  it('an unknown username takes within 20% of a wrong password for a real user (median of 20)', async () => {
    core = await startTestCore({ env: { LEXDESK_BCRYPT_COST: '10', LEXDESK_LOCKOUT_THRESHOLD: '1000' } });
    const user = await createUser(core, { role: 'lawyer' });
    const attempt = async (username: string) => {
      const started = performance.now();
      const result = await core.dispatcher.dispatch('auth.login', { username, password: 'a wrong password here' }, { face: 'desktop' });
      const ms = performance.now() - started;
      expect(result).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      return ms;
    };
    // warm up both paths (worker start, statement cache, the dummy hash)
    await attempt('nobody-at-all');
    await attempt(user.username);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 20; i++) {
      unknown.push(await attempt(`nobody-${i}`));
      wrong.push(await attempt(user.username));
    }
    const u = median(unknown);
    const w = median(wrong);
    expect(Math.abs(u - w) / w, `unknown ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`).toBeLessThanOrEqual(0.2);
  }, 120_000);
});
