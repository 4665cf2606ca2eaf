import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPERATION_NAMES, operations, sensitive, withoutSensitive } from '../../shared/contract/index.js';
import { isSecretField, REDACTED, redact } from '../../main/core/audit/redact.js';
import { verifyChain } from '../../main/core/audit/verify.js';
import { startTestCore } from '../support/core.js';
import { tempDir } from '../support/server.js';

function rows(core: Awaited<ReturnType<typeof startTestCore>>, action?: string) {
  const all = core.services.store.sqlite.prepare('SELECT * FROM audit_log ORDER BY id').all() as Record<string, unknown>[];
  return action ? all.filter((r) => r.action === action) : all.filter((r) => !String(r.action).startsWith('system.st'));
}

describe('the audit trail', () => {
  it('records a call to an unknown operation and an invalid input, through the real door', async () => {
    const core = await startTestCore();
    await core.dispatcher.dispatch('no.such.thing', { password: 'hunter2hunter2' }, { face: 'headless', address: '127.0.0.1' });
    await core.dispatcher.dispatch('system.info', { stray: 1 }, { face: 'desktop' });
    const [unknown, invalid] = rows(core);
    expect(unknown).toMatchObject({ action: 'no.such.thing', outcome: 'error', error_code: 'not_found', actor_type: 'anonymous', address: '127.0.0.1', face: 'headless' });
    // an unknown operation has no schema to say what is safe: its input is not kept at all
    expect(JSON.parse(String(unknown!.details))).toEqual({});
    expect(invalid).toMatchObject({ action: 'system.info', outcome: 'invalid', error_code: 'invalid_input', face: 'desktop' });
    await core.dispose();
  });

  it('chains every row to the previous one, and verification says intact', async () => {
    const core = await startTestCore();
    for (let i = 0; i < 20; i++) {
      core.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.tick', outcome: 'ok', details: { i } });
    }
    const all = core.services.store.sqlite.prepare('SELECT * FROM audit_log ORDER BY id').all() as Record<string, unknown>[];
    expect(all[0]).toMatchObject({ action: 'system.started', prev_hash: '0'.repeat(64) });
    for (let i = 1; i < all.length; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash);
    expect(verifyChain(core.services.store)).toMatchObject({ intact: true, rows: 21 });
    await core.dispose();
  });

  it('refuses UPDATE and DELETE in the database itself', async () => {
    const core = await startTestCore();
    core.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.tick', outcome: 'ok' });
    const sqlite = core.services.store.sqlite;
    expect(() => sqlite.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    await core.dispose();
  });

  it('names the row an attacker with the file edited, and notices a row deleted from the middle', async () => {
    const dataDir = tempDir();
    const core = await startTestCore({ dataDir });
    for (let i = 0; i < 10; i++) {
      core.services.audit.append({ actor: { type: 'system' }, face: 'scheduler', action: 'test.tick', outcome: 'ok', details: { amount: 100 + i } });
    }
    const file = core.config.databaseFile;
    const idOf = (amount: number) =>
      (rows(core, 'test.tick').find((r) => JSON.parse(String(r.details)).amount === amount)!.id as number);
    const edited = idOf(103);
    const deleted = idOf(106);
    await core.stop();

    // the attacker drops the triggers and changes one byte of row 4's details
    const attacker = new Database(file);
    attacker.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    attacker.prepare("UPDATE audit_log SET details = replace(details, '103', '903') WHERE id = ?").run(edited);
    attacker.close();
    const reopened = await startTestCore({ dataDir });
    expect(verifyChain(reopened.services.store)).toMatchObject({ intact: false, brokenAt: edited, reason: 'hash' });
    await reopened.stop();

    const second = new Database(file);
    second.prepare("UPDATE audit_log SET details = replace(details, '903', '103') WHERE id = ?").run(edited);
    second.prepare('DELETE FROM audit_log WHERE id = ?').run(deleted);
    second.close();
    const again = await startTestCore({ dataDir });
    expect(verifyChain(again.services.store)).toMatchObject({ intact: false, brokenAt: deleted + 1, reason: 'gap' });
    await again.stop();
  });

  it('keeps secrets and message bodies out of every operation\'s recorded input', () => {
    const secretish = {
      password: 'p4ssw0rd-long-enough',
      current: 'x',
      next: 'y',
      newPassword: 'z',
      passphrase: 'correct horse',
      token: 't',
      refreshToken: 'r',
      accessToken: 'a',
      code: '123456',
      setupCode: '654321',
      text: 'my husband hits me',
      body: 'confidential',
      apiKey: 'k',
      nested: { password: 'deep', list: [{ token: 'in-list' }] },
    };
    for (const name of OPERATION_NAMES) {
      const out = JSON.stringify(redact({ input: withoutSensitive(operations[name].input, secretish) }));
      for (const secret of ['p4ssw0rd', 'correct horse', 'my husband', 'confidential', 'in-list', 'deep', '123456', '654321']) {
        expect(out, `${name} leaks "${secret}"`).not.toContain(secret);
      }
    }
  });

  it('redacts every field the contract marks sensitive, whatever its name', () => {
    const schema = z.object({ current: sensitive(z.string()), next: sensitive(z.string().optional()), note: z.string() });
    expect(withoutSensitive(schema, { current: 'old-secret', next: 'new-secret', note: 'hello' })).toEqual({
      current: REDACTED,
      next: REDACTED,
      note: 'hello',
    });
    for (const name of OPERATION_NAMES) {
      const shape = (operations[name].input as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      const input = Object.fromEntries(Object.keys(shape).map((key) => [key, `MARK-${key}-MARK`]));
      const kept = JSON.stringify(redact(withoutSensitive(operations[name].input, input)));
      for (const key of Object.keys(shape)) {
        const field = shape[key] as z.ZodType;
        const marked = JSON.stringify(withoutSensitive(z.object({ f: field }), { f: 'x' })).includes(REDACTED);
        if (marked || isSecretField(key)) expect(kept, `${name}.${key}`).not.toContain(`MARK-${key}-MARK`);
      }
    }
  });
});
