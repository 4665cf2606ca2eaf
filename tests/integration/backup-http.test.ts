import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, type Principal } from '../../main/core/dispatch.js';
import { silentLogger } from '../../main/core/log.js';
import { handlers } from '../../main/core/handlers.js';
import type { CoreServices } from '../../main/core/services.js';
import type { TestCore } from '../support/core.js';
import { serveHttp } from '../support/http.js';
import { ADMIN_PASSWORD, addNotes, fakeAuth, noteCount, PASSPHRASE, startBackupCore } from '../support/backup.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;

/** The headless face over a core whose callers are signed in as `role` (sign-in has its own tests). */
async function start(role: Principal['role'] | null) {
  core = await startBackupCore();
  fakeAuth(core);
  const principal: Principal = { userId: `u-${role}`, username: `${role}`, displayName: `${role}`, role: role ?? 'admin', sessionId: 's1' };
  const dispatcher = new Dispatcher<CoreServices>({
    services: core.services,
    handlers,
    store: () => core.services.store,
    log: silentLogger,
    authenticator: { authenticate: async (call) => (role && call.token ? principal : null) },
  });
  ({ app, base } = await serveHttp({ ...core, dispatcher } as typeof core));
}

afterEach(async () => {
  await app?.close();
  await core?.dispose();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: 'Bearer t', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('the backup REST names in headless mode', { timeout: 120_000 }, () => {
  it('map onto the backup operations, with the same envelope', async () => {
    await start('admin');
    const settings = await call('PUT', '/api/monitoring/backup/settings', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD, retentionDays: 14 });
    expect(settings.status).toBe(200);
    expect(await settings.json()).toMatchObject({ ok: true, value: { passphraseSet: true, retentionDays: 14 } });
    addNotes(core, 20);

    const created = await call('POST', '/api/monitoring/backup', {});
    expect(created.status).toBe(200);
    const { value: item } = (await created.json()) as { value: { id: string; status: string } };
    expect(item.status).toBe('verified');

    const list = await (await call('GET', '/api/monitoring/backup')).json();
    expect(list).toMatchObject({ ok: true, value: { backups: [{ id: item.id }] } });
    expect(await (await call('POST', `/api/monitoring/backup/${item.id}/verify`)).json()).toMatchObject({ ok: true, value: { id: item.id, status: 'verified' } });
    expect(await (await call('GET', '/api/monitoring/backup/settings')).json()).toMatchObject({ ok: true, value: { retentionDays: 14 } });

    addNotes(core, 5, 'later');
    const wrong = await call('POST', `/api/monitoring/backup/${item.id}/restore`, { password: 'nope' });
    expect(wrong.status).toBe(400);
    const restored = await call('POST', `/api/monitoring/backup/${item.id}/restore`, { password: ADMIN_PASSWORD });
    expect(restored.status).toBe(200);
    expect(noteCount(core)).toBe(20);

    const missing = await call('POST', '/api/monitoring/backup/20990101T000000Z-manual-0000/verify');
    expect(missing.status).toBe(404);
    const bad = await call('POST', '/api/monitoring/backup/..%2F..%2Fetc/verify');
    expect(bad.status).toBe(400);
  });

  it('refuse anonymous callers (401) and staff without the permission (403)', async () => {
    await start(null);
    expect((await call('GET', '/api/monitoring/backup')).status).toBe(401);
    await app.close();
    await core.dispose();
    await start('assistant');
    const refused = await call('POST', '/api/monitoring/backup', {});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
