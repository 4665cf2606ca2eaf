// The app's own request limits (@fastify/rate-limit) over real HTTP on a loopback port:
// per client address and per signed-in user, answered as `rate_limited` with Retry-After.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../main/core/config.js';
import { createUser, signIn } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';

let core: TestCore | null = null;
let app: FastifyInstance | null = null;
let base = '';

afterEach(async () => {
  await app?.close();
  await core?.dispose();
  app = null;
  core = null;
});

async function start(env: Record<string, string>): Promise<TestCore> {
  core = await startTestCore({ env });
  ({ app, base } = await serveHttp(core));
  return core;
}

const call = (name: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

describe('requests per minute per client address', () => {
  it('answers the request over the limit with 429 rate_limited, Retry-After and the security headers', async () => {
    await start({ LEXDESK_RATE_LIMIT_PER_ADDRESS: '5', LEXDESK_RATE_LIMIT_PER_USER: '0', LEXDESK_TRUST_PROXY: '127.0.0.1' });
    const client = { 'x-forwarded-for': '198.51.100.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('system.info', client)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await call('system.info', client);
    expect(over.status).toBe(429);
    const body = (await over.json()) as { ok: boolean; error: { code: string; message: string; details: { retryAfterSeconds: number } } };
    expect(body).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(body.error.message).toMatch(/Wait a moment/);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
    expect(over.headers.get('x-content-type-options')).toBe('nosniff');
    // every route, not only the door: the screens and health too
    expect((await fetch(`${base}/api/monitoring/health`, { headers: client })).status).toBe(429);
    expect((await fetch(`${base}/`, { headers: client })).status).toBe(429);
  });

  it('does not limit the machine itself (health checks, scripts on loopback without a proxy header)', async () => {
    await start({ LEXDESK_RATE_LIMIT_PER_ADDRESS: '2', LEXDESK_RATE_LIMIT_PER_USER: '0' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${base}/api/monitoring/health`)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('a client cannot escape it with a made-up X-Forwarded-For when no proxy is listed', async () => {
    await start({ LEXDESK_RATE_LIMIT_PER_ADDRESS: '3', LEXDESK_RATE_LIMIT_PER_USER: '0' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('system.info', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('behind a listed proxy, each client address has its own budget', async () => {
    await start({ LEXDESK_RATE_LIMIT_PER_ADDRESS: '2', LEXDESK_RATE_LIMIT_PER_USER: '0', LEXDESK_TRUST_PROXY: '127.0.0.1' });
    const from = (address: string) => call('system.info', { 'x-forwarded-for': address });
    expect([(await from('198.51.100.1')).status, (await from('198.51.100.1')).status, (await from('198.51.100.1')).status]).toEqual([200, 200, 429]);
    expect((await from('198.51.100.2')).status).toBe(200);
    // IPv6: one /64 is one client
    expect([(await from('2001:db8:1:1::1')).status, (await from('2001:db8:1:1::2')).status, (await from('2001:db8:1:1::3')).status]).toEqual([200, 200, 429]);
  });
});

describe('requests per minute per signed-in user', () => {
  it('limits one account without limiting a colleague or anonymous calls from the same address', async () => {
    // loopback without a proxy header: only the per-user limit applies
    const c = await start({ LEXDESK_RATE_LIMIT_PER_ADDRESS: '2', LEXDESK_RATE_LIMIT_PER_USER: '3' });
    const maria = await signIn(c, await createUser(c, { role: 'lawyer' }));
    const joao = await signIn(c, await createUser(c, { role: 'lawyer' }));
    const as = (token: string) => call('auth.sessions.list', { authorization: `Bearer ${token}` });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await as(maria.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const over = await as(maria.token);
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringMatching(/this account/) } });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await as(joao.token)).status).toBe(200);
    expect((await call('system.info')).status).toBe(200);
    // a made-up token is no account: it is not counted against anyone
    for (let i = 0; i < 5; i++) expect((await as('not-a-token')).status).toBe(401);
  });
});

describe('the limits’ settings', () => {
  it('are read from LEXDESK_RATE_LIMIT_PER_ADDRESS and LEXDESK_RATE_LIMIT_PER_USER, with defaults', () => {
    const defaults = loadConfig({ face: 'headless', env: {}, envFile: null });
    expect(defaults.http).toMatchObject({ requestsPerMinutePerAddress: 3000, requestsPerMinutePerUser: 1200 });
    const set = loadConfig({ face: 'headless', env: { LEXDESK_RATE_LIMIT_PER_ADDRESS: '0', LEXDESK_RATE_LIMIT_PER_USER: '90' }, envFile: null });
    expect(set.http).toMatchObject({ requestsPerMinutePerAddress: 0, requestsPerMinutePerUser: 90 });
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_RATE_LIMIT_PER_USER: 'lots' }, envFile: null })).toThrow(ConfigError);
    expect(() => loadConfig({ face: 'headless', env: { LEXDESK_RATE_LIMIT_PER_USER: 'lots' }, envFile: null })).toThrow(/LEXDESK_RATE_LIMIT_PER_USER/);
  });
});
