import type { Generated } from 'kysely';

/**
 * Table types for kysely: one interface per table, added by the migration that
 * creates it. Queries against these are checked by the compiler.
 */
export interface AppMetaTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface MonitoringSeriesTable {
  id: number;
  name: string;
}

export interface MonitoringRawTable {
  series_id: number;
  /** seconds since 1970 */
  t: number;
  value: number;
}

export interface MonitoringRollupTable {
  series_id: number;
  /** seconds per bucket: 60 or 3600 */
  resolution: number;
  t: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface MonitoringRulesTable {
  id: string;
  threshold: number | null;
  for_seconds: number | null;
  enabled: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface MonitoringAlertsTable {
  id: Generated<number>;
  rule_id: string;
  severity: string;
  title: string;
  message: string;
  value: number | null;
  threshold: number;
  since: string;
  fired_at: string;
  resolved_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export interface Tables {
  app_meta: AppMetaTable;
  monitoring_series: MonitoringSeriesTable;
  monitoring_raw: MonitoringRawTable;
  monitoring_rollup: MonitoringRollupTable;
  monitoring_rules: MonitoringRulesTable;
  monitoring_alerts: MonitoringAlertsTable;
}
