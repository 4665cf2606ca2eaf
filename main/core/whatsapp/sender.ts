import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { monotonicNow, type Clock } from '../clock.js';
import { isDiskFull, type Store } from '../db/store.js';
import type { Logger } from '../log.js';
import type { WhatsAppConfig } from './config.js';
import type { RawOutboxRow } from './outbox.js';
import { SendError, type SentProbe, type Transport } from './transport.js';

/** Reads a stored document's bytes for sending (main/core/documents, through WhatsAppService's deps). */
export interface DocumentReader {
  read(documentId: number): Promise<Buffer>;
}

/** A send that may have reached WhatsApp is looked for among messages this much older than its first attempt. */
const CLOCK_SKEW_MS = 60_000;

/** A token bucket: `burst` sends at once, refilled at `perMinute`. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
      this.last = now;
    }
  }

  /** 0 when a token is available now, else how many ms until one is (takes nothing). */
  wait(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  /** Takes a token and returns 0, or returns how many ms until one is available. */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }
}

export interface SenderStats {
  sent: number;
  failed: number;
  errors: number;
  reconciled: number;
  lastSentAt: number | null;
}

type HeadRow = RawOutboxRow;

/**
 * Drains the outbox while the link is ready: one send at a time, the oldest open
 * row of each chat first, within the global rate limit and the per-chat spacing.
 * A row is marked `sending` before the send and `sent` (with WhatsApp's id) right
 * after; a row whose send may have landed without being recorded is checked
 * against WhatsApp (`findSent`) before it is sent again.
 */
export class OutboxSender {
  readonly stats: SenderStats = { sent: 0, failed: 0, errors: 0, reconciled: 0, lastSentAt: null };
  private active = false;
  private loop: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private limiter: RateLimiter;
  /** monotonic ms of the last send to each chat (the spacing) */
  private readonly lastSentByChat = new Map<string, number>();
  /** monotonic ms when a row that failed may be tried again (the stored next_attempt_at is wall time, for the screens) */
  private readonly retryDue = new Map<number, number>();

  constructor(
    private readonly deps: {
      store: () => Store;
      clock: Clock;
      log: Logger;
      transport: () => Transport | null;
      /** the document store's bytes of an outbox row that names a document (`document_id`) */
      documents?: DocumentReader;
      ready: () => boolean;
      send: WhatsAppConfig['send'];
      random?: () => number;
      /** after each row settles (sent or failed) */
      onSettled?: (row: { id: number; chatId: string; status: 'sent' | 'failed' }) => void;
    },
  ) {
    this.limiter = new RateLimiter(deps.send.perMinute, deps.send.burst, this.mono());
  }

  private mono(): number {
    return monotonicNow(this.deps.clock);
  }

  start(): void {
    this.active = true;
    this.wake();
  }

  /** New send limits (the admin's, from the bot settings); the burst stays as configured. */
  setLimits(limits: { perMinute: number; chatSpacingMs: number }): void {
    this.deps.send = { ...this.deps.send, perMinute: limits.perMinute, chatSpacingMs: limits.chatSpacingMs };
    this.limiter = new RateLimiter(limits.perMinute, this.deps.send.burst, this.mono());
    this.wake();
  }

  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.loop;
  }

  /** Something changed (new row, retry, link ready): look at the queue again. */
  wake(): void {
    if (!this.active) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.loop = this.drain()
      .catch((err: unknown) => {
        // a full disk: the sender waits to be woken once there is room (WhatsAppService.resumeAfterDiskFull)
        if (isDiskFull(err)) this.deps.log.warn({}, 'the disk is full: the outbox waits for room');
        else this.deps.log.error({ err }, 'the outbox sender stopped on an error');
      })
      .finally(() => {
        this.loop = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** resolves when nothing is due right now (for tests and the benchmark) */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private later(ms: number): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, Math.max(ms, 1));
    this.timer.unref?.();
  }

  private heads(): HeadRow[] {
    return this.deps.store()
      .prepare(
        `SELECT o.id, o.chat_id, o.kind, o.text, o.file_name, o.status, o.attempts, o.last_error, o.wa_id, o.created_at,
                o.next_attempt_at, o.sent_at, o.failed_at, o.uncertain_since, o.mimetype
           FROM whatsapp_outbox o
           JOIN (SELECT MIN(id) AS id FROM whatsapp_outbox WHERE status IN ('pending', 'sending') GROUP BY chat_id) h
             ON h.id = o.id
          ORDER BY o.id`,
      )
      .all() as HeadRow[];
  }

  private async drain(): Promise<void> {
    let sliceStart = performance.now();
    for (;;) {
      this.again = false;
      if (!this.active || !this.deps.ready() || !this.deps.store().isOpen) return;
      // rate limit, spacing and back-off in monotonic time: a clock set back or forward stalls nothing
      const now = this.mono();
      const wall = this.deps.clock.now().getTime();
      // out of tokens: nothing can go before the next one, so do not scan the queue
      // (a burst of new rows would otherwise rescan a long backlog on every enqueue)
      const tokenWait = this.limiter.wait(now);
      if (tokenWait > 0) {
        this.later(tokenWait);
        return;
      }
      const spacing = this.deps.send.chatSpacingMs;
      let nextDue = Infinity;
      const due: HeadRow[] = [];
      for (const row of this.heads()) {
        if (row.status !== 'pending') continue;
        const at = Math.max(this.dueAt(row, now, wall), (this.lastSentByChat.get(row.chat_id) ?? -Infinity) + spacing);
        if (at <= now) due.push(row);
        else nextDue = Math.min(nextDue, at);
      }
      if (due.length === 0) {
        if (nextDue !== Infinity) this.later(nextDue - now);
        return;
      }
      for (const row of due) {
        if (!this.active || !this.deps.ready()) return;
        const wait = this.limiter.take(this.mono());
        if (wait > 0) {
          this.later(wait);
          return;
        }
        await this.sendOne(row);
        if (performance.now() - sliceStart > 5) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
    }
  }

  /**
   * When a pending row may go, in monotonic ms. A new row (or one put back by
   * hand) goes now whatever the wall clock says; a retry waits its back-off, and
   * a stored retry time from before a restart is believed for at most that long.
   */
  private dueAt(row: HeadRow, now: number, wall: number): number {
    const due = this.retryDue.get(row.id);
    if (due !== undefined) return due;
    if (row.attempts === 0 || row.next_attempt_at <= wall) return now;
    return now + Math.min(row.next_attempt_at - wall, this.maxBackoff(row.attempts));
  }

  private probeOf(row: HeadRow): SentProbe {
    return row.kind === 'text' ? { kind: 'text', text: row.text ?? '' } : { kind: 'document', fileName: row.file_name ?? '' };
  }

  private async sendOne(row: HeadRow): Promise<void> {
    const store = this.deps.store();
    const transport = this.deps.transport();
    if (!transport) return;
    const clock = this.deps.clock;

    if (row.uncertain_since !== null) {
      // a previous attempt may have reached WhatsApp: ask before sending again
      const since = row.uncertain_since - CLOCK_SKEW_MS;
      const exclude = new Set(
        (
          store
            .prepare(`SELECT wa_id FROM whatsapp_outbox WHERE chat_id = ? AND wa_id IS NOT NULL AND sent_at >= ?`)
            .all(row.chat_id, since) as { wa_id: string }[]
        ).map((r) => r.wa_id),
      );
      let found: string | null;
      try {
        found = await transport.findSent(row.chat_id, this.probeOf(row), since, exclude);
      } catch (err) {
        this.deps.log.warn({ err, outboxId: row.id }, 'could not check whether an earlier send arrived; will try again');
        this.deps.store()
          .prepare(`UPDATE whatsapp_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`)
          .run(clock.now().getTime() + this.later1(row.id, this.backoff(1)), row.id);
        return;
      }
      if (found) {
        this.markSent(row, found);
        this.stats.reconciled += 1;
        this.deps.log.info({ outboxId: row.id, waId: found }, 'an earlier send had arrived; not sending it again');
        return;
      }
    }

    const startedAt = clock.now().getTime();
    const claimed = store
      .prepare(
        `UPDATE whatsapp_outbox SET status = 'sending', attempts = attempts + 1, uncertain_since = ?
          WHERE id = ? AND status = 'pending'`,
      )
      .run(startedAt, row.id);
    if (claimed.changes === 0) return;
    const attempts = row.attempts + 1;

    try {
      let waId: string;
      if (row.kind === 'text') {
        waId = await transport.sendText(row.chat_id, row.text ?? '');
      } else {
        const doc = store.prepare('SELECT document, document_id FROM whatsapp_outbox WHERE id = ?').get(row.id) as {
          document: Buffer | null;
          document_id: number | null;
        };
        let data = doc.document;
        if (data === null) {
          if (doc.document_id === null || !this.deps.documents) throw new SendError('The document to send is missing.', false);
          try {
            data = await this.deps.documents.read(doc.document_id);
          } catch (err) {
            throw new SendError(`The document could not be read from the document store: ${(err as Error).message}`, false);
          }
        }
        waId = await transport.sendDocument(row.chat_id, {
          data,
          fileName: row.file_name ?? 'document.pdf',
          mimetype: row.mimetype ?? 'application/pdf',
          caption: row.text ?? undefined,
        });
      }
      this.markSent(row, waId);
    } catch (err) {
      // sent or not, the row stays `sending`: it is checked with WhatsApp once the disk has room
      if (isDiskFull(err)) throw err;
      this.stats.errors += 1;
      const transient = err instanceof SendError ? err.transient : true;
      const message = String((err as Error)?.message ?? err).slice(0, 500);
      const now = clock.now().getTime();
      if (!store.isOpen) return;
      if (!transient || attempts >= this.deps.send.maxAttempts) {
        store
          .prepare(`UPDATE whatsapp_outbox SET status = 'failed', failed_at = ?, last_error = ? WHERE id = ?`)
          .run(now, message, row.id);
        this.stats.failed += 1;
        this.retryDue.delete(row.id);
        this.deps.log.warn({ outboxId: row.id, attempts, error: message }, 'an outgoing WhatsApp message failed');
        this.deps.onSettled?.({ id: row.id, chatId: row.chat_id, status: 'failed' });
      } else {
        store
          .prepare(`UPDATE whatsapp_outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?`)
          .run(now + this.later1(row.id, this.backoff(attempts)), message, row.id);
        this.deps.log.info({ outboxId: row.id, attempts, error: message }, 'an outgoing WhatsApp message will be retried');
      }
    }
  }

  private markSent(row: HeadRow, waId: string): void {
    const now = this.deps.clock.now().getTime();
    const store = this.deps.store();
    if (!store.isOpen) return;
    store
      .prepare(
        `UPDATE whatsapp_outbox SET status = 'sent', wa_id = ?, sent_at = ?, uncertain_since = NULL, last_error = NULL
          WHERE id = ?`,
      )
      .run(waId, now, row.id);
    const sentMono = this.mono();
    this.retryDue.delete(row.id);
    this.lastSentByChat.set(row.chat_id, sentMono);
    if (this.lastSentByChat.size > 1000) {
      // only recent sends matter for the spacing
      for (const [chat, at] of this.lastSentByChat) {
        if (at + this.deps.send.chatSpacingMs < sentMono) this.lastSentByChat.delete(chat);
      }
    }
    this.stats.sent += 1;
    this.stats.lastSentAt = now;
    this.deps.onSettled?.({ id: row.id, chatId: row.chat_id, status: 'sent' });
  }

  /** Notes a retry's wait in monotonic time and returns it (for the stored, wall-clock retry time). */
  private later1(rowId: number, waitMs: number): number {
    this.retryDue.set(rowId, this.mono() + waitMs);
    if (this.retryDue.size > 10_000) this.retryDue.delete(this.retryDue.keys().next().value!);
    return waitMs;
  }

  private maxBackoff(attempt: number): number {
    return Math.min(this.deps.send.retryBaseMs * 2 ** (Math.max(attempt, 1) - 1), 3_600_000);
  }

  /** exponential with jitter: base · 2^(n-1), between 50 % and 100 % of it, at most an hour */
  private backoff(attempt: number): number {
    const random = this.deps.random ?? Math.random;
    const full = Math.min(this.deps.send.retryBaseMs * 2 ** (attempt - 1), 3_600_000);
    return Math.round(full * (0.5 + random() * 0.5));
  }
}
