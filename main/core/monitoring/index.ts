import type { Dashboard, HealthDetails, SeriesName } from '../../../shared/contract/monitoring.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { isDiskFull, type Store } from '../db/store.js';
import type { EventBus } from '../events.js';
import type { CheckResult, HealthRegistry } from '../health.js';
import type { Logger } from '../log.js';
import { AlertEngine, type AlertListener, type AlertNotifier } from './alerts.js';
import { EventLoopMonitor, type EventLoopWindow } from './event-loop.js';
import { History } from './history.js';
import { OperationStats, type OperationWindow } from './operation-stats.js';
import { NodeSystemProbe, type ProbeRequest, type SystemProbe, type SystemReading } from './probe.js';
import { PromMetrics } from './prometheus.js';
import { RuleBook, type CheckName, type Signals } from './rules.js';
import {
  SourceRegistry,
  toDate,
  type AuditSnapshot,
  type BackupSnapshot,
  type SignInSnapshot,
  type SourceName,
  type SourceReader,
  type WhatsAppSnapshot,
} from './sources.js';

export type { AlertChange, AlertListener, AlertNotifier } from './alerts.js';
export type { SystemProbe, SystemReading } from './probe.js';
export type * from './sources.js';

export interface MonitoringOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  events: EventBus;
  health: HealthRegistry;
  store: () => Store;
  version: string;
  notifier?: AlertNotifier;
  /** where system readings come from; the default reads this machine */
  probe?: SystemProbe;
  /** false: no timers, samples only when `tick()` is called (tests) */
  schedule?: boolean;
}

/** One tick's readings, kept for the dashboard. */
export interface LatestReading {
  at: Date;
  system: SystemReading;
  eventLoop: EventLoopWindow | null;
  operations: OperationWindow;
  whatsapp: WhatsAppSnapshot | null;
  backup: BackupSnapshot | null;
  signin: SignInSnapshot | null;
  audit: AuditSnapshot | null;
  backupAgeHours: number | null;
  signinFailures15m: number | null;
}

const SIGNIN_WINDOW_MS = 15 * 60_000;
const MAINTENANCE_EVERY_SECONDS = 60;
const GB = 1e9;

const CHECK_OF_SOURCE: Record<SourceName, CheckName> = {
  whatsapp: 'whatsapp',
  inbox: 'inbox',
  backup: 'backups',
  offsite: 'offsite',
  signin: 'signin',
  audit: 'audit',
  storage: 'disk',
};

/** Events since the previous total; a smaller total means the source restarted. */
function increase(previous: number | undefined, current: number): number | null {
  if (previous === undefined) return null;
  return current >= previous ? current - previous : current;
}

/**
 * Monitoring: the collector, its history, the alert rules, the health checks it
 * feeds and the Prometheus metrics. One per core, started and stopped with it.
 *
 * Other capabilities plug in through `registerSource` (their numbers) and
 * `onAlert` (the audit trail records alerts firing and resolving).
 */
export class Monitoring implements Lifecycle {
  readonly name = 'monitoring';
  readonly sources: SourceRegistry;
  readonly prom: PromMetrics;
  readonly observer: OperationStats;
  readonly history: History;
  readonly rules: RuleBook;
  readonly alerts: AlertEngine;
  readonly intervalSeconds: number;

  private readonly log: Logger;
  private readonly probe: SystemProbe;
  private readonly eventLoop = new EventLoopMonitor();
  private latestReading: LatestReading | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private lastMaintenance = Number.NEGATIVE_INFINITY;
  private firstStartedAt: Date | null = null;
  private previousTotals: Partial<Record<'in' | 'out' | 'failed' | 'signin', number>> = {};
  private signinTotals: { at: number; failures: number }[] = [];
  private lastError: string | null = null;
  private sleepingSince: number | null = null;

  constructor(private readonly options: MonitoringOptions) {
    this.log = options.log.child({ component: 'monitoring' });
    this.intervalSeconds = options.config.monitoringIntervalSeconds;
    this.sources = new SourceRegistry(this.log);
    this.prom = new PromMetrics(this.sources, this.log, options.version);
    this.observer = new OperationStats(this.prom);
    this.history = new History(options.store, this.intervalSeconds);
    this.rules = new RuleBook(options.store);
    this.alerts = new AlertEngine({
      store: options.store,
      rules: this.rules,
      clock: options.clock,
      events: options.events,
      log: this.log,
      prom: this.prom,
      notifier: options.notifier,
    });
    this.probe = options.probe ?? new NodeSystemProbe();

    options.health.register('system', () => this.checkStatus('system'));
    options.health.register('disk', () => this.checkStatus('disk'));
    options.health.register('monitoring', () => this.collectorStatus());
    // a check per source, from its alert rules, unless the capability reports its own health
    this.sources.onChange((name, present) => {
      const check = CHECK_OF_SOURCE[name];
      if (present && !options.health.has(check)) options.health.register(check, () => this.checkStatus(check));
    });
  }

  /**
   * Plugs a capability's numbers into monitoring (history, alert rules,
   * Prometheus). Returns a function that unplugs it.
   *
   *   const unplug = services.monitoring.registerSource('backup', () => backups.snapshot());
   */
  registerSource<K extends SourceName>(name: K, read: SourceReader<K>): () => void {
    return this.sources.register(name, read);
  }

  /** Called for every alert that fires, resolves or is acknowledged, once it is stored. */
  onAlert(listener: AlertListener): () => void {
    return this.alerts.onChange(listener);
  }

  /**
   * Called inside the transaction that stores an alert firing or resolving: the
   * hook through which the audit trail records alerts (core/app.ts wires it).
   */
  onAlertStored(recorder: AlertListener): () => void {
    return this.alerts.onStored(recorder);
  }

  get latest(): LatestReading | null {
    return this.latestReading;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const store = this.options.store();
    const now = this.options.clock.now().toISOString();
    const firstStart = () => store.prepare("SELECT value FROM app_meta WHERE key = 'monitoring.first_started_at'").get() as { value: string } | undefined;
    if (!firstStart()) {
      try {
        store
          .prepare("INSERT OR IGNORE INTO app_meta (key, value, updated_at) VALUES ('monitoring.first_started_at', ?, ?)")
          .run(now, now);
      } catch (err) {
        // started on a full disk: the first start is written at a later one
        if (!isDiskFull(err)) throw err;
      }
    }
    this.firstStartedAt = new Date(firstStart()?.value ?? now);
    this.alerts.syncGauges();
    this.eventLoop.start();
    if (this.options.schedule !== false) {
      this.timer = setInterval(() => void this.tick(), this.intervalSeconds * 1000);
      this.timer.unref();
      setImmediate(() => void this.tick());
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    this.eventLoop.stop();
  }

  /** True between `asleep()` and `awake()`. */
  get sleeping(): boolean {
    return this.sleepingSince !== null;
  }

  /**
   * The computer is going to sleep: no samples until it wakes. The time asleep is
   * not an outage: nothing was down, the machine was off.
   */
  asleep(): void {
    if (!this.running || this.sleepingSince !== null) return;
    this.sleepingSince = this.options.clock.now().getTime();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * The computer woke up: durations start again from now (a rule "for 5 minutes"
   * needs five minutes awake), the event-loop delay measured across the sleep is
   * dropped, and a sample is taken at once. Returns how long it slept, in ms.
   */
  awake(): number {
    if (!this.running) return 0;
    const since = this.sleepingSince;
    this.sleepingSince = null;
    this.alerts.resetAllPending();
    this.eventLoop.takeWindow();
    if (this.options.schedule !== false && !this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalSeconds * 1000);
      this.timer.unref();
      setImmediate(() => void this.tick());
    }
    return since === null ? 0 : Math.max(0, this.options.clock.now().getTime() - since);
  }

  /** Takes one sample: reads, records, evaluates the rules; then maintenance when it is due. */
  tick(): Promise<void> {
    if (this.inFlight) return this.inFlight; // the previous tick is still running: skip this one
    this.inFlight = this.collect()
      .catch((err: unknown) => {
        const text = String((err as Error)?.message ?? err);
        if (text !== this.lastError) this.log.warn({ err }, 'a monitoring sample failed');
        this.lastError = text;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private storeIfOpen(): Store | null {
    try {
      const store = this.options.store();
      return store.isOpen ? store : null;
    } catch {
      return null;
    }
  }

  private async collect(): Promise<void> {
    if (!this.running || !this.storeIfOpen()) return;
    const started = performance.now();
    const { config, clock } = this.options;
    const whatsapp = this.sources.read('whatsapp');
    const backup = this.sources.read('backup');
    const offsite = this.sources.read('offsite');
    const signin = this.sources.read('signin');
    const audit = this.sources.read('audit');
    const inbox = this.sources.read('inbox');
    const storage = this.sources.read('storage');

    const request: ProbeRequest = {
      volumes: [{ name: 'data', path: config.dataDir }],
      databaseFile: config.databaseFile,
      browserPid: whatsapp?.browserPid ?? null,
    };
    if (backup?.folder) request.volumes.push({ name: 'backup', path: backup.folder });
    const system = await this.probe.read(request);
    if (!this.running || !this.storeIfOpen()) return;

    const now = clock.now();
    const eventLoop = this.eventLoop.takeWindow();
    const operations = this.observer.takeWindow();

    // sign-in failures over the last 15 minutes, from the running total
    let signinFailures15m: number | null = null;
    if (signin) {
      const t = now.getTime();
      const last = this.signinTotals.at(-1);
      if (last && signin.failures < last.failures) this.signinTotals = [];
      // totals count from the source's start, so the baseline of a fresh window is zero
      if (this.signinTotals.length === 0) this.signinTotals.push({ at: t, failures: 0 });
      this.signinTotals.push({ at: t, failures: signin.failures });
      // the baseline is the newest total at least 15 minutes old (or the oldest there is)
      while (this.signinTotals.length > 2 && this.signinTotals[1]!.at <= t - SIGNIN_WINDOW_MS) this.signinTotals.shift();
      signinFailures15m = signin.failures - this.signinTotals[0]!.failures;
    } else {
      this.signinTotals = [];
    }

    let backupAgeHours: number | null = null;
    let backupNever = false;
    if (backup) {
      const last = toDate(backup.lastSuccessAt);
      backupNever = last === null;
      const reference = last ?? this.firstStartedAt ?? now;
      backupAgeHours = Math.max(0, (now.getTime() - reference.getTime()) / 3_600_000);
    }

    // history
    const samples: [SeriesName, number][] = [];
    const add = (name: SeriesName, value: number | null | undefined) => {
      if (value !== null && value !== undefined && Number.isFinite(value)) samples.push([name, value]);
    };
    const memoryPercent =
      system.memoryTotalBytes > 0 ? ((system.memoryTotalBytes - system.memoryAvailableBytes) / system.memoryTotalBytes) * 100 : null;
    add('system.cpu', system.cpuPercent);
    add('system.memory', memoryPercent);
    add('process.cpu', system.processCpuPercent);
    add('process.memory', system.processRssBytes);
    add('browser.cpu', system.browser?.cpuPercent);
    add('browser.memory', system.browser?.memoryBytes);
    for (const volume of system.volumes) {
      add(`disk.${volume.name}.free`, volume.freeBytes);
      add(`disk.${volume.name}.free_percent`, (volume.freeBytes / volume.totalBytes) * 100);
    }
    add('eventloop.p99', eventLoop?.p99Ms);
    add('eventloop.max', eventLoop?.maxMs);
    add('database.size', system.databaseBytes);
    add('database.wal', system.walBytes ?? 0);
    add('operations.count', operations.count);
    add('operations.errors', operations.errors);
    add('operations.p50', operations.p50Ms);
    add('operations.p95', operations.p95Ms);
    add('operations.p99', operations.p99Ms);
    if (whatsapp) {
      add('whatsapp.ready', whatsapp.ready ? 1 : 0);
      add('whatsapp.outbox', whatsapp.outboxDepth);
      add('whatsapp.in', increase(this.previousTotals.in, whatsapp.received));
      add('whatsapp.out', increase(this.previousTotals.out, whatsapp.sent));
      add('whatsapp.failed', increase(this.previousTotals.failed, whatsapp.failed));
      this.previousTotals.in = whatsapp.received;
      this.previousTotals.out = whatsapp.sent;
      this.previousTotals.failed = whatsapp.failed;
    }
    add('backup.age', backupAgeHours);
    if (signin) {
      add('signin.failures', increase(this.previousTotals.signin, signin.failures));
      this.previousTotals.signin = signin.failures;
    }
    const seconds = Math.floor(now.getTime() / 1000);
    try {
      this.history.record(seconds, samples);
    } catch (err) {
      // a full disk keeps no history, but the alerts below must still be evaluated
      if (!isDiskFull(err)) throw err;
    }

    // alert rules
    const signals: Signals = {};
    if (system.cpuPercent !== null) signals.cpu = { value: system.cpuPercent };
    if (memoryPercent !== null) signals.memory = { value: memoryPercent };
    const about = (name: string) => (name === 'data' ? 'the data folder' : 'the backup folder');
    for (const volume of system.volumes) {
      const freePercent = (volume.freeBytes / volume.totalBytes) * 100;
      if (!signals['disk.free_percent'] || freePercent < signals['disk.free_percent'].value) {
        signals['disk.free_percent'] = { value: freePercent, about: about(volume.name) };
      }
      const freeGb = volume.freeBytes / GB;
      if (!signals['disk.free_gb'] || freeGb < signals['disk.free_gb'].value) {
        signals['disk.free_gb'] = { value: freeGb, about: about(volume.name) };
      }
    }
    if (eventLoop) signals['eventloop.p99'] = { value: eventLoop.p99Ms };
    if (whatsapp?.enabled) {
      signals['whatsapp.ready'] = { value: whatsapp.ready ? 1 : 0, about: whatsapp.state };
      signals['outbox.failed'] = { value: whatsapp.outboxFailed };
    }
    if (backup) {
      signals['backup.age_hours'] = { value: backupAgeHours!, about: backupNever ? 'never' : undefined };
      signals['backup.failed'] = { value: backup.lastFailed ? 1 : 0, about: backup.lastFailure ?? undefined };
    }
    if (offsite?.configured) {
      const last = toDate(offsite.lastSuccessAt);
      const reference = last ?? this.firstStartedAt ?? now;
      signals['offsite.age_hours'] = {
        value: Math.max(0, (now.getTime() - reference.getTime()) / 3_600_000),
        about: last ? (offsite.label ?? undefined) : 'never',
      };
      signals['offsite.verify_failed'] = { value: offsite.verifyFailed ? 1 : 0, about: offsite.verifyProblem ?? undefined };
    }
    if (signinFailures15m !== null) signals['signin.failures_15m'] = { value: signinFailures15m };
    if (audit) signals['audit.chain_ok'] = { value: audit.chainOk ? 1 : 0 };
    if (storage) {
      signals['storage.writable'] = { value: storage.writable ? 1 : 0 };
      if (storage.databaseOk !== null) signals['database.ok'] = { value: storage.databaseOk ? 1 : 0 };
    }
    if (inbox) signals['inbox.longest_wait_minutes'] = { value: inbox.longestWaitMinutes, about: inbox.longestWaiting ?? undefined };
    this.alerts.evaluate(signals, now);

    this.prom.update(system, eventLoop, now, (performance.now() - started) / 1000);
    this.latestReading = {
      at: now,
      system,
      eventLoop,
      operations,
      whatsapp,
      backup,
      signin,
      audit,
      backupAgeHours,
      signinFailures15m,
    };

    if (seconds - this.lastMaintenance >= MAINTENANCE_EVERY_SECONDS) {
      this.lastMaintenance = seconds;
      await this.maintain(seconds);
    }
  }

  /** Roll-ups and retention, a bounded step at a time with the event loop free in between. */
  private async maintain(nowSeconds: number): Promise<void> {
    for (;;) {
      if (!this.running || !this.storeIfOpen()) return;
      if (this.history.maintainStep(nowSeconds).done) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.alerts.enforceRetention(new Date(nowSeconds * 1000));
  }

  private checkStatus(check: CheckName): CheckResult {
    if (!this.storeIfOpen()) return { status: 'ok' };
    const firing = this.alerts.firingRuleIds();
    const titles = this.rules
      .all()
      .filter((rule) => rule.check === check && firing.has(rule.id))
      .map((rule) => rule.title);
    return titles.length === 0 ? { status: 'ok' } : { status: 'degraded', message: `${titles.join('; ')}.` };
  }

  private collectorStatus(): CheckResult {
    const latest = this.latestReading;
    const now = this.options.clock.now().getTime();
    const allowance = (this.intervalSeconds * 3 + 30) * 1000;
    if (!latest) return { status: 'ok', message: 'Waiting for the first sample.' };
    if (this.sleepingSince !== null) return { status: 'ok', message: 'The computer is asleep.' };
    if (now - latest.at.getTime() > allowance) return { status: 'degraded', message: 'Monitoring has no recent sample.' };
    return { status: 'ok' };
  }

  /** Health for signed-in staff: each check with the alerts behind it. */
  async healthDetails(): Promise<HealthDetails> {
    const report = await this.options.health.report(this.options.version);
    const open = this.storeIfOpen() ? this.alerts.list('firing', 100) : [];
    const checkOf = new Map(this.rules.all().map((rule) => [rule.id, rule.check as string]));
    return {
      status: report.status,
      version: report.version,
      collectedAt: this.latestReading?.at.toISOString() ?? null,
      checks: report.checks.map((check) => ({
        ...check,
        alerts: open
          .filter((alert) => checkOf.get(alert.ruleId) === check.name)
          .map((alert) => ({ id: alert.id, title: alert.title, message: alert.message, firedAt: alert.firedAt })),
      })),
    };
  }

  async dashboard(): Promise<Dashboard> {
    const report = await this.options.health.report(this.options.version);
    const latest = this.latestReading;
    const s = latest?.system;
    const el = latest?.eventLoop;
    const ops = latest?.operations;
    const browser = s?.browser;
    return {
      collectedAt: latest?.at.toISOString() ?? null,
      intervalSeconds: this.intervalSeconds,
      status: report.status,
      system: {
        cpuPercent: s?.cpuPercent ?? null,
        memoryPercent: s && s.memoryTotalBytes > 0 ? ((s.memoryTotalBytes - s.memoryAvailableBytes) / s.memoryTotalBytes) * 100 : null,
        memoryUsedBytes: s ? s.memoryTotalBytes - s.memoryAvailableBytes : null,
        memoryTotalBytes: s?.memoryTotalBytes ?? null,
        cores: s?.cores ?? 1,
      },
      process: {
        cpuPercent: s?.processCpuPercent ?? null,
        memoryBytes: s?.processRssBytes ?? null,
        uptimeSeconds: Math.round(process.uptime()),
      },
      browser: browser ? { cpuPercent: browser.cpuPercent ?? 0, memoryBytes: browser.memoryBytes, processes: browser.processes } : null,
      eventLoop: { p50Ms: el?.p50Ms ?? null, p99Ms: el?.p99Ms ?? null, maxMs: el?.maxMs ?? null },
      database: { sizeBytes: s?.databaseBytes ?? null, walBytes: s?.walBytes ?? null },
      volumes: (s?.volumes ?? []).map((v) => ({
        name: v.name,
        freeBytes: v.freeBytes,
        totalBytes: v.totalBytes,
        freePercent: (v.freeBytes / v.totalBytes) * 100,
      })),
      operations: {
        count: ops?.count ?? 0,
        errors: ops?.errors ?? 0,
        p50Ms: ops?.p50Ms ?? null,
        p95Ms: ops?.p95Ms ?? null,
        p99Ms: ops?.p99Ms ?? null,
      },
      whatsapp: latest?.whatsapp
        ? {
            state: latest.whatsapp.state,
            ready: latest.whatsapp.ready,
            received: latest.whatsapp.received,
            sent: latest.whatsapp.sent,
            failed: latest.whatsapp.failed,
            outboxDepth: latest.whatsapp.outboxDepth,
            outboxFailed: latest.whatsapp.outboxFailed,
            reconnects: latest.whatsapp.reconnects,
          }
        : null,
      backup: latest?.backup
        ? {
            lastSuccessAt: toDate(latest.backup.lastSuccessAt)?.toISOString() ?? null,
            ageHours: latest.backupAgeHours,
            lastDurationSeconds: latest.backup.lastDurationSeconds,
            lastFailed: latest.backup.lastFailed,
            failures: latest.backup.failures,
          }
        : null,
      signin: latest?.signin
        ? { failures: latest.signin.failures, lockouts: latest.signin.lockouts, failuresLast15Minutes: latest.signinFailures15m ?? 0 }
        : null,
      audit: latest?.audit
        ? { chainOk: latest.audit.chainOk, checkedAt: toDate(latest.audit.checkedAt)?.toISOString() ?? null }
        : null,
      alerts: this.alerts.counts(),
    };
  }
}
