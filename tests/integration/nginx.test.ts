// The shipped build/nginx/nginx.conf, run by a real nginx with a self-signed
// certificate in front of a real headless LexDesk, both on loopback. The client
// speaks from 127.0.0.2, so the address LexDesk records can only be the one nginx saw.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionGrant } from '../../shared/contract/auth.js';
import { takeEvents } from '../../shared/sse.js';
import { createUser, TEST_PASSWORD } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

const SHIPPED = join(REPO_ROOT, 'build', 'nginx', 'nginx.conf');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path)) ?? 'nginx';
const CLIENT_ADDRESS = '127.0.0.2';

let core: TestCore;
let app: FastifyInstance;
let nginx: ChildProcess | undefined;
let dir = '';
let httpsPort = 0;
let httpPort = 0;
let cert = '';
const nginxOutput: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The nginx folder as docker-compose.yml lays it out (/etc/nginx), in `folder`, with a self-signed certificate. */
function layOut(folder: string, edit: (text: string) => string = (t) => t): string {
  mkdirSync(join(folder, 'certs'), { recursive: true });
  mkdirSync(join(folder, 'logs'), { recursive: true });
  copyFileSync('/etc/nginx/mime.types', join(folder, 'mime.types'));
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(folder, 'certs', 'lexdesk.key'), '-out', join(folder, 'certs', 'lexdesk.crt')],
    { encoding: 'utf8' },
  );
  expect(made.status, made.stderr).toBe(0);
  const file = join(folder, 'nginx.conf');
  writeFileSync(file, edit(readFileSync(SHIPPED, 'utf8')));
  return file;
}

/** What the test passes on nginx's command line: its pid file in the folder, and root's workers when run as root. */
const globals = (folder: string) => `pid ${join(folder, 'nginx.pid')};${process.getuid?.() === 0 ? ' user root;' : ''}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request to nginx from CLIENT_ADDRESS, trusting the test's certificate. */
function viaProxy(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: httpsPort, path, method: options.method ?? 'GET', headers: options.headers, ca: cert, servername: 'localhost', localAddress: CLIENT_ADDRESS, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const rpc = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  viaProxy(`/api/rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const auditRows = () =>
  core.services.store.sqlite.prepare('SELECT action, address FROM audit_log ORDER BY id').all() as { action: string; address: string | null }[];

beforeAll(async () => {
  core = await startTestCore({
    env: {
      LEXDESK_TRUST_PROXY: '127.0.0.1',
      // the app's own sign-in limit is out of the way: a 429 here is nginx's
      LEXDESK_SIGNIN_LIMIT: '10000',
      LEXDESK_PUBLIC_URL: 'https://localhost',
    },
  });
  const face = await serveHttp(core);
  app = face.app;
  dir = tempDir('lexdesk-nginx-');
  [httpsPort, httpPort] = [await freePort(), await freePort()];
  const file = layOut(dir, (text) => {
    expect(text).toContain('server 172.28.0.5:3001;');
    expect(text).toContain('listen 443 ssl http2 default_server;');
    return text
      .replace('server 172.28.0.5:3001;', `server 127.0.0.1:${face.port};`)
      .replace('listen 443 ssl http2 default_server;', `listen 127.0.0.1:${httpsPort} ssl http2 default_server;`)
      .replace('listen 80 default_server;', `listen 127.0.0.1:${httpPort} default_server;`)
      .replace(/\n\s*listen \[::\]:\d+[^\n]*/g, '')
      .replace('access_log /var/log/nginx/access.log lexdesk_json;', `access_log ${join(dir, 'logs', 'access.log')} lexdesk_json;`);
  });
  cert = readFileSync(join(dir, 'certs', 'lexdesk.crt'), 'utf8');
  nginx = spawn(NGINX, ['-p', dir, '-c', file, '-g', `daemon off; ${globals(dir)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout!.on('data', (c: Buffer) => nginxOutput.push(c.toString()));
  nginx.stderr!.on('data', (c: Buffer) => nginxOutput.push(c.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await viaProxy('/api/monitoring/health');
      break;
    } catch {
      if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start:\n${nginxOutput.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx!.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await app?.close();
  await core?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('NGINX in front of LexDesk', () => {
  it('the shipped configuration passes nginx -t as docker-compose.yml mounts it', () => {
    const folder = tempDir('lexdesk-nginx-t-');
    try {
      const file = layOut(folder);
      const result = spawnSync(NGINX, ['-t', '-p', folder, '-c', file, '-g', globals(folder)], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain('test is successful');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('signs in through the proxy over TLS, with HSTS, and records the address nginx saw, not the one the client claimed', async () => {
    const user = await createUser(core, { role: 'admin' });
    const answer = await rpc('auth.login', { username: user.username, password: TEST_PASSWORD }, { 'x-forwarded-for': '203.0.113.66', 'x-real-ip': '203.0.113.67' });
    expect(answer.status, answer.body).toBe(200);
    const grant = (JSON.parse(answer.body) as { ok: true; value: SessionGrant }).value;
    expect(grant.accessToken).toBeTruthy();
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    // https behind a proxy: the refresh cookie is Secure
    expect(String(answer.headers['set-cookie'])).toMatch(/Secure/i);

    const failed = await rpc('auth.login', { username: user.username, password: 'not the password' }, { 'x-forwarded-for': '203.0.113.68' });
    expect(failed.status).toBe(401);
    const rows = auditRows().filter((r) => r.action === 'auth.login' || r.action === 'security.login.failed');
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.login', 'security.login.failed']));
    expect(new Set(rows.map((r) => r.address))).toEqual(new Set([CLIENT_ADDRESS]));
  });

  it('delivers a live event through the proxy within a second (not buffered)', async () => {
    const admin = await createUser(core, { role: 'admin' });
    const login = await rpc('auth.login', { username: admin.username, password: TEST_PASSWORD });
    const token = (JSON.parse(login.body) as { value: SessionGrant }).value.accessToken;
    const received = await new Promise<{ ms: number; types: string[] }>((resolve, reject) => {
      let sentAt = 0;
      const req = httpsRequest(
        { host: '127.0.0.1', port: httpsPort, path: '/api/events', headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' }, ca: cert, servername: 'localhost', localAddress: CLIENT_ADDRESS, agent: false },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-encoding']).toBeUndefined();
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            if (!sentAt && buffer.includes(': connected')) {
              sentAt = Date.now();
              core.services.events.emit('whatsapp.qr', { qr: null });
            }
            const taken = takeEvents(buffer);
            buffer = taken.rest;
            if (sentAt && taken.data.length > 0) {
              const types = taken.data.map((d) => (JSON.parse(d) as { type: string }).type);
              resolve({ ms: Date.now() - sentAt, types });
              req.destroy();
            }
          });
        },
      );
      req.on('error', (err) => (sentAt ? undefined : reject(err)));
      req.end();
      setTimeout(() => reject(new Error('no event through the proxy within 5 s')), 5000).unref();
    });
    expect(received.types).toContain('whatsapp.qr');
    expect(received.ms).toBeLessThan(1000);
  });

  it('refuses /metrics from outside, whatever the path looks like', async () => {
    for (const path of ['/metrics', '/metrics/', '/metrics?x=1', '//metrics', '/api/../metrics']) {
      const answer = await viaProxy(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('lexdesk_');
    }
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: httpPort, path: '/api/monitoring/health', headers: { host: 'lexdesk.office.lan' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe('https://lexdesk.office.lan/api/monitoring/health');
  });

  it('refuses a request body larger than LexDesk takes, before it reaches LexDesk', async () => {
    const answer = await rpc('auth.login', { username: 'x', password: 'y'.repeat(3 * 1024 * 1024) });
    expect(answer.status).toBe(413);
  });

  it('answers a burst of sign-ins from one address with 429 and Retry-After, in LexDesk’s envelope', async () => {
    const before = auditRows().filter((r) => r.action === 'security.login.failed').length;
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let i = 0; i < 12; i++) {
      const answer = await rpc('auth.login', { username: `nobody-${i}`, password: 'not the password' });
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
    // the zone allows a burst of 5 beyond the rate: the first few reach LexDesk, the rest stop at nginx
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(limited!.headers['retry-after']).toBe('60');
    expect(limited!.headers['strict-transport-security']).toContain('max-age=');
    expect(JSON.parse(limited!.body)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    const reached = auditRows().filter((r) => r.action === 'security.login.failed').length - before;
    expect(reached).toBe(statuses.filter((s) => s === 401).length);
    // other API calls from the same address are not limited by the sign-in zone
    expect((await viaProxy('/api/monitoring/health')).status).not.toBe(429);
  });

  it('writes one JSON line per request, with the category and without the query string', async () => {
    await viaProxy('/api/monitoring/health?secret-looking=1');
    // nginx writes its access log as each request ends
    const lines = readFileSync(join(dir, 'logs', 'access.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ category: 'http', remote: CLIENT_ADDRESS, method: 'GET', path: '/api/monitoring/health' });
    expect(JSON.stringify(lines)).not.toContain('secret-looking');
  });
});
