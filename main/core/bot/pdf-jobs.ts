import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { PdfJobsTable } from '../db/tables.js';
import { slices, type DocumentStore, type StoredBlob } from '../documents/store.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { IntakePdfData } from '../pdf/intake-pdf.js';
import type { PdfWorkers } from '../pdf/pdf-workers.js';
import type { BotOutbox } from './link.js';
import { dateLocale, deadlineInWords } from './machine.js';
import { addHistory, appendMessage } from './records.js';
import type { BotSettingsStore } from './settings.js';

const MAX_ATTEMPTS = 3;

type JobRow = Pick<Selectable<PdfJobsTable>, 'id' | 'matter_id' | 'send_to_chat' | 'attempts'>;

/** The date as an office writes it, in its time zone: "5 January 2026". */
export function officeDate(iso: string, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
}

function officeDateTime(iso: string, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/**
 * The queue of intake PDFs (table pdf_jobs): each job is drawn in the PDF worker
 * thread, stored with the matter's documents and, when asked, queued in the
 * outbox for the client, in one transaction. Pending jobs survive a restart.
 */
export class PdfJobs {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly deps: {
      store: () => Store;
      clock: Clock;
      log: Logger;
      events: EventBus;
      settings: BotSettingsStore;
      workers: PdfWorkers;
      outbox: () => BotOutbox | null;
      /** where the PDF is kept (main/core/documents) */
      documents: DocumentStore;
    },
  ) {}

  /** Work through the pending jobs (again, if a run is under way). */
  wake(): void {
    if (this.stopped || this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves when no job is pending or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => {});
  }

  /** Holds the queue (a restore is about to swap the database); the job in hand is left pending. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.running?.catch(() => {});
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /** The PDF for a matter as it is now (for staff), without storing it. */
  async render(matterId: number): Promise<{ fileName: string; data: Buffer } | null> {
    const data = this.dataFor(matterId);
    if (!data) return null;
    return { fileName: `intake-${data.reference}.pdf`, data: await this.deps.workers.intake(data) };
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.stopped || this.paused) return;
      const store = this.deps.store();
      if (!store.isOpen) return;
      const job = store.get(
        store.db
          .selectFrom('pdf_jobs')
          .select(['id', 'matter_id', 'send_to_chat', 'attempts'])
          .where('status', '=', 'pending')
          .orderBy('id')
          .limit(1),
      );
      if (!job) return;
      // a PDF for the client waits until the WhatsApp link is there to take it
      if (job.send_to_chat && !this.deps.outbox()) return;
      try {
        const data = this.dataFor(job.matter_id);
        if (!data) throw new Error('the matter no longer exists');
        const pdf = await this.deps.workers.intake(data);
        if (this.stopped || this.paused) return;
        const blob = await this.deps.documents.write(slices(pdf), {
          fileName: `intake-${data.reference}.pdf`,
          declaredType: 'application/pdf',
        });
        if (this.stopped || this.paused) return;
        this.finish(job, data, blob);
      } catch (err) {
        if (this.stopped || this.paused) return;
        const attempts = job.attempts + 1;
        const message = String((err as Error)?.message ?? err).slice(0, 500);
        this.deps.log.error({ err, job: job.id, matter: job.matter_id, attempts }, 'an intake PDF could not be made');
        const failed = attempts >= MAX_ATTEMPTS ? { status: 'failed' as const } : {};
        const latest = this.deps.store();
        latest.run(latest.db.updateTable('pdf_jobs').set({ attempts, error: message, ...failed }).where('id', '=', job.id));
        await new Promise((resolve) => setTimeout(resolve, 200 * attempts).unref());
      }
      await yieldToLoop();
    }
  }

  private finish(job: JobRow, data: IntakePdfData, blob: StoredBlob): void {
    const store = this.deps.store();
    const at = this.deps.clock.now().toISOString();
    const fileName = blob.fileName;
    const outbox = job.send_to_chat ? this.deps.outbox() : null;
    const conversationId = store.tx(() => {
      const current = store.get(store.db.selectFrom('pdf_jobs').select('status').where('id', '=', job.id));
      if (current?.status !== 'pending') return null;
      const matter = store.get(store.db.selectFrom('matters').select(['id', 'conversation_id', 'client_id']).where('id', '=', job.matter_id));
      if (!matter) throw new Error('the matter no longer exists');
      const doc = this.deps.documents.insert(blob, {
        source: 'intake',
        createdBy: 'LexDesk',
        conversationId: matter.conversation_id,
        matterId: matter.id,
        clientId: matter.client_id,
        at,
      });
      addHistory(store, { matterId: job.matter_id, at, actor: { type: 'bot' }, action: 'document', newValue: fileName });
      let conversationId: number | null = null;
      if (job.send_to_chat && outbox) {
        const texts = this.deps.settings.texts(data.language);
        const caption = texts.t('intake.pdf_caption', { reference: data.reference });
        const outboxId = outbox.enqueueDocument({
          chatId: job.send_to_chat,
          documentId: doc.id,
          fileName,
          mimetype: 'application/pdf',
          caption,
          dedupeKey: `intake-pdf:${job.id}`,
        });
        const conv = store.get(store.db.selectFrom('conversations').select('id').where('chat_id', '=', job.send_to_chat));
        if (conv) {
          conversationId = conv.id;
          appendMessage(store, {
            conversationId: conv.id,
            direction: 'out',
            author: 'bot',
            text: caption,
            fileName,
            documentId: doc.id,
            outboxId,
            at,
          });
          store.run(store.db.updateTable('conversations').set({ last_activity_at: at }).where('id', '=', conv.id));
        }
      }
      store.run(
        store.db
          .updateTable('pdf_jobs')
          .set((eb) => ({ status: 'done', attempts: eb('attempts', '+', 1), document_id: doc.id, done_at: at, error: null }))
          .where('id', '=', job.id),
      );
      return conversationId;
    });
    this.deps.events.emit('matters.changed', { matterId: job.matter_id });
    if (conversationId !== null) this.deps.events.emit('inbox.changed', { conversationId, reason: 'message' });
  }

  /** Everything the PDF prints, read from the matter, its client, its consent and the settings. */
  dataFor(matterId: number): IntakePdfData | null {
    const store = this.deps.store();
    const m = store.get(
      store.db
        .selectFrom('matters as m')
        .innerJoin('clients as c', 'c.id', 'm.client_id')
        .leftJoin('consents as k', 'k.id', 'm.consent_id')
        .select(['m.reference', 'm.practice_area', 'm.description', 'm.opposing_party', 'm.deadline', 'm.deadline_date', 'm.created_at'])
        .select(['m.language', 'c.language as client_language'])
        .select(['c.name as client_name', 'c.whatsapp', 'k.notice_version as consent_version', 'k.at as consent_at'])
        .where('m.id', '=', matterId),
    );
    if (!m) return null;
    const settings = this.deps.settings.get();
    // the PDF speaks the language of the intake (or the client's, or the office's)
    const offered = this.deps.settings.offered();
    const language = [m.language, m.client_language].find((l): l is string => !!l && offered.includes(l)) ?? settings.behaviour.language;
    const texts = this.deps.settings.texts(language);
    const locale = dateLocale(language, settings.behaviour.dateOrder);
    const tz = settings.hours.timeZone;
    const office = settings.profile.name;
    return {
      office: {
        name: office,
        address: settings.profile.address,
        phone: settings.profile.phone,
        email: settings.profile.email,
        website: settings.profile.website,
        logo: settings.profile.logo,
      },
      labels: {
        title: texts.t('pdf.title'),
        reference: texts.t('pdf.reference'),
        date: texts.t('pdf.date'),
        client: texts.t('pdf.client'),
        name: texts.t('pdf.name'),
        whatsapp: texts.t('pdf.whatsapp'),
        matter: texts.t('pdf.matter'),
        area: texts.t('pdf.area'),
        description: texts.t('pdf.description'),
        opposing: texts.t('pdf.opposing'),
        deadline: texts.t('pdf.deadline'),
        consent: texts.t('pdf.consent'),
        consentText:
          m.consent_version && m.consent_at
            ? texts.t('pdf.consent_text', { version: m.consent_version, at: officeDateTime(m.consent_at, tz, locale) })
            : texts.t('pdf.consent_missing'),
        nextSteps: texts.t('pdf.next_steps'),
        nextStepsText: texts.t('pdf.next_steps_text', { office, reference: m.reference }),
        page: texts.t('pdf.page'),
        none: texts.t('intake.none'),
      },
      reference: m.reference,
      language,
      date: officeDate(m.created_at, tz, locale),
      client: { name: m.client_name, whatsapp: m.whatsapp },
      area: m.practice_area,
      description: m.description,
      opposing: m.opposing_party,
      deadline: m.deadline ? deadlineInWords(m.deadline, m.deadline_date, locale, texts) : null,
      createdAt: this.deps.clock.now().toISOString(),
    };
  }
}
