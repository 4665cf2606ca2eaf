import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../shared/contract/whatsapp.js';
import type { ServerEvent } from '../../shared/events.js';
import { eventsOf } from '../../shared/sse.js';
import { buildServer } from '../../main/headless/server.js';
import { createUser, signIn } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;

afterEach(async () => {
  await app?.close();
  await core?.dispose();
});

async function start() {
  core = await startTestCore({ env: { LEXDESK_SIMULATOR_PAIRED: 'false' } });
  app = await buildServer(core, { heartbeatMs: 200 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
}

/** Reads the server-sent event stream as `token` sees it, until stopped. */
function listen(token: string) {
  const events: ServerEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    for await (const data of eventsOf(response.body!)) events.push(JSON.parse(data) as ServerEvent);
  })().catch(() => {});
  return {
    events,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

async function rpc<T>(name: string, token: string, body: unknown = {}): Promise<{ status: number; body: { ok: boolean; value?: T; error?: { code: string } } }> {
  const response = await fetch(`${base}/api/rpc/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { ok: boolean; value?: T } };
}

async function until<T>(fn: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the WhatsApp link over HTTP, signed in', () => {
  it('shows the QR only to an admin, in answers and in pushed events', async () => {
    await start();
    const admin = await signIn(core, await createUser(core, { role: 'admin' }));
    const assistant = await signIn(core, await createUser(core, { role: 'assistant' }));
    await until(() => core.services.whatsapp.status().state, (s) => s === 'qr');

    const forAdmin = await rpc<WhatsAppStatus>('whatsapp.status', admin.token);
    expect(forAdmin.body.value).toMatchObject({ state: 'qr', qr: expect.stringMatching(/^lexdesk-simulator:/) });
    const forAssistant = await rpc<WhatsAppStatus>('whatsapp.status', assistant.token);
    expect(forAssistant.body.value).toMatchObject({ state: 'qr', qr: null });
    expect((await rpc('whatsapp.restart', assistant.token)).status).toBe(403);
    expect((await rpc('simulator.pair', assistant.token)).status).toBe(403);

    const adminStream = listen(admin.token);
    const assistantStream = listen(assistant.token);
    await new Promise((r) => setTimeout(r, 300)); // both streams open
    expect((await rpc('whatsapp.restart', admin.token)).status).toBe(200);
    await until(() => adminStream.events.some((e) => e.type === 'whatsapp.qr' && e.data.qr !== null), (v) => v);
    expect((await rpc('simulator.pair', admin.token)).body).toEqual({ ok: true, value: { state: 'ready' } });
    await until(
      () => assistantStream.events.some((e) => e.type === 'whatsapp.state' && e.data.state === 'ready'),
      (v) => v,
    );
    await adminStream.stop();
    await assistantStream.stop();

    // the assistant follows the link's state, but never receives a QR code
    expect(assistantStream.events.map((e) => e.type)).toContain('whatsapp.state');
    expect(assistantStream.events.filter((e) => e.type === 'whatsapp.qr')).toEqual([]);
    expect(JSON.stringify(assistantStream.events)).not.toContain('lexdesk-simulator:');
  });
});
