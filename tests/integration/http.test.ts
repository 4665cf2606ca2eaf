import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/errors.js';
import type { CallContext } from '../../main/core/dispatch.js';
import { SECURITY_HEADERS } from '../../main/headless/security-headers.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { rawHttp, serveHttp, type RawResponse } from '../support/http.js';
import { tempDir } from '../support/server.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;
let port: number;

async function start(options: { rendererDir?: string } = {}) {
  core = await startTestCore();
  ({ app, base, port } = await serveHttp(core, options));
}

afterEach(async () => {
  await app?.close();
  await core?.dispose();
});

const rpc = (name: string, body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/api/rpc/${name}`, { method: 'POST', headers, body });

describe('the headless HTTP face', () => {
  it('POST /api/rpc/system.info returns the version in the envelope', async () => {
    await start();
    const response = await rpc('system.info', '{}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      value: { product: 'LexDesk', version: core.services.version, schemaVersion: expect.any(Number), mode: 'headless', simulator: true },
    });
  });

  it('an unknown operation is 404 not_found in the error envelope', async () => {
    await start();
    const response = await rpc('nope.nothing', '{}');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a malformed body is 400 invalid_input in the error envelope', async () => {
    await start();
    const response = await rpc('system.info', '{"unterminated":');
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('a body that is not JSON is 400 invalid_input', async () => {
    await start();
    const response = await rpc('system.info', 'hello', { 'content-type': 'text/plain' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('input that breaks the schema is 400 with the field problems', async () => {
    await start();
    const response = await rpc('system.info', '{"extra":1}');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { issues: expect.any(Array) } } });
  });

  it('an oversized body is refused with invalid_input, not a crash', async () => {
    await start();
    const response = await rpc('system.info', JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('health is 200 with status and database (no version: that is for staff), and 503 when the database is gone', async () => {
    await start();
    const ok = await fetch(`${base}/api/monitoring/health`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    // a new installation works, and says its backups need attention until a passphrase is set
    expect(body).toMatchObject({ status: 'degraded', database: 'ok' });
    expect(body.version).toBeUndefined();
    core.services.store.close();
    const down = await fetch(`${base}/api/monitoring/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'down', database: 'down' });
  });

  it('sends security headers on every response', async () => {
    await start();
    const response = await fetch(`${base}/api/monitoring/health`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves the screens at / and any screen path, and 404s unknown API paths', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>LexDesk</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await start({ rendererDir: dir });
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>LexDesk</title>');
    const deep = await fetch(`${base}/inbox/42`);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(200);
    const api = await fetch(`${base}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const traversal = await fetch(`${base}/assets/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toContain('root:');
  });

  it('streams public events to a listener as server-sent events', async () => {
    await start();
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': connected')) text += (await reader.read()).value ?? '';
    core.services.events.emit('system.stopping', { reason: 'test' });
    while (!text.includes('event: system.stopping')) text += (await reader.read()).value ?? '';
    expect(text).toContain('"reason":"test"');
    controller.abort();
  });
});

/** A string a test puts in the address or the input, to show that no answer repeats it. */
const MARKER = 'echo-marker-5b1f';

function expectRefusal(response: RawResponse, status: number, code: string) {
  expect(response.status, response.text).toBe(status);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], name).toBe(value);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { ok: boolean; error: Record<string, unknown> };
  expect(Object.keys(body).sort()).toEqual(['error', 'ok']);
  expect(body.ok).toBe(false);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error).toEqual({ code, message: expect.stringMatching(/^[A-Z].*\.$/) });
  expect(response.text).not.toContain(MARKER);
  expect(response.text).not.toMatch(/FST_ERR|statusCode/);
}

const request = (head: string, body = '') =>
  `${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;

describe('requests refused before they reach a route', () => {
  it('a malformed percent-encoding in the address is 400 invalid_input, in the envelope, without the address', async () => {
    await start();
    expectRefusal(await rawHttp(port, request(`POST /api/rpc/${MARKER}%zz HTTP/1.1`)), 400, 'invalid_input');
    expectRefusal(await rawHttp(port, request(`POST /api/monitoring/backup/${MARKER}%E0%A4%/verify HTTP/1.1`)), 400, 'invalid_input');
  });

  it('an operation name longer than the router takes is 414 invalid_input, without the name', async () => {
    await start();
    const name = `${MARKER}${'x'.repeat(300)}`;
    const answer = await rawHttp(port, request(`POST /api/rpc/${name} HTTP/1.1\r\nContent-Type: application/json`, '{}'));
    expectRefusal(answer, 414, 'invalid_input');
  });

  it('headers larger than Node accepts are 431 invalid_input, in the envelope, without the address or the header', async () => {
    await start();
    const answer = await rawHttp(port, request(`GET /api/monitoring/health?${MARKER} HTTP/1.1\r\nX-Padding: ${MARKER}${'p'.repeat(64 * 1024)}`));
    expectRefusal(answer, 431, 'invalid_input');
  });

  it('bytes that are not HTTP are 400 invalid_input in the envelope', async () => {
    await start();
    expectRefusal(await rawHttp(port, `${MARKER} nonsense\r\n\r\n`), 400, 'invalid_input');
  });

  it('a body larger than the limit is 413 invalid_input, without the body', async () => {
    await start();
    // the limit is read from Content-Length: the answer comes before the body is sent
    const head = `POST /api/rpc/system.info?${MARKER} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    expectRefusal(await rawHttp(port, `${head}{"a":"${MARKER}`), 413, 'invalid_input');
  });

  it('a body that is not JSON, or not sent as JSON, is 400 invalid_input, without the body', async () => {
    await start();
    const json = 'Content-Type: application/json';
    expectRefusal(await rawHttp(port, request(`POST /api/rpc/system.info HTTP/1.1\r\n${json}`, `{"${MARKER}":`)), 400, 'invalid_input');
    expectRefusal(await rawHttp(port, request(`POST /api/rpc/system.info HTTP/1.1\r\nContent-Type: application/xml`, `<${MARKER}/>`)), 400, 'invalid_input');
    expectRefusal(await rawHttp(port, request(`POST /api/rpc/system.info HTTP/1.1\r\n${json}\r\nContent-Length: 0`)), 400, 'invalid_input');
  });

  it('an address where nothing lives is 404 not_found, without the address', async () => {
    await start();
    expectRefusal(await rawHttp(port, request(`GET /api/${MARKER} HTTP/1.1`)), 404, 'not_found');
    expectRefusal(await rawHttp(port, request(`DELETE /${MARKER} HTTP/1.1`)), 404, 'not_found');
    expectRefusal(await rawHttp(port, request(`GET /api/rpc/${MARKER} HTTP/1.1`)), 404, 'not_found');
  });
});

describe('every route answers the door the same way', () => {
  it('a locked or rate-limited answer carries Retry-After on /api/rpc and on every REST name', async () => {
    core = await startTestCore();
    const answers: Record<string, Result<unknown>> = {
      'monitoring.dashboard': { ok: false, error: { code: 'rate_limited', message: 'Slow down.', details: { retryAfterSeconds: 7.2 } } },
    };
    const calls: { name: string; face: string }[] = [];
    const dispatcher = {
      ...core.dispatcher,
      principalOf: async () => null,
      async dispatch(name: string, _input: unknown, call: CallContext): Promise<Result<unknown>> {
        calls.push({ name, face: call.face });
        return answers[name] ?? { ok: false, error: { code: 'locked', message: 'A restore is under way.', details: { retryAfterSeconds: 30 } } };
      },
    };
    ({ app, base } = await serveHttp({ ...core, dispatcher } as unknown as TestCore));
    const routes: [string, string, string][] = [
      ['POST', '/api/rpc/backup.list', 'backup.list'],
      ['GET', '/api/monitoring/backup', 'backup.list'],
      ['POST', '/api/monitoring/backup/b-1/verify', 'backup.verify'],
      ['GET', '/api/monitoring/security/summary', 'audit.securitySummary'],
      ['GET', '/api/monitoring/security/events', 'audit.search'],
      ['GET', '/api/monitoring/health', 'system.health'],
    ];
    for (const [method, path] of routes) {
      const response = await fetch(`${base}${path}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{}' : undefined });
      expect(response.status, path).toBe(423);
      expect(response.headers.get('retry-after'), path).toBe('30');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(await response.json(), path).toEqual({ ok: false, error: { code: 'locked', message: 'A restore is under way.', details: { retryAfterSeconds: 30 } } });
    }
    const dashboard = await fetch(`${base}/api/monitoring/dashboard`);
    expect(dashboard.status).toBe(429);
    expect(dashboard.headers.get('retry-after')).toBe('8');
    expect(calls.map((c) => c.name)).toEqual([...routes.map((r) => r[2]), 'monitoring.dashboard']);
    expect(new Set(calls.map((c) => c.face))).toEqual(new Set(['headless']));
  });
});
