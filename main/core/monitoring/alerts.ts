import type { Selectable } from 'kysely';
import type { Alert, Rule, RuleId, Severity } from '../../../shared/contract/monitoring.js';
import type { Clock } from '../clock.js';
import { isDiskFull, type Store } from '../db/store.js';
import type { MonitoringAlertsTable } from '../db/tables.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { PromMetrics } from './prometheus.js';
import { breached, describeDuration, type EffectiveRule, type RuleBook, type Signals } from './rules.js';

/**
 * How an alert reaches a person outside the app's window: the desktop face shows
 * an OS notification (Electron's Notification); headless mode has none and relies
 * on the banner, Prometheus and Grafana.
 */
export interface AlertNotifier {
  notify(notification: { title: string; body: string; severity: Severity }): void | Promise<void>;
}

/** An alert changed; the audit trail subscribes to record it (see Monitoring.onAlert). */
export interface AlertChange {
  type: 'fired' | 'resolved' | 'acknowledged';
  alert: Alert;
  /** the staff member who acknowledged */
  by?: string;
}

export type AlertListener = (change: AlertChange) => void;

type AlertRow = Selectable<MonitoringAlertsTable>;

function withoutId(row: AlertRow): Omit<AlertRow, 'id'> {
  const { id: _id, ...rest } = row;
  return rest;
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    ruleId: row.rule_id,
    severity: row.severity,
    title: row.title,
    message: row.message,
    value: row.value,
    threshold: row.threshold,
    state: row.resolved_at ? 'resolved' : 'firing',
    since: row.since,
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
  };
}

/** Resolved alerts are kept this long. */
const ALERT_RETENTION_DAYS = 365;

export interface AlertEngineDeps {
  store: () => Store;
  rules: RuleBook;
  clock: Clock;
  events: EventBus;
  log: Logger;
  prom: PromMetrics;
  notifier?: AlertNotifier;
}

/**
 * Evaluates the rules against each tick's signals. A rule whose condition holds
 * becomes pending; once it has held for the rule's duration, its alert fires:
 * one row in monitoring_alerts (a unique index allows one open alert per rule),
 * one event to the screens, one desktop notification, one call to each listener.
 * When the condition stops holding (or the rule is turned off) the alert
 * resolves, once. A rule without data (its source is not there) changes nothing.
 */
export class AlertEngine {
  private readonly pendingSince = new Map<RuleId, number>();
  private readonly noData = new Set<RuleId>();
  private readonly listeners = new Set<AlertListener>();
  private readonly recorders = new Set<AlertListener>();
  /**
   * Alerts that fired while the disk was full, so could not be stored: they are
   * shown, counted and notified all the same (with a negative id, which cannot be
   * acknowledged), and stored with their resolution once there is room.
   */
  private readonly unstored = new Map<string, AlertRow>();
  private nextUnstoredId = -1;

  constructor(private readonly deps: AlertEngineDeps) {}

  /** Called after a change has been stored (screens, logs, anything that must not undo it). */
  onChange(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called inside the transaction that stores the change (the audit trail): if it
   * throws, the change is not stored, and the next sample tries again.
   */
  onStored(recorder: AlertListener): () => void {
    this.recorders.add(recorder);
    return () => this.recorders.delete(recorder);
  }

  private alerts() {
    return this.deps.store().db.selectFrom('monitoring_alerts').selectAll();
  }

  private openRows(): Map<string, AlertRow> {
    const rows = this.deps.store().all(this.alerts().where('resolved_at', 'is', null));
    const open = new Map<string, AlertRow>(this.unstored);
    for (const row of rows) open.set(row.rule_id, row);
    return open;
  }

  /** Sets the Prometheus gauges from the stored alerts (at start, and after a restore). */
  syncGauges(): void {
    const open = this.openRows();
    for (const rule of this.deps.rules.all()) this.deps.prom.setAlert(rule.id, open.has(rule.id));
  }

  evaluate(signals: Signals, now: Date = this.deps.clock.now()): void {
    const open = this.openRows();
    for (const rule of this.deps.rules.all()) {
      const current = open.get(rule.id);
      if (!rule.enabled) {
        this.pendingSince.delete(rule.id);
        if (current) this.resolve(current, now);
        continue;
      }
      const signal = signals[rule.signal];
      if (!signal) {
        this.noData.add(rule.id);
        continue;
      }
      this.noData.delete(rule.id);
      if (breached(rule, signal.value)) {
        const since = this.pendingSince.get(rule.id) ?? now.getTime();
        this.pendingSince.set(rule.id, since);
        if (!current && now.getTime() - since >= rule.forSeconds * 1000) {
          this.fire(rule, signal.value, signal.about, new Date(since), now);
        }
      } else {
        this.pendingSince.delete(rule.id);
        if (current) this.resolve(current, now);
      }
    }
  }

  stateOf(rule: EffectiveRule, open: Set<string>): Rule['state'] {
    if (!rule.enabled) return 'disabled';
    if (open.has(rule.id)) return 'firing';
    if (this.noData.has(rule.id)) return 'no_data';
    if (this.pendingSince.has(rule.id)) return 'pending';
    return 'ok';
  }

  /** Rule ids with an open alert. */
  firingRuleIds(): Set<string> {
    return new Set(this.openRows().keys());
  }

  /** Forgets a pending condition (the admin changed the rule). */
  resetPending(rule: RuleId): void {
    this.pendingSince.delete(rule);
  }

  /**
   * Forgets every pending condition: after the computer slept, "for 5 minutes"
   * counts from the wake, so the sleep itself is never taken for an outage.
   * Alerts already firing stay open until their condition clears.
   */
  resetAllPending(): void {
    this.pendingSince.clear();
  }

  private fire(rule: EffectiveRule, value: number, about: string | undefined, since: Date, now: Date): void {
    const lasted = Math.round((now.getTime() - since.getTime()) / 1000);
    const message = rule.message(value, rule.threshold, about) + (lasted > 0 ? ` It has lasted ${describeDuration(lasted)}.` : '');
    const store = this.deps.store();
    if (this.unstored.has(rule.id)) return;
    if (store.get(this.alerts().where('rule_id', '=', rule.id).where('resolved_at', 'is', null))) return;
    let alert: Alert;
    try {
      alert = this.store(rule, message, value, since, now);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      const row: AlertRow = {
        id: this.nextUnstoredId--,
        rule_id: rule.id,
        severity: rule.severity,
        title: rule.title,
        message,
        value: Number.isFinite(value) ? value : null,
        threshold: rule.threshold,
        since: since.toISOString(),
        fired_at: now.toISOString(),
        resolved_at: null,
        acknowledged_at: null,
        acknowledged_by: null,
      };
      this.unstored.set(rule.id, row);
      alert = toAlert(row);
    }
    this.deps.log.warn({ rule: rule.id, alert: alert.id, value }, `alert firing: ${rule.title}`);
    this.deps.prom.setAlert(rule.id, true);
    this.announce({ type: 'fired', alert });
    try {
      const sent = this.deps.notifier?.notify({ title: alert.title, body: alert.message, severity: alert.severity });
      if (sent && typeof sent.then === 'function') {
        sent.then(undefined, (err: unknown) => this.deps.log.warn({ err }, 'the alert notification failed'));
      }
    } catch (err) {
      this.deps.log.warn({ err }, 'the alert notification failed');
    }
  }

  /** Stores a firing alert and tells the recorders (the audit trail) in the same transaction. */
  private store(rule: EffectiveRule, message: string, value: number, since: Date, now: Date): Alert {
    const store = this.deps.store();
    return store.tx(() => {
      const row = store.get(
        store.db
          .insertInto('monitoring_alerts')
          .values({
            rule_id: rule.id,
            severity: rule.severity,
            title: rule.title,
            message,
            value: Number.isFinite(value) ? value : null,
            threshold: rule.threshold,
            since: since.toISOString(),
            fired_at: now.toISOString(),
          })
          .returningAll(),
      )!;
      const stored = toAlert(row);
      this.record({ type: 'fired', alert: stored });
      return stored;
    });
  }

  private resolve(row: AlertRow, now: Date): void {
    const store = this.deps.store();
    if (row.id < 0) {
      // fired while the disk was full: kept now, with its resolution, so the history and the audit trail have it
      this.unstored.delete(row.rule_id);
      let resolved = toAlert({ ...row, resolved_at: now.toISOString() });
      try {
        resolved = store.tx(() => {
          const kept = store.get(store.db.insertInto('monitoring_alerts').values({ ...withoutId(row), resolved_at: now.toISOString() }).returningAll())!;
          const alert = toAlert(kept);
          this.record({ type: 'fired', alert: { ...alert, state: 'firing', resolvedAt: null } });
          this.record({ type: 'resolved', alert });
          return alert;
        });
      } catch (err) {
        this.deps.log.warn({ err, rule: row.rule_id }, 'an alert of the time the disk was full could not be kept');
      }
      this.deps.log.info({ rule: row.rule_id }, `alert resolved: ${row.title}`);
      this.deps.prom.setAlert(resolved.ruleId, false);
      this.announce({ type: 'resolved', alert: resolved });
      return;
    }
    const alert = store.tx(() => {
      const result = store.run(
        store.db
          .updateTable('monitoring_alerts')
          .set({ resolved_at: now.toISOString() })
          .where('id', '=', row.id)
          .where('resolved_at', 'is', null),
      );
      if (result.changes === 0) return null;
      const resolved = toAlert({ ...row, resolved_at: now.toISOString() });
      this.record({ type: 'resolved', alert: resolved });
      return resolved;
    });
    if (!alert) return;
    this.deps.log.info({ rule: row.rule_id, alert: row.id }, `alert resolved: ${row.title}`);
    this.deps.prom.setAlert(alert.ruleId, false);
    this.announce({ type: 'resolved', alert });
  }

  private record(change: AlertChange): void {
    for (const recorder of this.recorders) recorder(change);
  }

  private announce(change: AlertChange): void {
    const state = change.type === 'fired' ? 'firing' : change.type;
    this.deps.events.emit('monitoring.alert', {
      id: change.alert.id,
      ruleId: change.alert.ruleId,
      state,
      title: change.alert.title,
      severity: change.alert.severity,
    });
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.deps.log.error({ err }, 'an alert listener failed');
      }
    }
  }

  list(state: 'firing' | 'all', limit: number): Alert[] {
    const all = this.alerts();
    const query = state === 'firing' ? all.where('resolved_at', 'is', null) : all;
    const stored = this.deps.store().all(query.orderBy('fired_at', 'desc').orderBy('id', 'desc').limit(limit)).map(toAlert);
    return [...[...this.unstored.values()].map(toAlert), ...stored].slice(0, limit);
  }

  counts(): { firing: number; unacknowledged: number } {
    const store = this.deps.store();
    const counted = store.get(
      store.db
        .selectFrom('monitoring_alerts')
        .select((eb) => [
          eb.fn.countAll<number>().as('firing'),
          eb.fn.countAll<number>().filterWhere('acknowledged_at', 'is', null).as('unacknowledged'),
        ])
        .where('resolved_at', 'is', null),
    )!;
    return { firing: counted.firing + this.unstored.size, unacknowledged: counted.unacknowledged + this.unstored.size };
  }

  /**
   * Marks an alert as seen; acknowledging twice keeps the first. Call inside the
   * operation's write, then `announceAcknowledged` once it has committed.
   */
  acknowledge(id: number, by: string, now: Date): { alert: Alert; changed: boolean } {
    const store = this.deps.store();
    const changed = store.run(
      store.db
        .updateTable('monitoring_alerts')
        .set({ acknowledged_at: now.toISOString(), acknowledged_by: by })
        .where('id', '=', id)
        .where('acknowledged_at', 'is', null),
    ).changes;
    const row = store.get(this.alerts().where('id', '=', id));
    if (!row) throw new AppError('not_found', 'There is no such alert.');
    return { alert: toAlert(row), changed: changed > 0 };
  }

  announceAcknowledged(alert: Alert, by: string): void {
    this.announce({ type: 'acknowledged', alert, by });
  }

  /** Drops resolved alerts older than a year. */
  enforceRetention(now: Date): void {
    const before = new Date(now.getTime() - ALERT_RETENTION_DAYS * 86_400_000).toISOString();
    const store = this.deps.store();
    store.run(store.db.deleteFrom('monitoring_alerts').where('resolved_at', 'is not', null).where('resolved_at', '<', before));
  }
}
