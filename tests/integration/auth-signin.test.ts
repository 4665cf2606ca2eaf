import { afterEach, describe, expect, it } from 'vitest';
import type { SessionGrant } from '../../shared/contract/auth.js';
import { ManualClock } from '../../main/core/clock.js';
import type { CallContext } from '../../main/core/dispatch.js';
import { createUser, signIn, signedInAs, TEST_PASSWORD } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

let core: TestCore;
afterEach(async () => {
  await core?.dispose();
});

const headless = (extra: Partial<CallContext> = {}): CallContext => ({ face: 'headless', ...extra });

function auditRows(action?: string) {
  const rows = core.services.store.sqlite
    .prepare('SELECT action, outcome, error_code, actor_type, actor_id, target_type, target_id, details, session_id FROM audit_log ORDER BY id')
    .all() as { action: string; outcome: string; error_code: string | null; target_id: string | null; details: string; session_id: string | null }[];
  return action ? rows.filter((r) => r.action === action) : rows;
}

describe('first run', () => {
  it('creates the administrator from the desktop and signs in; a second set-up is a conflict', async () => {
    core = await startTestCore({ face: 'desktop' });
    expect(await core.dispatcher.dispatch('auth.status', {}, { face: 'desktop' })).toEqual({
      ok: true,
      value: { needsSetup: true, setupCodeRequired: false },
    });
    const input = { username: 'Office.Admin', displayName: 'Office Admin', password: TEST_PASSWORD };
    const first = await core.dispatcher.dispatch('auth.setup', input, { face: 'desktop' });
    expect(first.ok).toBe(true);
    const grant = (first as { value: SessionGrant }).value;
    expect(grant.user).toMatchObject({ username: 'Office.Admin', role: 'admin', mustChangePassword: false });
    const second = await core.dispatcher.dispatch('auth.setup', { ...input, username: 'other' }, { face: 'desktop' });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // the access token works at the door
    const users = await core.dispatcher.dispatch('users.list', {}, { face: 'desktop', token: grant.accessToken });
    expect(users).toMatchObject({ ok: true, value: { users: [{ username: 'Office.Admin', role: 'admin' }] } });
  });

  it('headless: works from loopback, needs the logged code from elsewhere or through a proxy', async () => {
    core = await startTestCore();
    const code = core.services.auth.currentSetupCode;
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{1,4})+$/);
    const input = { username: 'admin', displayName: 'Admin', password: TEST_PASSWORD };
    const remote = await core.dispatcher.dispatch('auth.setup', input, headless({ address: '203.0.113.9' }));
    expect(remote).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const proxied = await core.dispatcher.dispatch('auth.setup', input, headless({ address: '127.0.0.1', forwarded: true }));
    expect(proxied).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const wrong = await core.dispatcher.dispatch('auth.setup', { ...input, setupCode: 'NOPE-NOPE' }, headless({ address: '203.0.113.9' }));
    expect(wrong).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(auditRows('security.setup.refused')).toHaveLength(3);
    const withCode = await core.dispatcher.dispatch('auth.setup', { ...input, setupCode: code!.toLowerCase() }, headless({ address: '203.0.113.9' }));
    expect(withCode).toMatchObject({ ok: true, value: { user: { role: 'admin' } } });
    // one-time: gone once used
    expect(core.services.auth.currentSetupCode).toBeNull();
  });

  it('refuses a weak first password and says why', async () => {
    core = await startTestCore({ face: 'desktop' });
    const cases: [string, RegExp][] = [
      ['short', /at least 12 characters/],
      ['password1234', /common|guess/i],
      ['admin-correct-horse-battery', /username/],
      ['x'.repeat(129), /at most 128/],
    ];
    for (const [password, why] of cases) {
      const result = await core.dispatcher.dispatch(
        'auth.setup',
        { username: 'admin', displayName: 'Admin', password },
        { face: 'desktop' },
      );
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toMatch(why);
      expect(result.error.details).toMatchObject({ issues: [{ path: 'password' }] });
    }
    // any characters, up to 128 of them, are fine
    const unicode = '🦉 Eule über Brücken ☂ 月光 ' + 'ж'.repeat(100);
    expect([...unicode].length).toBeLessThanOrEqual(128);
    const ok = await core.dispatcher.dispatch('auth.setup', { username: 'admin', displayName: 'Admin', password: unicode }, { face: 'desktop' });
    expect(ok.ok).toBe(true);
    const login = await core.dispatcher.dispatch('auth.login', { username: 'ADMIN', password: unicode.normalize('NFD') }, { face: 'desktop' });
    expect(login.ok).toBe(true);
  });
});

describe('sign-in', () => {
  it('answers an unknown user and a wrong password alike, and records both', async () => {
    core = await startTestCore();
    const user = await createUser(core, { role: 'lawyer' });
    const unknown = await core.dispatcher.dispatch('auth.login', { username: 'nobody', password: TEST_PASSWORD }, headless());
    const wrong = await core.dispatcher.dispatch('auth.login', { username: user.username, password: 'not the password' }, headless());
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: 'The username or password is not right.' } });
    const failures = auditRows('security.login.failed');
    expect(failures).toHaveLength(2);
    expect(JSON.stringify(auditRows())).not.toContain('not the password');
  });

  it('returns the grant with a JWT carrying sub, role, sid, jti, iat, exp, aud', async () => {
    core = await startTestCore();
    const session = await signedInAs(core, 'assistant');
    const [header, payload] = session.token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: session.user.id, role: 'assistant', sid: session.sessionId, aud: 'lexdesk' });
    expect(payload.exp - payload.iat).toBe(15 * 60);
    expect(typeof payload.jti).toBe('string');
    expect(session.grant.user).toEqual({
      id: session.user.id,
      username: session.user.username,
      displayName: session.user.displayName,
      role: 'assistant',
      mustChangePassword: false,
    });
    // the refresh token is stored only as a hash
    const stored = core.services.store.sqlite.prepare('SELECT token_hash FROM refresh_tokens').all() as { token_hash: string }[];
    expect(stored.map((r) => r.token_hash)).not.toContain(session.refreshToken);
    const dump = JSON.stringify(core.services.store.sqlite.prepare('SELECT * FROM auth_sessions').all());
    expect(dump).not.toContain(session.refreshToken);
  });

  it('a disabled account gets the same answer even with the right password', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    const user = await createUser(core, { role: 'assistant' });
    await admin.ok('users.update', { userId: user.id, disabled: true });
    const result = await core.dispatcher.dispatch('auth.login', { username: user.username, password: user.password }, headless());
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: 'The username or password is not right.' } });
  });
});

describe('refresh tokens', () => {
  it('rotates on every refresh: A gives B, B gives C', async () => {
    core = await startTestCore();
    const session = await signedInAs(core, 'lawyer');
    const b = await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: session.refreshToken }));
    expect(b.ok).toBe(true);
    const grantB = (b as { value: SessionGrant }).value;
    expect(grantB.refreshToken).not.toBe(session.refreshToken);
    expect(grantB.sessionId).toBe(session.sessionId);
    const c = await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: grantB.refreshToken }));
    expect(c.ok).toBe(true);
  });

  it('a reused refresh token revokes its family: refresh A→B, present A → ended, B fails, event recorded', async () => {
    core = await startTestCore();
    const session = await signedInAs(core, 'lawyer');
    const ended: string[] = [];
    core.services.events.subscribe((event) => {
      if (event.type === 'auth.session.ended') ended.push(event.data.sessionId);
    });
    const a = session.refreshToken;
    const b = ((await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: a }))) as { value: SessionGrant }).value;

    // presented again by another browser: a copy (the grace for two tabs is for the same browser only)
    const replay = await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: a, address: '198.51.100.7', userAgent: 'curl/8.5' }));
    expect(replay).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const withB = await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: b.refreshToken }));
    expect(withB).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    // the access tokens of the family stop working at once
    expect(await core.dispatcher.dispatch('auth.sessions.list', {}, headless({ token: b.accessToken }))).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    expect(ended).toEqual([session.sessionId]);
    const events = auditRows('security.refresh.reuse');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'denied', target_id: session.sessionId, session_id: session.sessionId });
    const row = core.services.store.sqlite.prepare('SELECT end_reason FROM auth_sessions WHERE id = ?').get(session.sessionId);
    expect(row).toEqual({ end_reason: 'refresh-reuse' });
    // other sessions of the same user are untouched
    const other = await signIn(core, session.user);
    expect((await other.call('auth.sessions.list')).ok).toBe(true);
  });

  it('idle expiry ends a session not refreshed for 12 hours; absolute expiry ends it after 30 days anyway', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    core = await startTestCore({ deps: { clock } });
    const idle = await signedInAs(core, 'lawyer');
    clock.advance(12 * 3_600_000 + 1000);
    expect(await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: idle.refreshToken }))).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });

    // a session refreshed every 11 hours never idles out, but ends 30 days after sign-in
    const busy = await signedInAs(core, 'lawyer');
    const signedInAt = clock.now().getTime();
    let token = busy.refreshToken;
    let endedAfterHours = 0;
    for (let step = 0; step < 100; step++) {
      clock.advance(11 * 3_600_000);
      const next = await core.dispatcher.dispatch('auth.refresh', {}, headless({ refreshToken: token }));
      if (!next.ok) {
        expect(next.error.code).toBe('unauthenticated');
        endedAfterHours = (clock.now().getTime() - signedInAt) / 3_600_000;
        break;
      }
      token = (next as { value: SessionGrant }).value.refreshToken;
    }
    expect(endedAfterHours).toBeGreaterThan(30 * 24);
    expect(endedAfterHours).toBeLessThanOrEqual(30 * 24 + 11);
  });

  it('an access token stops working when it expires (15 minutes)', async () => {
    const clock = new ManualClock();
    core = await startTestCore({ deps: { clock } });
    const session = await signedInAs(core, 'lawyer');
    clock.advance(14 * 60_000);
    expect((await session.call('auth.sessions.list')).ok).toBe(true);
    clock.advance(61_000);
    expect(await session.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });
});

describe('lockout', () => {
  it('locks after 5 failures; the 6th attempt, even with the right password, is told the time left; an admin unlocks', async () => {
    const clock = new ManualClock();
    core = await startTestCore({ deps: { clock } });
    const admin = await signedInAs(core, 'admin');
    const user = await createUser(core, { role: 'assistant' });
    const attempt = (password: string) =>
      core.dispatcher.dispatch('auth.login', { username: user.username, password }, headless({ address: '192.0.2.1' }));

    for (let i = 1; i <= 4; i++) expect(await attempt(`wrong guess ${i}`)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const fifth = await attempt('wrong guess 5');
    expect(fifth).toMatchObject({ ok: false, error: { code: 'locked', details: { retryAfterSeconds: 15 * 60 } } });

    clock.advance(5 * 60_000);
    const sixth = await attempt(user.password);
    expect(sixth).toMatchObject({ ok: false, error: { code: 'locked', details: { retryAfterSeconds: 10 * 60 } } });
    if (!sixth.ok) expect(sixth.error.message).toMatch(/locked for 10 minutes/);
    expect(auditRows('security.lockout')).toHaveLength(1);

    const listed = await admin.ok<{ users: { id: string; lockedUntil: string | null }[] }>('users.list');
    expect(listed.users.find((u) => u.id === user.id)?.lockedUntil).not.toBeNull();
    await admin.ok('users.unlock', { userId: user.id });
    expect(await attempt(user.password)).toMatchObject({ ok: true });
    expect(auditRows('users.unlock')).toHaveLength(1);
  });

  it('the lock lifts by itself after 15 minutes', async () => {
    const clock = new ManualClock();
    core = await startTestCore({ deps: { clock } });
    const user = await createUser(core);
    for (let i = 0; i < 5; i++) await core.dispatcher.dispatch('auth.login', { username: user.username, password: 'nope nope nope' }, headless());
    clock.advance(15 * 60_000 + 1);
    expect((await core.dispatcher.dispatch('auth.login', { username: user.username, password: user.password }, headless())).ok).toBe(true);
  });

  it('unknown usernames lock the same way, so lockout reveals nothing', async () => {
    core = await startTestCore();
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await core.dispatcher.dispatch('auth.login', { username: 'ghost', password: 'whatever it is' }, headless()));
    }
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
      'unauthenticated',
      'unauthenticated',
      'unauthenticated',
      'unauthenticated',
      'locked',
      'locked',
    ]);
  });

  it('headless: limits sign-in attempts per address with rate_limited', async () => {
    core = await startTestCore({ env: { LEXDESK_SIGNIN_LIMIT: '3', LEXDESK_LOCKOUT_THRESHOLD: '100' } });
    const user = await createUser(core);
    const from = (address: string) =>
      core.dispatcher.dispatch('auth.login', { username: user.username, password: 'wrong wrong wrong' }, headless({ address }));
    for (let i = 0; i < 3; i++) expect(await from('192.0.2.50')).toMatchObject({ error: { code: 'unauthenticated' } });
    const limited = await from('192.0.2.50');
    expect(limited).toMatchObject({ ok: false, error: { code: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } } });
    expect(await from('192.0.2.51')).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});

describe('housekeeping', () => {
  it('removes sessions ended over 30 days ago, with their token hashes, at start', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    core = await startTestCore({ deps: { clock } });
    const gone = await signedInAs(core, 'lawyer');
    await gone.ok('auth.logout');
    const kept = await signedInAs(core, 'lawyer');
    clock.advance(31 * 86_400_000);
    const kept2 = await signIn(core, kept.user);
    await core.stop();
    await core.start();
    const ids = (core.services.store.sqlite.prepare('SELECT id FROM auth_sessions').all() as { id: string }[]).map((r) => r.id);
    // the signed-out one and the one that idled out are gone; the fresh one stays
    expect(ids).toEqual([kept2.sessionId]);
    const orphans = core.services.store.sqlite
      .prepare('SELECT count(*) AS n FROM refresh_tokens WHERE session_id NOT IN (SELECT id FROM auth_sessions)')
      .get() as { n: number };
    expect(orphans.n).toBe(0);
  });
});
