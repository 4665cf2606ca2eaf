import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../main/core/db/migrate.js';
import { exportAll, listExport, type ExportManifest } from '../../main/core/imports/export.js';
import { importLegacy } from '../../main/core/imports/legacy.js';
import { cliOrigin } from '../../main/cli/operator.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('lexdesk export all', () => {
  it('writes every record as JSON Lines, CSV summaries and the documents as files, with a manifest of hashes; read back, it is the database', async () => {
    const core = await startBackupCore();
    cores.push(core);
    fakeAuth(core);
    await doorAs(core, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
    const report = await importLegacy({
      folder: join(REPO_ROOT, 'tests', 'fixtures', 'legacy'),
      dataDir: core.config.dataDir,
      databaseFile: core.config.databaseFile,
      dryRun: false,
      countryCode: '55',
      now: new Date(),
      actor: 'it',
      backup: async () => (await core.services.backups.create('pre-import', cliOrigin())).id,
    });
    expect(report.ok).toBe(true);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const matterId = (core.services.store.sqlite.prepare("SELECT id FROM matters WHERE reference = '2019-114'").get() as { id: number }).id;
    const doc = await core.services.documents.store.ingest(pdf, { fileName: 'procuração: cópia.pdf', declaredType: 'application/pdf' }, { source: 'staff', matterId, createdBy: 'ana' });

    const out = tempDir();
    const { dir, manifest } = await exportAll({
      folder: out,
      databaseFile: core.config.databaseFile,
      documents: core.services.documents.store,
      now: new Date('2026-12-01T12:00:00Z'),
      appVersion: 'test',
      schemaVersion: SCHEMA_VERSION,
    });
    expect(dir).toBe(join(out, 'lexdesk-export-2026-12-01T12-00-00Z'));

    // the manifest on disk is the one returned; it names every file, with its true size and hash
    const onDisk = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(onDisk).toEqual(manifest);
    expect(await listExport(dir)).toEqual([...manifest.files.map((f) => f.path), 'manifest.json'].sort());
    for (const f of manifest.files) {
      expect(sha(join(dir, f.path)), f.path).toBe(f.sha256);
      expect(statSync(join(dir, f.path)).size, f.path).toBe(f.bytes);
    }

    // read back, each file is its table
    const db = core.services.store.sqlite;
    const pairs: [string, string][] = [
      ['clients.jsonl', 'SELECT * FROM clients ORDER BY id'],
      ['matters.jsonl', 'SELECT * FROM matters ORDER BY id'],
      ['matter_notes.jsonl', 'SELECT * FROM matter_notes ORDER BY id'],
      ['conversations.jsonl', 'SELECT * FROM conversations ORDER BY id'],
      ['messages.jsonl', 'SELECT * FROM conversation_messages ORDER BY id'],
      ['documents.jsonl', 'SELECT * FROM documents ORDER BY id'],
      ['parties.jsonl', 'SELECT * FROM parties ORDER BY id'],
    ];
    for (const [file, sql] of pairs) expect(jsonl(join(dir, file)), file).toEqual(db.prepare(sql).all());
    expect(manifest.counts).toMatchObject({ clients: 4, matters: 4, matter_notes: 2, messages: 6, documents: 1, parties: 1 });

    // the document, byte for byte, under a name that stays in the folder
    expect(readFileSync(join(dir, 'documents', `${doc.id}-${doc.file_name.replace(/[\\/:*?"<>|]/g, '_')}`))).toEqual(pdf);

    // the CSV summaries open in a spreadsheet: BOM, a header, one row per record, accents intact
    const clientsCsv = readFileSync(join(dir, 'clients.csv'), 'utf8');
    expect(clientsCsv.startsWith('\uFEFFid,name,whatsapp,created_at,matters\n')).toBe(true);
    expect(clientsCsv).toContain('José Núñez García,5511987654321');
    expect(clientsCsv.trim().split('\n')).toHaveLength(5);
    expect(readFileSync(join(dir, 'matters.csv'), 'utf8')).toContain('2019-114,José Núñez García,Família,active,Acme Ltda');
  });
});
