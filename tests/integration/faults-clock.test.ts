import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { ManualClock, type Clock } from '../../main/core/clock.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { createUser, signIn } from '../support/auth.js';

/**
 * The computer's clock set back or forward while LexDesk runs. The clock is
 * injected (the core's Clock): its wall time jumps, its monotonic time (what
 * performance.now() gives the real one) does not — as with a person or NTP
 * setting the system clock.
 */

/** Real time, with a wall clock someone can set. */
class SettableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  monotonic(): number {
    return performance.now();
  }
}

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await condition()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('a wall clock that jumps', () => {
  for (const [name, jump] of [
    ['set back one hour', -3_600_000],
    ['set forward one hour', 3_600_000],
  ] as const) {
    test(`the outbox keeps sending, within its limits, when the clock is ${name}`, async () => {
      const clock = new SettableClock();
      core = await startTestCore({
        env: { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '600', LEXDESK_WHATSAPP_SEND_BURST: '5', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '100' },
        deps: { clock, withoutBot: true, monitoring: { schedule: false } },
      });
      const c = core;
      await until('WhatsApp is ready', () => c.services.whatsapp.status().state === 'ready');
      const outbox = c.services.whatsapp.outbox;
      const chatId = '351910000009@c.us';
      outbox.enqueue({ chatId, text: 'Before the clock moved.' });
      // queued just before the jump, sent after it
      outbox.enqueue({ chatId, text: 'Queued before, sent after.' });
      await until('the first reply went out', () => outbox.list({ status: 'sent' }).length >= 1);
      clock.offsetMs = jump;
      for (let i = 0; i < 10; i++) outbox.enqueue({ chatId, text: `Reply ${i + 1} of 10.` });
      const started = performance.now();
      await until('all 12 replies went out', () => outbox.list({ status: 'sent' }).length === 12, 8000);
      // the chat spacing (100 ms) still holds: 11 sends after the first take at least a second
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      const texts = outbox.list({ status: 'sent', limit: 20 }).map((r) => r.text).reverse();
      expect(texts.slice(2)).toEqual(Array.from({ length: 10 }, (_, i) => `Reply ${i + 1} of 10.`));
    });
  }

  test('a lockout lasts its fifteen minutes when the clock is set back, and ends when they have passed', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    core = await startTestCore({ env: { LEXDESK_LOCKOUT_THRESHOLD: '3' }, deps: { clock, monitoring: { schedule: false } } });
    const user = await createUser(core, { role: 'lawyer' });
    for (let i = 0; i < 3; i++) {
      await core.dispatcher.dispatch('auth.login', { username: user.username, password: 'wrong password here 1' }, { face: 'headless' });
    }
    const locked = await core.dispatcher.dispatch('auth.login', { username: user.username, password: user.password }, { face: 'headless' });
    expect(locked.ok ? 'ok' : locked.error.code).toBe('locked');

    clock.jump(-3_600_000);
    const stillLocked = await core.dispatcher.dispatch('auth.login', { username: user.username, password: user.password }, { face: 'headless' });
    expect(stillLocked.ok ? 'ok' : stillLocked.error.code).toBe('locked');
    clock.advance(15 * 60_000 + 1000);
    await signIn(core, user);
  });

  test('an access token expires on time across a jump forward, and a jump back does not end a session', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    core = await startTestCore({ deps: { clock, monitoring: { schedule: false } } });
    const user = await createUser(core, { role: 'lawyer' });
    const session = await signIn(core, user);
    clock.jump(-3_600_000);
    await session.ok('auth.sessions.list');
    clock.jump(3_600_000 + 24 * 3_600_000);
    const expired = await session.call('auth.sessions.list');
    expect(expired.ok ? 'ok' : expired.error.code).toBe('unauthenticated');

  });
});
