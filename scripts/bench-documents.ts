// npm run bench:documents — the document store beside raw baselines, in one run:
//  1. receive + store + encrypt a 50 MB file (the simulator's inbound path: ledger, media fetcher,
//     document store) against `cp` + `sha256sum` of the same file; event-loop lag meanwhile.
//     Goal: ≥ 1/2 of the baseline's throughput; lag p99 < 20 ms.
//  2. upload 50 MB through POST /api/documents/upload against raw `curl` to a plain Node server
//     that writes the body to disk. Goal: ≥ 1/3 of the baseline.
//  3. a backup after one new 1 MB document on a store of BENCH_STORE_GB (default 2) GB against a
//     backup of the same database alone (the documents' step left out). Goal: within 2×.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { createCore } from '../main/core/app.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';
import { buildServer } from '../main/headless/server.js';
import type { TransportListeners } from '../main/core/whatsapp/transport.js';

const MB = Number(process.env.BENCH_MB ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'lexdesk-bench-docs-'));
const source = join(work, 'file.pdf');
writeFileSync(source, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MB * 1024 * 1024 - 9)]));
const bytes = MB * 1024 * 1024;
const rate = (ms: number) => `${((bytes / 1024 / 1024) / (ms / 1000)).toFixed(0)} MB/s`;
const best = (xs: number[]) => Math.min(...xs);

function baselineCopyHash(): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync('cp', [source, join(work, `copy-${i}`)]);
    execFileSync('sha256sum', [source]);
    times.push(performance.now() - t);
    rmSync(join(work, `copy-${i}`));
  }
  return best(times);
}

async function core() {
  const dataDir = mkdtempSync(join(work, 'data-'));
  const config = loadConfig({
    face: 'headless',
    env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true', LEXDESK_DOCUMENT_MAX_MB: String(MB + 10), LEXDESK_BCRYPT_COST: '4' },
    envFile: null,
  });
  const c = createCore(config, { log: silentLogger, withoutBot: true });
  await c.start();
  while (c.services.whatsapp.status().state !== 'ready') await new Promise((r) => setTimeout(r, 5));
  return c;
}

async function receiveStoreEncrypt(): Promise<{ ms: number; p99: number; max: number }> {
  const c = await core();
  const data = (await import('node:fs')).readFileSync(source);
  const simulator = c.services.whatsapp.simulator!;
  const times: number[] = [];
  // the simulator's own store of the messages (the fake WhatsApp's servers keeping the clients' uploads) is not
  // LexDesk's work: they are all stored first, then delivered one after the other as SimulatorTransport.clientSend
  // delivers them; time and lag from delivery on (download from WhatsApp, type detection, hash, encryption, fsync)
  const messages = Array.from({ length: RUNS }, (_, i) => {
    // a different file each time (content-addressed: the same bytes would be stored once)
    data.writeUInt32BE(i, 100);
    return simulator.network.clientSend('5511987654321', 'Ana', '', { fileName: `f${i}.pdf`, mimetype: 'application/pdf', data });
  });
  const link = simulator as unknown as { listeners: TransportListeners };
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  // a monitor's first tick only sets its clock
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (const message of messages) {
    const t = performance.now();
    link.listeners.message(message);
    await c.services.whatsapp.media.settled(message);
    times.push(performance.now() - t);
  }
  lag.disable();
  await c.stop();
  return { ms: best(times), p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
}

async function curlTo(url: string, headers: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    // async: the servers answering live in this process
    const r = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-T', source, ...headers.flatMap((h) => ['-H', h]), url], { encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.stdout !== '200') throw new Error(`upload answered ${r.stdout}: ${r.stderr}`);
  }
  return best(times);
}

async function rawServerUpload(): Promise<number> {
  let n = 0;
  const server = createServer((req, res) => {
    void pipeline(req, createWriteStream(join(work, `raw-${n++}`))).then(() => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ms = await curlTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, ['content-type: application/octet-stream']);
  server.close();
  return ms;
}

async function lexdeskUpload(): Promise<number> {
  const c = await core();
  const now = new Date().toISOString();
  c.services.store.sqlite.exec(`INSERT INTO conversations (id, chat_id, whatsapp, mode, state, last_activity_at, created_at) VALUES (1, '5511999000111@c.us', '5511999000111', 'staff', '{}', '${now}', '${now}')`);
  const hash = await c.services.auth.passwords.hash('Ample lantern quartz 73 harbor', 4);
  c.services.auth.insertUser({ username: 'bench', displayName: 'Bench', role: 'assistant', hash, mustChange: false });
  const login = await c.dispatcher.dispatch('auth.login', { username: 'bench', password: 'Ample lantern quartz 73 harbor' }, { face: 'headless' });
  if (!login.ok) throw new Error(login.error.message);
  const token = (login.value as { accessToken: string }).accessToken;
  const app = await buildServer(c);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  // each run a new file name; the bytes are the same file (stored once, hashed and encrypted every time)
  const ms = await curlTo(`http://127.0.0.1:${port}/api/documents/upload?conversationId=1&fileName=bench.pdf`, [`authorization: Bearer ${token}`, 'content-type: application/pdf']);
  await app.close();
  await c.stop();
  return ms;
}

const STORE_GB = Number(process.env.BENCH_STORE_GB ?? 2);
const BENCH_ORIGIN = { face: 'cli' as const, actor: { type: 'cli' as const, name: 'bench' } };

async function backupAfterOneDocument(): Promise<{ withDocuments: number; databaseOnly: number; documents: number; dbBytes: number; added: number }> {
  const dataDir = mkdtempSync(join(work, 'store-'));
  const config = loadConfig({
    face: 'headless',
    env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true', LEXDESK_BCRYPT_COST: '4' },
    envFile: null,
  });
  const c = createCore(config, { log: silentLogger, withoutBot: true, backup: { schedule: false, scryptCost: { N: 2 ** 12, r: 8, p: 1 } } });
  await c.start();
  await c.services.backups.updateSettings({ passphrase: 'violet tractor under marmalade', retentionDays: 365, keepAtLeast: 50 }, BENCH_ORIGIN);
  const store = c.services.documents.store;
  // the office's store: 1 MB documents up to STORE_GB, and a database with their rows and some conversation
  const oneMb = randomBytes(1024 * 1024);
  const count = Math.round(STORE_GB * 1024);
  for (let i = 0; i < count; i++) {
    oneMb.writeUInt32BE(i, 0);
    await store.ingest(oneMb, { fileName: `scan-${i}.pdf`, declaredType: 'application/octet-stream' }, { source: 'client' });
  }
  const db = c.services.store.sqlite;
  db.exec('CREATE TABLE IF NOT EXISTS bench_history (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO bench_history (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 200_000; i++) insert.run(`message ${i} ${randomBytes(64).toString('base64')}`);
  })();
  // the first backup copies the whole store once
  await c.services.backups.create('manual', BENCH_ORIGIN);

  const withDocs: number[] = [];
  const alone: number[] = [];
  let added = 0;
  const backups = c.services.backups as unknown as { vault: unknown };
  const vault = backups.vault;
  for (let i = 0; i < RUNS; i++) {
    oneMb.writeUInt32BE(count + i, 0);
    await store.ingest(oneMb, { fileName: `new-${i}.pdf`, declaredType: 'application/octet-stream' }, { source: 'client' });
    let t = performance.now();
    const item = await c.services.backups.create('manual', BENCH_ORIGIN);
    withDocs.push(performance.now() - t);
    added = item.documents?.count ?? 0;
    // the same database backed up without its documents' step
    backups.vault = null;
    t = performance.now();
    await c.services.backups.create('manual', BENCH_ORIGIN);
    alone.push(performance.now() - t);
    backups.vault = vault;
  }
  const dbBytes = (await import('node:fs')).statSync(config.databaseFile).size;
  await c.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { withDocuments: best(withDocs), databaseOnly: best(alone), documents: added, dbBytes, added: 1 };
}

const copyHash = baselineCopyHash();
const received = await receiveStoreEncrypt();
const raw = await rawServerUpload();
const upload = await lexdeskUpload();
const afterOne = await backupAfterOneDocument();
rmSync(work, { recursive: true, force: true });

const line = (label: string, ms: number) => `  ${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${rate(ms).padStart(9)}`;
console.log(`bench:documents — ${MB} MB, best of ${RUNS}`);
console.log(line('baseline: cp + sha256sum', copyHash));
console.log(line('LexDesk: receive + store + encrypt (simulator)', received.ms));
console.log(`  ratio ${(copyHash / received.ms).toFixed(2)} (goal ≥ 0.50); event-loop lag p99 ${received.p99.toFixed(1)} ms, max ${received.max.toFixed(1)} ms (goal p99 < 20 ms)`);
console.log(line('baseline: curl → plain Node server writing to disk', raw));
console.log(line('LexDesk: curl → POST /api/documents/upload', upload));
console.log(`  ratio ${(raw / upload).toFixed(2)} (goal ≥ 0.33)`);
const ms = (label: string, value: number) => `  ${label.padEnd(52)} ${value.toFixed(0).padStart(6)} ms`;
console.log(`backup after one new 1 MB document on a ${STORE_GB} GB store (${afterOne.documents} documents, database ${(afterOne.dbBytes / 1024 / 1024).toFixed(0)} MB)`);
console.log(ms('baseline: the same database backed up alone', afterOne.databaseOnly));
console.log(ms('LexDesk: database + documents', afterOne.withDocuments));
console.log(`  ratio ${(afterOne.withDocuments / afterOne.databaseOnly).toFixed(2)} (goal ≤ 2.00)`);
