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

export interface AuditLogTable {
  id: number;
  at: string;
  actor_type: 'user' | 'bot' | 'system' | 'cli' | 'anonymous';
  actor_id: string | null;
  actor_name: string | null;
  role: string | null;
  face: 'desktop' | 'headless' | 'cli' | 'bot' | 'scheduler';
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: 'ok' | 'denied' | 'invalid' | 'error';
  error_code: string | null;
  details: string;
  session_id: string | null;
  address: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditVerificationTable {
  id: Generated<number>;
  at: string;
  by_type: 'user' | 'cli' | 'system';
  by_id: string | null;
  by_name: string | null;
  mode: 'start' | 'checkpoint';
  intact: number;
  rows: number;
  checked: number;
  through_id: number | null;
  through_hash: string | null;
  broken_at: number | null;
  reason: string | null;
  message: string;
  ms: number;
}

export interface Tables {
  app_meta: AppMetaTable;
  audit_log: AuditLogTable;
  audit_verification: AuditVerificationTable;
}
