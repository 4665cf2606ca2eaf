/**
 * npm run bench:conflicts — the office's known parties in the conflict check.
 *
 * 1. Imports a CSV of 100,000 parties (names, roles, matters, aliases, tax ids)
 *    with `importParties`, as `lexdesk import parties` does (goal < 10 s), beside
 *    the same rows inserted raw on better-sqlite3 in one transaction (the trigram
 *    index written once at the end, as the import does).
 * 2. Grows the list to 200,000 parties, with 20,000 clients and matters on
 *    record, and times the conflict check of an intake (`findConflicts`: the
 *    client against adverse parties, the other party against clients; goal p50 <
 *    50 ms), beside one raw FTS5 trigram query on the parties index.
 *
 * Sizes can be lowered with BENCH_SCALE (e.g. BENCH_SCALE=0.1).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCore } from '../main/core/app.js';
import { findConflicts } from '../main/core/bot/conflicts.js';
import { nameKey, trigramQuery } from '../main/core/bot/names.js';
import { loadConfig } from '../main/core/config.js';
import { importParties, partyKeys, readParties, writeParties } from '../main/core/imports/parties.js';
import { silentLogger } from '../main/core/log.js';
import { ms, seeded, stats } from './bench-support.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const IMPORT_ROWS = Math.round(100_000 * SCALE);
const TOTAL_PARTIES = Math.round(200_000 * SCALE);
const CLIENTS = Math.round(20_000 * SCALE);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);

const FIRST = ['Ana', 'José', 'Maria', 'João', 'Zoë', 'Dmitri', 'Lucía', 'Chen', 'Fatima', 'Pedro', 'Olga', 'Rui', 'Bruno', 'Carla', 'Davi', 'Elisa'];
const LAST = ['Souza', 'Núñez', 'Silva', 'Costa', 'Müller', 'Ivanov', 'García', 'Wang', 'Haddad', 'Lima', 'Novak', 'Reis', 'Pereira', 'Alves', 'Rocha', 'Dias'];
const COMPANY = ['Construtora', 'Metalúrgica', 'Comércio', 'Transportes', 'Banco', 'Seguros', 'Farmácia', 'Padaria', 'Imobiliária', 'Têxtil'];
const SUFFIX = ['Ltda', 'S.A.', 'ME', 'EIRELI', 'Ltd', 'GmbH'];
const ROLES = ['client', 'former client', 'adverse party', 'related party', 'witness'];

const { rand, pick } = seeded(7);
const syllables = ['ra', 'mo', 'ti', 'lu', 'ze', 'ka', 'no', 'vi', 'sa', 'be', 'do', 'fe'];
const word = () => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(syllables)).join('');
const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

function partyName(): string {
  if (rand() < 0.35) return `${pick(COMPANY)} ${cap(word())} ${pick(SUFFIX)}`;
  return `${pick(FIRST)} ${cap(word())} ${pick(LAST)}`;
}


async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-conflicts-'));
  try {
    const config = loadConfig({
      face: 'headless',
      env: { LEXDESK_DATA_DIR: dir, LEXDESK_BCRYPT_COST: '4', LEXDESK_WHATSAPP: 'simulator', LEXDESK_MONITORING_INTERVAL: '3600' },
      envFile: null,
    });
    const core = createCore(config, { log: silentLogger });
    await core.start();
    const store = core.services.store;

    // ---- 1. the import of a CSV of 100,000 rows
    const csv = join(dir, 'parties.csv');
    const out = createWriteStream(csv);
    out.write('name;role;matter;aliases;tax id;email\n');
    const rows: string[][] = [];
    for (let i = 0; i < IMPORT_ROWS; i++) {
      const name = partyName();
      const row = [name, pick(ROLES), `${2000 + (i % 25)}-${String(i % 9999).padStart(4, '0')}`, rand() < 0.2 ? `${cap(word())} ${pick(SUFFIX)}` : '', String(10_000_000_000 + i), `p${i}@example.com`];
      rows.push(row);
      if (!out.write(`${row.map((v) => (v.includes(';') ? `"${v}"` : v)).join(';')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    let t = performance.now();
    const report = await importParties({ path: csv, name: 'parties.csv', databaseFile: config.databaseFile, dryRun: false, now: new Date(), actor: 'bench' });
    const importMs = performance.now() - t;
    if (!report.ok) throw new Error(`import refused: ${JSON.stringify(report.problems.slice(0, 3))}`);

    // the two phases on their own (the Import screen runs them in the app): the streamed read, then the one transaction,
    // which is how long the event loop is held (rolled back, so the file is new again)
    t = performance.now();
    const parsed = await readParties(csv, 'parties.csv');
    const readMs = performance.now() - t;
    t = performance.now();
    store.sqlite.exec('BEGIN');
    writeParties(store.sqlite, { ...parsed, rows: parsed.rows.map((r) => ({ ...r, legacyId: `again-${r.legacyId}` })) }, { source: 'bench', actor: 'bench', now: new Date() });
    const writeMs = performance.now() - t;
    store.sqlite.exec('ROLLBACK');

    // raw baseline: the same rows straight into the table in one transaction, their trigram index written
    // in one statement at the end (as the import does), then removed
    const insert = store.sqlite.prepare(
      "INSERT INTO parties (name, name_key, role, matter_reference, aliases, tax_id, email, phone, batch_id, created_at) VALUES (?, ?, 'witness', ?, '[]', ?, ?, NULL, ?, '2026-01-01T00:00:00Z')",
    );
    t = performance.now();
    store.sqlite.exec('BEGIN');
    const rawBatch = Number(
      store.sqlite.prepare("INSERT INTO import_batches (kind, source, actor, created_at) VALUES ('parties', 'bench', 'bench', '2026-01-01T00:00:00Z')").run().lastInsertRowid,
    );
    store.sqlite.prepare('INSERT INTO parties_fts_deferred (batch_id) VALUES (?)').run(rawBatch);
    for (const r of rows) insert.run(r[0], partyKeys(r[0]!, r[3] ? [r[3]] : []), r[2], r[4], r[5], rawBatch);
    store.sqlite.prepare('INSERT INTO parties_fts (rowid, name_key) SELECT id, name_key FROM parties WHERE batch_id = ?').run(rawBatch);
    const rawImportMs = performance.now() - t;
    store.sqlite.exec('ROLLBACK');

    // ---- 2. 200,000 parties and an office's clients and matters
    const roles = ['client', 'former_client', 'adverse_party', 'related_party', 'witness'];
    store.sqlite.exec('BEGIN');
    const fill = store.sqlite.prepare(
      "INSERT INTO parties (name, name_key, role, matter_reference, aliases, tax_id, email, phone, batch_id, created_at) VALUES (?, ?, ?, NULL, '[]', NULL, NULL, NULL, NULL, '2026-01-01T00:00:00Z')",
    );
    for (let i = report.imported; i < TOTAL_PARTIES; i++) {
      const name = partyName();
      fill.run(name, nameKey(name), pick(roles));
    }
    const client = store.sqlite.prepare("INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES (?, ?, ?, '2026-01-01', '2026-01-01')");
    const matter = store.sqlite.prepare(
      "INSERT INTO matters (reference, client_id, practice_area, description, opposing_party, opposing_key, status, created_at, updated_at) VALUES (?, ?, 'Family', 'x', ?, ?, 'active', '2026-01-01', '2026-01-01')",
    );
    for (let i = 0; i < CLIENTS; i++) {
      const name = partyName();
      const id = Number(client.run(String(5511900000000 + i), name, nameKey(name)).lastInsertRowid);
      const other = partyName();
      matter.run(`B-${i}`, id, other, nameKey(other));
    }
    store.sqlite.exec('COMMIT');
    store.sqlite.exec('ANALYZE');
    const count = (store.sqlite.prepare('SELECT count(*) AS n FROM parties').get() as { n: number }).n;

    const probes = Array.from({ length: RUNS }, () => ({ client: partyName(), opposing: partyName() }));
    // warm up
    for (const p of probes.slice(0, 20)) findConflicts(store, { clientId: -1, clientName: p.client, opposingParty: p.opposing, matterId: -1 });
    const check: number[] = [];
    let hits = 0;
    for (const p of probes) {
      t = performance.now();
      hits += findConflicts(store, { clientId: -1, clientName: p.client, opposingParty: p.opposing, matterId: -1 }).length;
      check.push(performance.now() - t);
    }
    const raw = store.sqlite.prepare('SELECT rowid FROM parties_fts WHERE parties_fts MATCH ? ORDER BY rank LIMIT 60');
    const rawTimes: number[] = [];
    for (const p of probes) {
      const match = trigramQuery(nameKey(p.client))!;
      t = performance.now();
      raw.all(match);
      rawTimes.push(performance.now() - t);
    }
    await core.stop();

    const c = stats(check);
    const r = stats(rawTimes);
    const line = (label: string, value: string, goal: string) => console.log(`${label.padEnd(58)} ${value.padEnd(28)} ${goal}`);
    console.log(`bench:conflicts  (BENCH_SCALE=${SCALE})\n`);
    line(`import of ${IMPORT_ROWS.toLocaleString('en')} CSV rows (importParties)`, ms(importMs), `goal < 10,000 ms ${importMs < 10_000 ? 'ok' : 'MISSED'}`);
    line('  phase 1 alone: reading and checking the file (streamed)', ms(readMs), '');
    line('  phase 2 alone: the one write transaction (blocking)', ms(writeMs), '');
    line('  raw: the same rows inserted on better-sqlite3', ms(rawImportMs), '');
    line(`conflict check over ${count.toLocaleString('en')} parties + ${CLIENTS.toLocaleString('en')} clients/matters`, `p50 ${ms(c.p50)} p95 ${ms(c.p95)} p99 ${ms(c.p99)}`, `goal p50 < 50 ms ${c.p50 < 50 ? 'ok' : 'MISSED'}`);
    line('  raw: one FTS5 trigram query on parties_fts', `p50 ${ms(r.p50)} p95 ${ms(r.p95)} p99 ${ms(r.p99)}`, '');
    console.log(`\n(${RUNS} intakes checked, ${hits} possible conflicts found)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
