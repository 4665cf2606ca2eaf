import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;

async function start(env: Record<string, string> = {}) {
  core = await startTestCore({ env });
  ({ app, base } = await serveHttp(core));
}

afterEach(async () => {
  await app?.close();
  await core?.dispose();
});

const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/rpc/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** Set-Cookie attributes as a map, e.g. { lexdesk_refresh: 'abc', Path: '/…', HttpOnly: true, SameSite: 'Strict' } */
function parseSetCookie(header: string): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    out[name!] = rest.length ? rest.join('=') : true;
  }
  return out;
}

describe('sign-in over HTTP', () => {
  it('POST /api/rpc/auth.login sets an httpOnly, SameSite=Strict refresh cookie scoped to the refresh path, and keeps it out of the body', async () => {
    await start();
    const user = await createUser(core, { role: 'lawyer' });
    const response = await post('auth.login', { username: user.username, password: user.password }, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { ok: true; value: Record<string, unknown> };
    expect(body.ok).toBe(true);
    expect(Object.keys(body.value).sort()).toEqual(['accessToken', 'expiresAt', 'sessionId', 'user']);
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const cookie = parseSetCookie(cookies[0]!);
    expect(cookie.lexdesk_refresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatchObject({ Path: '/api/rpc/auth.refresh', HttpOnly: true, SameSite: 'Strict' });
    expect(cookie.Secure).toBeUndefined(); // plain http on loopback
    expect(Number(cookie['Max-Age'])).toBeGreaterThan(12 * 3600 - 60);
    expect(Number(cookie['Max-Age'])).toBeLessThanOrEqual(12 * 3600);
    expect(JSON.stringify(body)).not.toContain(cookie.lexdesk_refresh as string);

    // the device list names the browser
    const sessions = await post('auth.sessions.list', {}, { authorization: `Bearer ${body.value.accessToken}` });
    expect(await sessions.json()).toMatchObject({ ok: true, value: { sessions: [{ deviceName: 'Chrome on Windows', current: true, address: '127.0.0.1' }] } });
  });

  it('POST /api/rpc/auth.refresh reads the cookie, rotates it, and clears it when refused', async () => {
    await start();
    const user = await createUser(core);
    const login = await post('auth.login', { username: user.username, password: user.password });
    const first = parseSetCookie(login.headers.getSetCookie()[0]!).lexdesk_refresh as string;

    const refreshed = await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${first}` });
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { ok: true; value: Record<string, unknown> };
    expect(body.value).toMatchObject({ accessToken: expect.any(String), user: { username: user.username } });
    expect(body.value.refreshToken).toBeUndefined();
    const second = parseSetCookie(refreshed.headers.getSetCookie()[0]!);
    expect(second.lexdesk_refresh).not.toBe(first);
    expect(second).toMatchObject({ Path: '/api/rpc/auth.refresh', HttpOnly: true, SameSite: 'Strict' });

    // the first cookie again, from another browser: reuse, the session ends and the cookie is cleared
    const replay = await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${first}`, 'user-agent': 'curl/8.5' });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const cleared = parseSetCookie(replay.headers.getSetCookie()[0]!);
    expect(cleared.lexdesk_refresh).toBe('');
    expect(cleared.Path).toBe('/api/rpc/auth.refresh');
    expect(new Date(cleared.Expires as string).getTime()).toBeLessThan(Date.now());

    // without any cookie
    expect((await post('auth.refresh', {})).status).toBe(401);
  });

  it('the cookie is Secure (and __Secure- prefixed) when LEXDESK_PUBLIC_URL is https', async () => {
    await start({ LEXDESK_PUBLIC_URL: 'https://lexdesk.office.example' });
    const user = await createUser(core);
    const login = await post('auth.login', { username: user.username, password: user.password });
    const cookie = parseSetCookie(login.headers.getSetCookie()[0]!);
    expect(cookie['__Secure-lexdesk_refresh']).toEqual(expect.any(String));
    expect(cookie).toMatchObject({ Secure: true, HttpOnly: true, SameSite: 'Strict', Path: '/api/rpc/auth.refresh' });
  });

  it('logout ends the session and clears the cookie; the access token stops working at once', async () => {
    await start();
    const user = await createUser(core);
    const login = await post('auth.login', { username: user.username, password: user.password });
    const { value } = (await login.json()) as { value: { accessToken: string } };
    const bearer = { authorization: `Bearer ${value.accessToken}` };
    const out = await post('auth.logout', {}, bearer);
    expect(await out.json()).toEqual({ ok: true, value: { ended: true } });
    expect(parseSetCookie(out.headers.getSetCookie()[0]!).lexdesk_refresh).toBe('');
    const after = await post('auth.sessions.list', {}, bearer);
    expect(after.status).toBe(401);
  });

  it('wrong password is 401, lockout is 423 and rate limiting is 429, both with Retry-After', async () => {
    await start({ LEXDESK_SIGNIN_LIMIT: '6' });
    const user = await createUser(core);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await post('auth.login', { username: user.username, password: 'definitely wrong' });
      statuses.push(last.status);
      if (last.status === 423) expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(800);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423, 423, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('the event stream of a session closes when that session is revoked', async () => {
    await start();
    const admin = await createUser(core, { role: 'admin' });
    const assistant = await createUser(core, { role: 'assistant' });
    const signIn = async (u: typeof admin) =>
      ((await (await post('auth.login', { username: u.username, password: u.password })).json()) as { value: { accessToken: string; sessionId: string } }).value;
    const adminGrant = await signIn(admin);
    const assistantGrant = await signIn(assistant);
    const stream = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${assistantGrant.accessToken}` } });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('connected as');
    await post('users.sessions.revoke', { sessionId: assistantGrant.sessionId }, { authorization: `Bearer ${adminGrant.accessToken}` });
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain('auth.session.ended');
    expect(text).toContain(assistantGrant.sessionId);
  });
});

describe('shutdown with screens open', () => {
  it('SIGTERM ends open event streams and exits at once, not after the 15 s guard', async () => {
    const { startServer } = await import('../support/server.js');
    const server = await startServer();
    const stream = await fetch(`${server.url}/api/events`);
    const reader = stream.body!.getReader();
    await reader.read();
    const started = Date.now();
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await reader.read()).done).toBe(true);
  });
});
