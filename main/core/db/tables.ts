import type { Generated } from 'kysely';
import type { ConflictDirection, ConflictState, ConversationMode, MatterStatus } from '../../../shared/bot.js';
import type { RuleId, Severity } from '../../../shared/contract/monitoring.js';
import type { OutboxStatus } from '../../../shared/contract/whatsapp.js';

/**
 * Table types for kysely: one interface per table, added by the migration that
 * creates it. Queries against these are checked by the compiler, and a row type
 * is derived from them (`Selectable<MattersTable>`, `Pick<…>`), never written
 * again. Value sets the screens share (matter status, conversation mode, alert
 * severity…) come from shared/, where the contract defines them.
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

export interface UsersTable {
  id: string;
  username: string;
  /** the username folded for uniqueness (NFKC, lower case) */
  username_key: string;
  display_name: string;
  role: 'admin' | 'lawyer' | 'assistant';
  password_hash: string;
  disabled: number;
  must_change_password: number;
  failed_attempts: number;
  locked_until: string | null;
  /** the last failed sign-in; failures older than a day are forgotten (0012_security) */
  last_failed_at: string | null;
  password_changed_at: string;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Failures and locks of usernames that have no account, by keyed hash (0012_security). */
export interface SigninLockoutsTable {
  name_hash: string;
  failures: number;
  locked_until: string | null;
  last_failed_at: string;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  device_name: string;
  face: string;
  address: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  ended_at: string | null;
  end_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  issued_at: string;
  used_at: string | null;
}

export interface MonitoringSeriesTable {
  id: Generated<number>;
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
  id: RuleId;
  threshold: number | null;
  for_seconds: number | null;
  enabled: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface MonitoringAlertsTable {
  id: Generated<number>;
  rule_id: RuleId;
  severity: Severity;
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
  audit_log: AuditLogTable;
  audit_verification: AuditVerificationTable;
  users: UsersTable;
  signin_lockouts: SigninLockoutsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  monitoring_series: MonitoringSeriesTable;
  monitoring_raw: MonitoringRawTable;
  monitoring_rollup: MonitoringRollupTable;
  monitoring_rules: MonitoringRulesTable;
  monitoring_alerts: MonitoringAlertsTable;
  whatsapp_inbound: WhatsAppInboundTable;
  whatsapp_consumers: WhatsAppConsumersTable;
  whatsapp_consumer_failures: WhatsAppConsumerFailuresTable;
  whatsapp_outbox: WhatsAppOutboxTable;
}

/** migrations/0004_whatsapp.ts; times in ms since the epoch */
export interface WhatsAppInboundTable {
  seq: Generated<number>;
  wa_id: string;
  chat_id: string;
  sender: string;
  push_name: string | null;
  sent_at: number;
  body: string;
  media_mimetype: string | null;
  media_file_name: string | null;
  media_size: number | null;
  received_at: number;
  /** migrations/0009_documents.ts: null without media; 'pending' until fetched, then 'stored' or 'failed' */
  media_state: 'pending' | 'stored' | 'failed' | null;
  media_document_id: number | null;
  media_error: string | null;
  media_attempts: Generated<number>;
}

export interface WhatsAppConsumersTable {
  name: string;
  last_seq: number;
  updated_at: number;
}

export interface WhatsAppConsumerFailuresTable {
  id: Generated<number>;
  consumer: string;
  seq: number;
  wa_id: string;
  error: string;
  at: number;
}

export interface WhatsAppOutboxTable {
  id: Generated<number>;
  chat_id: string;
  kind: 'text' | 'document';
  text: string | null;
  document: Buffer | null;
  /** migrations/0009_documents.ts: a document of the store, sent by id (instead of `document`) */
  document_id: number | null;
  file_name: string | null;
  mimetype: string | null;
  dedupe_key: string | null;
  status: OutboxStatus;
  attempts: Generated<number>;
  next_attempt_at: number;
  /** set while a send may have reached WhatsApp without us recording it (crash, timeout) */
  uncertain_since: number | null;
  wa_id: string | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  failed_at: number | null;
  /** WhatsApp's acknowledgement: 0 none yet, 1 server, 2 delivered to the phone, 3 read */
  ack: Generated<number>;
}

/* migrations/0005_bot.ts: the legal bot. Times are ISO 8601 strings (UTC). */

export interface BotSettingsTable {
  key: string;
  /** JSON, checked by the section's zod schema when read */
  value: string;
  updated_at: string;
  updated_by: string | null;
}

export interface PrivacyNoticesTable {
  version: string;
  text: string;
  published_at: string;
  published_by: string | null;
  /** JSON { language: text } of the notice in the other offered languages */
  translations: Generated<string>;
}

export interface ClientsTable {
  id: Generated<number>;
  /** international digits, e.g. "5511987654321" */
  whatsapp: string;
  name: string;
  /** names.ts nameKey(name) */
  name_key: string;
  push_name: string | null;
  /** the language the bot speaks with this client (null: the office default) */
  language: string | null;
  created_at: string;
  updated_at: string;
}

export interface MatterCountersTable {
  year: number;
  last: number;
}

export interface MattersTable {
  id: Generated<number>;
  reference: string;
  client_id: number;
  conversation_id: number | null;
  practice_area: string;
  description: string;
  opposing_party: string | null;
  opposing_key: string | null;
  /** the deadline as the client typed it */
  deadline: string | null;
  /** that deadline read as a date, YYYY-MM-DD in the office's time zone */
  deadline_date: string | null;
  /** the language of the intake (its PDF is made in it) */
  language: string | null;
  status: MatterStatus;
  next_step: string | null;
  conflict_state: ConflictState;
  consent_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface MatterNotesTable {
  id: Generated<number>;
  matter_id: number;
  author_id: string | null;
  author_name: string;
  text: string;
  at: string;
}

export interface MatterHistoryTable {
  id: Generated<number>;
  matter_id: number;
  at: string;
  actor_type: 'bot' | 'user' | 'system';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
}

/** migrations/0009_documents.ts: what a stored document is; its bytes are a file in `<data>/documents/` */
export interface DocumentsTable {
  id: Generated<number>;
  sha256: string;
  size: number;
  /** what the sender or the browser said it is */
  declared_type: string;
  /** what its bytes are (main/core/documents/types.ts), null when they match no known type */
  detected_type: string | null;
  /** cleaned: no path separators, control characters or bidi overrides */
  file_name: string;
  source: 'client' | 'staff' | 'intake';
  created_at: string;
  created_by_id: string | null;
  created_by: string | null;
  conversation_id: number | null;
  matter_id: number | null;
  client_id: number | null;
  /** the inbound WhatsApp message it came with */
  wa_id: string | null;
}

/** bytes of documents from before the store, until they are moved into it at start */
export interface DocumentBlobMovesTable {
  document_id: number;
  data: Buffer;
}

export interface ConsentsTable {
  id: Generated<number>;
  conversation_id: number;
  whatsapp: string;
  client_id: number | null;
  notice_version: string;
  at: string;
}

export interface ConflictHitsTable {
  id: Generated<number>;
  matter_id: number;
  direction: ConflictDirection;
  checked_name: string;
  matched_name: string;
  matched_client_id: number | null;
  matched_matter_id: number | null;
  score: number;
  created_at: string;
  cleared_at: string | null;
  cleared_by_id: string | null;
  cleared_by_name: string | null;
  cleared_note: string | null;
}

export interface ConversationsTable {
  id: Generated<number>;
  chat_id: string;
  whatsapp: string;
  push_name: string | null;
  client_id: number | null;
  mode: ConversationMode;
  /** JSON of main/core/bot/machine.ts ChatState */
  state: string;
  assigned_to_id: string | null;
  assigned_to_name: string | null;
  handoff_reason: string | null;
  waiting_since: string | null;
  unread: Generated<number>;
  last_preview: string | null;
  last_activity_at: string;
  last_inbound_at: string | null;
  last_intake_matter_id: number | null;
  /** the language the bot speaks in this chat; null until known */
  language: string | null;
  /** staff marked it resolved; the client's next message reopens it */
  closed_at: string | null;
  closed_by: string | null;
  created_at: string;
}

export interface ConversationMessagesTable {
  id: Generated<number>;
  conversation_id: number;
  direction: 'in' | 'out';
  author: 'client' | 'bot' | 'staff';
  author_id: string | null;
  author_name: string | null;
  text: string;
  file_name: string | null;
  document_id: number | null;
  /** an inbound file that could not be fetched: why */
  media_error: string | null;
  wa_id: string | null;
  outbox_id: number | null;
  at: string;
}

/* migrations/0011_team_inbox.ts: the team inbox. */

export interface ConversationNotesTable {
  id: Generated<number>;
  conversation_id: number;
  author_id: string;
  author_name: string;
  text: string;
  /** JSON array of the user ids mentioned with @ */
  mentions: Generated<string>;
  at: string;
}

export interface ConversationAssignmentsTable {
  id: Generated<number>;
  conversation_id: number;
  from_id: string | null;
  from_name: string | null;
  to_id: string | null;
  to_name: string | null;
  note: string | null;
  by_id: string;
  by_name: string;
  at: string;
}

export interface QuickRepliesTable {
  id: Generated<number>;
  title: string;
  /** the title folded, for uniqueness */
  title_key: string;
  /** JSON { language: text } */
  texts: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface SearchBackfillTable {
  source: string;
  /** the highest row id stored before the index existed */
  upto: number;
  /** rows up to this id are indexed */
  indexed_to: number;
}

export interface DataRequestsTable {
  id: Generated<number>;
  conversation_id: number;
  whatsapp: string;
  client_id: number | null;
  kind: 'stop' | 'erase';
  text: string;
  status: 'open' | 'done';
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
}

export interface PdfJobsTable {
  id: Generated<number>;
  matter_id: number;
  send_to_chat: string | null;
  status: 'pending' | 'done' | 'failed';
  attempts: Generated<number>;
  error: string | null;
  document_id: number | null;
  created_at: string;
  done_at: string | null;
}

/** The bot's tables, merged into Tables. */
export interface BotTables {
  bot_settings: BotSettingsTable;
  privacy_notices: PrivacyNoticesTable;
  conversation_notes: ConversationNotesTable;
  conversation_assignments: ConversationAssignmentsTable;
  quick_replies: QuickRepliesTable;
  search_backfill: SearchBackfillTable;
  clients: ClientsTable;
  matter_counters: MatterCountersTable;
  matters: MattersTable;
  matter_notes: MatterNotesTable;
  matter_history: MatterHistoryTable;
  documents: DocumentsTable;
  document_blob_moves: DocumentBlobMovesTable;
  consents: ConsentsTable;
  conflict_hits: ConflictHitsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
  data_requests: DataRequestsTable;
  pdf_jobs: PdfJobsTable;
}

// interface merging keeps this an addition at the end of the file
export interface Tables extends BotTables {}

/* migrations/0013_imports.ts: imports and the parties known before LexDesk. */

export interface ImportBatchesTable {
  id: Generated<number>;
  kind: 'legacy' | 'parties' | 'chat';
  /** the folder or file imported, as given */
  source: string;
  /** where the original files were copied (read-only), for a legacy folder */
  kept_in: string | null;
  /** JSON: [{ name, bytes, sha256, encoding }] */
  files: Generated<string>;
  /** JSON: { clients: 12, … } */
  counts: Generated<string>;
  backup_id: string | null;
  actor: string;
  created_at: string;
}

export interface ImportRecordsTable {
  /** 'user' | 'client' | 'matter' | 'note' | 'message' | 'party' */
  kind: string;
  legacy_id: string;
  /** the LexDesk row's id, as text */
  local_id: string;
  batch_id: number;
  /** JSON: the source fields LexDesk has no column for */
  extra: string | null;
}

export type PartyRole = 'client' | 'former_client' | 'adverse_party' | 'related_party' | 'witness';

export interface PartiesTable {
  id: Generated<number>;
  name: string;
  /** the name's key and each alias's key (names.ts nameKey), one per line */
  name_key: string;
  role: PartyRole;
  matter_reference: string | null;
  /** JSON string[] */
  aliases: Generated<string>;
  tax_id: string | null;
  email: string | null;
  phone: string | null;
  batch_id: number | null;
  created_at: string;
}

export interface ConflictHitsTable {
  matched_party_id: number | null;
  matched_role: PartyRole | null;
  matched_reference: string | null;
}

export interface Tables {
  import_batches: ImportBatchesTable;
  import_records: ImportRecordsTable;
  parties: PartiesTable;
}

/* migrations/0018_privacy.ts: legal holds, erased clients, declined consents, the retention schedule. */

export interface LegalHoldsTable {
  id: Generated<number>;
  matter_id: number | null;
  client_id: number | null;
  reason: string;
  set_by_id: string | null;
  set_by: string;
  set_at: string;
  released_by_id: string | null;
  released_by: string | null;
  released_at: string | null;
}

export interface RetentionSettingsTable {
  id: number;
  /** JSON: shared/contract/privacy.ts RetentionRules */
  value: string;
  updated_at: string;
  updated_by: string | null;
  last_run_at: string | null;
  /** JSON: RetentionCounts */
  last_run_counts: string | null;
}

export interface MattersTable {
  /** the matter's content was erased; reference, dates, area and other party stay */
  erased_at: Generated<string | null>;
}

export interface ClientsTable {
  /** the client's personal data was erased; the row stays as the conflict record */
  erased_at: Generated<string | null>;
}

export interface ConversationsTable {
  /** the person declined the privacy notice: an anonymous entry until retention erases it */
  declined_at: Generated<string | null>;
}

export interface Tables {
  erased_files: { sha256: string };
  legal_holds: LegalHoldsTable;
  retention_settings: RetentionSettingsTable;
}

/** migrations/0020_data_exports.ts: what the office handed out of its records (the files are documents). */
export interface DataExportsTable {
  id: Generated<number>;
  kind: 'client' | 'evidence';
  client_id: number | null;
  conversation_id: number | null;
  matter_id: number | null;
  /** the client's data request this copy answered */
  request_id: number | null;
  delivered: 'save' | 'whatsapp';
  /** the ZIP (client) or the JSON (evidence) */
  document_id: number;
  pdf_document_id: number | null;
  sha256: string;
  audit_head_id: number | null;
  audit_head_hash: string | null;
  by_id: string | null;
  by_name: string;
  at: string;
}

export interface Tables {
  data_exports: DataExportsTable;
}
