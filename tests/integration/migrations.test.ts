import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../main/core/app.js';
import { loadConfig } from '../../main/core/config.js';
import { MIGRATION_NAMES, SCHEMA_VERSION, SchemaTooNewError } from '../../main/core/db/migrate.js';
import { silentLogger } from '../../main/core/log.js';
import { startTestCore } from '../support/core.js';
import { tempDir } from '../support/server.js';

describe('database and migrations', () => {
  it('creates a WAL database with every migration applied and the schema version set', async () => {
    const core = await startTestCore();
    const sqlite = core.services.store.sqlite;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const applied = sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[];
    expect(applied.map((r) => r.name)).toEqual(MIGRATION_NAMES);
    await core.dispose();
  });

  it('leaves a file that the sqlite3 shell finds intact after a clean stop', async () => {
    const dataDir = tempDir();
    const core = await startTestCore({ dataDir });
    await core.stop();
    const out = execFileSync('sqlite3', [join(dataDir, 'lexdesk.sqlite'), 'PRAGMA integrity_check; PRAGMA user_version;'], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['ok', String(SCHEMA_VERSION)]);
  });

  it('starts twice on the same folder without re-running migrations', async () => {
    const dataDir = tempDir();
    const first = await startTestCore({ dataDir });
    await first.stop();
    const second = await startTestCore({ dataDir });
    const rows = second.services.store.sqlite.prepare('SELECT COUNT(*) AS n FROM kysely_migration').get() as { n: number };
    expect(rows.n).toBe(MIGRATION_NAMES.length);
    await second.stop();
  });

  it('refuses a database written by a newer schema and does not modify it', async () => {
    const dataDir = tempDir();
    const first = await startTestCore({ dataDir });
    await first.stop();
    const file = join(dataDir, 'lexdesk.sqlite');
    // what a newer LexDesk would have left: one more migration and a higher version
    const newer = new Database(file);
    newer.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')").run();
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.pragma('wal_checkpoint(TRUNCATE)');
    newer.close();
    const before = readFileSync(file);

    const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_WHATSAPP: 'simulator' }, envFile: null });
    const core = createCore(config, { log: silentLogger });
    const error = await core.start().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toMatch(/written by a newer LexDesk/);
    expect((error as Error).message).toMatch(/not changed/);
    expect(core.running).toBe(false);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
