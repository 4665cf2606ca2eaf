import { createRequire } from 'node:module';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { RULE_IDS, type RuleId } from '../../../shared/contract/monitoring.js';
import type { Logger } from '../log.js';
import type { EventLoopWindow } from './event-loop.js';
import type { SystemReading } from './probe.js';
import { toDate, type SourceName, type SourceRegistry } from './sources.js';

const require = createRequire(import.meta.url);

/** Seconds; from a quick read of the cache to a slow PDF or backup listing. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * prom-client's default process and Node.js metrics, minus two things: the three
 * gauges named like counters (nodejs_active_{handles,requests,resources}_total,
 * which `promtool check metrics` rejects; their per-type gauges without `_total`
 * stay), and the event-loop lag set, whose own 10 ms histogram would cost more CPU
 * than the whole collector; ours feeds the same metric names instead.
 */
const DEFAULT_METRIC_MODULES = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
];
const LEFT_OUT = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

function addDefaultMetrics(registry: Registry, log: Logger): void {
  const leftOut = new Set(LEFT_OUT);
  const scratch = new Registry();
  try {
    for (const name of DEFAULT_METRIC_MODULES) {
      if (name === 'processResources' && typeof process.getActiveResourcesInfo !== 'function') continue;
      const register = require(`prom-client/lib/metrics/${name}.js`) as (registry: Registry, config: object) => void;
      register(scratch, {});
    }
  } catch (err) {
    // a prom-client that moved its files: take its public entry point (and its 10 ms histogram)
    log.warn({ err }, 'prom-client default metrics loaded through collectDefaultMetrics');
    scratch.clear();
    collectDefaultMetrics({ register: scratch });
  }
  for (const metric of scratch.getMetricsAsArray()) {
    const name = (metric as unknown as { name: string }).name;
    if (!leftOut.has(name)) registry.registerMetric(metric as unknown as Metric);
  }
}

/**
 * A gauge without a sample while its value is unknown (rather than 0 or NaN):
 * Prometheus then sees the series as absent.
 */
class OptionalGauge extends Gauge {
  constructor(
    private readonly config: { name: string; help: string; registers: Registry[] },
    private readonly read: () => number | null,
  ) {
    super(config);
  }

  override async get(): ReturnType<Gauge['get']> {
    const value = this.read();
    if (value === null || !Number.isFinite(value)) {
      const empty = { name: this.config.name, help: this.config.help, type: 'gauge', values: [], aggregator: 'sum' };
      return empty as unknown as Awaited<ReturnType<Gauge['get']>>;
    }
    this.set(value);
    return super.get();
  }
}

/**
 * LexDesk's Prometheus metrics, in a registry of its own (one per core). Operation
 * timings are observed as they happen; system readings are set by the collector
 * at each tick; the numbers of other capabilities (WhatsApp, backups, sign-in, the
 * audit chain) are read from their sources at scrape time and appear only once
 * the source is registered.
 */
export class PromMetrics {
  readonly registry = new Registry();
  readonly operationDuration: Histogram<'operation' | 'face' | 'outcome'>;
  readonly operationErrors: Counter<'operation' | 'code'>;
  private readonly gauges: Record<string, Gauge<string>> = {};
  private readonly eventLoop: Record<string, Gauge>;
  private readonly alertFiring: Gauge<'rule'>;
  private defaultsAdded = false;
  private browser: SystemReading['browser'] = null;
  private readonly bySource = new Map<SourceName, string[]>();

  constructor(
    private readonly sources: SourceRegistry,
    private readonly log: Logger,
    version: string,
  ) {
    const registers = [this.registry];
    new Gauge({
      name: 'lexdesk_build_info',
      help: 'LexDesk version; always 1.',
      labelNames: ['version'],
      registers,
    }).set({ version }, 1);

    this.operationDuration = new Histogram({
      name: 'lexdesk_operation_duration_seconds',
      help: 'Time from the dispatch door receiving an operation to its answer, by operation, face and outcome.',
      labelNames: ['operation', 'face', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.operationErrors = new Counter({
      name: 'lexdesk_operation_errors_total',
      help: 'Operations answered with an error, by operation and error code.',
      labelNames: ['operation', 'code'],
      registers,
    });

    const gauge = (name: string, help: string, labelNames: string[] = []) => {
      this.gauges[name] = new Gauge({ name, help, labelNames, registers });
    };
    gauge('lexdesk_system_cpu_ratio', 'Share of all CPU cores busy over the last collector interval (0-1).');
    gauge('lexdesk_system_cpu_cores', 'CPU cores of the machine.');
    gauge('lexdesk_system_memory_total_bytes', 'Physical memory of the machine.');
    gauge('lexdesk_system_memory_available_bytes', 'Physical memory available to programs.');
    gauge('lexdesk_volume_free_bytes', 'Free space on the volume of a LexDesk folder.', ['volume']);
    gauge('lexdesk_volume_size_bytes', 'Size of the volume of a LexDesk folder.', ['volume']);
    gauge('lexdesk_database_size_bytes', 'Size of the SQLite database file.');
    gauge('lexdesk_database_wal_size_bytes', 'Size of the SQLite write-ahead log.');
    gauge('lexdesk_monitoring_last_collect_timestamp_seconds', 'When the monitoring collector last took a sample.');
    gauge('lexdesk_monitoring_collect_duration_seconds', 'How long the last collector tick took.');

    this.eventLoop = {};
    for (const [key, suffix, what] of [
      ['minMs', 'min', 'minimum'],
      ['maxMs', 'max', 'maximum'],
      ['meanMs', 'mean', 'mean'],
      ['p50Ms', 'p50', '50th percentile'],
      ['p90Ms', 'p90', '90th percentile'],
      ['p99Ms', 'p99', '99th percentile'],
    ] as const) {
      this.eventLoop[key] = new Gauge({
        name: `nodejs_eventloop_lag_${suffix}_seconds`,
        help: `Event-loop delay, ${what}, over the last monitoring interval.`,
        registers,
      });
    }
    this.eventLoop.stddevMs = new Gauge({
      name: 'nodejs_eventloop_lag_stddev_seconds',
      help: 'Event-loop delay, standard deviation, over the last monitoring interval.',
      registers,
    });

    this.alertFiring = new Gauge({
      name: 'lexdesk_alert_firing',
      help: 'Whether the alert of a rule is firing (1) or not (0).',
      labelNames: ['rule'],
      registers,
    });
    for (const rule of RULE_IDS) this.alertFiring.set({ rule }, 0);

    sources.onChange((name, present) => (present ? this.addSource(name) : this.removeSource(name)));
  }

  setAlert(rule: RuleId, firing: boolean): void {
    this.alertFiring.set({ rule }, firing ? 1 : 0);
  }

  /** The collector's tick: machine, process, volumes, database, event loop. */
  update(reading: SystemReading, eventLoop: EventLoopWindow | null, at: Date, tookSeconds: number): void {
    const g = this.gauges;
    if (reading.cpuPercent !== null) g.lexdesk_system_cpu_ratio!.set(reading.cpuPercent / 100);
    g.lexdesk_system_cpu_cores!.set(reading.cores);
    g.lexdesk_system_memory_total_bytes!.set(reading.memoryTotalBytes);
    g.lexdesk_system_memory_available_bytes!.set(reading.memoryAvailableBytes);
    g.lexdesk_volume_free_bytes!.reset();
    g.lexdesk_volume_size_bytes!.reset();
    for (const volume of reading.volumes) {
      g.lexdesk_volume_free_bytes!.set({ volume: volume.name }, volume.freeBytes);
      g.lexdesk_volume_size_bytes!.set({ volume: volume.name }, volume.totalBytes);
    }
    if (reading.databaseBytes !== null) g.lexdesk_database_size_bytes!.set(reading.databaseBytes);
    g.lexdesk_database_wal_size_bytes!.set(reading.walBytes ?? 0);
    g.lexdesk_monitoring_last_collect_timestamp_seconds!.set(at.getTime() / 1000);
    g.lexdesk_monitoring_collect_duration_seconds!.set(tookSeconds);
    if (eventLoop) {
      for (const [key, metric] of Object.entries(this.eventLoop)) {
        metric.set(eventLoop[key as keyof EventLoopWindow] / 1000);
      }
    }
    this.browser = reading.browser;
  }

  /** The text exposition of every metric, for GET /metrics. */
  async metrics(): Promise<string> {
    if (!this.defaultsAdded) {
      // added at the first scrape: the desktop app, which nobody scrapes, never pays for them
      this.defaultsAdded = true;
      addDefaultMetrics(this.registry, this.log);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Notes that metric `name` (already registered) belongs to `source`. */
  private add(source: SourceName, name: string): void {
    const names = this.bySource.get(source) ?? [];
    names.push(name);
    this.bySource.set(source, names);
  }

  /** A counter whose value is a total kept by a source. */
  private total(source: SourceName, name: string, help: string, read: () => number | null): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        const value = read();
        if (value !== null && value > 0) this.inc(value);
      },
    });
    this.add(source, name);
  }

  private level(source: SourceName, name: string, help: string, read: () => number | null): void {
    new OptionalGauge({ name, help, registers: [this.registry] }, read);
    this.add(source, name);
  }

  private addSource(name: SourceName): void {
    this.removeSource(name);
    const s = this.sources;
    switch (name) {
      case 'whatsapp': {
        const w = () => s.read('whatsapp');
        const registers = [this.registry];
        this.level(name, 'lexdesk_whatsapp_ready', 'Whether the WhatsApp link is ready (1) or not (0).', () =>
          w() ? (w()!.ready ? 1 : 0) : null,
        );
        new Gauge({
          name: 'lexdesk_whatsapp_state',
          help: 'The WhatsApp link state: 1 for the current one.',
          labelNames: ['state'],
          registers,
          collect() {
            this.reset();
            const state = w()?.state;
            if (state) this.set({ state: state.slice(0, 40) }, 1);
          },
        });
        this.add(name, 'lexdesk_whatsapp_state');
        this.total(name, 'lexdesk_whatsapp_messages_received_total', 'WhatsApp messages received.', () => w()?.received ?? null);
        this.total(name, 'lexdesk_whatsapp_messages_sent_total', 'WhatsApp messages sent.', () => w()?.sent ?? null);
        this.total(name, 'lexdesk_whatsapp_messages_failed_total', 'WhatsApp messages that could not be sent.', () => w()?.failed ?? null);
        this.total(name, 'lexdesk_whatsapp_reconnects_total', 'Times the WhatsApp link reconnected.', () => w()?.reconnects ?? null);
        this.level(name, 'lexdesk_whatsapp_outbox_messages', 'Messages waiting in the outbox.', () => w()?.outboxDepth ?? null);
        this.level(name, 'lexdesk_whatsapp_outbox_failed_messages', 'Outbox messages given up on, which need a person.', () =>
          w()?.outboxFailed ?? null,
        );
        this.level(name, 'lexdesk_whatsapp_browser_resident_memory_bytes', 'Memory of the WhatsApp browser, all its processes.', () =>
          this.browser ? this.browser.memoryBytes : null,
        );
        this.level(name, 'lexdesk_whatsapp_browser_cpu_ratio', 'Share of all CPU cores the WhatsApp browser used (0-1).', () =>
          this.browser?.cpuPercent != null ? this.browser.cpuPercent / 100 : null,
        );
        break;
      }
      case 'backup': {
        const b = () => s.read('backup');
        this.level(name, 'lexdesk_backup_last_success_timestamp_seconds', 'When the last good backup finished.', () => {
          const at = toDate(b()?.lastSuccessAt);
          return at ? at.getTime() / 1000 : null;
        });
        this.level(name, 'lexdesk_backup_last_duration_seconds', 'How long the last good backup took.', () => b()?.lastDurationSeconds ?? null);
        this.level(name, 'lexdesk_backup_last_failed', 'Whether the most recent backup attempt failed (1) or not (0).', () =>
          b() ? (b()!.lastFailed ? 1 : 0) : null,
        );
        this.total(name, 'lexdesk_backup_failures_total', 'Backup attempts that failed.', () => b()?.failures ?? null);
        break;
      }
      case 'offsite': {
        const o = () => s.read('offsite');
        this.level(name, 'lexdesk_offsite_last_success_timestamp_seconds', 'When the off-site copy last held everything the backup folder held.', () => {
          const at = o()?.configured ? toDate(o()!.lastSuccessAt) : null;
          return at ? at.getTime() / 1000 : null;
        });
        this.level(name, 'lexdesk_offsite_verify_failed', 'Whether the last read-back check of the off-site copy failed (1) or not (0).', () =>
          o()?.configured ? (o()!.verifyFailed ? 1 : 0) : null,
        );
        break;
      }
      case 'signin': {
        const a = () => s.read('signin');
        this.total(name, 'lexdesk_signin_failures_total', 'Failed sign-ins.', () => a()?.failures ?? null);
        this.total(name, 'lexdesk_signin_lockouts_total', 'Accounts locked after repeated failures.', () => a()?.lockouts ?? null);
        break;
      }
      case 'audit': {
        const a = () => s.read('audit');
        this.level(name, 'lexdesk_audit_chain_ok', 'Whether the audit trail’s hash chain verified (1) or is broken (0).', () =>
          a() ? (a()!.chainOk ? 1 : 0) : null,
        );
        break;
      }
    }
  }

  private removeSource(name: SourceName): void {
    for (const metric of this.bySource.get(name) ?? []) this.registry.removeSingleMetric(metric);
    this.bySource.delete(name);
  }
}
