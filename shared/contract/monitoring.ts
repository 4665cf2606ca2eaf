import { z } from 'zod';
import { defineOperation } from './define.js';
import { CheckStatus } from './system.js';

/**
 * Monitoring: what the collector records, the alert rules and their alerts, and the
 * operations the Metrics screen (and IT's scripts) use. Every value that the screen
 * charts is a named series below, with its unit and how it adds up over time.
 */

export const SeriesUnit = z.enum(['percent', 'bytes', 'ms', 'hours', 'count', 'boolean']);
export type SeriesUnit = z.infer<typeof SeriesUnit>;

/**
 * `gauge`: a level (averaged when buckets are merged). `count`: events in each
 * interval (summed when merged, charted as a rate per minute).
 */
export type SeriesKind = 'gauge' | 'count';

export interface SeriesInfo {
  label: string;
  unit: SeriesUnit;
  kind: SeriesKind;
}

/** Every series the history keeps. Percentages of CPU are of the whole machine (all cores). */
export const SERIES = {
  'system.cpu': { label: 'System CPU', unit: 'percent', kind: 'gauge' },
  'system.memory': { label: 'System memory in use', unit: 'percent', kind: 'gauge' },
  'process.cpu': { label: 'LexDesk CPU', unit: 'percent', kind: 'gauge' },
  'process.memory': { label: 'LexDesk memory', unit: 'bytes', kind: 'gauge' },
  'browser.cpu': { label: 'WhatsApp browser CPU', unit: 'percent', kind: 'gauge' },
  'browser.memory': { label: 'WhatsApp browser memory', unit: 'bytes', kind: 'gauge' },
  'disk.data.free': { label: 'Free space, data folder', unit: 'bytes', kind: 'gauge' },
  'disk.data.free_percent': { label: 'Free space, data folder', unit: 'percent', kind: 'gauge' },
  'disk.backup.free': { label: 'Free space, backup folder', unit: 'bytes', kind: 'gauge' },
  'disk.backup.free_percent': { label: 'Free space, backup folder', unit: 'percent', kind: 'gauge' },
  'eventloop.p99': { label: 'Event-loop delay p99', unit: 'ms', kind: 'gauge' },
  'eventloop.max': { label: 'Event-loop delay max', unit: 'ms', kind: 'gauge' },
  'database.size': { label: 'Database file', unit: 'bytes', kind: 'gauge' },
  'database.wal': { label: 'Database write-ahead log', unit: 'bytes', kind: 'gauge' },
  'operations.p50': { label: 'Operation latency p50', unit: 'ms', kind: 'gauge' },
  'operations.p95': { label: 'Operation latency p95', unit: 'ms', kind: 'gauge' },
  'operations.p99': { label: 'Operation latency p99', unit: 'ms', kind: 'gauge' },
  'operations.count': { label: 'Operations', unit: 'count', kind: 'count' },
  'operations.errors': { label: 'Failed operations', unit: 'count', kind: 'count' },
  'whatsapp.ready': { label: 'WhatsApp ready', unit: 'boolean', kind: 'gauge' },
  'whatsapp.in': { label: 'Messages received', unit: 'count', kind: 'count' },
  'whatsapp.out': { label: 'Messages sent', unit: 'count', kind: 'count' },
  'whatsapp.failed': { label: 'Messages failed', unit: 'count', kind: 'count' },
  'whatsapp.outbox': { label: 'Outbox depth', unit: 'count', kind: 'gauge' },
  'backup.age': { label: 'Age of the last good backup', unit: 'hours', kind: 'gauge' },
  'signin.failures': { label: 'Failed sign-ins', unit: 'count', kind: 'count' },
} as const satisfies Record<string, SeriesInfo>;

export type SeriesName = keyof typeof SERIES;
export const SERIES_NAMES = Object.keys(SERIES) as [SeriesName, ...SeriesName[]];
export const SeriesNameSchema = z.enum(SERIES_NAMES);

/** The alert rules LexDesk knows. Their thresholds and durations are the admin's to change. */
export const RULE_IDS = [
  'cpu-high',
  'memory-high',
  'disk-free-percent',
  'disk-free-space',
  'eventloop-delay',
  'whatsapp-not-ready',
  'backup-stale',
  'backup-failed',
  'offsite-stale',
  'offsite-verify-failed',
  'outbox-failed',
  'inbox-waiting-long',
  'signin-burst',
  'audit-chain-broken',
  'disk-full',
  'database-check-failed',
] as const;
export const RuleId = z.enum(RULE_IDS);
export type RuleId = z.infer<typeof RuleId>;

export const Severity = z.enum(['warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const RuleUnit = z.enum(['percent', 'gb', 'ms', 'minutes', 'hours', 'count', 'flag']);
export type RuleUnit = z.infer<typeof RuleUnit>;

export const Rule = z.object({
  id: RuleId,
  title: z.string(),
  description: z.string(),
  /** the health check this rule belongs to */
  check: z.string(),
  comparator: z.enum(['above', 'below']),
  threshold: z.number(),
  unit: RuleUnit,
  /** how long the condition must hold before the alert fires */
  forSeconds: z.number().int().min(0),
  enabled: z.boolean(),
  severity: Severity,
  /** false for yes/no conditions (a failed backup, a broken chain): only the duration and on/off change */
  thresholdEditable: z.boolean(),
  thresholdMin: z.number(),
  thresholdMax: z.number(),
  defaults: z.object({ threshold: z.number(), forSeconds: z.number().int(), enabled: z.boolean() }),
  /** now: no_data until the rule's source has reported */
  state: z.enum(['ok', 'pending', 'firing', 'no_data', 'disabled']),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type Rule = z.infer<typeof Rule>;

export const Alert = z.object({
  id: z.number().int(),
  ruleId: RuleId,
  severity: Severity,
  title: z.string(),
  message: z.string(),
  value: z.number().nullable(),
  threshold: z.number(),
  state: z.enum(['firing', 'resolved']),
  /** when the condition started to hold */
  since: z.string(),
  firedAt: z.string(),
  resolvedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type Alert = z.infer<typeof Alert>;

const nullableNumber = z.number().nullable();

export const Volume = z.object({
  name: z.enum(['data', 'backup']),
  freeBytes: z.number(),
  totalBytes: z.number(),
  freePercent: z.number(),
});

export const Dashboard = z.object({
  /** when the last sample was taken; null before the first one */
  collectedAt: z.string().nullable(),
  intervalSeconds: z.number(),
  status: CheckStatus,
  system: z.object({
    cpuPercent: nullableNumber,
    memoryPercent: nullableNumber,
    memoryUsedBytes: nullableNumber,
    memoryTotalBytes: nullableNumber,
    cores: z.number().int(),
  }),
  process: z.object({
    cpuPercent: nullableNumber,
    memoryBytes: nullableNumber,
    uptimeSeconds: z.number(),
  }),
  /** WhatsApp's Chromium, when the WhatsApp link reports one */
  browser: z.object({ cpuPercent: z.number(), memoryBytes: z.number(), processes: z.number().int() }).nullable(),
  eventLoop: z.object({ p50Ms: nullableNumber, p99Ms: nullableNumber, maxMs: nullableNumber }),
  database: z.object({ sizeBytes: nullableNumber, walBytes: nullableNumber }),
  volumes: z.array(Volume),
  /** the operations of the last interval */
  operations: z.object({
    count: z.number().int(),
    errors: z.number().int(),
    p50Ms: nullableNumber,
    p95Ms: nullableNumber,
    p99Ms: nullableNumber,
  }),
  whatsapp: z
    .object({
      state: z.string(),
      ready: z.boolean(),
      received: z.number(),
      sent: z.number(),
      failed: z.number(),
      outboxDepth: z.number(),
      outboxFailed: z.number(),
      reconnects: z.number(),
    })
    .nullable(),
  backup: z
    .object({
      lastSuccessAt: z.string().nullable(),
      ageHours: nullableNumber,
      lastDurationSeconds: nullableNumber,
      lastFailed: z.boolean(),
      failures: z.number(),
    })
    .nullable(),
  signin: z.object({ failures: z.number(), lockouts: z.number(), failuresLast15Minutes: z.number() }).nullable(),
  audit: z.object({ chainOk: z.boolean(), checkedAt: z.string().nullable() }).nullable(),
  alerts: z.object({ firing: z.number().int(), unacknowledged: z.number().int() }),
});
export type Dashboard = z.infer<typeof Dashboard>;

export const HealthDetails = z.object({
  status: CheckStatus,
  version: z.string(),
  collectedAt: z.string().nullable(),
  checks: z.array(
    z.object({
      name: z.string(),
      status: CheckStatus,
      message: z.string().optional(),
      /** the firing alerts behind a degraded check */
      alerts: z.array(z.object({ id: z.number().int(), title: z.string(), message: z.string(), firedAt: z.string() })),
    }),
  ),
});
export type HealthDetails = z.infer<typeof HealthDetails>;

export const MAX_SERIES_POINTS = 5000;
const MAX_RANGE_SECONDS = 366 * 86_400;

const instant = z.iso.datetime({ offset: true, message: 'must be a date and time such as 2026-01-05T09:00:00Z' });

export const SeriesInput = z
  .object({
    metric: SeriesNameSchema,
    from: instant,
    /** defaults to now */
    to: instant.optional(),
    /** seconds per point; LexDesk picks one (and raises a too-fine one) to keep at most 5000 points */
    step: z.number().int().min(1).max(31 * 86_400).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.to === undefined) return;
    const from = Date.parse(value.from);
    const to = Date.parse(value.to);
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after "from"' });
    else if ((to - from) / 1000 > MAX_RANGE_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'the range can be at most one year' });
    }
  });

export const Series = z.object({
  metric: SeriesNameSchema,
  label: z.string(),
  unit: SeriesUnit,
  kind: z.enum(['gauge', 'count']),
  from: z.string(),
  to: z.string(),
  step: z.number().int(),
  /** which stored resolution answered: every sample, per-minute or per-hour summaries */
  resolution: z.enum(['raw', 'minute', 'hour']),
  /** bucket starts, in seconds since 1970 */
  t: z.array(z.number()),
  /** gauges: the average in each bucket; counts: events per minute */
  value: z.array(z.number()),
  /** gauges only */
  min: z.array(z.number()).optional(),
  max: z.array(z.number()).optional(),
});
export type Series = z.infer<typeof Series>;

export const monitoringOperations = {
  'monitoring.dashboard': defineOperation({
    summary: 'The latest readings: system, LexDesk itself, database, disks, operations, WhatsApp, backups, alerts.',
    input: z.object({}).strict(),
    output: Dashboard,
    access: 'monitoring.read',
  }),
  'monitoring.health': defineOperation({
    summary: 'Overall health with each check’s details and the alerts behind it, for signed-in staff.',
    input: z.object({}).strict(),
    output: HealthDetails,
    access: 'authenticated',
  }),
  'monitoring.series': defineOperation({
    summary: 'One metric’s history over a time range, in buckets of `step` seconds.',
    input: SeriesInput,
    output: Series,
    access: 'monitoring.read',
  }),
  'monitoring.alerts.list': defineOperation({
    summary: 'Alerts, newest first: those firing now, or all of them.',
    input: z
      .object({
        state: z.enum(['firing', 'all']).default('all'),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ alerts: z.array(Alert) }),
    access: 'monitoring.read',
  }),
  'monitoring.alerts.ack': defineOperation({
    summary: 'Acknowledge an alert: someone has seen it and is on it.',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: Alert,
    // acknowledging hides the banner from everyone: those who manage monitoring decide that, not every reader
    access: 'monitoring.manage',
  }),
  'monitoring.rules.list': defineOperation({
    summary: 'The alert rules with their thresholds, durations and current state.',
    input: z.object({}).strict(),
    output: z.object({ rules: z.array(Rule), canEdit: z.boolean() }),
    access: 'monitoring.read',
  }),
  'monitoring.rules.update': defineOperation({
    summary: 'Change a rule’s threshold, duration or whether it is on; `reset` restores its defaults.',
    input: z
      .object({
        id: RuleId,
        threshold: z.number().finite().optional(),
        forSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
        enabled: z.boolean().optional(),
        reset: z.literal(true).optional(),
      })
      .strict()
      .refine(
        (v) => v.threshold !== undefined || v.forSeconds !== undefined || v.enabled !== undefined || v.reset === true,
        { message: 'say what to change: threshold, forSeconds, enabled or reset' },
      ),
    output: Rule,
    access: 'monitoring.manage',
  }),
};
