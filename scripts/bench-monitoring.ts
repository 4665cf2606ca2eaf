// `npm run bench:monitoring [-- --seconds=120 --only=cpu|scrape|series]`: what monitoring costs.
//
//  1. Collector CPU: a fresh process with a started core and the collector at the
//     default interval, against the same process with monitoring stopped (idle
//     baseline), each measured over --seconds (default 120) after a warm-up.
//     Goal: under 1 % of one core.
//  2. GET /metrics: median over 300 scrapes of a core with every source registered
//     and a realistic spread of operation histograms, beside a 404 on the same
//     server (HTTP alone). Goal: under 20 ms.
//  3. monitoring.series over 30 days of per-minute samples, through the door with
//     its contract checks, beside reading the same rows with one raw SQL query.
//     Goal: under 50 ms.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from '../main/core/app.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';
import { buildServer } from '../main/headless/server.js';
import { doorAs } from '../tests/support/door.js';
import { startTestCore } from '../tests/support/core.js';
import { tempDir } from '../tests/support/server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    phase: { type: 'string' },
    /** run one part: cpu, scrape or series */
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
// start-up (module loading, sign-in's worker threads, the first maintenance) settles within ~10 s
const WARM_UP_MS = 20_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Child process: one phase of the CPU measurement; prints one JSON line. */
async function cpuPhase(phase: 'idle' | 'collector'): Promise<void> {
  const dataDir = tempDir('lexdesk-bench-');
  const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir }, envFile: null });
  const core = createCore(config, { log: silentLogger });
  await core.start();
  if (phase === 'idle') await core.services.monitoring.stop(); // no timer, no event-loop histogram
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  const before = process.cpuUsage();
  const started = performance.now();
  // something must keep the process alive (the collector's timer is unref'd, as in the app)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = process.cpuUsage(before);
  const elapsedMs = performance.now() - started;
  const ticks = core.services.monitoring.latest ? 1 : 0;
  await core.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ phase, cpuMs: (used.user + used.system) / 1000, elapsedMs, sampled: ticks === 1 })}\n`,
  );
}

function runPhase(phase: 'idle' | 'collector'): Promise<{ cpuMs: number; elapsedMs: number; sampled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), `--phase=${phase}`, `--seconds=${seconds}`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`phase ${phase} failed (${code}): ${out}`));
      else resolve(JSON.parse(line) as { cpuMs: number; elapsedMs: number; sampled: boolean });
    });
  });
}

async function benchCpu(): Promise<void> {
  process.stdout.write(`\n1. Collector CPU at the default interval (15 s), ${seconds} s per phase after ${WARM_UP_MS / 1000} s warm-up\n`);
  const idle = await runPhase('idle');
  const collector = await runPhase('collector');
  const share = (r: { cpuMs: number; elapsedMs: number }) => (r.cpuMs / r.elapsedMs) * 100;
  const cost = share(collector) - share(idle);
  process.stdout.write(`   idle baseline (core started, monitoring stopped): ${share(idle).toFixed(3)} % of one core (${idle.cpuMs.toFixed(0)} ms CPU)\n`);
  process.stdout.write(`   with the collector:                              ${share(collector).toFixed(3)} % of one core (${collector.cpuMs.toFixed(0)} ms CPU)\n`);
  process.stdout.write(`   collector cost: ${cost.toFixed(3)} % of one core (goal < 1 %) ${cost < 1 ? 'OK' : 'OVER'}\n`);
  if (seconds < 120) process.stdout.write('   (shorter than the 2 minutes the goal asks for: pass --seconds=120 or more)\n');
}

async function benchScrape(): Promise<void> {
  const core = await startTestCore({ deps: { monitoring: { schedule: false } } });
  const m = core.services.monitoring;
  m.registerSource('whatsapp', () => ({
    enabled: true, state: 'ready', ready: true, received: 1200, sent: 1100, failed: 3,
    reconnects: 2, outboxDepth: 1, outboxFailed: 0, browserPid: process.pid,
  }));
  m.registerSource('backup', () => ({ lastSuccessAt: new Date(), lastDurationSeconds: 30, lastFailed: false, failures: 0, folder: core.config.dataDir }));
  m.registerSource('signin', () => ({ failures: 10, lockouts: 1 }));
  m.registerSource('audit', () => ({ chainOk: true, checkedAt: new Date() }));
  // what a busy headless office leaves in the histograms: 80 operations answered, some of
  // them also refused, given bad input or failed (the desktop face is not scraped)
  for (let op = 0; op < 80; op++) {
    const operation = `capability${op % 10}.operation${op}`;
    const outcomes: ['ok' | 'denied' | 'invalid' | 'error', string | undefined][] = [['ok', undefined]];
    if (op % 3 === 0) outcomes.push(['denied', 'forbidden']);
    if (op % 4 === 0) outcomes.push(['invalid', 'invalid_input']);
    if (op % 8 === 0) outcomes.push(['error', 'not_found']);
    for (const [outcome, code] of outcomes) {
      for (let i = 0; i < 50; i++) {
        m.observer.observe({ operation, face: 'headless', outcome, code: code as never, seconds: Math.random() * 0.2 });
      }
    }
  }
  await m.tick();
  const app = await buildServer(core);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const time = async (url: string, n: number) => {
    const samples: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n + 20; i++) {
      const t0 = performance.now();
      const c = process.cpuUsage();
      const response = await fetch(url);
      const body = await response.text();
      const t = performance.now() - t0;
      const used = process.cpuUsage(c);
      if (i >= 20) {
        samples.push(t);
        cpu.push((used.user + used.system) / 1000);
      }
      bytes = body.length;
    }
    return { samples, cpu, bytes };
  };
  const scrape = await time(`${base}/metrics`, 300);
  const baseline = await time(`${base}/api/nothing`, 300);
  const inProcess: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await m.prom.metrics();
    inProcess.push(performance.now() - t0);
  }
  process.stdout.write(`\n2. GET /metrics (${(scrape.bytes / 1024).toFixed(0)} KB, ${300} scrapes)\n`);
  process.stdout.write(`   /metrics:                 median ${ms(median(scrape.samples))} (CPU, server and client: ${ms(median(scrape.cpu))}), p95 ${ms(percentile(scrape.samples, 0.95))} (goal median < 20 ms) ${median(scrape.samples) < 20 ? 'OK' : 'OVER'}\n`);
  process.stdout.write(`   registry only, no HTTP:   median ${ms(median(inProcess))}\n`);
  process.stdout.write(`   baseline, a 404 over HTTP: median ${ms(median(baseline.samples))}\n`);
  await app.close();
  await core.dispose();
}

async function benchSeries(): Promise<void> {
  const core = await startTestCore({ deps: { monitoring: { schedule: false } } });
  const sqlite = core.services.store.sqlite;
  const now = Math.floor(Date.now() / 1000);
  const minuteNow = now - (now % 60);
  const from = minuteNow - 30 * 86_400;
  const names = ['system.cpu', 'system.memory', 'process.cpu', 'process.memory', 'disk.data.free', 'disk.data.free_percent',
    'eventloop.p99', 'eventloop.max', 'database.size', 'database.wal', 'operations.p50', 'operations.p95', 'operations.p99',
    'operations.count', 'operations.errors', 'whatsapp.in', 'whatsapp.out', 'whatsapp.failed', 'whatsapp.outbox', 'whatsapp.ready', 'backup.age'];
  const t0 = performance.now();
  sqlite.transaction(() => {
    for (const name of names) {
      sqlite.prepare('INSERT INTO monitoring_series (name) VALUES (?)').run(name);
      const id = (sqlite.prepare('SELECT id FROM monitoring_series WHERE name = ?').get(name) as { id: number }).id;
      // 30 days of per-minute summaries (4 samples each), as the roll-up leaves them
      sqlite
        .prepare(
          `WITH RECURSIVE m(t) AS (SELECT ? UNION ALL SELECT t + 60 FROM m WHERE t + 60 < ?)
           INSERT INTO monitoring_rollup (series_id, resolution, t, sum, count, min, max)
           SELECT ?, 60, t, 4 * (50 + 20 * sin(t / 3600.0)), 4, 30 + 20 * sin(t / 3600.0), 70 + 20 * sin(t / 3600.0) FROM m`,
        )
        .run(from, minuteNow, id);
    }
    sqlite
      .prepare("INSERT INTO app_meta (key, value, updated_at) VALUES ('monitoring.rolled_up_to.minute', ?, ?)")
      .run(String(minuteNow), new Date().toISOString());
  })();
  // and the per-hour summaries that maintenance makes of them, as after 30 days of running
  core.services.monitoring.history.maintain(now);
  const rows = (sqlite.prepare('SELECT count(*) AS n FROM monitoring_rollup').get() as { n: number }).n;
  const admin = doorAs(core, 'admin');
  const input = (step?: number) => ({
    metric: 'system.cpu',
    from: new Date(from * 1000).toISOString(),
    to: new Date(minuteNow * 1000).toISOString(),
    ...(step ? { step } : {}),
  });
  const time = async (step?: number) => {
    const samples: number[] = [];
    const cpu: number[] = [];
    let points = 0;
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const result = await admin.ok<{ t: number[]; step: number }>('monitoring.series', input(step));
      const used = process.cpuUsage(c);
      if (i >= 10) {
        samples.push(performance.now() - t);
        cpu.push((used.user + used.system) / 1000);
      }
      points = result.t.length;
    }
    return { samples, cpu, points };
  };
  const chart = await time();
  const fine = await time(60);
  const id = (sqlite.prepare("SELECT id FROM monitoring_series WHERE name = 'system.cpu'").get() as { id: number }).id;
  const raw: number[] = [];
  const rawCpu: number[] = [];
  const statement = sqlite.prepare('SELECT t, sum, count, min, max FROM monitoring_rollup WHERE series_id = ? AND resolution = 60 AND t >= ?').raw(true);
  let rawRows = 0;
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    rawRows = statement.all(id, from).length;
    const used = process.cpuUsage(c);
    if (i >= 10) {
      raw.push(performance.now() - t);
      rawCpu.push((used.user + used.system) / 1000);
    }
  }
  process.stdout.write(`\n3. monitoring.series over 30 days of per-minute samples (${names.length} series, ${rows} summary rows, built in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  const line = (label: string, r: { samples: number[]; cpu: number[] }) =>
    process.stdout.write(
      `   ${label}: median ${ms(median(r.samples))} (CPU ${ms(median(r.cpu))}), p95 ${ms(percentile(r.samples, 0.95))} (goal < 50 ms) ${median(r.samples) < 50 ? 'OK' : 'OVER'}\n`,
    );
  line(`a 30-day chart, default step (${chart.points} points, from hourly summaries)`, chart);
  line(`step 60 s asked (${fine.points} points, from all ${rawRows} per-minute rows)`, fine);
  process.stdout.write(`   baseline, raw SQL reading those ${rawRows} rows into JS: median ${ms(median(raw))} (CPU ${ms(median(rawCpu))})\n`);
  await core.dispose();
}

if (values.phase === 'idle' || values.phase === 'collector') {
  await cpuPhase(values.phase);
} else {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stdout.write(
    `LexDesk monitoring benchmark · Node ${process.version} · ${process.platform}/${process.arch} · ${cpus().length} cores, load average ${load}\n` +
      '(on a busy machine wall times stretch; the CPU figures are the work itself)\n',
  );
  const only = values.only;
  if (!only || only === 'scrape') await benchScrape();
  if (!only || only === 'series') await benchSeries();
  if (!only || only === 'cpu') await benchCpu();
}
