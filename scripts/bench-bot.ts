/**
 * npm run bench:bot — the legal bot under a burst.
 *
 * 1,000 simulated clients each send 10 messages (10,000 in all) walking through
 * the intake: greeting, menu, consent, name, area, description, other party,
 * deadline, then 100 of them confirm (each confirmation runs the conflict check
 * and queues an intake PDF, so 100 PDFs are drawn while the burst runs) and ask
 * for their status, while the other 900 correct their name.
 *
 * Phase 1 (paced): messages arrive at a steady rate; we report the time from a
 * message being stored in the inbound ledger to its reply row in the outbox
 * (p50/p99) and the event-loop lag (p99, goal under 20 ms).
 * Phase 2 (flood): all 10,000 stored at once; we report how fast the bot drains
 * them and the lag meanwhile.
 * Beside them, a raw baseline: better-sqlite3 inserting the same number of
 * reply rows, one transaction each, with no bot at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createCore, type Core } from '../main/core/app.js';
import type { BotConsumer, BotInboundMessage, BotLink, Delivery, InboundHandler } from '../main/core/bot/link.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const CONFIRMING = Number(process.env.BENCH_PDFS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 500); // messages per second in the paced phase
const MESSAGES_PER_CLIENT = 10;

const FIRST = ['Ana', 'José', 'Maria', 'João', 'Zoë', 'Dmitri', 'Αλέξανδρος', 'Lucía', 'Chen', 'Fatima', 'Pedro', 'Olga'];
const LAST = ['Souza', 'Núñez', 'Silva', 'Costa', 'Müller', 'Ivanov', 'Papadopoulos', 'García', 'Wang', 'Haddad', 'Lima', 'Novak'];
const COMPANIES = ['Construtora Horizonte Ltda', 'Acme Ltd', 'Globex S.A.', 'Initech GmbH', 'Umbrella Inc.', 'none'];

const nameOf = (i: number) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;

function script(i: number): string[] {
  const name = nameOf(i);
  // every sixth client names an earlier client as the other party (word order swapped): a conflict hit
  const opposing = i % 6 === 5 ? nameOf(i - 5).split(' ').reverse().join(', ') : COMPANIES[i % COMPANIES.length]!;
  const head = ['hello', '1', 'yes', name, String((i % 7) + 1), `Client ${i} describes what happened in a few sentences.`, opposing, i % 3 === 0 ? '15/03/2026' : 'none'];
  return i < CONFIRMING ? [...head, 'yes', '2'] : [...head, '1', `${name} Corrected`];
}

/**
 * The inbound ledger and outbox as the WhatsApp link keeps them: rows in the
 * core's SQLite database, a consumer that reads the ledger in order and commits
 * each step together with its progress mark, yielding to the event loop every
 * 8 ms of work.
 */
/** Where the burst comes in: the real WhatsApp ledger and outbox, or the stand-in below. */
interface Source {
  readonly kind: string;
  record(m: { id: string; from: string; text: string }): void;
  drained(): Promise<void>;
  /** ms from ledger row to reply row, one per reply */
  latencies(): number[];
}

/** The WhatsApp link's own ledger and outbox (main/core/whatsapp), through the simulator transport. */
interface WhatsAppLike {
  ledger: { record(m: { id: string; chatId: string; from: string; pushName: string | null; timestamp: number; text: string; media: null }): boolean };
}

class LinkSource implements Source {
  readonly kind = 'the WhatsApp link (inbound ledger and durable outbox, simulator transport)';
  constructor(
    private readonly core: Core,
    private readonly whatsapp: WhatsAppLike,
  ) {}
  record(m: { id: string; from: string; text: string }): void {
    this.whatsapp.ledger.record({ id: m.id, chatId: `${m.from}@c.us`, from: m.from, pushName: null, timestamp: Date.now(), text: m.text, media: null });
  }
  drained(): Promise<void> {
    return this.core.services.bot.drained();
  }
  latencies(): number[] {
    return (
      this.core.services.store
        .prepare(
          `SELECT o.created_at - i.received_at AS ms FROM whatsapp_outbox o JOIN whatsapp_inbound i ON o.dedupe_key = 'bot:' || i.wa_id
           WHERE o.kind = 'text' ORDER BY ms`,
        )
        .all() as { ms: number }[]
    ).map((r) => r.ms);
  }
}

class BenchLink implements BotLink, Source {
  readonly kind = 'a stand-in ledger and outbox in the same SQLite database (the WhatsApp link is not on this branch)';
  private handler: InboundHandler | null = null;
  private running = false;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly core: Core) {
    core.services.store.sqlite.exec(`
      CREATE TABLE bench_inbound (seq INTEGER PRIMARY KEY, wa_id TEXT UNIQUE, chat_id TEXT, sender TEXT, body TEXT, received_at REAL);
      CREATE TABLE bench_outbox (id INTEGER PRIMARY KEY, chat_id TEXT, kind TEXT, text TEXT, document BLOB, dedupe_key TEXT UNIQUE, created_at REAL);
      CREATE TABLE bench_progress (name TEXT PRIMARY KEY, last_seq INTEGER);`);
  }

  private get store() {
    return this.core.services.store;
  }

  readonly inbound = {
    consume: (_name: string, handler: InboundHandler): BotConsumer => {
      this.handler = handler;
      return { stop: async () => void (this.handler = null), drained: () => this.drained() };
    },
  };

  readonly outbox = {
    enqueueText: (m: { chatId: string; text: string; dedupeKey: string }) =>
      Number(
        this.store
          .prepare("INSERT INTO bench_outbox (chat_id, kind, text, dedupe_key, created_at) VALUES (?, 'text', ?, ?, ?)")
          .run(m.chatId, m.text, m.dedupeKey, performance.timeOrigin + performance.now()).lastInsertRowid,
      ),
    enqueueDocument: (m: { chatId: string; documentId: number; dedupeKey: string; caption?: string }) =>
      Number(
        this.store
          .prepare("INSERT INTO bench_outbox (chat_id, kind, text, document, dedupe_key, created_at) VALUES (?, 'document', ?, ?, ?, ?)")
          .run(m.chatId, m.caption ?? null, Buffer.from(String(m.documentId)), m.dedupeKey, performance.timeOrigin + performance.now()).lastInsertRowid,
      ),
    delivery: () => new Map<number, Delivery>(),
  };

  record(m: { id: string; from: string; text: string }): void {
    this.store
      .prepare('INSERT INTO bench_inbound (wa_id, chat_id, sender, body, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (wa_id) DO NOTHING')
      .run(m.id, `${m.from}@c.us`, m.from, m.text, performance.timeOrigin + performance.now());
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.pump());
    }
  }

  private async pump(): Promise<void> {
    let slice = performance.now();
    for (;;) {
      const rows = this.store.prepare('SELECT seq, wa_id, chat_id, sender, body FROM bench_inbound WHERE seq > ? ORDER BY seq LIMIT 100').all(this.cursor) as {
        seq: number;
        wa_id: string;
        chat_id: string;
        sender: string;
        body: string;
      }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const message: BotInboundMessage = { id: row.wa_id, chatId: row.chat_id, from: row.sender, pushName: null, timestamp: Date.now(), text: row.body, media: null };
        await this.handler!(message, {
          commit: (fn) =>
            this.store.tx(() => {
              const value = fn();
              this.store.prepare('INSERT INTO bench_progress (name, last_seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq').run('bot', row.seq);
              return value;
            }),
        });
        this.cursor = row.seq;
        if (performance.now() - slice > 8) {
          await yieldToLoop();
          slice = performance.now();
        }
      }
    }
    this.running = false;
    for (const w of this.waiters.splice(0)) w();
  }

  drained(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  latencies(): number[] {
    return (
      this.store
        .prepare(
          `SELECT o.created_at - i.received_at AS ms FROM bench_outbox o JOIN bench_inbound i ON o.dedupe_key = 'bot:' || i.wa_id
           WHERE o.kind = 'text' ORDER BY ms`,
        )
        .all() as { ms: number }[]
    ).map((r) => r.ms);
  }
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function startCore(dir: string) {
  const config = loadConfig({
    face: 'headless',
    env: { LEXDESK_DATA_DIR: dir, LEXDESK_WHATSAPP: 'simulator', LEXDESK_SIMULATOR_PAIRED: 'true' },
    envFile: null,
  });
  const core = createCore(config, { log: silentLogger });
  await core.start();
  const whatsapp = (core.services as unknown as { whatsapp?: WhatsAppLike }).whatsapp;
  let source: Source;
  if (whatsapp) {
    source = new LinkSource(core, whatsapp);
  } else {
    const link = new BenchLink(core);
    core.services.bot.attach(link);
    source = link;
  }
  // the main-thread time of each bot step: the bot's own share of the event-loop lag
  const steps: number[] = [];
  const engine = core.services.bot.engine;
  const handle = engine.handle.bind(engine);
  engine.handle = (message, ctx) => {
    const t0 = performance.now();
    try {
      return handle(message, ctx);
    } finally {
      steps.push(performance.now() - t0);
    }
  };
  const s = core.services.bot.settings;
  // open every hour so the out-of-hours notice does not change the texts from run to run
  const always = [{ open: '00:00', close: '23:59' }];
  s.set('hours', { timeZone: 'UTC', week: { mon: always, tue: always, wed: always, thu: always, fri: always, sat: always, sun: always }, closedDates: [] }, null);
  s.set('profile', { ...s.get().profile, name: 'Bench & Partners' }, null);
  return { core, source, steps };
}

function messages(): { id: string; from: string; text: string }[] {
  const scripts = Array.from({ length: CLIENTS }, (_, i) => script(i));
  const out: { id: string; from: string; text: string }[] = [];
  // round-robin: every client's first message, then every client's second…
  for (let step = 0; step < MESSAGES_PER_CLIENT; step++) {
    for (let i = 0; i < CLIENTS; i++) out.push({ id: `bench-${i}-${step}`, from: String(5511900000000 + i), text: scripts[i]![step]! });
  }
  return out;
}

let sourceKind = '';

async function phase(label: string, paced: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-bot-'));
  const { core, source, steps: stepTimes } = await startCore(dir);
  sourceKind = source.kind;
  const all = messages();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  lag.enable();
  if (paced) {
    // every ~10 ms, store what should have arrived by now at RATE messages a second
    let sent = 0;
    while (sent < all.length) {
      const due = Math.min(all.length, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
      for (; sent < due; sent++) source.record(all[sent]!);
      await sleep(10);
    }
  } else {
    // as fast as the link can store them (a catch-up after a reconnect): 200 per turn of the event loop
    for (let i = 0; i < all.length; i += 200) {
      for (const m of all.slice(i, i + 200)) source.record(m);
      await yieldToLoop();
    }
  }
  await source.drained();
  const handled = performance.now() - started;
  await core.services.bot.pdfs.idle();
  const withPdfs = performance.now() - started;
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const latencies = source.latencies();
  const steps = [...stepTimes].sort((a, b) => a - b);
  const store = core.services.store;
  const count = (sql: string) => (store.prepare(sql).get() as { n: number }).n;
  const result = {
    label,
    messages: all.length,
    replies: latencies.length,
    seconds: handled / 1000,
    throughput: all.length / (handled / 1000),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
    matters: count('SELECT COUNT(*) AS n FROM matters'),
    conflicts: count('SELECT COUNT(*) AS n FROM conflict_hits'),
    pdfs: count("SELECT COUNT(*) AS n FROM pdf_jobs WHERE status = 'done'"),
    pdfSeconds: withPdfs / 1000,
    stepP50: pct(steps, 50),
    stepP99: pct(steps, 99),
    stepMax: steps.at(-1) ?? NaN,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

function rawBaseline(n: number): { seconds: number; rate: number } {
  const dir = mkdtempSync(join(tmpdir(), 'lexdesk-bench-raw-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE outbox (id INTEGER PRIMARY KEY, chat_id TEXT, text TEXT, dedupe_key TEXT UNIQUE, created_at REAL)');
  const insert = db.prepare('INSERT INTO outbox (chat_id, text, dedupe_key, created_at) VALUES (?, ?, ?, ?)');
  const one = db.transaction((i: number) => insert.run(`${i}@c.us`, 'How can we help? Reply with a number: 1. New matter 2. Status', `k${i}`, Date.now()));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) one.immediate(i);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, rate: n / seconds };
}

async function idleLag(ms: number): Promise<number> {
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  await sleep(ms);
  lag.disable();
  return lag.percentile(99) / 1e6;
}

const f = (n: number, d = 1) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

const load = (await import('node:os')).loadavg()[0]!;
const baselineLag = await idleLag(1000);
const raw = rawBaseline(CLIENTS * MESSAGES_PER_CLIENT);
const paced = await phase(`paced at ${RATE} msg/s`, true);
const flood = await phase('flood (all stored at once)', false);

console.log(`\nLexDesk bench:bot — ${CLIENTS} clients × ${MESSAGES_PER_CLIENT} messages, ${CONFIRMING} intakes with PDF (node ${process.version}, ${(await import('node:os')).availableParallelism()} cores, load average ${f(load, 2)} at start)`);
console.log(`Measured from the inbound ledger row to the reply row in the outbox, through ${sourceKind}.`);
for (const r of [paced, flood]) {
  console.log(`\n${r.label}`);
  console.log(`  handled            ${r.messages} messages → ${r.replies} replies in ${f(r.seconds, 2)} s = ${f(r.throughput, 0)} msg/s`);
  console.log(`  ledger → outbox    p50 ${f(r.p50)} ms   p99 ${f(r.p99)} ms`);
  console.log(`  event-loop lag     p99 ${f(r.lagP99)} ms   max ${f(r.lagMax)} ms   (goal p99 < 20 ms; idle baseline p99 ${f(baselineLag)} ms)`);
  console.log(`  one bot step       p50 ${f(r.stepP50, 2)} ms   p99 ${f(r.stepP99, 2)} ms   max ${f(r.stepMax)} ms   (main-thread work per message)`);
  console.log(`  CPU                ${f(r.cpuSeconds, 2)} s for ${f(r.pdfSeconds, 2)} s wall, all threads (PDF worker included)`);
  console.log(`  intakes            ${r.matters} matters, ${r.conflicts} conflict hits, ${r.pdfs} PDFs done ${f(r.pdfSeconds, 2)} s after the first message`);
}
console.log(`\nraw baseline: better-sqlite3, ${CLIENTS * MESSAGES_PER_CLIENT} reply rows, one transaction each: ${f(raw.seconds, 2)} s = ${f(raw.rate, 0)} rows/s`);
console.log(`bot flood throughput / raw inserts: ${f(flood.throughput / raw.rate, 3)}`);
const ok = paced.lagP99 < 20 && flood.lagP99 < 20 && paced.pdfs === CONFIRMING && flood.pdfs === CONFIRMING;
console.log(ok ? '\nevent-loop lag within the goal, every PDF made' : '\nGOAL MISSED: see the figures above');
process.exitCode = ok ? 0 : 1;
