// npm run bench:whatsapp — inbound throughput of the WhatsApp ledger through the
// simulator, beside raw better-sqlite3 inserts of the same rows (one transaction
// each), and the event-loop lag while the burst comes in.
// Goals: ledger rate ≥ 1/3 of the raw rate; event-loop lag p99 < 20 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createCore } from '../main/core/app.js';
import { loadConfig } from '../main/core/config.js';
import { migrateToLatest } from '../main/core/db/migrate.js';
import { Store } from '../main/core/db/store.js';
import { silentLogger } from '../main/core/log.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const CHATS = Number(process.env.BENCH_CHATS ?? 1_000);
/**
 * Messages delivered per turn of the event loop. whatsapp-web.js hands each message
 * over in its own callback from the browser, so 1 is the real pattern.
 */
const PER_TURN = Number(process.env.BENCH_PER_TURN ?? 1);
const number = (i: number) => `55119${String(10_000_000 + (i % CHATS)).slice(-8)}`;

async function throughSimulator(withConsumer: boolean, direct = false) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-'));
  const config = loadConfig({
    face: 'headless',
    env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true' },
    envFile: null,
  });
  // the ledger on its own; bench:bot measures the bot on top of it
  const core = createCore(config, { log: silentLogger, withoutBot: true });
  await core.start();
  const { whatsapp } = core.services;
  while (whatsapp.status().state !== 'ready') await new Promise((r) => setTimeout(r, 5));
  const simulator = whatsapp.simulator!;
  const consumer = withConsumer ? whatsapp.ledger.consume('bench', (_m, { commit }) => commit(() => undefined)) : null;

  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const text = `Message ${i}: I would like to know the status of my matter.`;
    if (direct) {
      // what the adapter hands the ledger; WhatsApp's side lives in Chromium, off this event loop
      whatsapp.ledger.record({
        id: `false_${number(i)}@c.us_BENCH${i.toString(16).padStart(16, '0')}`,
        chatId: `${number(i)}@c.us`,
        from: number(i),
        pushName: `Client ${i % CHATS}`,
        timestamp: Date.now(),
        text,
        media: null,
      });
    } else {
      simulator.clientSend(number(i), `Client ${i % CHATS}`, text);
    }
    if (i % PER_TURN === PER_TURN - 1) await yieldToLoop();
  }
  await consumer?.drained();
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  const stored = (core.services.store.sqlite.prepare('SELECT COUNT(*) AS n FROM whatsapp_inbound').get() as { n: number }).n;
  await core.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (stored !== MESSAGES) throw new Error(`stored ${stored} of ${MESSAGES}`);
  return { rate: MESSAGES / seconds, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
}

async function rawInserts() {
  const dataDir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-raw-'));
  const store = new Store({ file: join(dataDir, 'raw.sqlite') });
  await migrateToLatest(store, silentLogger); // the same table and indexes as the ledger
  const rows = Array.from({ length: MESSAGES }, (_, i) => [
    `false_${number(i)}@c.us_RAW${i.toString(16).padStart(16, '0')}`,
    `${number(i)}@c.us`,
    number(i),
    `Client ${i % CHATS}`,
    Date.now(),
    `Message ${i}: I would like to know the status of my matter.`,
    null,
    null,
    null,
    Date.now(),
  ]);
  const insert = store.sqlite.prepare(
    `INSERT INTO whatsapp_inbound (wa_id, chat_id, sender, push_name, sent_at, body, media_mimetype, media_file_name, media_size, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const one = store.sqlite.transaction((row: unknown[]) => insert.run(...row));
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const started = performance.now();
  // the same arrival pattern as the burst: a few rows, then a turn of the event loop
  for (let i = 0; i < rows.length; i++) {
    one(rows[i]!);
    if (i % PER_TURN === PER_TURN - 1) await yieldToLoop();
  }
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { rate: MESSAGES / seconds, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// warm up (JIT, page cache), then measure
await rawInserts();
await throughSimulator(false);
const raw = await rawInserts();
const ledger = await throughSimulator(false);
const consumed = await throughSimulator(true);
const direct = await throughSimulator(false, true);

const ratio = ledger.rate / raw.rate;
console.log(`WhatsApp inbound: ${fmt(MESSAGES)} messages from ${fmt(CHATS)} chats, ${PER_TURN} per event-loop turn (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
console.log(`  raw better-sqlite3 inserts, one transaction each : ${fmt(raw.rate)} msg/s`);
console.log(`  simulator → ledger (stored once by WhatsApp id)   : ${fmt(ledger.rate)} msg/s`);
console.log(`  ratio ledger / raw                               : ${ratio.toFixed(2)} (goal ≥ 0.33: ${ratio >= 1 / 3 ? 'met' : 'NOT met'})`);
console.log(`  event-loop lag during the burst                  : p99 ${ledger.p99.toFixed(1)} ms, max ${ledger.max.toFixed(1)} ms (goal p99 < 20 ms: ${ledger.p99 < 20 ? 'met' : 'NOT met'})`);
console.log(`  event-loop lag, raw inserts (the machine's floor) : p99 ${raw.p99.toFixed(1)} ms, max ${raw.max.toFixed(1)} ms`);
console.log(`  the ledger alone (no simulated network)         : ${fmt(direct.rate)} msg/s (${(direct.rate / raw.rate).toFixed(2)} of raw), lag p99 ${direct.p99.toFixed(1)} ms, max ${direct.max.toFixed(1)} ms`);
console.log(`  with a consumer committing each message          : ${fmt(consumed.rate)} msg/s, lag p99 ${consumed.p99.toFixed(1)} ms, max ${consumed.max.toFixed(1)} ms`);
