import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../main/headless/server.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/server.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;

async function start(options: { rendererDir?: string } = {}) {
  core = await startTestCore();
  app = await buildServer(core, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
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
      value: { product: 'LexDesk', version: core.services.version, schemaVersion: expect.any(Number), mode: 'headless' },
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

  it('health is 200 with status, version and database, and 503 when the database is gone', async () => {
    await start();
    const ok = await fetch(`${base}/api/monitoring/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', version: core.services.version, database: 'ok' });
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
