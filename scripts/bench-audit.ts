// `npm run bench:audit`: builds its own 1,000,000-row audit trail and prints how fast
// LexDesk searches, verifies, exports and writes it, with the raw better-sqlite3
// figure for the same work beside each, and the ratio (ours / raw).
//
//   npm run bench:audit                 # 1,000,000 rows
//   npm run bench:audit -- --rows 200000
//
// Goals (issue "Audit trail"): filtered page of 50 < 5 ms median; whole-chain
// verification < 10 s; CSV export ≥ 200,000 rows/s with peak memory growth < 100 MB;
// audit insert < 0.2 ms median per operation.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import type { AuditPage } from '../shared/contract/audit.js';
import type { Core } from '../main/core/app.js';
import type { HashedFields } from '../main/core/audit/canonical.js';
import { signedInAs, type SignedIn } from '../tests/support/auth.js';

// What runs is the built app (dist/), as `lexdesk serve` and the desktop run it:
// compiled JavaScript, and the verification worker started from its .js file.
const REPO = join(import.meta.dirname, '..');
if (spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
const built = <M>(path: string): Promise<M> => import(pathToFileURL(join(REPO, 'dist', path)).href) as Promise<M>;
const { createCore } = await built<typeof import('../main/core/app.js')>('main/core/app.js');
const { canonicalJson, GENESIS_HASH, rowHash } = await built<typeof import('../main/core/audit/canonical.js')>('main/core/audit/canonical.js');
const { EXPORT_COLUMNS } = await built<typeof import('../main/core/audit/export.js')>('main/core/audit/export.js');
const { redact } = await built<typeof import('../main/core/audit/redact.js')>('main/core/audit/redact.js');
const { loadConfig } = await built<typeof import('../main/core/config.js')>('main/core/config.js');
const { silentLogger } = await built<typeof import('../main/core/log.js')>('main/core/log.js');

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    // keep the built database in the temp folder and reuse it next time (it grows by a few rows per run)
    keep: { type: 'boolean', default: false },
    // run one part: search, verify, export or insert
    only: { type: 'string' },
  },
});
const ROWS = Number(args.rows);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// ----------------------------------------------------------------------------------------------
// Figures

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.95)]!;
}
const ms = (n: number) => `${n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(0)} ms`;
const lines: string[] = [];
function row(label: string, ours: string, raw: string, ratio: string, goal = '') {
  const line = `${label.padEnd(52)} ${ours.padStart(16)} ${raw.padStart(16)} ${ratio.padStart(8)}  ${goal}`;
  lines.push(line);
  process.stdout.write(`${line}\n`);
}
function header(title: string) {
  process.stdout.write(`\n${title}\n`);
  row('', 'LexDesk', 'raw sqlite', 'ratio');
}

// ----------------------------------------------------------------------------------------------
// A year of an office's audit trail

const STAFF = Array.from({ length: 40 }, (_, i) => ({
  id: createHash('sha1').update(`staff-${i}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
  name: `staff${String(i).padStart(2, '0')}`,
  role: i < 4 ? 'admin' : i < 20 ? 'lawyer' : 'assistant',
}));
const LAWYERS = STAFF.filter((s) => s.role === 'lawyer');
const ACTIONS: [string, number, string | null][] = [
  // name, weight, target type
  ['matters.get', 14, 'matter'],
  ['matters.list', 8, null],
  ['matters.update', 6, 'matter'],
  ['matters.create', 1, 'matter'],
  ['clients.get', 8, 'client'],
  ['clients.update', 3, 'client'],
  ['conversations.list', 10, null],
  ['conversations.reply', 9, 'client'],
  ['conversations.handBack', 2, 'client'],
  ['documents.send', 2, 'matter'],
  ['auth.refresh', 12, null],
  ['auth.login', 3, null],
  ['auth.logout', 1, null],
  ['security.login.failed', 1, null],
  ['security.lockout', 0.1, null],
  ['security.refresh.reuse', 0.05, null],
  ['users.list', 0.5, null],
  ['users.update', 0.2, 'user'],
  ['backups.list', 0.5, null],
  ['monitoring.dashboard', 4, null],
  ['whatsapp.status', 3, null],
  ['audit.search', 0.5, null],
  ['bot.intake.completed', 4, 'matter'],
  ['bot.status.answered', 5, 'client'],
  ['scheduler.backup.completed', 0.05, null],
];
const TOTAL_WEIGHT = ACTIONS.reduce((s, a) => s + a[1], 0);
const WORDS = ['lease', 'custody', 'invoice', 'hearing', 'appeal', 'contract', 'estate', 'visa', 'claim', 'settlement', 'deadline', 'witness'];
const YEAR_MS = 365 * 86_400_000;
const START = Date.parse('2025-11-01T00:00:00.000Z');

let seed = 20261128;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;

function pickAction(): [string, number, string | null] {
  let r = rnd() * TOTAL_WEIGHT;
  for (const a of ACTIONS) if ((r -= a[1]) <= 0) return a;
  return ACTIONS[0]!;
}

async function buildDatabase(dataDir: string): Promise<{ build: number }> {
  const started = performance.now();
  // the real migrations, through the real core (which also writes row 1, system.started)
  const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_BCRYPT_COST: '4' }, envFile: null });
  const core = createCore(config, { log: silentLogger });
  await core.start();
  await core.stop();

  const db = new Database(config.databaseFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
  const insert = db.prepare(`INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, role, face, action, target_type,
    target_id, outcome, error_code, details, session_id, address, request_id, prev_hash, hash)
    VALUES (@id, @at, @actor_type, @actor_id, @actor_name, @role, @face, @action, @target_type, @target_id, @outcome,
    @error_code, @details, @session_id, @address, @request_id, @prev_hash, @hash)`);
  let prev = last.hash ?? GENESIS_HASH;
  const batch = db.transaction((from: number, to: number) => {
    for (let id = from; id <= to; id++) {
      const at = new Date(START + Math.floor(((id - 1) / ROWS) * YEAR_MS)).toISOString();
      const [action, , targetType] = pickAction();
      const who = rnd();
      const staff = pick(STAFF);
      const isBot = action.startsWith('bot.');
      const isScheduler = action.startsWith('scheduler.');
      const anonymous = !isBot && !isScheduler && (action === 'security.login.failed' || who < 0.04);
      const actorType = isBot ? 'bot' : isScheduler ? 'system' : anonymous ? 'anonymous' : 'user';
      const o = rnd();
      const outcome = action.startsWith('security.') ? 'denied' : o < 0.96 ? 'ok' : o < 0.98 ? 'denied' : o < 0.99 ? 'invalid' : 'error';
      const target = targetType ? `${targetType === 'user' ? pick(STAFF).id : Math.floor(rnd() * 20_000)}` : null;
      const details = canonicalJson(
        redact({
          input: {
            ...(target ? { id: target } : {}),
            note: `${pick(WORDS)} ${pick(WORDS)}${rnd() < 0.0002 ? ' needle' : ''}`,
            ...(rnd() < 0.3 ? { page: Math.floor(rnd() * 20) } : {}),
          },
        }),
      );
      const fields: HashedFields = {
        id,
        at,
        actor_type: actorType,
        actor_id: actorType === 'user' ? staff.id : null,
        actor_name: actorType === 'user' ? staff.name : null,
        role: actorType === 'user' ? staff.role : null,
        face: isBot ? 'bot' : isScheduler ? 'scheduler' : rnd() < 0.7 ? 'desktop' : 'headless',
        action,
        target_type: targetType,
        target_id: target,
        outcome,
        error_code: outcome === 'ok' ? null : outcome === 'denied' ? 'forbidden' : outcome === 'invalid' ? 'invalid_input' : 'internal',
        details,
        session_id: actorType === 'user' ? `${staff.id.slice(0, 8)}-session` : null,
        address: `10.0.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 250)}`,
        request_id: createHash('md5').update(String(id)).digest('hex'),
        prev_hash: prev,
      };
      const hash = rowHash(fields);
      insert.run({ ...fields, hash });
      prev = hash;
    }
  });
  for (let from = last.id + 1; from <= ROWS; from += 100_000) {
    batch(from, Math.min(ROWS, from + 99_999));
    process.stdout.write(`\rbuilding the trail: ${Math.min(ROWS, from + 99_999).toLocaleString('en')} rows`);
  }
  process.stdout.write('\rbuilding the indexes…                    ');
  for (const index of indexes) db.exec(index.sql);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.stdout.write('\r');
  return { build: performance.now() - started };
}

// ----------------------------------------------------------------------------------------------

async function main() {
  process.stdout.write(
    `LexDesk audit benchmark: ${ROWS.toLocaleString('en')} rows; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`,
  );
  const kept = join(tmpdir(), `lexdesk-bench-audit-${ROWS}`);
  const reuse = args.keep && existsSync(join(kept, 'lexdesk.sqlite'));
  const dataDir = args.keep ? kept : mkdtempSync(join(tmpdir(), 'lexdesk-bench-audit-'));
  try {
    if (reuse) process.stdout.write(`reusing the trail in ${kept}\n`);
    else {
      mkdirSync(dataDir, { recursive: true });
      const { build } = await buildDatabase(dataDir);
      process.stdout.write(`built the trail and its indexes in ${(build / 1000).toFixed(1)} s\n`);
    }

    const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_BCRYPT_COST: '4' }, envFile: null });
    const core = createCore(config, { log: silentLogger });
    await core.start();
    const admin = await signedInAs(core, 'admin');
    const raw = new Database(config.databaseFile, { readonly: true });
    try {
      const part = (name: string) => !args.only || args.only === name;
      if (part('search')) await benchSearch(core, admin, raw);
      if (part('verify')) await benchVerify(core, raw);
      if (part('export')) await benchExport(core, raw);
      if (part('insert')) benchInsert(core);
    } finally {
      raw.close();
      await core.stop();
    }
  } finally {
    if (!args.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

// ----------------------------------------------------------------------------------------------
// Search

async function benchSearch(core: Core, admin: SignedIn, raw: Database.Database) {
  header('Search: one page of 50, newest first (median of 200 calls; p95 in brackets)');
  const DAY = 86_400_000;
  const cases = Array.from({ length: 200 }, () => {
    const lawyer = pick(LAWYERS);
    const end = START + 30 * DAY + Math.floor(rnd() * (YEAR_MS - 31 * DAY));
    return { actor: lawyer.id, from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString() };
  });

  const measure = async (run: (i: number) => unknown | Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await run(i); // warm the statement caches
    const samples: number[] = [];
    for (let i = 0; i < cases.length; i++) {
      const t = performance.now();
      await run(i);
      samples.push(performance.now() - t);
    }
    return samples;
  };
  const report = (label: string, ours: number[], base: number[], goal = '') =>
    row(
      label,
      `${ms(median(ours))} (${ms(p95(ours))})`,
      `${ms(median(base))} (${ms(p95(base))})`,
      `${(median(ours) / median(base)).toFixed(2)}×`,
      goal,
    );

  // the benchmark's filter: a person + an action family + a month
  const plain = raw.prepare(`SELECT * FROM audit_log WHERE actor_id = ? AND action >= ? AND action < ? AND at >= ? AND at < ?
    ORDER BY at DESC, id DESC LIMIT 50`);
  const base = await measure((i) => plain.all(cases[i]!.actor, 'matters.', 'matters/', cases[i]!.from, cases[i]!.to));
  const records = core.services.auditRecords;
  const service = await measure((i) => records.page({ ...cases[i]!, action: 'matters.' }, 'all', undefined, 50));
  const door = await measure((i) => admin.ok<AuditPage>('audit.search', { ...cases[i]!, action: 'matters.', limit: 50 }));
  report('actor + "matters." + 30 days: service', service, base);
  report('actor + "matters." + 30 days: door (JWT, checks, audit row)', door, base, 'goal < 5 ms median');
  const rows = (await admin.ok<AuditPage>('audit.search', { ...cases[0]!, action: 'matters.', limit: 50 })).rows.length;
  process.stdout.write(`  (pages returned ${rows} rows; the door figure includes writing the search's own audit row)\n`);

  // a few more shapes, through the service, to show the pinned plans against the planner's own choice
  const more: [string, () => unknown, () => unknown][] = [
    [
      'no filter',
      () => records.page({}, 'all', undefined, 50),
      () => raw.prepare('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT 50').all(),
    ],
    [
      'action family "security."',
      () => records.page({ action: 'security.' }, 'all', undefined, 50),
      () => raw.prepare("SELECT * FROM audit_log WHERE action >= 'security.' AND action < 'security/' ORDER BY at DESC, id DESC LIMIT 50").all(),
    ],
    [
      "a lawyer's view (clients and matters)",
      () => records.page({}, 'matters', undefined, 50),
      () => raw.prepare("SELECT * FROM audit_log WHERE target_type IN ('client', 'matter') ORDER BY at DESC, id DESC LIMIT 50").all(),
    ],
    [
      'one matter',
      () => records.page({ target: { type: 'matter', id: '4242' } }, 'all', undefined, 50),
      () => raw.prepare("SELECT * FROM audit_log WHERE target_type = 'matter' AND target_id = '4242' ORDER BY at DESC, id DESC LIMIT 50").all(),
    ],
    [
      'free text, rare word (one bounded stretch)',
      () => records.page({ contains: 'needle' }, 'all', undefined, 50),
      () => raw.prepare("SELECT * FROM audit_log WHERE details LIKE '%needle%' ORDER BY at DESC, id DESC LIMIT 50").all(),
    ],
  ];
  for (const [label, ours, plainQuery] of more) {
    const o: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      ours();
      o.push(performance.now() - t);
      t = performance.now();
      plainQuery();
      b.push(performance.now() - t);
    }
    row(`${label}`, ms(median(o)), ms(median(b)), `${(median(o) / median(b)).toFixed(2)}×`);
  }
  // page 200 of the unfiltered list: keyset costs what page 1 costs
  let cursor: string | undefined;
  for (let i = 0; i < 199; i++) cursor = records.page({}, 'all', cursor, 50).next ?? undefined;
  const deep: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    records.page({}, 'all', cursor, 50);
    deep.push(performance.now() - t);
  }
  const offset: number[] = [];
  const offsetQuery = raw.prepare('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT 50 OFFSET 9950');
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    offsetQuery.all();
    offset.push(performance.now() - t);
  }
  row('page 200 (cursor) vs LIMIT 50 OFFSET 9950', ms(median(deep)), ms(median(offset)), `${(median(deep) / median(offset)).toFixed(2)}×`);
}

// ----------------------------------------------------------------------------------------------
// Verification

async function benchVerify(core: Core, raw: Database.Database) {
  header('Verification of the whole chain');
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let cpu = process.cpuUsage();
  let t = performance.now();
  const verification = await core.services.auditRecords.verify('start', { type: 'cli' });
  const ours = performance.now() - t;
  const oursCpu = cpuMs(cpu);
  lag.disable();
  if (!verification.intact) throw new Error(`the benchmark's chain is broken: ${verification.message}`);

  // raw: the obvious loop on the main thread, objects and createHash per row
  cpu = process.cpuUsage();
  t = performance.now();
  let prev = GENESIS_HASH;
  let count = 0;
  for (const r of raw.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<Record<string, unknown>>) {
    const { hash, ...fields } = r;
    if (fields.prev_hash !== prev || rowHash(fields as never) !== hash) throw new Error(`raw walk: row ${fields.id} does not match`);
    prev = hash as string;
    count += 1;
  }
  const base = performance.now() - t;
  const baseCpu = cpuMs(cpu);
  row(`walk and hash ${verification.rows.toLocaleString('en')} rows`, ms(ours), ms(base), `${(ours / base).toFixed(2)}×`, 'goal < 10 s');
  row('  CPU time it took (all threads)', ms(oursCpu), ms(baseCpu), `${(oursCpu / baseCpu).toFixed(2)}×`);
  row('  main event loop: longest stall while it ran', ms(lag.max / 1e6), ms(base), '', '(ours runs in a worker thread; raw blocks for all of it)');
  if (count !== verification.rows) throw new Error('row counts differ');
  core.services.store.tx(() => core.services.auditRecords.save(verification, { type: 'cli' }));
  t = performance.now();
  const quick = await core.services.auditRecords.verify('checkpoint', { type: 'cli' });
  row(`from the checkpoint just stored (${quick.checked} new rows)`, ms(performance.now() - t), '', '');
}

// ----------------------------------------------------------------------------------------------
// Export

async function benchExport(core: Core, raw: Database.Database) {
  header('CSV export of every row, to /dev/null');
  const measure = async (run: () => Promise<number>) => {
    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const rows = await run();
    const seconds = (performance.now() - t) / 1000;
    const cpuSeconds = cpuMs(cpu) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { rows, seconds, cpuSeconds, growth: (peak - baseline) / 1024 / 1024 };
  };

  const records = core.services.auditRecords;
  const ours = await measure(async () => {
    const ticket = records.exports.prepare({
      query: { mattersOnly: false, maxId: records.lastRowId() ?? 0 },
      format: 'csv',
      actor: { type: 'cli' },
      face: 'cli',
    });
    const download = records.exports.take(ticket.exportId)!;
    await pipeline(download.stream, createWriteStream('/dev/null'));
    return download.rows();
  });
  // raw: iterate the same rows and feed csv-stringify's stream, the library's own way
  const base = await measure(async () => {
    let n = 0;
    const statement = raw.prepare(`SELECT ${EXPORT_COLUMNS.join(', ')} FROM audit_log ORDER BY at, id`).raw(true);
    const source = (async function* () {
      for (const r of statement.iterate() as Iterable<unknown[]>) {
        n += 1;
        yield r;
      }
    })();
    await pipeline(source, stringify({ header: true, columns: [...EXPORT_COLUMNS], bom: true }), createWriteStream('/dev/null'));
    return n;
  });
  const rate = (r: { rows: number; seconds: number }) => `${Math.round(r.rows / r.seconds).toLocaleString('en')} rows/s`;
  const cpuRate = (r: { rows: number; cpuSeconds: number }) => `${Math.round(r.rows / r.cpuSeconds).toLocaleString('en')} rows/s`;
  row(`${ours.rows.toLocaleString('en')} rows`, rate(ours), rate(base), `${(base.seconds / ours.seconds).toFixed(2)}×`, 'goal ≥ 200,000 rows/s');
  row('  rows per second of CPU time', cpuRate(ours), cpuRate(base), `${(base.cpuSeconds / ours.cpuSeconds).toFixed(2)}×`);
  row('  peak memory growth (RSS)', `${ours.growth.toFixed(1)} MB`, `${base.growth.toFixed(1)} MB`, '', 'goal < 100 MB');
  process.stdout.write('  (ratio here is speed: ours / raw; raw holds the database busy for the whole export, ours in 2,000-row steps)\n');
}

// ----------------------------------------------------------------------------------------------
// Insert

function benchInsert(core: Core) {
  header('Audit insert per operation (median of 5,000)');
  const trail = core.services.audit;
  const store = core.services.store;
  const entry = {
    actor: { type: 'user' as const, id: STAFF[5]!.id, name: STAFF[5]!.name, role: 'lawyer' as const },
    face: 'desktop' as const,
    action: 'matters.update',
    target: { type: 'matter', id: '4242' },
    outcome: 'ok' as const,
    details: { input: { id: '4242', status: 'hearing scheduled', note: 'call the client' } },
    sessionId: 'bench-session',
    address: '10.0.0.7',
    requestId: 'c0ffee',
  };
  // the same row shape into a copy of the table with the same indexes, without the chain
  const sqlite = store.sqlite;
  sqlite.exec('DROP TABLE IF EXISTS bench_raw_log');
  const tableSql = (sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_log'").get() as { sql: string }).sql;
  sqlite.exec(tableSql.replace('audit_log', 'bench_raw_log'));
  const indexSql = sqlite.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL").all() as { sql: string }[];
  for (const { sql } of indexSql) sqlite.exec(sql.replace(/INDEX (\w+) ON audit_log/, 'INDEX bench_$1 ON bench_raw_log'));
  sqlite.exec(`INSERT INTO bench_raw_log SELECT * FROM audit_log WHERE id > (SELECT max(id) - 200000 FROM audit_log)`);
  const rawInsert = sqlite.prepare(`INSERT INTO bench_raw_log (at, actor_type, actor_id, actor_name, role, face, action, target_type,
    target_id, outcome, error_code, details, session_id, address, request_id, prev_hash, hash)
    VALUES (?, 'user', ?, ?, 'lawyer', 'desktop', 'matters.update', 'matter', '4242', 'ok', NULL, ?, 'bench-session', '10.0.0.7', 'c0ffee', '', '')`);
  const details = canonicalJson(redact(entry.details));

  // ours and raw take turns, so that the machine's load falls on both alike
  const alternate = (ours: () => void, base: () => void): [number, number] => {
    for (let i = 0; i < 500; i++) {
      ours();
      base();
    }
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 5000; i++) {
      let t = performance.now();
      ours();
      a.push(performance.now() - t);
      t = performance.now();
      base();
      b.push(performance.now() - t);
    }
    return [median(a), median(b)];
  };
  const [oursAlone, rawAlone] = alternate(
    () => trail.append(entry),
    () => store.tx(() => rawInsert.run(new Date().toISOString(), entry.actor.id, entry.actor.name, details)),
  );
  row('own transaction (an operation that writes nothing)', ms(oursAlone), ms(rawAlone), `${(oursAlone / rawAlone).toFixed(2)}×`, 'goal < 0.2 ms');
  // inside the handler's transaction (ctx.write): no commit of its own
  const samplesJoined: number[] = [];
  const samplesRaw: number[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < 5000; i++) {
      let t = performance.now();
      trail.append(entry);
      samplesJoined.push(performance.now() - t);
      t = performance.now();
      rawInsert.run(new Date().toISOString(), entry.actor.id, entry.actor.name, details);
      samplesRaw.push(performance.now() - t);
    }
  })();
  row("joining the handler's transaction", ms(median(samplesJoined)), ms(median(samplesRaw)), `${(median(samplesJoined) / median(samplesRaw)).toFixed(2)}×`, 'goal < 0.2 ms');
  sqlite.exec('DROP TABLE bench_raw_log');
}

await main();
