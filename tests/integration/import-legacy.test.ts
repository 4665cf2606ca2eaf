import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupItem } from '../../shared/contract/backup.js';
import { importLegacy, problemLine, type LegacyReport } from '../../main/core/imports/legacy.js';
import { cliOrigin } from '../../main/cli/operator.js';
import type { TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { ADMIN_PASSWORD, fakeAuth, PASSPHRASE, startBackupCore } from '../support/backup.js';
import { REPO_ROOT, tempDir } from '../support/server.js';

const FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'legacy');
const BAD = join(REPO_ROOT, 'tests', 'fixtures', 'legacy-bad');

const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose().catch(() => undefined);
});

async function office(): Promise<TestCore> {
  const core = await startBackupCore();
  cores.push(core);
  fakeAuth(core);
  await doorAs(core, 'admin').ok('backup.settings.update', { passphrase: PASSPHRASE, password: ADMIN_PASSWORD });
  return core;
}

function run(core: TestCore, folder = FIXTURE, options: { dryRun?: boolean; countryCode?: string | null } = {}): Promise<LegacyReport> {
  return importLegacy({
    folder,
    dataDir: core.config.dataDir,
    databaseFile: core.config.databaseFile,
    dryRun: options.dryRun ?? false,
    countryCode: options.countryCode === undefined ? '55' : options.countryCode,
    now: new Date('2026-12-01T12:00:00Z'),
    actor: 'it-person',
    backup: async () => (await core.services.backups.create('pre-import', cliOrigin(), { reason: 'before the import' })).id,
    documents: core.services.documents.store,
  });
}

function rows<T = Record<string, unknown>>(core: TestCore, sql: string, ...params: unknown[]): T[] {
  return core.services.store.sqlite.prepare(sql).all(...params) as T[];
}

const OFFICE_TABLES = [
  'users',
  'clients',
  'matters',
  'matter_notes',
  'matter_history',
  'conversations',
  'conversation_messages',
  'bot_settings',
  'parties',
  'import_batches',
  'import_records',
  'matter_counters',
];

/** Every row of the office's tables, for comparing two states of the database. */
function snapshot(core: TestCore): Record<string, unknown[]> {
  return Object.fromEntries(OFFICE_TABLES.map((t) => [t, rows(core, `SELECT * FROM ${t} ORDER BY 1, 2`)]));
}

function folderHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('lexdesk import legacy', () => {
  it('imports the old bot folder faithfully, keeps the originals and a backup, then imports nothing twice', async () => {
    const core = await office();
    const before = folderHashes(FIXTURE);
    const report = await run(core);
    expect(report.problems.map(problemLine)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.users.imported).toBe(4);
    expect(report.counts.clients.imported).toBe(4);
    expect(report.counts.matters.imported).toBe(4);
    expect(report.counts.notes.imported).toBe(2);
    expect(report.counts.messages.imported).toBe(6);
    expect(report.counts.conversations.imported).toBe(3);
    expect(report.counts.documents.imported).toBe(1);
    // the source folder is only read
    expect(folderHashes(FIXTURE)).toEqual(before);

    // the originals, byte for byte, read-only, with their hashes in the report and the batch
    expect(report.keptIn).toContain(join(core.config.dataDir, 'imports'));
    expect(folderHashes(report.keptIn!)).toEqual(before);
    expect(statSync(join(report.keptIn!, 'clients.json')).mode & 0o222).toBe(0);
    const clientsFile = report.files.find((f) => f.name === 'clients.json')!;
    expect(clientsFile).toMatchObject({ encoding: 'windows-1252', sha256: before['clients.json'] });
    expect(report.files.find((f) => f.name === 'settings.json')!.encoding).toBe('utf-8-bom');
    const [batch] = rows<{ files: string; counts: string; backup_id: string }>(core, 'SELECT * FROM import_batches');
    expect(JSON.parse(batch!.files).map((f: { sha256: string }) => f.sha256)).toContain(before['clients.json']);
    expect(JSON.parse(batch!.counts)).toMatchObject({ clients: 4, messages: 6 });

    // the verified backup made before anything changed
    const backup = (await doorAs(core, 'admin').ok<{ backups: BackupItem[] }>('backup.list')).backups.find((b) => b.id === report.backupId);
    expect(backup).toMatchObject({ kind: 'pre-import', status: 'verified' });

    // users: roles mapped, bcrypt kept behind the legacy mark, plain text never kept
    const users = rows<{ username: string; role: string; password_hash: string; must_change_password: number; disabled: number; created_at: string }>(
      core,
      'SELECT * FROM users ORDER BY username',
    );
    expect(users.map((u) => [u.username, u.role, u.disabled, u.must_change_password])).toEqual([
      ['ana', 'admin', 0, 0],
      ['bruno', 'lawyer', 0, 0],
      ['carla', 'assistant', 0, 1],
      ['davi', 'assistant', 1, 0],
    ]);
    expect(users[0]!.password_hash).toMatch(/^legacy-bcrypt:\$2b\$06\$/);
    expect(users[2]!.password_hash).not.toContain('1234');
    expect(report.mapping.passwordsReset).toEqual(['carla']);
    // DD/MM/YYYY HH:mm is the office's local time (São Paulo, UTC-3)
    expect(users[2]!.created_at).toBe('2020-06-05T12:30:00.000Z');
    expect(users[1]!.created_at).toBe(new Date(1552000000000).toISOString());

    // clients: Windows-1252 read right, numbers as WhatsApp ids with the office's country code, unknown fields kept
    const clients = rows<{ id: number; name: string; whatsapp: string; created_at: string }>(core, 'SELECT * FROM clients ORDER BY id');
    expect(clients.map((c) => [c.name, c.whatsapp])).toEqual([
      ['José Núñez García', '5511987654321'],
      ['Construtora Horizonte Ltda', '5511912345678'],
      ['Márcia Conceição', '5521987651234'],
      ['Fábio Araújo', 'none:13'],
    ]);
    expect(clients[0]!.created_at).toBe('2019-04-10T17:30:00.000Z');
    const [joseRecord] = rows<{ extra: string }>(core, "SELECT extra FROM import_records WHERE kind = 'client' AND legacy_id = '10'");
    expect(JSON.parse(joseRecord!.extra)).toEqual({
      email: 'jose@example.com',
      document: '123.456.789-00',
      consent: { acceptedAt: '10/04/2019 14:31', version: 'v1' },
      vip: true,
    });

    // matters: statuses mapped, the reference kept when free, areas added to the office's list
    const matters = rows<{ reference: string; status: string; practice_area: string; opposing_party: string | null; deadline: string | null; deadline_date: string | null; description: string }>(
      core,
      'SELECT * FROM matters ORDER BY id',
    );
    expect(matters.map((m) => [m.status, m.practice_area, m.opposing_party])).toEqual([
      ['active', 'Família', 'Acme Ltda'],
      ['intake', 'Trabalhista', 'Pedro Alves'],
      ['closed', 'Previdenciário', null],
      ['waiting_client', 'Consumidor', 'Banco Central do Brasil'],
    ]);
    expect(matters[0]!.reference).toBe('2019-114');
    expect(matters[1]!.reference).toMatch(/^2019-\d{4}$/);
    expect(report.notes.join('\n')).toContain(`reference "2019-114" is already used: the matter is ${matters[1]!.reference}`);
    expect(matters[0]).toMatchObject({ deadline: '30/06/2019 18:00', deadline_date: '2019-06-30', description: 'Divórcio\n\nDivórcio consensual, partilha de bens.' });
    expect(matters[1]).toMatchObject({ deadline: 'next friday', deadline_date: null });
    expect(report.mapping.areasAdded).toEqual(['Previdenciário']);
    expect(core.services.bot.settings.get().practiceAreas).toEqual(expect.arrayContaining(['Família', 'Trabalhista', 'Previdenciário']));
    const parties = rows<{ name: string; role: string; matter_reference: string }>(core, 'SELECT * FROM parties');
    expect(parties).toMatchObject([{ name: 'Metalúrgica Sul S.A.', role: 'adverse_party', matter_reference: matters[1]!.reference }]);
    const notes = rows<{ author_name: string; author_id: string | null; text: string }>(core, 'SELECT * FROM matter_notes ORDER BY id');
    expect(notes.map((n) => [n.author_name, n.author_id !== null])).toEqual([
      ['Bruno Costa', true],
      ['someone-gone', false],
    ]);

    // settings
    core.services.bot.settings.invalidate();
    const settings = core.services.bot.settings.get();
    expect(settings.profile.name).toBe('Silva & Associados');
    expect(settings.hours.timeZone).toBe('America/Sao_Paulo');
    expect(settings.texts[settings.behaviour.language]?.greeting).toBe('Olá! Bem-vindo ao escritório Silva & Associados.');
    expect(report.notes.join('\n')).toMatch(/officeHours .* free text/);
    expect(report.notes.join('\n')).toMatch(/not imported .*botToken/);
    expect(report.notes.join('\n')).toMatch(/stats\.json is not part/);

    // conversations: one per number, with the client, staff author, media name, fromMe as out
    const thread = rows<{ direction: string; author: string; author_name: string | null; text: string; file_name: string | null }>(
      core,
      `SELECT m.* FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.chat_id = '5511987654321@c.us' ORDER BY m.at`,
    );
    expect(thread.map((m) => [m.direction, m.author, m.author_name, m.file_name])).toEqual([
      ['in', 'client', null, null],
      ['out', 'bot', null, null],
      ['out', 'staff', 'Bruno Costa', null],
      ['in', 'client', null, 'contrato.pdf'],
    ]);
    const conv = rows<{ id: number; client_id: number | null; last_activity_at: string }>(core, `SELECT * FROM conversations WHERE chat_id = '5511987654321@c.us'`)[0]!;
    // the message's file (media/contrato.pdf) is in the document store, the client's, in that conversation
    const [doc] = rows<{ id: number; sha256: string; source: string; detected_type: string; client_id: number; conversation_id: number; file_name: string }>(
      core,
      'SELECT d.* FROM documents d JOIN conversation_messages m ON m.document_id = d.id',
    );
    const pdf = readFileSync(join(FIXTURE, 'media', 'contrato.pdf'));
    expect(doc).toMatchObject({ source: 'client', detected_type: 'application/pdf', client_id: clients[0]!.id, conversation_id: conv.id, file_name: 'contrato.pdf' });
    expect(doc!.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect((await core.services.documents.store.readAll(doc!.id)).data.equals(pdf)).toBe(true);
    expect(conv.client_id).toBe(clients[0]!.id);
    expect(conv.last_activity_at).toBe('2019-04-10T17:40:00.000Z');

    // again: nothing doubled
    const state = snapshot(core);
    const again = await run(core);
    expect(again.ok).toBe(true);
    expect(again.alreadyImported).toBe(4 + 4 + 4 + 6 + 1);
    expect(Object.values(again.counts).reduce((n, c) => n + c.imported, 0)).toBe(0);
    const after = snapshot(core);
    expect(after.import_batches).toHaveLength(2);
    for (const t of OFFICE_TABLES.filter((t) => t !== 'import_batches')) expect(after[t], t).toEqual(state[t]);
    expect(rows(core, 'SELECT id FROM documents')).toHaveLength(1);
  });

  it('an imported bcrypt password signs in with the same password and becomes a LexDesk hash; a plain one does not sign in', async () => {
    const core = await office();
    await run(core);
    const login = (username: string, password: string) => core.dispatcher.dispatch('auth.login', { username, password, deviceName: 'test' }, { face: 'headless' });
    expect((await login('ana', 'wrong password here')).ok).toBe(false);
    const ok = await login('ana', 'correct horse 1');
    expect(ok.ok).toBe(true);
    const [ana] = rows<{ password_hash: string }>(core, "SELECT password_hash FROM users WHERE username = 'ana'");
    expect(ana!.password_hash).toMatch(/^\$2[ab]\$04\$/);
    expect((await login('ana', 'correct horse 1')).ok).toBe(true);
    expect((await login('bruno', 'Lawyer pass 2')).ok).toBe(true);
    expect((await login('carla', '1234')).ok).toBe(false);
  });

  it('a dry run reports what it would import and the mapping, and changes nothing', async () => {
    const core = await office();
    const state = snapshot(core);
    const report = await run(core, FIXTURE, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, ok: true, keptIn: null, backupId: null, batchId: null });
    expect(report.counts.clients.imported).toBe(4);
    expect(report.counts.documents.imported).toBe(1);
    expect(report.mapping.roles).toMatchObject({ attorney: 'lawyer', secretary: 'assistant' });
    expect(report.mapping.statuses).toMatchObject({ new: 'intake', in_progress: 'active' });
    expect(snapshot(core)).toEqual(state);
    expect(readdirSync(core.config.dataDir)).not.toContain('imports');
  });

  it("takes the messages' files that are in the folder, notes the missing and refused ones, and refuses a path that leaves the folder", async () => {
    const core = await office();
    const folder = tempDir('lexdesk-legacy-media-');
    cpSync(FIXTURE, folder, { recursive: true });
    writeFileSync(join(folder, 'media', 'tool.sh'), '#!/bin/sh\necho hi\n');
    const messages = JSON.parse(readFileSync(join(FIXTURE, 'messages.json'), 'utf8')) as Record<string, unknown>[];
    const extra = (id: string, path: string, fileName: string) => ({ id, chat: '5511987654321', direction: 'in', body: '', timestamp: '2019-05-01T10:00:00Z', media: { fileName, mimetype: 'application/octet-stream', path } });
    writeFileSync(join(folder, 'messages.json'), JSON.stringify([...messages, extra('m-gone', 'media/apagado.jpg', 'apagado.jpg'), extra('m-tool', 'media/tool.sh', 'tool.sh')]));
    const report = await run(core, folder);
    expect(report.problems.map(problemLine)).toEqual([]);
    expect(report.counts.documents.imported).toBe(1);
    expect(report.notes.join('\n')).toContain("1 file named in messages.json is not in the folder (media/apagado.jpg): those messages keep only the file's name.");
    expect(report.notes.join('\n')).toMatch(/messages\.json #\d+: media\/tool\.sh was not kept: LexDesk does not keep or send programs and scripts/);
    expect(rows(core, "SELECT file_name FROM conversation_messages WHERE file_name IN ('apagado.jpg', 'tool.sh') AND document_id IS NULL")).toHaveLength(2);

    const outside = tempDir('lexdesk-legacy-outside-');
    cpSync(FIXTURE, outside, { recursive: true });
    writeFileSync(join(outside, 'messages.json'), JSON.stringify([extra('m-out', '../../etc/passwd', 'passwd')]));
    const refused = await run(core, outside);
    expect(refused.ok).toBe(false);
    expect(refused.problems.map(problemLine)).toEqual(['messages.json #1: media.path "../../etc/passwd" points outside the folder']);
  });

  it('refuses a folder with bad records, naming file, record and field, and leaves the database as it was', async () => {
    const core = await office();
    const state = snapshot(core);
    const report = await run(core, BAD);
    expect(report.ok).toBe(false);
    const lines = report.problems.map(problemLine);
    expect(lines).toEqual(
      expect.arrayContaining([
        'users.json #2: username "maria" differs only in case from the username of record #1',
        expect.stringMatching(/^users\.json #3: role "intern" is not a role/),
        'clients.json #2: id 1 appears twice in clients.json',
        'clients.json #3: name has no name',
        expect.stringMatching(/^clients\.json #4: phone "12345" is not a phone number/),
        'clients.json #5: phone +55 11 90000-0001 is also the number of client 1 in clients.json',
        'cases.json #2: clientId 88 is not in clients.json',
        expect.stringMatching(/^cases\.json #3: status "archived" is not a status/),
        'cases.json #4: createdAt "31/02/2020 10:00" is not a real date (DD/MM/YYYY HH:mm)',
        expect.stringMatching(/^messages\.json: the file is cut short or damaged after record #1/),
      ]),
    );
    // nothing half-imported; the originals and the backup were still made first
    const now = snapshot(core);
    for (const t of OFFICE_TABLES) expect(now[t], t).toEqual(state[t]);
  });

  it('says so for an empty file, a file that is not an array, a missing clients.json and numbers without a country code', async () => {
    const core = await office();
    const dir = tempDir();
    writeFileSync(join(dir, 'clients.json'), '');
    writeFileSync(join(dir, 'cases.json'), '{"id": 1}');
    let report = await run(core, dir, { dryRun: true });
    expect(report.problems.map(problemLine)).toEqual([
      'clients.json: the file is empty (a file with no records holds [])',
      'cases.json: the file must hold one JSON array of records ([ {…}, {…} ])',
    ]);

    const empty = tempDir();
    report = await run(core, empty, { dryRun: true });
    expect(report.problems.map(problemLine)).toEqual(["clients.json: is missing: the old bot always writes it (is this the right folder?)"]);

    const local = tempDir();
    writeFileSync(join(local, 'clients.json'), JSON.stringify([{ id: 1, name: 'Ana', phone: '11987654321' }]));
    report = await run(core, local, { dryRun: true, countryCode: null });
    expect(report.problems.map(problemLine)).toEqual([
      'clients.json #1: phone "11987654321" has no country code; run the import with --country-code (e.g. --country-code 55)',
    ]);
  });

  it('restoring the backup made before the import brings back the exact prior state', async () => {
    const core = await office();
    const state = snapshot(core);
    const report = await run(core);
    expect(report.ok).toBe(true);
    expect(snapshot(core).clients).toHaveLength(4);
    const counters = snapshot(core).matter_counters;
    await core.services.backups.restore(report.backupId!, cliOrigin());
    // matter references never go backwards (backup/after-restore.ts): the imported ones stay taken
    const { matter_counters: after, ...rest } = snapshot(core);
    const { matter_counters: _before, ...restBefore } = state;
    expect(rest).toEqual(restBefore);
    expect(after).toEqual(counters);
  });

  it('streams a large messages file: a process whose heap is smaller than the file imports it', async () => {
    const core = await office();
    const dir = tempDir();
    cpSync(join(FIXTURE, 'clients.json'), join(dir, 'clients.json'));
    const count = 60_000;
    const file = join(dir, 'messages.json');
    writeFileSync(file, '[');
    const body = 'Bom dia, segue a atualização do processo com os documentos pedidos. '.repeat(3);
    let chunk = '';
    for (let i = 0; i < count; i++) {
      chunk += `${i ? ',' : ''}{"id":"m${i}","chat":"5511987654321@c.us","direction":"${i % 2 ? 'out' : 'in'}","body":"${body}${i}","timestamp":${1554917400000 + i * 1000}}`;
      if (chunk.length > 1 << 20) {
        appendFileSync(file, chunk);
        chunk = '';
      }
    }
    appendFileSync(file, `${chunk}]`);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(17 * 1024 * 1024);
    // read whole, the text alone (two bytes a character, with its accents) would be twice the file: over the 24 MB cap, before its objects
    const child = spawnSync(
      process.execPath,
      ['--max-old-space-size=24', '--import', 'tsx', join(REPO_ROOT, 'tests', 'support', 'import-child.ts'), core.config.databaseFile, core.config.dataDir, dir],
      { encoding: 'utf8', cwd: REPO_ROOT, timeout: 170_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout) as { ok: boolean; counts: LegacyReport['counts']; problems: unknown[] };
    expect(result.problems).toEqual([]);
    expect(result.counts.messages.imported).toBe(count);
  }, 180_000);
});
