import type { AuditRecords } from './audit/records.js';
import type { AuditTrail } from './audit/trail.js';
import type { BackupService } from './backup/service.js';
import type { OffsiteService } from './backup/offsite/service.js';
import type { AuthService } from './auth/service.js';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { HealthRegistry } from './health.js';
import type { Logger } from './log.js';
import type { Monitoring } from './monitoring/index.js';
import type { SecretStore } from './secrets.js';
import type { DatabaseCheck } from './db/check.js';
import type { DiskSpace } from './db/space.js';
import type { Store } from './db/store.js';
import type { WriterRegistry } from './writers.js';
import type { WhatsAppService } from './whatsapp/service.js';
import type { BotService } from './bot/service.js';
import type { Computer } from './system/info.js';
import type { Activity } from './activity.js';
import type { PowerWatch } from './power.js';
import type { UpdatePort } from './updates.js';
import type { DocumentService } from './documents/service.js';
import type { PrivacyService } from './privacy/service.js';

/**
 * What handlers and services can reach. `store` is a getter: a restore swaps the
 * database underneath, and everyone must see the new one.
 */
export interface CoreServices {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly health: HealthRegistry;
  readonly version: string;
  readonly store: Store;
  /** the WhatsApp link: `ledger` (what clients wrote), `outbox` (what we send), `stats()` for monitoring */
  readonly whatsapp: WhatsAppService;
  /** the tamper-evident audit trail; the door records every call, other writers use `append` */
  readonly audit: AuditTrail;
  /** reading the trail: search, export, verification of the chain */
  readonly auditRecords: AuditRecords;
  /** the legal bot: settings, conversations, intake PDFs (main/core/bot) */
  readonly bot: BotService;
  /** services that write on their own register here so that a restore can pause them */
  readonly writers: WriterRegistry;
  /** backups: create, verify, restore, schedule; `backupAgeSeconds()` for monitoring */
  readonly backups: BackupService;
  /** the off-site copy of the backup folder (another folder, SFTP, S3) */
  readonly offsite: OffsiteService;
  /** where LexDesk's own keys live (never the database); which backend is in `secrets.kind` */
  readonly secrets: SecretStore;
  /** staff accounts, sign-in and sessions */
  readonly auth: AuthService;
  /** the collector, alerts and metrics; other capabilities register their numbers here */
  readonly monitoring: Monitoring;
  /** the computer LexDesk runs on (OS, processor, disks, versions), read once */
  readonly computer: Computer;
  /** sleep and wake, as the face hears them from the OS (main/core/power.ts) */
  readonly power: PowerWatch;
  /** what LexDesk is in the middle of (a backup, a restore, a staff reply), for choosing a quiet moment to restart */
  readonly activity: Activity;
  /** the face's own updater (the desktop's electron-updater), or null */
  readonly updates: UpdatePort | null;
  /** the document store: clients' files, staff uploads, intake PDFs (encrypted files in <data>/documents) */
  readonly documents: DocumentService;
  /** whether the data folder's disk has room: full, writes are refused and wait (main/core/db/space.ts) */
  readonly space: DiskSpace;
  /** SQLite's quick_check of the database, at start and on a schedule (main/core/db/check.ts) */
  readonly databaseCheck: DatabaseCheck;
  /** erasure of a client's data, legal holds, the retention schedule and its nightly run */
  readonly privacy: PrivacyService;
}
