import { afterEach, describe, expect, it } from 'vitest';
import type { SessionGrant, UserInfo } from '../../shared/contract/auth.js';
import { createUser, signIn, signedInAs, TEST_PASSWORD } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

let core: TestCore;
afterEach(async () => {
  await core?.dispose();
});

const login = (username: string, password: string) => core.dispatcher.dispatch('auth.login', { username, password }, { face: 'headless' });

function lastAudit(action: string) {
  return core.services.store.sqlite.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as
    | { outcome: string; target_id: string | null; details: string; actor_type: string; actor_id: string | null }
    | undefined;
}

describe('user administration', () => {
  it('a new account gets a temporary password and can do nothing but change it; then works normally', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    const created = await admin.ok<{ user: UserInfo; temporaryPassword: string }>('users.create', {
      username: 'Lee.Lawyer',
      displayName: 'Lee Lawyer',
      role: 'lawyer',
    });
    expect(created.user).toMatchObject({ username: 'Lee.Lawyer', role: 'lawyer', mustChangePassword: true, disabled: false });
    expect(created.temporaryPassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    // the temporary password never lands in the audit trail
    expect(JSON.stringify(core.services.store.sqlite.prepare('SELECT * FROM audit_log').all())).not.toContain(created.temporaryPassword);

    const first = await login('lee.lawyer', created.temporaryPassword);
    expect(first).toMatchObject({ ok: true, value: { user: { mustChangePassword: true } } });
    const token = (first as { value: SessionGrant }).value.accessToken;
    const call = (name: string, input: unknown = {}) => core.dispatcher.dispatch(name, input, { face: 'headless', token });
    expect(await call('auth.sessions.list')).toMatchObject({ ok: true });
    expect(await call('system.info')).toMatchObject({ ok: true }); // public operations stay open
    const blocked = await call('auth.sessions.revokeOthers');
    expect(blocked).toMatchObject({ ok: true }); // own sessions stay manageable
    expect(await call('users.list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const changed = await call('auth.changePassword', { current: created.temporaryPassword, next: TEST_PASSWORD });
    expect(changed).toMatchObject({ ok: true, value: { user: { mustChangePassword: false } } });
    expect(await login('lee.lawyer', created.temporaryPassword)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await login('LEE.LAWYER', TEST_PASSWORD)).toMatchObject({ ok: true });
  });

  it('usernames are unique regardless of case, and checked for form', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    await admin.ok('users.create', { username: 'Ana', displayName: 'Ana', role: 'assistant' });
    expect(await admin.call('users.create', { username: 'ANA', displayName: 'Other Ana', role: 'assistant' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', details: { issues: [{ path: 'username' }] } },
    });
    expect(await admin.call('users.create', { username: 'a b<script>', displayName: 'X', role: 'assistant' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await admin.call('users.create', { username: 'ok.name', displayName: 'X', role: 'superuser' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('a new role ends the person\'s sessions at once and is recorded with from/to', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    const lawyer = await signedInAs(core, 'lawyer');
    expect((await lawyer.call('auth.sessions.list')).ok).toBe(true);
    const updated = await admin.ok<{ user: UserInfo; endedSessions: number }>('users.update', { userId: lawyer.user.id, role: 'assistant' });
    expect(updated).toMatchObject({ user: { role: 'assistant', activeSessions: 0 }, endedSessions: 1 });
    expect(await lawyer.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await core.dispatcher.dispatch('auth.refresh', {}, { face: 'headless', refreshToken: lawyer.refreshToken })).toMatchObject({
      ok: false,
    });
    const record = lastAudit('users.update')!;
    expect(record.target_id).toBe(lawyer.user.id);
    expect(JSON.parse(record.details)).toMatchObject({ changes: { role: { from: 'lawyer', to: 'assistant' } }, endedSessions: 1 });
    expect(lastAudit('security.sessions.ended')).toMatchObject({ outcome: 'ok', target_id: lawyer.user.id });
    // a new sign-in carries the new role
    const again = await signIn(core, lawyer.user);
    expect(again.grant.user.role).toBe('assistant');
    expect(await again.call('users.list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('disabling ends the sessions; the last active administrator cannot be demoted or disabled', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    const assistant = await signedInAs(core, 'assistant');
    await admin.ok('users.update', { userId: assistant.user.id, disabled: true });
    expect(await assistant.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });

    expect(await admin.call('users.update', { userId: admin.user.id, role: 'lawyer' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await admin.call('users.update', { userId: admin.user.id, disabled: true })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const second = await createUser(core, { role: 'admin' });
    expect(await admin.call('users.update', { userId: admin.user.id, role: 'lawyer' })).toMatchObject({ ok: true });
    expect(await admin.call('users.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } }); // own sessions ended too
    expect(second.role).toBe('admin');
  });

  it('a password reset gives a temporary password, ends the sessions and clears a lockout', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    const lawyer = await signedInAs(core, 'lawyer');
    for (let i = 0; i < 5; i++) await login(lawyer.user.username, 'wrong wrong wrong');
    const reset = await admin.ok<{ user: UserInfo; temporaryPassword: string; endedSessions: number }>('users.resetPassword', {
      userId: lawyer.user.id,
    });
    expect(reset.endedSessions).toBe(1);
    expect(reset.user).toMatchObject({ mustChangePassword: true, lockedUntil: null });
    expect(await lawyer.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await login(lawyer.user.username, lawyer.user.password)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await login(lawyer.user.username, reset.temporaryPassword)).toMatchObject({ ok: true, value: { user: { mustChangePassword: true } } });
  });

  it('unknown users answer not_found', async () => {
    core = await startTestCore();
    const admin = await signedInAs(core, 'admin');
    for (const name of ['users.unlock', 'users.resetPassword', 'users.sessions.list']) {
      expect(await admin.call(name, { userId: 'no-such-user' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(await admin.call('users.sessions.revoke', { sessionId: 'no-such-session' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('my account and my devices', () => {
  it('changing my password checks the current one, explains a weak new one, and signs out my other devices only', async () => {
    core = await startTestCore();
    const here = await signedInAs(core, 'assistant', { username: 'sam.smith', displayName: 'Sam Smith' });
    const there = await signIn(core, here.user, { deviceName: 'Phone' });
    expect(await here.call('auth.changePassword', { current: 'not it at all', next: 'Brand new sturdy passphrase 7' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', details: { issues: [{ path: 'current' }] } },
    });
    const weak = await here.call('auth.changePassword', { current: TEST_PASSWORD, next: 'sam.smith-2024-rocks' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { issues: [{ path: 'next' }] } } });
    const same = await here.call('auth.changePassword', { current: TEST_PASSWORD, next: TEST_PASSWORD });
    expect(same).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    expect(await here.call('auth.changePassword', { current: TEST_PASSWORD, next: 'Brand new sturdy passphrase 7' })).toMatchObject({
      ok: true,
      value: { endedSessions: 1 },
    });
    expect((await here.call('auth.sessions.list')).ok).toBe(true);
    expect(await there.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('lists my sessions with the current one marked; I can end one of mine but not someone else\'s', async () => {
    core = await startTestCore();
    const me = await signedInAs(core, 'lawyer');
    const laptop = await signIn(core, me.user, { deviceName: 'Laptop' });
    const other = await signedInAs(core, 'lawyer');
    const { sessions } = await me.ok<{ sessions: { id: string; deviceName: string; current: boolean }[] }>('auth.sessions.list');
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.current)?.id).toBe(me.sessionId);
    expect(sessions.find((s) => s.id === laptop.sessionId)?.deviceName).toBe('Laptop');

    expect(await me.call('auth.sessions.revoke', { sessionId: other.sessionId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await other.call('auth.sessions.list')).ok).toBe(true);
    expect(await me.call('auth.sessions.revoke', { sessionId: laptop.sessionId })).toEqual({ ok: true, value: { ended: true } });
    expect(await laptop.call('auth.sessions.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const third = await signIn(core, me.user);
    expect(await me.ok('auth.sessions.revokeOthers')).toEqual({ ended: 1 });
    expect(await third.call('auth.sessions.list')).toMatchObject({ ok: false });
    expect((await me.call('auth.sessions.list')).ok).toBe(true);
  });
});
