/**
 * npm run bench:erasure — erasing one client from a large office database.
 *
 * Generates 5,000 clients with 200,000 messages (BENCH_SCALE scales them) in a
 * real SQLite file with its FTS5 indexes, then erases one client with 300
 * messages and times each part: the deletion transaction (secure_delete on), the
 * FTS5 merges, the checkpoint and VACUUM — beside the raw baseline of the same
 * rows deleted with plain DELETEs and nothing else. The longest single step is
 * the longest the event loop is held.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_RETENTION } from '../shared/contract/privacy.js';
import { createCore } from '../main/core/app.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';
import { executeErasure, planErasure } from '../main/core/privacy/erasure.js';
import { ftsTables } from '../main/core/privacy/scrub.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CLIENTS = Math.round(5_000 * SCALE);
const MESSAGES = Math.round(200_000 * SCALE);
const WORDS = 'contract lease landlord deposit employer salary hearing court divorce custody pension invoice payment tenant notice'.split(' ');
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function build(dir: string) {
  const config = loadConfig({
    face: 'cli',
    env: { LEXDESK_DATA_DIR: dir, LEXDESK_BCRYPT_COST: '4', LEXDESK_WHATSAPP: 'simulator', LEXDESK_BACKUP_KEK: 'bench-kek-0123456789abcdefghijklmnop' },
    envFile: null,
  });
  const core = createCore(config, { log: silentLogger });
  await core.start();
  const store = core.services.store;
  const now = new Date().toISOString();
  store.tx(() => {
    const client = store.prepare('INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    const conv = store.prepare("INSERT INTO conversations (chat_id, whatsapp, client_id, mode, state, last_activity_at, created_at) VALUES (?, ?, ?, 'bot', '{}', ?, ?)");
    for (let i = 1; i <= CLIENTS; i++) {
      const number = `3519${String(i).padStart(8, '0')}`;
      client.run(number, `Client ${i}`, `client ${i}`, now, now);
      conv.run(`${number}@c.us`, number, i, now, now);
    }
    const message = store.prepare("INSERT INTO conversation_messages (conversation_id, direction, author, text, at) VALUES (?, 'in', 'client', ?, ?)");
    // client 1 gets 300 messages, the rest are spread over the others
    for (let i = 0; i < 300; i++) message.run(1, `${sentence(12)} zebra-quokka-7731`, now);
    for (let i = 300; i < MESSAGES; i++) message.run(2 + (i % (CLIENTS - 1)), sentence(12), now);
  });
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return core;
}

async function main(): Promise<void> {
  const results: string[] = [];
  // the baseline: plain deletes of the same rows, nothing else
  {
    const dir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-erasure-'));
    const core = await build(dir);
    const store = core.services.store;
    const t0 = performance.now();
    store.tx(() => {
      store.prepare('DELETE FROM conversation_messages WHERE conversation_id = 1').run();
      store.prepare('DELETE FROM conversations WHERE id = 1').run();
    });
    results.push(`baseline (plain DELETEs, text left in free pages and the log): ${ms(performance.now() - t0)}`);
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  {
    const dir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-erasure-'));
    const core = await build(dir);
    const store = core.services.store;
    const size = statSync(store.file).size;
    const steps: [string, number][] = [];
    const time = (label: string, fn: () => void) => {
      const t = performance.now();
      fn();
      steps.push([label, performance.now() - t]);
    };
    store.sqlite.pragma('secure_delete = ON');
    time('plan + deletion transaction (secure_delete on)', () => {
      const plan = planErasure(store, 1, DEFAULT_RETENTION, new Date())!;
      store.tx(() => executeErasure(store, plan, new Date().toISOString()));
    });
    for (const table of ftsTables(store)) time(`optimize ${table}`, () => store.sqlite.prepare(`INSERT INTO "${table}" ("${table}") VALUES ('optimize')`).run());
    time('checkpoint (TRUNCATE)', () => store.sqlite.pragma('wal_checkpoint(TRUNCATE)'));
    time('VACUUM', () => store.sqlite.exec('VACUUM'));
    time('checkpoint (TRUNCATE)', () => store.sqlite.pragma('wal_checkpoint(TRUNCATE)'));
    const total = steps.reduce((n, [, v]) => n + v, 0);
    const longest = steps.reduce((a, b) => (b[1] > a[1] ? b : a));
    results.push(`database: ${CLIENTS} clients, ${MESSAGES} messages, ${(size / 1024 / 1024).toFixed(1)} MB`);
    for (const [label, v] of steps) results.push(`  ${label}: ${ms(v)}`);
    results.push(`erasure with every trace removed: ${ms(total)} in all; the longest step (the event loop held): ${longest[0]} ${ms(longest[1])}`);
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(results.join('\n'));
}

void main();
