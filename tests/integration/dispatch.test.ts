import { describe, expect, it, vi } from 'vitest';
import { Dispatcher, type DoorRecord, type Handlers, type OperationObserver } from '../../main/core/dispatch.js';
import { silentLogger, type Logger } from '../../main/core/log.js';
import { handlers as realHandlers } from '../../main/core/handlers.js';
import { startTestCore } from '../support/core.js';
import type { CoreServices } from '../../main/core/services.js';

async function withDoor(
  override: Partial<Handlers<CoreServices>> = {},
  log: Logger = silentLogger,
) {
  const core = await startTestCore();
  const records: DoorRecord[] = [];
  const samples: Parameters<OperationObserver['observe']>[0][] = [];
  const door = new Dispatcher<CoreServices>({
    services: core.services,
    handlers: { ...realHandlers, ...override } as Handlers<CoreServices>,
    store: () => core.services.store,
    log,
    auditor: { record: (entry) => records.push(entry) },
    observer: { observe: (sample) => samples.push(sample) },
  });
  return { core, door, records, samples };
}

describe('the dispatch door', () => {
  it('answers a known operation with { ok: true, value } checked against the contract', async () => {
    const { core, door, records, samples } = await withDoor();
    const result = await door.dispatch('system.info', {}, { face: 'headless' });
    expect(result).toEqual({
      ok: true,
      value: { product: 'LexDesk', version: core.services.version, schemaVersion: expect.any(Number), mode: 'headless', simulator: true },
    });
    // system.info shows no office data: only its refusals and failures are audited
    expect(records).toHaveLength(0);
    expect(samples[0]).toMatchObject({ operation: 'system.info', outcome: 'ok' });
    expect(samples[0]!.seconds).toBeGreaterThanOrEqual(0);
    await core.dispose();
  });

  it('answers an unknown operation with not_found, and records it', async () => {
    const { core, door, records } = await withDoor();
    const result = await door.dispatch('system.selfDestruct', {}, { face: 'headless' });
    expect(result).toEqual({ ok: false, error: { code: 'not_found', message: expect.stringContaining('system.selfDestruct') } });
    expect(records[0]).toMatchObject({ outcome: 'error', errorCode: 'not_found' });
    await core.dispose();
  });

  it('refuses input that does not match the schema with invalid_input and the field problems', async () => {
    const { core, door, records } = await withDoor();
    const result = await door.dispatch('system.info', { unexpected: true }, { face: 'headless' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.details).toEqual({ issues: [expect.objectContaining({ path: '' })] });
    expect(records[0]).toMatchObject({ outcome: 'invalid', errorCode: 'invalid_input' });
    await core.dispose();
  });

  it('treats a missing body as an empty input', async () => {
    const { core, door } = await withDoor();
    expect((await door.dispatch('system.info', undefined, { face: 'headless' })).ok).toBe(true);
    expect((await door.dispatch('system.info', null, { face: 'headless' })).ok).toBe(true);
    await core.dispose();
  });

  it('turns a crash into internal with a reference, and keeps the stack in the log', async () => {
    const logged: unknown[] = [];
    const log: Logger = { ...silentLogger, error: (fields) => logged.push(fields), child: () => log };
    const { core, door } = await withDoor(
      {
        'system.info': () => {
          throw new Error('disk on fire at /secret/path');
        },
      },
      log,
    );
    const result = await door.dispatch('system.info', {}, { face: 'desktop' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('internal');
    expect(JSON.stringify(result.error)).not.toMatch(/secret|fire|at .*\(/);
    expect(result.error.message).toMatch(/reference/i);
    expect(logged).toHaveLength(1);
    await core.dispose();
  });

  it('refuses an answer that breaks the contract rather than passing it on', async () => {
    const { core, door } = await withDoor({ 'system.info': () => ({ product: 'LexDesk' }) as never });
    const result = await door.dispatch('system.info', {}, { face: 'headless' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('internal');
    await core.dispose();
  });

  it('asks the authenticator only when a token is present, and ignores a bad one on public operations', async () => {
    const core = await startTestCore();
    const authenticate = vi.fn(async () => {
      throw new Error('expired');
    });
    const door = new Dispatcher<CoreServices>({
      services: core.services,
      handlers: realHandlers,
      store: () => core.services.store,
      log: silentLogger,
      authenticator: { authenticate },
    });
    expect((await door.dispatch('system.health', {}, { face: 'headless' })).ok).toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
    expect((await door.dispatch('system.health', {}, { face: 'headless', token: 'stale' })).ok).toBe(true);
    expect(authenticate).toHaveBeenCalledOnce();
    await core.dispose();
  });

  it('rolls back a handler\'s writes when it fails inside its transaction', async () => {
    const { core, door, records } = await withDoor({
      'system.info': (_input, ctx) => {
        ctx.write(() => {
          expect(ctx.services.store.sqlite.inTransaction).toBe(true);
          ctx.services.store.sqlite
            .prepare("INSERT INTO app_meta (key, value, updated_at) VALUES ('probe', '1', 'now')")
            .run();
          throw new Error('half-way');
        });
        return { product: 'LexDesk', version: '1', schemaVersion: 1, mode: 'headless', simulator: false };
      },
    });
    const result = await door.dispatch('system.info', {}, { face: 'headless' });
    expect(result.ok).toBe(false);
    const probe = core.services.store.sqlite.prepare("SELECT COUNT(*) AS n FROM app_meta WHERE key = 'probe'").get();
    expect(probe).toEqual({ n: 0 });
    expect(records).toEqual([expect.objectContaining({ outcome: 'error', errorCode: 'internal' })]);
    await core.dispose();
  });

  it('a core built for the command line answers its calls as the local operator (admin, named by the OS account); no other face gets that', async () => {
    const cli = await startTestCore({ face: 'cli', deps: { localOperator: 'maria' } });
    try {
      expect(await cli.dispatcher.dispatch('users.list', {}, { face: 'cli' })).toMatchObject({ ok: true });
      for (const face of ['headless', 'desktop'] as const) {
        expect(await cli.dispatcher.dispatch('users.list', {}, { face })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      }
      const row = cli.services.store.sqlite
        .prepare("SELECT actor_type, actor_id, actor_name, role, face, session_id FROM audit_log WHERE action = 'users.list' AND outcome = 'ok'")
        .get();
      expect(row).toEqual({ actor_type: 'cli', actor_id: null, actor_name: 'maria', role: null, face: 'cli', session_id: null });
    } finally {
      await cli.dispose();
    }

    // the faces that take requests never run on such a core; even told of an operator, theirs asks for a token
    const server = await startTestCore({ face: 'headless', deps: { localOperator: 'maria' } });
    try {
      expect(await server.dispatcher.dispatch('users.list', {}, { face: 'cli' })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    } finally {
      await server.dispose();
    }
  });
});
