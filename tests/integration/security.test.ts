// Issue #16: what a security test of the headless face found, each finding reproduced
// over real HTTP on an ephemeral port against a real core and SQLite file.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionGrant } from '../../shared/contract/auth.js';
import type { ServerEvent } from '../../shared/events.js';
import { ManualClock } from '../../main/core/clock.js';
import type { FastifyInstance } from 'fastify';
import { attachTestLink } from '../support/bot-link.js';
import { createUser, signIn, TEST_PASSWORD } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { rawHttp, readEvents, serveHttp } from '../support/http.js';
import type { ServerOptions } from '../../main/headless/server.js';

let core: TestCore | null = null;
let app: FastifyInstance | null = null;
let base = '';
let port = 0;

afterEach(async () => {
  await app?.close();
  await core?.dispose();
  app = null;
  core = null;
});

async function start(options: { env?: Record<string, string>; clock?: ManualClock; server?: ServerOptions } = {}): Promise<TestCore> {
  core = await startTestCore({ env: options.env, deps: options.clock ? { clock: options.clock } : {} });
  ({ app, base, port } = await serveHttp(core, options.server));
  return core;
}

const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const auditRows = () =>
  core!.services.store.sqlite.prepare('SELECT action, actor_name, address, details, error_code FROM audit_log ORDER BY id').all() as {
    action: string;
    actor_name: string | null;
    address: string | null;
    details: string;
    error_code: string | null;
  }[];

const cookieOf = (response: Response) => /lexdesk_refresh=([^;]*)/.exec(response.headers.getSetCookie().join('\n'))?.[1];

describe('finding 1: sign-in under a burst', () => {
  it('a username’s budget holds across addresses: parallel guesses from many addresses get no more checks than failures left', async () => {
    await start({ env: { LEXDESK_LOCKOUT_THRESHOLD: '3' } });
    const user = await createUser(core!, { role: 'lawyer' });
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        core!.dispatcher.dispatch('auth.login', { username: user.username, password: `wrong guess ${i}` }, { face: 'headless', address: `198.51.100.${i + 1}` }),
      ),
    );
    const codes = attempts.map((a) => (a.ok ? 'ok' : a.error.code));
    // before: all twelve were checked by bcrypt before the lockout took effect
    expect(codes.filter((c) => c === 'unauthenticated' || c === 'locked').length).toBeLessThanOrEqual(3);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(9);
  });

  it('IPv6 clients are limited per /64, not per address', async () => {
    await start({ env: { LEXDESK_SIGNIN_LIMIT: '3' } });
    const codes: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const result = await core!.dispatcher.dispatch('auth.login', { username: 'nobody', password: 'whatever it is' }, { face: 'headless', address: `2001:db8:7:7::${i}` });
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated', 'rate_limited']);
    const other = await core!.dispatcher.dispatch('auth.login', { username: 'nobody', password: 'whatever it is' }, { face: 'headless', address: '2001:db8:7:8::1' });
    expect(other.ok ? null : other.error.code).toBe('unauthenticated');
  });
});

describe('finding 2: first-run set-up and client addresses behind a proxy', () => {
  const setup = { username: 'maria', displayName: 'Maria Lopez', password: TEST_PASSWORD };

  it('a request from 127.0.0.1 that bears any proxy header is remote for set-up, whatever LEXDESK_TRUST_PROXY says', async () => {
    await start({ env: { LEXDESK_TRUST_PROXY: '127.0.0.1' } });
    const proxied: Record<string, string>[] = [{ 'x-real-ip': '203.0.113.7', via: '1.1 nginx' }, { via: '1.1 nginx' }, { 'x-forwarded-host': 'lexdesk.example' }, { forwarded: 'for=203.0.113.7' }];
    for (const headers of proxied) {
      const response = await post('auth.setup', setup, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(core!.services.auth.userCount()).toBe(0);
    // from the machine itself, with no proxy in between, set-up works without the code
    expect((await post('auth.setup', setup)).status).toBe(200);
  });

  it('without LEXDESK_TRUST_PROXY, a rotating X-Forwarded-For is ignored: the limit holds and the audit trail has the real address', async () => {
    await start({ env: { LEXDESK_SIGNIN_LIMIT: '5' } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await post('auth.login', { username: `nobody-${i}`, password: 'not the password' }, { 'x-forwarded-for': `203.0.113.${i}` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const addresses = new Set(auditRows().filter((r) => r.action.startsWith('security.')).map((r) => r.address));
    expect([...addresses]).toEqual(['127.0.0.1']);
  });

  it('forwarded addresses are believed only from the listed proxies', async () => {
    await start({ env: { LEXDESK_TRUST_PROXY: '127.0.0.1' } });
    await post('auth.login', { username: 'nobody', password: 'not the password' }, { 'x-forwarded-for': '203.0.113.50' });
    await app!.close();
    await core!.dispose();
    await start({ env: { LEXDESK_TRUST_PROXY: '10.9.9.9' } });
    await post('auth.login', { username: 'nobody', password: 'not the password' }, { 'x-forwarded-for': '203.0.113.51' });
    const failed = auditRows().filter((r) => r.action === 'security.login.failed');
    expect(failed.map((r) => r.address)).toEqual(['127.0.0.1']);
  });

  it('from a listed proxy, the client’s own address is used', async () => {
    await start({ env: { LEXDESK_TRUST_PROXY: '127.0.0.1' } });
    await post('auth.login', { username: 'nobody', password: 'not the password' }, { 'x-forwarded-for': '198.51.100.20, 203.0.113.50' });
    expect(auditRows().filter((r) => r.action === 'security.login.failed').map((r) => r.address)).toEqual(['203.0.113.50']);
  });
});

describe('finding 4: a password typed into the username field never reaches the audit trail', () => {
  it('records a keyed hash and a masked form for a username that has no account', async () => {
    await start();
    const typed = 'Correct-horse battery 42';
    await post('auth.login', { username: typed, password: 'whatever was typed' });
    const rows = auditRows();
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(typed);
    expect(everything).not.toContain('Correct-horse');
    const failed = rows.find((r) => r.action === 'security.login.failed')!;
    expect(failed.actor_name).toBe('C•••2');
    expect(JSON.parse(failed.details)).toMatchObject({ username: 'C•••2', usernameHash: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // the same name always gives the same hash (so IT can count repeats), a different one another
    await post('auth.login', { username: typed, password: 'again' });
    await post('auth.login', { username: 'someone else', password: 'again' });
    const hashes = auditRows()
      .filter((r) => r.action === 'security.login.failed')
      .map((r) => JSON.parse(r.details).usernameHash);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });
});

describe('finding 5: auth.refresh', () => {
  async function signedInCookie() {
    const user = await createUser(core!);
    const login = await post('auth.login', { username: user.username, password: user.password });
    return cookieOf(login)!;
  }

  it('refuses cross-site calls (Origin, Sec-Fetch-Site) without ending the session or clearing the cookie', async () => {
    await start({ env: { LEXDESK_PUBLIC_URL: 'http://lexdesk.office.example' } });
    const cookie = await signedInCookie();
    const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of crossSite) {
      const refused = await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookie}`, ...headers });
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(refused.headers.getSetCookie()).toEqual([]);
    }
    // from its own pages (either the address it was reached at or LEXDESK_PUBLIC_URL), the same cookie still works
    const own = await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookie}`, origin: base, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    const viaPublic = await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookieOf(own)}`, origin: 'http://lexdesk.office.example' });
    expect(viaPublic.status).toBe(200);
    expect(auditRows().filter((r) => r.action === 'security.refresh.cross_site')).toHaveLength(3);
  });

  it('two refreshes in flight from the same browser (two tabs) both succeed and the session lives on', async () => {
    await start();
    const cookie = await signedInCookie();
    const [a, b] = await Promise.all([
      post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookie}` }),
      post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookie}` }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const tokenB = ((await b.json()) as { value: SessionGrant }).value.accessToken;
    expect((await post('auth.sessions.list', {}, { authorization: `Bearer ${tokenB}` })).status).toBe(200);
    // whichever cookie the browser kept goes on working
    expect((await post('auth.refresh', {}, { cookie: `lexdesk_refresh=${cookieOf(b)}` })).status).toBe(200);
    expect(auditRows().filter((r) => r.action === 'security.refresh.reuse')).toHaveLength(0);
  });

  it('still detects real reuse: after the grace, or from another browser within it', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    await start({ clock });
    const user = await createUser(core!);
    const first = await signIn(core!, user);
    const refreshed = await core!.dispatcher.dispatch('auth.refresh', {}, { face: 'headless', refreshToken: first.refreshToken, userAgent: 'Firefox/140' });
    expect(refreshed.ok).toBe(true);
    clock.advance(21_000);
    const late = await core!.dispatcher.dispatch('auth.refresh', {}, { face: 'headless', refreshToken: first.refreshToken, userAgent: 'Firefox/140' });
    expect(late).toMatchObject({ ok: false, error: { code: 'unauthenticated', details: { reason: 'reuse' } } });

    const second = await signIn(core!, user);
    await core!.dispatcher.dispatch('auth.refresh', {}, { face: 'headless', refreshToken: second.refreshToken });
    const thief = await core!.dispatcher.dispatch('auth.refresh', {}, { face: 'headless', refreshToken: second.refreshToken, userAgent: 'curl/8.5' });
    expect(thief).toMatchObject({ ok: false, error: { code: 'unauthenticated', details: { reason: 'reuse' } } });
    expect(auditRows().filter((r) => r.action === 'security.refresh.reuse')).toHaveLength(2);
  });
});

describe('findings 6 and 12: who hears what on the event stream', () => {
  const waitFor = async (events: ServerEvent[], type: string) => {
    for (let i = 0; i < 100 && !events.some((e) => e.type === type); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('an administrator who must change the password does not receive whatsapp.qr; a lawyer never hears of others’ sessions ending', async () => {
    await start();
    const limitedAdmin = await signIn(core!, await createUser(core!, { role: 'admin', mustChangePassword: true }));
    const admin = await signIn(core!, await createUser(core!, { role: 'admin' }));
    const lawyer = await signIn(core!, await createUser(core!, { role: 'lawyer' }));
    const colleague = await signIn(core!, await createUser(core!, { role: 'assistant' }));
    const streams = { limited: readEvents(base, limitedAdmin.token), admin: readEvents(base, admin.token), lawyer: readEvents(base, lawyer.token) };
    await Promise.all(Object.values(streams).map((s) => s.connected));

    core!.services.events.emit('whatsapp.qr', { qr: 'secret-pairing-code' });
    await colleague.ok('auth.logout');
    await waitFor(streams.admin.events, 'auth.session.ended');
    await waitFor(streams.admin.events, 'whatsapp.qr');
    expect(streams.admin.events.map((e) => e.type)).toEqual(expect.arrayContaining(['whatsapp.qr', 'auth.session.ended']));
    expect(streams.limited.events.map((e) => e.type)).toEqual([]);
    expect(streams.lawyer.events.filter((e) => e.type === 'auth.session.ended')).toEqual([]);
    await Promise.all(Object.values(streams).map((s) => s.stop()));
  });
});

describe('finding 7: acknowledging a security alert', () => {
  it('needs monitoring.manage: a lawyer can read alerts but not hide them from admins', async () => {
    await start();
    const now = new Date().toISOString();
    core!.services.store.sqlite
      .prepare(
        `INSERT INTO monitoring_alerts (rule_id, severity, title, message, value, threshold, since, fired_at)
         VALUES ('signin-burst', 'warning', 'Many failed sign-ins', 'More than 10 failed sign-ins in 15 minutes.', 40, 10, ?, ?)`,
      )
      .run(now, now);
    const id = (core!.services.store.sqlite.prepare('SELECT max(id) AS id FROM monitoring_alerts').get() as { id: number }).id;
    const lawyer = await signIn(core!, await createUser(core!, { role: 'lawyer' }));
    const listed = await lawyer.call('monitoring.alerts.list', {});
    expect(listed.ok, JSON.stringify(listed)).toBe(true);
    expect(await lawyer.call('monitoring.alerts.ack', { id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const admin = await signIn(core!, await createUser(core!, { role: 'admin' }));
    expect(await admin.call('monitoring.alerts.ack', { id })).toMatchObject({ ok: true, value: { acknowledgedBy: admin.user.username } });
  });
});

/** Opens a socket and sends `head`, then a byte every `everyMs`; resolves with what the server answered when it closed. */
function trickle(head: string, everyMs: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
    const chunks: Buffer[] = [];
    const drip = setInterval(() => socket.writable && socket.write('a'), everyMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ text: Buffer.concat(chunks).toString(), ms: Date.now() - started });
    });
    setTimeout(() => socket.destroy(), 20_000);
  });
}

describe('finding 8: slow clients and too many connections', () => {
  const limits = { requestTimeoutMs: 1500, headersTimeoutMs: 1000, connectionsPerAddress: 4, eventStreamsPerUser: 2 };

  it('a body sent a byte at a time is answered 408 in the envelope and closed once the request time is over', async () => {
    await start({ server: { limits } });
    const slow = await trickle('POST /api/rpc/system.info HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', 300);
    expect(slow.text).toMatch(/^HTTP\/1\.1 408/);
    expect(JSON.parse(slow.text.slice(slow.text.indexOf('\r\n\r\n') + 4))).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // before: such connections stayed open for 75 s and more
    expect(slow.ms).toBeLessThan(10_000);
  });

  it('headers sent a byte at a time are answered 408 too', async () => {
    await start({ server: { limits } });
    const slow = await trickle('GET /api/monitoring/health HTTP/1.1\r\nX-Slow: ', 200);
    expect(slow.text).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.ms).toBeLessThan(10_000);
  });

  it('an event stream lives on past the request time: the timeout is for the request, not the answer', async () => {
    await start({ server: { limits } });
    const user = await signIn(core!, await createUser(core!));
    const stream = readEvents(base, user.token);
    await stream.connected;
    await new Promise((r) => setTimeout(r, 2500));
    core!.services.events.emit('system.stopping', { reason: 'test' });
    for (let i = 0; i < 50 && stream.events.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stream.events.map((e) => e.type)).toEqual(['system.stopping']);
    await stream.stop();
  });

  it('connections over the cap per address are answered 429 in the envelope', async () => {
    await start({ server: { limits } });
    const held: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      held.push(socket);
    }
    const over = await rawHttp(port, 'GET /api/monitoring/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('10');
    expect(JSON.parse(over.body)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    for (const socket of held) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await rawHttp(port, 'GET /api/monitoring/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });

  it('event streams per user are capped (200 were accepted before); one closed makes room again', async () => {
    await start({ server: { limits: { ...limits, connectionsPerAddress: 100 } } });
    const user = await signIn(core!, await createUser(core!));
    const one = readEvents(base, user.token);
    const two = readEvents(base, user.token);
    await Promise.all([one.connected, two.connected]);
    const third = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // another user is not affected
    const other = await signIn(core!, await createUser(core!));
    const theirs = readEvents(base, other.token);
    await theirs.connected;
    await one.stop();
    await new Promise((r) => setTimeout(r, 100));
    const again = readEvents(base, user.token);
    await again.connected;
    await Promise.all([two.stop(), theirs.stop(), again.stop()]);
  });
});

describe('finding 9: lockouts of unknown usernames reveal nothing when pushed out', () => {
  it('live in the database like real accounts’, survive a restart and any number of other names', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    await start({ clock, env: { LEXDESK_LOCKOUT_THRESHOLD: '3' } });
    const dataDir = core!.config.dataDir;
    const attempt = (username: string) =>
      core!.dispatcher.dispatch('auth.login', { username, password: 'a wrong password' }, { face: 'desktop' }).then((r) => (r.ok ? 'ok' : r.error.code));
    for (let i = 0; i < 2; i++) await attempt('ghost');
    // 20,000 other names, more than the in-memory map held before
    const insert = core!.services.store.sqlite.prepare('INSERT INTO signin_lockouts (name_hash, failures, locked_until, last_failed_at) VALUES (?, 1, NULL, ?)');
    core!.services.store.sqlite.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(`filler-${i}`, clock.now().toISOString());
    })();
    await app!.close();
    await core!.stop();
    core = await startTestCore({ dataDir, env: { LEXDESK_LOCKOUT_THRESHOLD: '3' }, deps: { clock } });
    ({ app, base, port } = await serveHttp(core));
    expect(await attempt('ghost')).toBe('locked');
    expect(core!.services.store.sqlite.prepare('SELECT count(*) AS n FROM signin_lockouts').get()).toEqual({ n: 20_001 });
  });

  it('failures are forgotten after a quiet day for real accounts and unknown names alike', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    await start({ clock, env: { LEXDESK_LOCKOUT_THRESHOLD: '3' } });
    const user = await createUser(core!);
    const attempt = (username: string) =>
      core!.dispatcher.dispatch('auth.login', { username, password: 'a wrong password' }, { face: 'desktop' }).then((r) => (r.ok ? 'ok' : r.error.code));
    for (const name of [user.username, 'ghost']) for (let i = 0; i < 2; i++) await attempt(name);
    clock.advance(25 * 3_600_000);
    expect([await attempt(user.username), await attempt('ghost')]).toEqual(['unauthenticated', 'unauthenticated']);
    expect([await attempt(user.username), await attempt('ghost')]).toEqual(['unauthenticated', 'unauthenticated']);
    expect([await attempt(user.username), await attempt('ghost')]).toEqual(['locked', 'locked']);
  });
});

describe('finding 10: Strict-Transport-Security', () => {
  it('is sent on every answer when LEXDESK_PUBLIC_URL is https, also on refusals before a route; never over plain http', async () => {
    await start({ env: { LEXDESK_PUBLIC_URL: 'https://lexdesk.office.example' } });
    const hsts = 'max-age=31536000; includeSubDomains';
    expect((await post('system.info', {})).headers.get('strict-transport-security')).toBe(hsts);
    expect((await fetch(`${base}/api/nothing-here`)).headers.get('strict-transport-security')).toBe(hsts);
    expect((await fetch(`${base}/api/rpc/%zz`, { method: 'POST' })).headers.get('strict-transport-security')).toBe(hsts);
    const raw = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(raw.headers['strict-transport-security']).toBe(hsts);
    await app!.close();
    await core!.dispose();
    await start();
    expect((await post('system.info', {})).headers.get('strict-transport-security')).toBeNull();
  });
});

describe('finding 11: /metrics and the public health', () => {
  it('/metrics answers this machine, never a request through a proxy, and LEXDESK_METRICS_ALLOW', async () => {
    await start({ env: { LEXDESK_TRUST_PROXY: '127.0.0.1' } });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const proxied = await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    expect(await proxied.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await fetch(`${base}/metrics`, { headers: { via: '1.1 nginx' } })).status).toBe(403);
    await app!.close();
    await core!.dispose();
    await start({ env: { LEXDESK_TRUST_PROXY: '127.0.0.1', LEXDESK_METRICS_ALLOW: '203.0.113.9' } });
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.10' } })).status).toBe(403);
  });

  it('the public health lists check names and states only; staff who read monitoring get the messages', async () => {
    await start();
    const health = (await (await fetch(`${base}/api/monitoring/health`)).json()) as Record<string, unknown>;
    expect(Object.keys(health).sort()).toEqual(['checks', 'database', 'status']);
    for (const check of health.checks as Record<string, unknown>[]) expect(Object.keys(check).sort()).toEqual(['name', 'status']);
    const anonymous = (await (await post('system.health', {})).json()) as { value: { checks: Record<string, unknown>[] } };
    expect(anonymous.value.checks.every((c) => c.message === undefined)).toBe(true);
    const lawyer = await signIn(core!, await createUser(core!, { role: 'lawyer' }));
    const staff = (await lawyer.ok<{ checks: { name: string; message?: string }[] }>('system.health')).checks;
    expect(staff.find((c) => c.name === 'backups')?.message).toBe('No backup passphrase is set: LexDesk makes no backups until an admin sets one on the Backups screen.');
  });
});

describe('finding 13: hostile uploads are judged by their bytes', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n');
  const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
  const HTML = Buffer.from('<!doctype html><html><body><form action="https://evil.example">Pay here</form></body></html>');

  it('HTML sent as text and an SVG with script sent as a PNG never open inline; a program behind a reversed name is refused; names are cleaned', async () => {
    await start();
    const link = await attachTestLink(core!);
    await link.deliver('351910000009', 'hi');
    await core!.services.bot.drained();
    const assistant = await signIn(core!, await createUser(core!, { role: 'assistant' }));
    const conversationId = ((await assistant.ok<{ items: { id: number }[] }>('inbox.list', {})).items[0]!).id;
    const send = async (fileName: string, type: string, data: Buffer) => {
      const response = await fetch(`${base}/api/documents/upload?conversationId=${conversationId}&fileName=${encodeURIComponent(fileName)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${assistant.token}`, 'content-type': type },
        body: new Uint8Array(data),
      });
      return (await response.json()) as { ok: boolean; value?: { id: number; fileName: string; preview: string | null; mismatch: boolean }; error?: { code: string } };
    };
    const inline = async (id: number) =>
      (await fetch(`${base}/api/documents/${id}/content?disposition=inline`, { headers: { authorization: `Bearer ${assistant.token}` } })).status;

    for (const [fileName, type, data] of [
      ['invoice.txt', 'text/plain', HTML],
      ['logo.png', 'image/png', SVG],
      ['contract.pdf', 'application/pdf', HTML],
    ] as const) {
      const stored = await send(fileName, type, data);
      expect(stored.ok, fileName).toBe(true);
      // kept for staff to download, never shown in the screens
      expect(stored.value!.preview, fileName).toBeNull();
      expect(await inline(stored.value!.id), fileName).toBe(400);
    }
    const program = await send('contract\u202Efdp.exe', 'application/pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]));
    expect(program).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(link.sentTo('351910000009').filter((m) => m.kind === 'document')).toHaveLength(0);

    const kept = await send('report\u2067 final\u2069.pdf', 'application/pdf', PDF);
    expect(kept.ok).toBe(true);
    // bidi controls are shown as visible marks, never applied
    expect(kept.value!.fileName).not.toMatch(/[\u2066-\u2069\u202A-\u202E]/);
    expect(kept.value!.preview).toBe('pdf');
  });
});

