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

export interface Tables {
  app_meta: AppMetaTable;
  audit_log: AuditLogTable;
}
