import type { Logger } from '../log.js';

/**
 * What other capabilities tell monitoring. Each registers a function returning a
 * snapshot of its numbers; monitoring reads it once per collector tick (history,
 * alerts) and at every Prometheus scrape, so it must be cheap and synchronous
 * (counters kept in memory, not a query per call).
 *
 *   services.monitoring.registerSource('whatsapp', () => ({ enabled: true, state: link.state, … }));
 *
 * Totals (`received`, `failures`, …) count up from the capability's start; a
 * smaller value than last time is taken as a restart.
 */
export interface WhatsAppSnapshot {
  /** false while WhatsApp is not set up (never linked, or switched off): its alerts stay quiet */
  enabled: boolean;
  /** the link's state as the WhatsApp capability names it ('ready', 'qr', 'disconnected', …) */
  state: string;
  ready: boolean;
  received: number;
  sent: number;
  failed: number;
  reconnects: number;
  /** messages waiting in the outbox */
  outboxDepth: number;
  /** outbox messages given up on, which need a person */
  outboxFailed: number;
  /** the Chromium that whatsapp-web.js drives, to measure its CPU and memory */
  browserPid?: number | null;
}

export interface BackupSnapshot {
  /** when the last verified backup finished; null when there is none */
  lastSuccessAt: Date | string | null;
  lastDurationSeconds: number | null;
  /** true while the most recent attempt is a failure (cleared by the next success) */
  lastFailed: boolean;
  /** what went wrong, in a sentence for staff */
  lastFailure?: string | null;
  /** failed attempts since start */
  failures: number;
  /** the backup folder, whose volume's free space monitoring then watches */
  folder?: string | null;
}

/** The off-site copy of the backup folder. */
export interface OffsiteSnapshot {
  /** false: none is set up (its rules then stay quiet) */
  configured: boolean;
  /** the last copy after which the target held everything; null: never */
  lastSuccessAt: Date | string | null;
  /** the last read-back check found a file on the target that is not right */
  verifyFailed: boolean;
  verifyProblem: string | null;
  /** "sftp://nas.local:22/backups" */
  label: string | null;
}

export interface SignInSnapshot {
  /** failed sign-ins since start */
  failures: number;
  /** accounts locked since start */
  lockouts: number;
}

export interface AuditSnapshot {
  /** false once a verification found the chain broken */
  chainOk: boolean;
  checkedAt: Date | string | null;
}

/** Clients waiting for staff in the inbox. */
export interface InboxSnapshot {
  waiting: number;
  /** minutes the longest-waiting client has waited (0 when nobody waits) */
  longestWaitMinutes: number;
  /** who waits longest, for the alert's sentence */
  longestWaiting: string | null;
}

/** The database and the disk under it. */
export interface StorageSnapshot {
  /** false while writes fail for lack of space */
  writable: boolean;
  /** the last check of the database: null while none has finished */
  databaseOk: boolean | null;
}

export interface SourceSnapshots {
  storage: StorageSnapshot;
  whatsapp: WhatsAppSnapshot;
  inbox: InboxSnapshot;
  backup: BackupSnapshot;
  offsite: OffsiteSnapshot;
  signin: SignInSnapshot;
  audit: AuditSnapshot;
}

export type SourceName = keyof SourceSnapshots;
/** A source's snapshot, or null while it has nothing to report yet (its rules wait). */
export type SourceReader<K extends SourceName> = () => SourceSnapshots[K] | null;

/** The registered sources; a source that throws is reported once and read as absent. */
export class SourceRegistry {
  private readonly readers = new Map<SourceName, () => unknown>();
  private readonly failing = new Set<SourceName>();
  private readonly listeners = new Set<(name: SourceName, present: boolean) => void>();

  constructor(private readonly log: Logger) {}

  register<K extends SourceName>(name: K, read: SourceReader<K>): () => void {
    this.readers.set(name, read);
    this.failing.delete(name);
    for (const listener of this.listeners) listener(name, true);
    return () => {
      if (this.readers.get(name) !== read) return;
      this.readers.delete(name);
      for (const listener of this.listeners) listener(name, false);
    };
  }

  has(name: SourceName): boolean {
    return this.readers.has(name);
  }

  read<K extends SourceName>(name: K): SourceSnapshots[K] | null {
    const reader = this.readers.get(name);
    if (!reader) return null;
    try {
      const value = reader() as SourceSnapshots[K];
      this.failing.delete(name);
      return value ?? null;
    } catch (err) {
      if (!this.failing.has(name)) {
        this.failing.add(name);
        this.log.warn({ err, source: name }, 'a monitoring source failed; it counts as absent until it answers');
      }
      return null;
    }
  }

  /** Called when a source comes or goes (Prometheus metrics follow the sources). */
  onChange(listener: (name: SourceName, present: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
