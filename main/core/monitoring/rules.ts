import type { Selectable } from 'kysely';
import type { Rule, RuleId, RuleUnit, Severity } from '../../../shared/contract/monitoring.js';
import type { Store } from '../db/store.js';
import type { MonitoringRulesTable } from '../db/tables.js';
import { AppError } from '../errors.js';

/** The values rules compare, computed at each collector tick. */
export type SignalName =
  | 'cpu'
  | 'memory'
  | 'disk.free_percent'
  | 'disk.free_gb'
  | 'eventloop.p99'
  | 'whatsapp.ready'
  | 'backup.age_hours'
  | 'backup.failed'
  | 'offsite.age_hours'
  | 'offsite.verify_failed'
  | 'outbox.failed'
  | 'signin.failures_15m'
  | 'audit.chain_ok'
  | 'storage.writable'
  | 'database.ok'
  | 'inbox.longest_wait_minutes';

export interface Signal {
  value: number;
  /** what the value is about, for the alert's message ("the backup folder") */
  about?: string;
}

export type Signals = Partial<Record<SignalName, Signal>>;

/** Health checks that rules report into. */
export type CheckName = 'system' | 'disk' | 'whatsapp' | 'inbox' | 'backups' | 'offsite' | 'signin' | 'audit';

export interface RuleDef {
  id: RuleId;
  title: string;
  description: string;
  check: CheckName;
  signal: SignalName;
  comparator: 'above' | 'below';
  threshold: number;
  unit: RuleUnit;
  forSeconds: number;
  severity: Severity;
  thresholdEditable: boolean;
  thresholdMin: number;
  thresholdMax: number;
  /** the alert's sentence, from the value that fired it */
  message(value: number, threshold: number, about?: string): string;
}

const pct = (v: number) => `${Math.round(v * 10) / 10}%`;
const gb = (v: number) => `${Math.round(v * 10) / 10} GB`;
const duration = (seconds: number) =>
  seconds >= 3600 ? `${Math.round(seconds / 360) / 10} h` : seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;

/** CPU and memory: a share of the machine in use, above 90% for five minutes. */
const MACHINE_BUSY = {
  check: 'system',
  comparator: 'above',
  threshold: 90,
  unit: 'percent',
  forSeconds: 300,
  severity: 'warning',
  thresholdEditable: true,
  thresholdMin: 1,
  thresholdMax: 100,
} as const;

/** A yes/no signal that must stay yes (1); only its duration and whether it is on can change. */
const MUST_STAY_UP = { comparator: 'below', threshold: 1, unit: 'flag', thresholdEditable: false, thresholdMin: 1, thresholdMax: 1 } as const;

/**
 * The rules and their defaults (the issue's list). Admins change a rule's
 * threshold, duration and whether it is on; the condition itself is fixed.
 */
export const RULES: readonly RuleDef[] = [
  {
    id: 'cpu-high',
    title: 'High CPU use',
    description: 'The machine’s CPU is busier than the threshold for longer than the duration.',
    signal: 'cpu',
    ...MACHINE_BUSY,
    message: (v, t) => `CPU use is ${pct(v)}, above ${pct(t)}.`,
  },
  {
    id: 'memory-high',
    title: 'High memory use',
    description: 'More of the machine’s memory is in use than the threshold.',
    signal: 'memory',
    ...MACHINE_BUSY,
    message: (v, t) => `Memory in use is ${pct(v)}, above ${pct(t)}.`,
  },
  {
    id: 'disk-free-percent',
    title: 'Disk almost full',
    description: 'The volume of the data or backup folder has less free space than the threshold, as a share of its size.',
    check: 'disk',
    signal: 'disk.free_percent',
    comparator: 'below',
    threshold: 10,
    unit: 'percent',
    forSeconds: 0,
    severity: 'critical',
    thresholdEditable: true,
    thresholdMin: 0.1,
    thresholdMax: 99,
    message: (v, t, about) => `Only ${pct(v)} of the disk of ${about ?? 'the data folder'} is free (alert below ${pct(t)}).`,
  },
  {
    id: 'disk-free-space',
    title: 'Little free disk space',
    description: 'The volume of the data or backup folder has fewer free gigabytes than the threshold.',
    check: 'disk',
    signal: 'disk.free_gb',
    comparator: 'below',
    threshold: 2,
    unit: 'gb',
    forSeconds: 0,
    severity: 'critical',
    thresholdEditable: true,
    thresholdMin: 0.1,
    thresholdMax: 100_000,
    message: (v, t, about) => `Only ${gb(v)} free on the disk of ${about ?? 'the data folder'} (alert below ${gb(t)}).`,
  },
  {
    id: 'eventloop-delay',
    title: 'LexDesk is slow to respond',
    description: 'The 99th percentile of event-loop delay is above the threshold: screens and WhatsApp wait.',
    check: 'system',
    signal: 'eventloop.p99',
    comparator: 'above',
    threshold: 200,
    unit: 'ms',
    forSeconds: 60,
    severity: 'warning',
    thresholdEditable: true,
    thresholdMin: 10,
    thresholdMax: 60_000,
    message: (v, t) => `Event-loop delay p99 is ${Math.round(v)} ms, above ${Math.round(t)} ms.`,
  },
  {
    id: 'whatsapp-not-ready',
    title: 'WhatsApp is not connected',
    description: 'The WhatsApp link has not been ready for longer than the duration: clients get no answers.',
    check: 'whatsapp',
    signal: 'whatsapp.ready',
    ...MUST_STAY_UP,
    forSeconds: 300,
    severity: 'critical',
    message: (_v, _t, about) => `The WhatsApp link is not ready${about ? ` (state: ${about})` : ''}.`,
  },
  {
    id: 'backup-stale',
    title: 'No recent backup',
    description: 'The last good backup is older than the threshold.',
    check: 'backups',
    signal: 'backup.age_hours',
    comparator: 'above',
    threshold: 26,
    unit: 'hours',
    forSeconds: 0,
    severity: 'critical',
    thresholdEditable: true,
    thresholdMin: 1,
    thresholdMax: 24 * 90,
    message: (v, t, about) =>
      about === 'never' ? `There is no good backup yet (alert after ${t} h).` : `The last good backup is ${Math.round(v)} h old, older than ${t} h.`,
  },
  {
    id: 'backup-failed',
    title: 'A backup failed',
    description: 'The most recent backup attempt failed. Clears when a backup succeeds.',
    check: 'backups',
    signal: 'backup.failed',
    comparator: 'above',
    threshold: 0,
    unit: 'flag',
    forSeconds: 0,
    severity: 'critical',
    thresholdEditable: false,
    thresholdMin: 0,
    thresholdMax: 0,
    message: (_v, _t, about) => (about ? `A backup failed: ${about}` : 'The most recent backup failed. See the Backups screen.'),
  },
  {
    id: 'offsite-stale',
    title: 'Off-site copy is old',
    description: 'The last complete copy of the backups to the off-site target is older than the threshold (only when an off-site copy is set up).',
    check: 'offsite',
    signal: 'offsite.age_hours',
    comparator: 'above',
    threshold: 48,
    unit: 'hours',
    forSeconds: 0,
    severity: 'warning',
    thresholdEditable: true,
    thresholdMin: 1,
    thresholdMax: 24 * 90,
    message: (v, t, about) => {
      if (about === 'never') return `The off-site copy has never been completed (alert after ${t} h).`;
      const age = v >= 48 ? `${Math.floor(v / 24)} days` : `${Math.round(v)} h`;
      return `The off-site copy${about ? ` at ${about}` : ''} is ${age} old, older than ${t} h.`;
    },
  },
  {
    id: 'offsite-verify-failed',
    title: 'Off-site copy failed its check',
    description: 'Files read back from the off-site target did not match the backups here. Clears when a later check passes.',
    check: 'offsite',
    signal: 'offsite.verify_failed',
    comparator: 'above',
    threshold: 0,
    unit: 'flag',
    forSeconds: 0,
    severity: 'critical',
    thresholdEditable: false,
    thresholdMin: 0,
    thresholdMax: 0,
    message: (_v, _t, about) => about ?? 'Files on the off-site target do not match the backups here.',
  },
  {
    id: 'outbox-failed',
    title: 'Messages could not be sent',
    description: 'More WhatsApp messages than the threshold were given up on and wait for a person.',
    check: 'whatsapp',
    signal: 'outbox.failed',
    comparator: 'above',
    threshold: 0,
    unit: 'count',
    forSeconds: 0,
    severity: 'warning',
    thresholdEditable: true,
    thresholdMin: 0,
    thresholdMax: 10_000,
    message: (v) => `${v} WhatsApp ${v === 1 ? 'message' : 'messages'} could not be sent and ${v === 1 ? 'needs' : 'need'} a person.`,
  },
  {
    id: 'inbox-waiting-long',
    title: 'A client waits for staff',
    description: 'A client handed to staff has waited longer than the threshold without a reply.',
    check: 'inbox',
    signal: 'inbox.longest_wait_minutes',
    comparator: 'above',
    threshold: 15,
    unit: 'minutes',
    forSeconds: 0,
    severity: 'warning',
    thresholdEditable: true,
    thresholdMin: 1,
    thresholdMax: 24 * 60,
    message: (v, t, about) =>
      `${about ?? 'A client'} has waited ${Math.round(v)} minutes for a reply from staff (alert after ${t} minutes). See the Inbox.`,
  },
  {
    id: 'signin-burst',
    title: 'Many failed sign-ins',
    description: 'More failed sign-ins than the threshold within 15 minutes: someone may be guessing passwords.',
    check: 'signin',
    signal: 'signin.failures_15m',
    comparator: 'above',
    threshold: 10,
    unit: 'count',
    forSeconds: 0,
    severity: 'warning',
    thresholdEditable: true,
    thresholdMin: 1,
    thresholdMax: 100_000,
    message: (v, t) => `${v} failed sign-ins in 15 minutes (alert above ${t}).`,
  },
  {
    id: 'audit-chain-broken',
    title: 'The audit trail is broken',
    description: 'Verifying the audit trail’s hash chain failed: a record was changed or removed.',
    check: 'audit',
    signal: 'audit.chain_ok',
    ...MUST_STAY_UP,
    forSeconds: 0,
    severity: 'critical',
    message: () => 'The audit trail failed verification. Tell IT; do not change anything else.',
  },
  {
    id: 'disk-full',
    title: 'The disk is full',
    description: 'A write to the database failed for lack of space: LexDesk serves what is stored and saves nothing new until there is room.',
    check: 'disk',
    signal: 'storage.writable',
    ...MUST_STAY_UP,
    forSeconds: 0,
    severity: 'critical',
    message: () =>
      'The disk is full: LexDesk cannot save new messages. Free space on the disk of the data folder; LexDesk carries on by itself once there is room.',
  },
  {
    id: 'database-check-failed',
    title: 'The database is damaged',
    description: 'SQLite’s check of the database (PRAGMA quick_check) found damage, at start or on its schedule.',
    check: 'disk',
    signal: 'database.ok',
    ...MUST_STAY_UP,
    forSeconds: 0,
    severity: 'critical',
    message: () =>
      'The database failed its check. Stop LexDesk and restore the last good backup (Backups screen, or `lexdesk backup restore <id>`); tell IT.',
  },
];

export const RULE_BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

/** A rule with the admin's changes applied. */
export interface EffectiveRule extends RuleDef {
  defaults: { threshold: number; forSeconds: number; enabled: boolean };
  enabled: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export function breached(rule: Pick<RuleDef, 'comparator'> & { threshold: number }, value: number): boolean {
  return rule.comparator === 'above' ? value > rule.threshold : value < rule.threshold;
}

export function describeDuration(seconds: number): string {
  return duration(seconds);
}

type OverrideRow = Selectable<MonitoringRulesTable>;

/** The rules as configured: defaults in code, the admin's changes in monitoring_rules. */
export class RuleBook {
  constructor(private readonly store: () => Store) {}

  private overrides() {
    return this.store().db.selectFrom('monitoring_rules').selectAll();
  }

  all(): EffectiveRule[] {
    const rows = this.store().all(this.overrides());
    const overrides = new Map(rows.map((row) => [row.id, row]));
    return RULES.map((rule) => apply(rule, overrides.get(rule.id)));
  }

  get(id: RuleId): EffectiveRule {
    return apply(RULE_BY_ID.get(id)!, this.store().get(this.overrides().where('id', '=', id)));
  }

  /** Applies an admin's change; call inside the operation's write transaction. */
  update(
    id: RuleId,
    change: { threshold?: number; forSeconds?: number; enabled?: boolean; reset?: boolean },
    by: string,
    at: Date,
  ): EffectiveRule {
    const def = RULE_BY_ID.get(id)!;
    if (change.threshold !== undefined) {
      if (!def.thresholdEditable && change.threshold !== def.threshold) {
        throw new AppError('invalid_input', 'This rule has no threshold to change; turn it on or off, or change its duration.', {
          issues: [{ path: 'threshold', message: 'this rule’s threshold is fixed' }],
        });
      }
      if (change.threshold < def.thresholdMin || change.threshold > def.thresholdMax) {
        throw new AppError('invalid_input', 'The threshold is out of range.', {
          issues: [{ path: 'threshold', message: `must be from ${def.thresholdMin} to ${def.thresholdMax}` }],
        });
      }
    }
    const store = this.store();
    if (change.reset) {
      store.run(store.db.deleteFrom('monitoring_rules').where('id', '=', id));
    }
    if (change.threshold !== undefined || change.forSeconds !== undefined || change.enabled !== undefined) {
      // what the admin left out keeps its earlier override (or its default)
      store.run(
        store.db
          .insertInto('monitoring_rules')
          .values({
            id,
            threshold: change.threshold ?? null,
            for_seconds: change.forSeconds ?? null,
            enabled: change.enabled === undefined ? null : change.enabled ? 1 : 0,
            updated_at: at.toISOString(),
            updated_by: by,
          })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              threshold: eb.fn.coalesce('excluded.threshold', 'monitoring_rules.threshold'),
              for_seconds: eb.fn.coalesce('excluded.for_seconds', 'monitoring_rules.for_seconds'),
              enabled: eb.fn.coalesce('excluded.enabled', 'monitoring_rules.enabled'),
              updated_at: eb.ref('excluded.updated_at'),
              updated_by: eb.ref('excluded.updated_by'),
            })),
          ),
      );
    }
    return this.get(id);
  }
}

function apply(def: RuleDef, row: OverrideRow | undefined): EffectiveRule {
  return {
    ...def,
    defaults: { threshold: def.threshold, forSeconds: def.forSeconds, enabled: true },
    threshold: row?.threshold ?? def.threshold,
    forSeconds: row?.for_seconds ?? def.forSeconds,
    enabled: row?.enabled === null || row?.enabled === undefined ? true : row.enabled === 1,
    updatedAt: row?.updated_at ?? null,
    updatedBy: row?.updated_by ?? null,
  };
}

export function toContractRule(rule: EffectiveRule, state: Rule['state']): Rule {
  return {
    id: rule.id,
    title: rule.title,
    description: rule.description,
    check: rule.check,
    comparator: rule.comparator,
    threshold: rule.threshold,
    unit: rule.unit,
    forSeconds: rule.forSeconds,
    enabled: rule.enabled,
    severity: rule.severity,
    thresholdEditable: rule.thresholdEditable,
    thresholdMin: rule.thresholdMin,
    thresholdMax: rule.thresholdMax,
    defaults: rule.defaults,
    state,
    updatedAt: rule.updatedAt,
    updatedBy: rule.updatedBy,
  };
}
