// npm run bench:exports — a client's copy of their data and an evidence export beside a raw baseline:
//   a client with BENCH_MESSAGES (default 5,000) messages and BENCH_DOCS (default 40) documents of
//   BENCH_DOC_KB (default 500) KB. LexDesk: `clients.exportData` through the door (queries, decrypting
//   every document, the PDF summary in the worker thread, the ZIP, both stored encrypted) and
//   `evidence.export` (canonical JSON, seal, PDF). Baseline: archiver zipping the same plain files and a
//   JSON dump of the same rows, with no database, PDF or encryption. Event-loop lag is measured during
//   LexDesk's work. Goal: within 4× of the baseline's time; lag p99 < 50 ms.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createCore } from '../main/core/app.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';
import { slices } from '../main/core/documents/store.js';
import { zipBundle } from '../main/core/exports/bundle.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const DOCS = Number(process.env.BENCH_DOCS ?? 40);
const DOC_KB = Number(process.env.BENCH_DOC_KB ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'lexdesk-bench-exports-'));
const best = (xs: number[]) => Math.min(...xs);

const config = loadConfig({
  face: 'headless',
  env: { LEXDESK_DATA_DIR: join(work, 'data'), LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true', LEXDESK_BCRYPT_COST: '4' },
  envFile: null,
});
const core = createCore(config, { log: silentLogger });
await core.start();
const db = core.services.store.sqlite;
const now = new Date().toISOString();
db.exec(`INSERT INTO clients (id, whatsapp, name, name_key, created_at, updated_at) VALUES (1, '5511999000111', 'José Núñez', 'jose nunez', '${now}', '${now}')`);
db.exec(`INSERT INTO conversations (id, chat_id, whatsapp, client_id, mode, state, last_activity_at, created_at) VALUES (1, '5511999000111@c.us', '5511999000111', 1, 'staff', '{}', '${now}', '${now}')`);
const files: { name: string; data: Buffer }[] = [];
for (let i = 0; i < DOCS; i++) {
  const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(DOC_KB * 1024)]);
  const blob = await core.services.documents.store.write(slices(data), { fileName: `file-${i}.pdf`, declaredType: 'application/pdf' });
  core.services.documents.store.insert(blob, { source: 'client', conversationId: 1, clientId: 1 });
  files.push({ name: `documents/${i}-file-${i}.pdf`, data });
}
const insert = db.prepare("INSERT INTO conversation_messages (conversation_id, direction, author, text, at) VALUES (1, ?, ?, ?, ?)");
db.transaction(() => {
  for (let i = 0; i < MESSAGES; i++) insert.run(i % 2 ? 'out' : 'in', i % 2 ? 'bot' : 'client', `Message ${i}: ${'palavra '.repeat(12)}`, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString());
})();
const hash = await core.services.auth.passwords.hash('Ample lantern quartz 73 harbor', 4);
core.services.auth.insertUser({ username: 'bench', displayName: 'Bench', role: 'lawyer', hash, mustChange: false });
const login = await core.dispatcher.dispatch('auth.login', { username: 'bench', password: 'Ample lantern quartz 73 harbor' }, { face: 'headless' });
if (!login.ok) throw new Error(login.error.message);
const context = { face: 'headless' as const, token: (login.value as { accessToken: string }).accessToken };

async function timed(name: string, input: unknown): Promise<{ ms: number; p99: number; max: number }> {
  const times: number[] = [];
  const lags: { p99: number; max: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const lag = monitorEventLoopDelay({ resolution: 1 });
    const t = performance.now();
    lag.enable();
    const r = await core.dispatcher.dispatch(name, input, context);
    lag.disable();
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    times.push(performance.now() - t);
    lags.push({ p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 });
  }
  if (process.env.BENCH_VERBOSE) console.log(name, times.map((t) => t.toFixed(0)), lags.map((l) => l.max.toFixed(0)));
  return { ms: best(times), p99: Math.max(...lags.map((l) => l.p99)), max: Math.max(...lags.map((l) => l.max)) };
}

const rows = db.prepare('SELECT * FROM conversation_messages').all();
const baselineTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await zipBundle([{ name: 'messages.json', data: JSON.stringify(rows, null, 2) }, ...files], new Date());
  baselineTimes.push(performance.now() - t);
}
const baseline = best(baselineTimes);
const copy = await timed('clients.exportData', { clientId: 1, deliver: 'save' });
const evidence = await timed('evidence.export', { conversationId: 1 });
await core.stop();
rmSync(work, { recursive: true, force: true });

const mb = ((DOCS * DOC_KB) / 1024).toFixed(1);
console.log(`client with ${MESSAGES.toLocaleString()} messages and ${DOCS} documents (${mb} MB), best of ${RUNS}`);
console.log(`  baseline  archiver ZIP of the plain files + JSON rows      ${baseline.toFixed(0)} ms`);
console.log(`  LexDesk   clients.exportData (PDF + ZIP, stored)         ${copy.ms.toFixed(0)} ms  (${(copy.ms / baseline).toFixed(1)}× baseline; event-loop lag p99 ${copy.p99.toFixed(1)} ms, max ${copy.max.toFixed(1)} ms)`);
console.log(`  LexDesk   evidence.export (sealed JSON + PDF, stored)    ${evidence.ms.toFixed(0)} ms  (lag p99 ${evidence.p99.toFixed(1)} ms, max ${evidence.max.toFixed(1)} ms)`);
const ok = copy.ms <= 4 * baseline && copy.p99 < 50;
console.log(ok ? 'goal met: within 4× of the baseline, lag p99 < 50 ms' : 'GOAL MISSED');
process.exitCode = ok ? 0 : 1;
