import { sql, type Kysely } from 'kysely';

/**
 * Monitoring history, alert rules and alerts.
 *
 * History is kept at three resolutions: every sample for 48 hours
 * (monitoring_raw), then per-minute and per-hour summaries (monitoring_rollup,
 * with sum, count, min and max so that summaries of summaries stay exact) for 30
 * days and a year. Series names live once in monitoring_series; the sample tables
 * hold its small integer id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE monitoring_series (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    ) STRICT
  `.execute(db);
  await sql`
    CREATE TABLE monitoring_raw (
      series_id INTEGER NOT NULL REFERENCES monitoring_series (id),
      t INTEGER NOT NULL,
      value REAL NOT NULL,
      PRIMARY KEY (series_id, t)
    ) STRICT, WITHOUT ROWID
  `.execute(db);
  await sql`
    CREATE TABLE monitoring_rollup (
      series_id INTEGER NOT NULL REFERENCES monitoring_series (id),
      resolution INTEGER NOT NULL CHECK (resolution IN (60, 3600)),
      t INTEGER NOT NULL,
      sum REAL NOT NULL,
      count INTEGER NOT NULL,
      min REAL NOT NULL,
      max REAL NOT NULL,
      PRIMARY KEY (series_id, resolution, t)
    ) STRICT, WITHOUT ROWID
  `.execute(db);
  await sql`
    CREATE TABLE monitoring_rules (
      id TEXT PRIMARY KEY NOT NULL,
      threshold REAL,
      for_seconds INTEGER,
      enabled INTEGER CHECK (enabled IN (0, 1)),
      updated_at TEXT NOT NULL,
      updated_by TEXT
    ) STRICT
  `.execute(db);
  await sql`
    CREATE TABLE monitoring_alerts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      rule_id TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
      title TEXT NOT NULL,
      message TEXT NOT NULL,
      value REAL,
      threshold REAL NOT NULL,
      since TEXT NOT NULL,
      fired_at TEXT NOT NULL,
      resolved_at TEXT,
      acknowledged_at TEXT,
      acknowledged_by TEXT
    ) STRICT
  `.execute(db);
  // an alert fires once: at most one open alert per rule
  await sql`CREATE UNIQUE INDEX monitoring_alerts_by_open_rule ON monitoring_alerts (rule_id) WHERE resolved_at IS NULL`.execute(db);
  await sql`CREATE INDEX monitoring_alerts_by_fired_at ON monitoring_alerts (fired_at)`.execute(db);
}
