import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { importParties, previewParties } from '../../main/core/imports/parties.js';
import { problemLine } from '../../main/core/imports/legacy.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';


const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function office(): Promise<TestCore> {
  const core = await startTestCore({ env: FAST_SENDS });
  cores.push(core);
  return core;
}

function load(core: TestCore, path: string, options: { dryRun?: boolean; map?: Record<string, 'name' | 'role' | 'matter'> } = {}) {
  return importParties({
    path,
    name: path.split('/').pop()!,
    databaseFile: core.config.databaseFile,
    dryRun: options.dryRun ?? false,
    now: new Date('2026-12-01T12:00:00Z'),
    actor: 'it',
    file: { map: options.map },
  });
}

const count = (core: TestCore) => (core.services.store.sqlite.prepare('SELECT count(*) AS n FROM parties').get() as { n: number }).n;

// an office's spreadsheet, saved by Excel in Portuguese: semicolons, Windows-1252, a quoted field over two lines
const SPREADSHEET = [
  'Nome;Papel;Processo;Apelidos;CNPJ;E-mail;Observação',
  'Acme Ltda;adverse party;2019-114;Acme Comércio|ACME do Brasil;12.345.678/0001-90;juridico@acme.example;"devedor, ver\nprocesso antigo"',
  'José Pereira;former client;2017-002;;;jose@example.com;',
  'Maria Souza;witness;2019-114;;;;',
  '"Construtora ""Alfa"" S.A.";related party;;Alfa;;;',
].join('\r\n');

describe('lexdesk import parties', () => {
  it('maps a semicolon CSV from Excel by its headers, shows its first rows, imports it once, and again imports nothing twice', async () => {
    const core = await office();
    const file = join(tempDir(), 'partes.csv');
    writeFileSync(file, Buffer.from(SPREADSHEET, 'latin1'));

    const preview = await previewParties(file, 'partes.csv');
    expect(preview.file.encoding).toBe('windows-1252');
    expect(preview.mapping).toEqual({ name: 'Nome', role: 'Papel', matter: 'Processo', aliases: 'Apelidos', taxId: 'CNPJ', email: 'E-mail' });
    expect(preview.rows[0]).toEqual({
      name: 'Acme Ltda',
      role: 'adverse_party',
      matter: '2019-114',
      aliases: ['Acme Comércio', 'ACME do Brasil'],
      taxId: '12345678000190',
      email: 'juridico@acme.example',
      phone: null,
    });
    expect(preview.rows.map((r) => r.name)).toEqual(['Acme Ltda', 'José Pereira', 'Maria Souza', 'Construtora "Alfa" S.A.']);

    const report = await load(core, file);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, imported: 4, already: 0, byRole: { adverse_party: 1, former_client: 1, witness: 1, related_party: 1 } });
    const acme = core.services.store.sqlite.prepare("SELECT * FROM parties WHERE name = 'Acme Ltda'").get() as { name_key: string; aliases: string };
    expect(acme.name_key.split('\n')).toEqual(['acme', 'acme comercio', 'acme brasil']);
    // the unmapped column is kept with the record
    const extra = core.services.store.sqlite.prepare("SELECT extra FROM import_records WHERE kind = 'party' AND extra IS NOT NULL").pluck().get() as string;
    expect(JSON.parse(extra)).toEqual({ Observação: 'devedor, ver\nprocesso antigo' });

    const again = await load(core, file);
    expect(again).toMatchObject({ ok: true, imported: 0, already: 4 });
    expect(count(core)).toBe(4);
  });

  it('refuses the whole file over one bad row, naming row and column, and a file whose columns it cannot place', async () => {
    const core = await office();
    const dir = tempDir();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'name,role,email\nAna Lima,client,ana@example.com\nBeto,enemy,\n,witness,\nCaio,client,not-an-email\n');
    const report = await load(core, bad);
    expect(report.ok).toBe(false);
    expect(report.problems.map(problemLine)).toEqual([
      'bad.csv #2: role "enemy" is not a role (client, former client, adverse party, related party, witness)',
      'bad.csv #3: name is empty: every party needs a name',
      'bad.csv #4: email "not-an-email" is not an email address',
    ]);
    expect(count(core)).toBe(0);

    const odd = join(dir, 'odd.csv');
    writeFileSync(odd, 'Quem,Como\nAna,client\n');
    expect((await load(core, odd)).problems.map(problemLine)[0]).toMatch(/^odd\.csv: no column holds the names \(columns: Quem, Como\)/);
    const mapped = await load(core, odd, { map: { Quem: 'name', Como: 'role' } });
    expect(mapped).toMatchObject({ ok: true, imported: 1 });

    const truncated = join(dir, 'cut.csv');
    writeFileSync(truncated, 'name,role\nAna,client\n"Beto,client\n');
    const cut = await load(core, truncated);
    expect(cut.ok).toBe(false);
    expect(cut.problems.map(problemLine)[0]).toMatch(/^cut\.csv: row \d+ cannot be read as CSV/);
    expect(count(core)).toBe(1);
  });

  it('indexes a whole batch for the trigram search at once, leaves no batch deferred, and still indexes parties added one by one', async () => {
    const core = await office();
    const db = core.services.store.sqlite;
    const file = join(tempDir(), 'many.csv');
    const rows = Array.from({ length: 500 }, (_, i) => `Ramotilu${i} Construtora Ltda,adverse party,2020-${i}`);
    writeFileSync(file, ['name,role,matter', ...rows].join('\n'));
    expect(await load(core, file)).toMatchObject({ ok: true, imported: 500 });
    const fts = db.prepare('SELECT p.name FROM parties_fts f JOIN parties p ON p.id = f.rowid WHERE parties_fts MATCH ?').pluck();
    expect(fts.all('"ramotilu499"')).toEqual(['Ramotilu499 Construtora Ltda']);
    expect(fts.all('"construtora"')).toHaveLength(500);
    expect(db.prepare("INSERT INTO parties_fts (parties_fts, rank) VALUES ('integrity-check', 1)").run().changes).toBeGreaterThanOrEqual(0);
    expect(db.prepare('SELECT count(*) FROM parties_fts_deferred').pluck().get()).toBe(0);

    // a refused file leaves nothing behind, the marker included
    const bad = join(tempDir(), 'bad.csv');
    writeFileSync(bad, 'name,role\nZéfiro Bastos,adverse party\nBeto,enemy\n');
    expect((await load(core, bad)).ok).toBe(false);
    expect(fts.all('"zefiro"')).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM parties_fts_deferred').pluck().get()).toBe(0);

    // outside an import the trigger indexes each row as before
    db.prepare("INSERT INTO parties (name, name_key, role, created_at) VALUES ('Otília Quaresma', 'otilia quaresma', 'witness', '2026-01-01')").run();
    expect(fts.all('"quaresma"')).toEqual(['Otília Quaresma']);
  });

  it('takes a JSON list with aliases as a list', async () => {
    const core = await office();
    const file = join(tempDir(), 'parties.json');
    writeFileSync(file, JSON.stringify([{ name: 'Banco Sul', role: 'adverse_party', aliases: ['BS Bank'], matter: '2020-001', taxId: '99.888.777/0001-66' }]));
    const report = await load(core, file);
    expect(report).toMatchObject({ ok: true, imported: 1 });
  });

  it('an intake on WhatsApp whose client resembles an imported adverse party is flagged for a lawyer with the role and matter', async () => {
    const core = await office();
    for (let i = 0; i < 500 && core.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
    const admin = doorAs(core, 'admin');
    await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
    const file = join(tempDir(), 'partes.csv');
    writeFileSync(file, Buffer.from(SPREADSHEET, 'latin1'));
    expect((await load(core, file)).ok).toBe(true);

    const settled = async () => {
      for (let i = 0; i < 400; i++) {
        await core.services.bot.drained();
        if (core.services.whatsapp.outbox.depth() === 0) return;
        await sleep(10);
      }
    };
    let last = '';
    const say = async (text: string) => {
      await admin.ok('simulator.clientSend', { from: '5511955550000', name: 'Acme', text });
      await settled();
      const inbox = (await admin.ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: '5511955550000' })).messages;
      last = inbox.map((m) => m.text ?? '').join('\n');
    };
    for (const text of ['hello', '1', 'yes', 'ACME Comercio Ltda.', '5', 'A supplier did not deliver.', 'Jose Pereira', 'none', 'yes']) await say(text);
    const reference = /\*(\d{4}-\d{4,})\*/.exec(last)?.[1];
    expect(reference, last).toBeDefined();
    const id = (core.services.store.sqlite.prepare('SELECT id FROM matters WHERE reference = ?').get(reference) as { id: number }).id;
    const matter = await admin.ok<{ conflictState: string; conflicts: { direction: string; matchedName: string; matchedParty: { role: string; matterReference: string | null } | null }[] }>(
      'matters.get',
      { matterId: id },
    );
    expect(matter.conflictState).toBe('possible');
    expect(matter.conflicts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'client_is_opposing', matchedName: 'Acme Ltda', matchedParty: expect.objectContaining({ role: 'adverse_party', matterReference: '2019-114' }) }),
        expect.objectContaining({ direction: 'opposing_is_client', matchedName: 'José Pereira', matchedParty: expect.objectContaining({ role: 'former_client', matterReference: '2017-002' }) }),
      ]),
    );
    // the client is never told
    expect(last).not.toMatch(/possible conflict|Acme Ltda|adverse party|former client/i);
  });
});
