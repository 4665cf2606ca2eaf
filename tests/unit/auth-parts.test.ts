import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import { ConfigError, loadConfig } from '../../main/core/config.js';
import { PasswordWorkers } from '../../main/core/auth/passwords.js';
import { AccessTokens, InvalidTokenError } from '../../main/core/auth/tokens.js';
import { isLoopback } from '../../main/core/auth/service.js';
import { deviceNameFrom } from '../../main/core/auth/session-grants.js';
import { getOrCreateSecret, HeadlessSecretStore } from '../../main/core/secrets.js';
import { tempDir } from '../support/server.js';

const SECRET = 'x'.repeat(20) + 'a-test-secret-of-enough-length';

describe('configuration of sign-in', () => {
  it('defaults: bcrypt cost 12, 15-minute access tokens, 12 h idle, 30 days absolute, lockout 5 for 15 minutes', () => {
    const cwd = tempDir();
    const config = loadConfig({ face: 'headless', env: {}, envFile: null, cwd });
    expect(config.auth).toMatchObject({
      bcryptCost: 12,
      accessTokenTtlMs: 15 * 60_000,
      sessionIdleMs: 12 * 3_600_000,
      sessionMaxMs: 30 * 86_400_000,
      lockoutThreshold: 5,
      lockoutMs: 15 * 60_000,
    });
    expect(config.secretsDir).toBe(join(cwd, 'data', 'secrets'));
    expect(config.secretEnv).toEqual({});
  });

  it('refuses a short LEXDESK_JWT_SECRET or an out-of-range bcrypt cost, naming the variable', () => {
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_JWT_SECRET: 'short' }, envFile: null })).toThrow(/LEXDESK_JWT_SECRET/);
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_BCRYPT_COST: '3' }, envFile: null })).toThrow(ConfigError);
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_BCRYPT_COST: '16' }, envFile: null })).toThrow(/LEXDESK_BCRYPT_COST/);
  });
});

describe('password hashing in worker threads', () => {
  const workers = new PasswordWorkers({ size: 1 });
  afterAll(() => workers.close());

  it('hashes with bcrypt at the configured cost (12 by default) and verifies', async () => {
    const hash = await workers.hash('Ample lantern quartz 73 harbor', 12);
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await workers.verify('Ample lantern quartz 73 harbor', hash)).toBe(true);
    expect(await workers.verify('Ample lantern quartz 73 harbo', hash)).toBe(false);
  });

  it('uses the whole of a long passphrase, beyond bcrypt\'s 72 bytes', async () => {
    const long = 'a'.repeat(80) + ' one ending';
    const hash = await workers.hash(long, 4);
    expect(await workers.verify('a'.repeat(80) + ' another ending', hash)).toBe(false);
    expect(await workers.verify(long, hash)).toBe(true);
  });

  it('keeps the event loop free while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await workers.hash('Ample lantern quartz 73 harbor', 10);
    clearInterval(timer);
    // hashing on this thread would let the timer fire at most once; in a worker it keeps firing
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('hashes in-process, and says so, when worker threads cannot start at all', async () => {
    const reasons: string[] = [];
    const broken = new PasswordWorkers({
      startWorker: () => new Worker('throw new Error("cannot load the worker from here")', { eval: true }),
      onFallback: (reason) => reasons.push(reason),
    });
    const hash = await broken.hash('Ample lantern quartz 73 harbor', 4);
    expect(await broken.verify('Ample lantern quartz 73 harbor', hash)).toBe(true);
    expect(reasons).toEqual([expect.stringContaining('cannot load the worker')]);
    await broken.close();
  });

  it('refuses work beyond its queue with rate_limited instead of piling up', async () => {
    const small = new PasswordWorkers({ size: 1, maxQueue: 2 });
    const jobs = Array.from({ length: 4 }, () => small.hash('x', 4).then(() => 'ok', (err: { code?: string }) => err.code));
    const results = await Promise.all(jobs);
    expect(results.filter((r) => r === 'rate_limited').length).toBeGreaterThan(0);
    await small.close();
  });
});

describe('access tokens', () => {
  const clock = new ManualClock('2026-05-01T10:00:00Z');
  const tokens = new AccessTokens(SECRET, clock, 15 * 60_000);
  const key = new TextEncoder().encode(SECRET);
  const claims = { role: 'admin', sid: 's1' };
  const forge = (alg: string, tweak: (jwt: SignJWT) => SignJWT = (j) => j) =>
    tweak(
      new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setSubject('u1')
        .setJti('j1')
        .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
        .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 600)
        .setAudience('lexdesk')
        .setIssuer('lexdesk'),
    ).sign(key);

  it('accepts its own tokens and pins HS256, the audience and the issuer', async () => {
    const { token } = await tokens.issue({ userId: 'u1', role: 'lawyer', sessionId: 's1' });
    expect(await tokens.verify(token)).toMatchObject({ sub: 'u1', role: 'lawyer', sid: 's1' });
    await expect(tokens.verify(await forge('HS512'))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(tokens.verify(await forge('HS256', (j) => j.setAudience('elsewhere')))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(tokens.verify(await forge('HS256', (j) => j.setIssuer('elsewhere')))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(tokens.verify(await forge('HS256'))).resolves.toMatchObject({ sub: 'u1' });
  });

  it('refuses tampered payloads, unknown roles and garbage', async () => {
    const { token } = await tokens.issue({ userId: 'u1', role: 'assistant', sessionId: 's1' });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const raised = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
    await expect(tokens.verify(`${h}.${raised}.${s}`)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(tokens.verify(await new SignJWT({ role: 'root', sid: 's' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('u').setJti('j').setIssuedAt().setExpirationTime('5m').setAudience('lexdesk').setIssuer('lexdesk').sign(key))).rejects.toBeInstanceOf(InvalidTokenError);
    for (const junk of ['', 'a.b.c', 'x'.repeat(5000), 'eyJhbGciOiJub25lIn0.e30.']) {
      await expect(tokens.verify(junk)).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });

  it('says "expired" for an expired token, by the core\'s clock', async () => {
    const { token } = await tokens.issue({ userId: 'u1', role: 'lawyer', sessionId: 's1' });
    clock.advance(15 * 60_000 + 1000);
    await expect(tokens.verify(token)).rejects.toMatchObject({ reason: 'expired' });
  });
});

describe('the headless secret store', () => {
  it('creates the JWT key once in a 0700 folder as a 0600 file, and reads it back after a restart', async () => {
    const dir = join(tempDir(), 'secrets');
    const store = new HeadlessSecretStore({ env: {}, dir });
    const first = await getOrCreateSecret(store, 'jwt-secret', () => 'generated-value-'.repeat(3));
    expect(first.created).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['jwt-secret']); // no temporary files left behind
    const again = await getOrCreateSecret(new HeadlessSecretStore({ env: {}, dir }), 'jwt-secret', () => 'other');
    expect(again).toEqual({ value: first.value, created: false });
    expect(store.kind).toBe(`environment, then file (${dir})`);
  });

  it('prefers the environment, and refuses to overwrite or delete what the environment gives', async () => {
    const dir = join(tempDir(), 'secrets');
    const store = new HeadlessSecretStore({ env: { 'jwt-secret': SECRET }, dir });
    expect(await store.get('jwt-secret')).toBe(SECRET);
    expect(store.sourceOf('jwt-secret')).toBe('environment variable LEXDESK_JWT_SECRET');
    await expect(store.set('jwt-secret', 'x')).rejects.toThrow(/LEXDESK_JWT_SECRET/);
    await expect(store.delete('jwt-secret')).rejects.toThrow(/LEXDESK_JWT_SECRET/);
    expect(existsSync(dir)).toBe(false);
    // other secrets still go to files
    await store.set('backup-key', 'k');
    expect(readFileSync(join(dir, 'backup-key'), 'utf8')).toBe('k');
    expect(await store.delete('backup-key')).toBe(true);
    expect(await store.delete('backup-key')).toBe(false);
  });

  it('refuses names that could leave the folder', async () => {
    const store = new HeadlessSecretStore({ env: {}, dir: tempDir() });
    await expect(store.set('../escape', 'x')).rejects.toThrow(/not a valid secret name/);
    await expect(store.get('a/b')).rejects.toThrow(/not a valid secret name/);
  });
});

describe('small helpers', () => {
  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.1.2.3'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', undefined].some(isLoopback)).toBe(false);
  });

  it('names a device from its user agent', () => {
    expect(deviceNameFrom('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605 Version/17.0 Safari/605.1', 'headless')).toBe('Safari on macOS');
    expect(deviceNameFrom('Mozilla/5.0 (Windows NT 10.0; Win64) Chrome/130.0 Safari/537.36 Edg/130.0', 'headless')).toBe('Edge on Windows');
    expect(deviceNameFrom('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'headless')).toBe('Firefox on Linux');
    expect(deviceNameFrom(undefined, 'desktop')).toBe('Desktop app');
  });
});
