import { rm } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Cron } from 'croner';
import type { ErasurePreview, RetentionCounts, RetentionPreview, RetentionRules } from '../../../shared/contract/privacy.js';
import type { AuditTrail } from '../audit/trail.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { DocumentStore } from '../documents/store.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { eraseConversations, executeErasure, planErasure, MS_PER_DAY, type ErasurePlan } from './erasure.js';
import { planCounts, planRetention, readRetentionRules, retentionSentence } from './retention.js';
import { scrub, withSecureDelete, type ScrubResult } from './scrub.js';

/** 03:45 on the machine's clock: after the nightly backup (02:30) and the audit verification (03:15). */
export const RETENTION_PATTERN = '45 3 * * *';
/** Records erased per transaction: each step is short, and the event loop runs between steps. */
const STEP = 20;

export interface PrivacyDeps {
  store: () => Store;
  clock: Clock;
  log: Logger;
  audit: AuditTrail;
  documents: () => DocumentStore;
  events: () => EventBus;
  /** how many days backups are kept (Backups settings) */
  backupRetentionDays: () => Promise<number>;
  /** false on the command line and in tests that drive `runRetention()` themselves */
  schedule: boolean;
}

/**
 * Clients' rights and the office's records: what erasing a client removes and
 * keeps, the removal of document files and of every trace in the database files
 * afterwards, and the nightly retention run.
 */
export class PrivacyService {
  readonly name = 'privacy';
  private job: Cron | null = null;
  private running: Promise<RetentionCounts> | null = null;
  /** an erasure's compaction failed: the next retention run compacts */
  private scrubPending = false;

  constructor(private readonly deps: PrivacyDeps) {}

  async start(): Promise<void> {
    // files of an erasure interrupted between its commit and their removal
    await this.removeFiles().catch((err: unknown) => this.deps.log.warn({ err }, 'erased document files could not all be removed yet'));
    if (!this.deps.schedule) return;
    this.job = new Cron(RETENTION_PATTERN, { name: 'lexdesk-retention', protect: true, unref: true }, () => {
      this.runRetention().catch((err: unknown) => this.deps.log.warn({ err }, 'the retention run did not finish; the next one continues'));
    });
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
  }

  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  rules(): RetentionRules {
    return readRetentionRules(this.deps.store());
  }

  /** The day (YYYY-MM-DD) after which no backup holds what is erased today. */
  async backupsHoldUntil(): Promise<{ until: string; days: number }> {
    const days = await this.deps.backupRetentionDays();
    return { until: new Date(this.deps.clock.now().getTime() + days * MS_PER_DAY).toISOString().slice(0, 10), days };
  }

  plan(clientId: number): ErasurePlan | null {
    return planErasure(this.deps.store(), clientId, this.rules(), this.deps.clock.now());
  }

  async preview(clientId: number): Promise<ErasurePreview | null> {
    const plan = this.plan(clientId);
    if (!plan) return null;
    const backups = await this.backupsHoldUntil();
    return {
      client: { id: plan.client.id, name: plan.client.name, erasedAt: plan.client.erasedAt },
      goes: { ...plan.counts, contactDetails: plan.contactDetails },
      stays: plan.stays,
      blockedBy: plan.blockedBy,
      backupsHoldUntil: backups.until,
      irreversible: irreversibleSentence(backups),
    };
  }

  /** Carries out a plan in the caller's transaction (the door's write, with its audit record). */
  execute(plan: ErasurePlan): string[] {
    return executeErasure(this.deps.store(), plan, this.deps.clock.now().toISOString());
  }

  /** Runs `write` (a transaction) with SQLite's secure_delete on. */
  secureDelete<T>(write: () => T): T {
    return withSecureDelete(this.deps.store(), write);
  }

  /** After the commit: the files go from the document store, and the text from the database's free pages and log. */
  async afterErasure(plan: ErasurePlan | null): Promise<ScrubResult> {
    await this.removeFiles().catch((err: unknown) => this.deps.log.warn({ err }, 'erased document files could not all be removed yet; the next start removes them'));
    let result: ScrubResult = { walCleared: false, vacuumed: false };
    try {
      result = await scrub(this.deps.store());
      this.scrubPending = false;
    } catch (err) {
      // the rows are gone; what may linger in free pages is cleared by the next retention run
      this.scrubPending = true;
      this.deps.log.warn({ err }, 'after an erasure the database file could not be compacted; the nightly retention run does it');
    }
    if (!result.walCleared) this.deps.log.warn({}, 'after an erasure the write-ahead log could not be emptied at once (another reader); the next checkpoint empties it');
    if (plan) {
      const events = this.deps.events();
      for (const conversationId of plan.conversationIds) events.emit('inbox.changed', { conversationId, reason: 'staff' });
      for (const matterId of [...plan.eraseMatterIds, ...plan.keepMatterIds]) events.emit('matters.changed', { matterId });
    }
    return result;
  }

  /** Removes the files named in `erased_files` (those no document row names any more). */
  private async removeFiles(): Promise<void> {
    const store = this.deps.store();
    const documents = this.deps.documents();
    const pending = store.prepare('SELECT sha256 FROM erased_files').all() as { sha256: string }[];
    for (const { sha256 } of pending) {
      if (!store.prepare('SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1').get(sha256)) {
        await rm(documents.pathOf(sha256), { force: true });
      }
      store.prepare('DELETE FROM erased_files WHERE sha256 = ?').run(sha256);
    }
  }

  retentionPreview(rules = this.rules()): RetentionPreview {
    const counts = planCounts(planRetention(this.deps.store(), rules, this.deps.clock.now()));
    return { counts, sentence: retentionSentence(counts), nextRunAt: this.nextRun()?.toISOString() ?? null };
  }

  /** One retention run (one at a time): in steps of a few records, each its own transaction, then one audit record with the counts. */
  runRetention(): Promise<RetentionCounts> {
    this.running ??= this.retain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async retain(): Promise<RetentionCounts> {
    const { clock } = this.deps;
    const rules = this.rules();
    const totals: RetentionCounts = { conversations: 0, declinedConsents: 0, intakes: 0, closedMatters: 0, held: 0 };
    let messages = 0;
    let documents = 0;
    let first = true;
    for (;;) {
      const store = this.deps.store();
      const plan = planRetention(store, rules, clock.now(), STEP);
      if (first) totals.held = plan.held;
      first = false;
      const work = plan.declined.length + plan.nonClient.length + plan.clients.length + plan.matters.length;
      if (work === 0) break;
      withSecureDelete(store, () =>
        store.tx(() => {
          const now = clock.now().toISOString();
          if (plan.declined.length > 0) {
            messages += eraseConversations(store, plan.declined).messages;
            totals.declinedConsents += plan.declined.length;
          }
          if (plan.nonClient.length > 0) {
            messages += eraseConversations(store, plan.nonClient).messages;
            totals.conversations += plan.nonClient.length;
          }
          for (const client of plan.clients) {
            const p = planErasure(store, client.id, rules, clock.now(), false);
            if (!p || p.blockedBy) continue;
            executeErasure(store, p, now);
            messages += p.counts.messages;
            documents += p.counts.documents;
            totals.intakes += client.intakes;
            totals.closedMatters += client.closed;
          }
          for (const matter of plan.matters) {
            documents += eraseMatterContent(store, matter.id, now);
            if (matter.kind === 'intake') totals.intakes++;
            else totals.closedMatters++;
          }
        }),
      );
      await yieldToLoop();
    }
    const erasedAnything = totals.conversations + totals.declinedConsents + totals.intakes + totals.closedMatters > 0;
    if (erasedAnything || this.scrubPending) await this.afterErasure(null);
    const store = this.deps.store();
    store.tx(() => {
      store
        .prepare('UPDATE retention_settings SET last_run_at = ?, last_run_counts = ? WHERE id = 1')
        .run(clock.now().toISOString(), JSON.stringify(totals));
      if (!store.prepare('SELECT 1 FROM retention_settings WHERE id = 1').get()) {
        store
          .prepare('INSERT INTO retention_settings (id, value, updated_at, updated_by, last_run_at, last_run_counts) VALUES (1, ?, ?, NULL, ?, ?)')
          .run(JSON.stringify(rules), clock.now().toISOString(), clock.now().toISOString(), JSON.stringify(totals));
      }
      // counts only: never a name or a text
      this.deps.audit.append({
        actor: { type: 'system', name: 'retention' },
        face: 'scheduler',
        action: 'retention.run',
        outcome: 'ok',
        details: { ...totals, messages, documents },
      });
    });
    if (erasedAnything) this.deps.log.info({ ...totals, messages, documents }, 'retention run: records past their retention period erased');
    return totals;
  }

  lastRun(): { at: string; counts: RetentionCounts } | null {
    const row = this.deps.store().prepare('SELECT last_run_at, last_run_counts FROM retention_settings WHERE id = 1').get() as
      | { last_run_at: string | null; last_run_counts: string | null }
      | undefined;
    if (!row?.last_run_at || !row.last_run_counts) return null;
    return { at: row.last_run_at, counts: JSON.parse(row.last_run_counts) as RetentionCounts };
  }
}

/** One matter's content past retention (its client keeps other matters): notes, history, documents, intake answers. */
function eraseMatterContent(store: Store, matterId: number, now: string): number {
  const docs = (store.prepare('SELECT id, sha256 FROM documents WHERE matter_id = ?').all(matterId) as { id: number; sha256: string }[]);
  const ids = JSON.stringify(docs.map((d) => d.id));
  store.prepare('DELETE FROM pdf_jobs WHERE matter_id = ?').run(matterId);
  store.prepare('UPDATE conversation_messages SET document_id = NULL WHERE document_id IN (SELECT value FROM json_each(?))').run(ids);
  store.prepare('DELETE FROM document_blob_moves WHERE document_id IN (SELECT value FROM json_each(?))').run(ids);
  store.prepare('DELETE FROM documents WHERE matter_id = ?').run(matterId);
  store.prepare('DELETE FROM matter_notes WHERE matter_id = ?').run(matterId);
  store.prepare('DELETE FROM matter_history WHERE matter_id = ?').run(matterId);
  store.prepare('UPDATE conflict_hits SET cleared_note = NULL WHERE matter_id = ?').run(matterId);
  store
    .prepare("UPDATE matters SET description = '', next_step = NULL, deadline = NULL, deadline_date = NULL, erased_at = ?, updated_at = ? WHERE id = ?")
    .run(now, now, matterId);
  store
    .prepare(
      "INSERT INTO matter_history (matter_id, at, actor_type, action) VALUES (?, ?, 'system', 'Its retention period ended: its content was erased; this record stays for conflict checks.')",
    )
    .run(matterId, now);
  for (const { sha256 } of docs) {
    if (!store.prepare('SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1').get(sha256)) {
      store.prepare('INSERT OR IGNORE INTO erased_files (sha256) VALUES (?)').run(sha256);
    }
  }
  return docs.length;
}

export function irreversibleSentence(backups: { until: string; days: number }): string {
  return (
    `This cannot be undone. Only a backup made before the erasure still holds the data; ` +
    `backups are kept ${backups.days} days, so after ${backups.until} no backup holds it any more.`
  );
}
