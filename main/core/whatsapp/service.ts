import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { Face } from '../config.js';
import { isDiskFull, type Store } from '../db/store.js';
import type { EventBus } from '../events.js';
import type { HealthRegistry } from '../health.js';
import type { Logger } from '../log.js';
import type { WhatsAppConfig } from './config.js';
import { InboundLedger } from './ledger.js';
import { MediaFetcher, type MediaFetcherOptions, type MediaSink } from './media.js';
import { Outbox } from './outbox.js';
import { OutboxSender, type DocumentReader } from './sender.js';
import { SimulatorNetwork, SimulatorTransport } from './simulator.js';
import { LINK_STATES, Supervisor, type LinkSnapshot, type LinkState } from './supervisor.js';
import type { Ack, DownloadedMedia, InboundMessage, Transport } from './transport.js';
import { WwebjsTransport } from './wwebjs.js';

/**
 * Figures for monitoring (counters since this process started, gauges now). The
 * monitoring capability reads `whatsapp.stats()` on its own schedule.
 */
export interface WhatsAppStats {
  transport: WhatsAppConfig['transport'];
  state: LinkState;
  /** position of `state` in LINK_STATES, for a numeric gauge */
  stateCode: number;
  /** 1 when ready, else 0 */
  up: number;
  stateSince: number;
  reconnects: number;
  inboundStored: number;
  inboundDuplicates: number;
  consumerFailures: number;
  outboundSent: number;
  outboundFailed: number;
  sendErrors: number;
  outboundReconciled: number;
  queueDepth: number;
  failedInOutbox: number;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  /** the Chromium that whatsapp-web.js drives (for its CPU and memory), when one runs */
  browserPid: number | null;
  /** false until the number has been linked in this run (never linked, logged out, or not connecting): alerts stay quiet */
  enabled: boolean;
}

export interface WhatsAppServiceDeps {
  config: WhatsAppConfig;
  face: Face;
  store: () => Store;
  clock: Clock;
  log: Logger;
  events: EventBus;
  health: HealthRegistry;
  nativeBinding?: string;
  /** tests: a transport of their own (e.g. the adapter over a fake Client) */
  transport?: Transport;
  startTimeoutMs?: number;
  random?: () => number;
  /** the document store: where clients' files go (`sink`) and where documents to send are read (`reader`) */
  documents?: { sink: MediaSink; reader: DocumentReader };
  /** tests: the media fetcher's back-off */
  media?: MediaFetcherOptions;
}

/** How far back a catch-up looks before the newest stored message (clock differences, late deliveries). */
const CATCH_UP_MARGIN_MS = 10 * 60_000;

/**
 * The WhatsApp link as one service: the transport chosen by config, its
 * supervisor, the inbound ledger, the outbox and its sender. Only the desktop and
 * headless faces connect; the command line leaves WhatsApp alone.
 *
 * For the bot: `ledger.consume(name, handler)` to read what clients wrote,
 * `outbox.enqueue({ chatId, text | document })` to answer.
 */
export class WhatsAppService {
  readonly name = 'whatsapp';
  readonly ledger: InboundLedger;
  readonly outbox: Outbox;
  readonly transport: Transport;
  /** the simulator's controls, or null when the real WhatsApp is used */
  readonly simulator: SimulatorTransport | null;
  private readonly supervisor: Supervisor;
  private readonly sender: OutboxSender;
  /** fetches clients' files into the document store as their messages arrive */
  readonly media: MediaFetcher;
  private readonly network: SimulatorNetwork | null = null;
  private readonly connects: boolean;
  private started = false;
  private catchingUp: Promise<void> | null = null;
  private counts = { depth: 0, failed: 0 };
  private countsAt = 0;
  private everReady = false;
  /** the WhatsApp time of the oldest message that arrived but could not be stored: the next catch-up goes back to it */
  private missedSince: number | null = null;

  constructor(private readonly deps: WhatsAppServiceDeps) {
    const log = deps.log.child({ component: 'whatsapp' });
    this.connects = deps.face !== 'cli';
    this.outbox = new Outbox({ store: deps.store, clock: deps.clock });

    if (deps.transport) {
      this.transport = deps.transport;
      this.simulator = deps.transport instanceof SimulatorTransport ? deps.transport : null;
    } else if (deps.config.transport === 'simulator') {
      this.network = new SimulatorNetwork(join(deps.config.dir, 'simulator.sqlite'), deps.clock, {
        nativeBinding: deps.nativeBinding,
      });
      this.simulator = new SimulatorTransport(this.network, { sendLatencyMs: deps.config.simulatorSendLatencyMs });
      this.transport = this.simulator;
    } else {
      this.transport = new WwebjsTransport(deps.config, log);
      this.simulator = null;
    }
    this.media = new MediaFetcher({
      store: deps.store,
      clock: deps.clock,
      log,
      sink: deps.documents?.sink ?? null,
      transport: () => this.transport,
      ready: () => this.supervisor.state.state === 'ready',
      options: deps.media,
    });
    this.ledger = new InboundLedger({
      store: deps.store,
      clock: deps.clock,
      log,
      // the command line never fetches: its ledger is read-only
      mediaSettled: this.connects ? (message) => this.media.settled(message) : undefined,
    });
    if (this.simulator) this.simulator.onActivity = (event) => deps.events.emit('simulator.message', event);

    this.supervisor = new Supervisor({
      transport: this.transport,
      clock: deps.clock,
      log,
      reconnect: deps.config.reconnect,
      watchdog: deps.config.watchdog,
      startTimeoutMs: deps.startTimeoutMs,
      random: deps.random,
      onState: (snapshot) => {
        if (snapshot.state === 'ready') this.everReady = true;
        if (snapshot.state === 'logged_out') this.everReady = false;
        this.publish(snapshot);
      },
      onMessage: (message) => this.receive(message),
      onAck: (messageId, ack) => this.acknowledged(messageId, ack),
      onReady: () => {
        this.sender.wake();
        this.catchUp();
      },
    });
    this.sender = new OutboxSender({
      store: deps.store,
      clock: deps.clock,
      log,
      transport: () => this.transport,
      ready: () => this.supervisor.state.state === 'ready',
      documents: deps.documents?.reader,
      send: deps.config.send,
      random: deps.random,
      onSettled: (row) => {
        this.countsAt = 0;
        // an acknowledgement that came before the send returned its id
        if (row.status === 'sent') this.applyEarlyAck(row.id);
        this.onOutboxSettled?.(row);
      },
    });
    this.outbox.onChange = () => {
      this.countsAt = 0;
      this.sender.wake();
    };

    deps.health.register('whatsapp', () => {
      const { state } = this.supervisor.state;
      if (!this.connects) return { status: 'ok' };
      switch (state) {
        case 'ready':
        case 'starting':
        case 'authenticated':
          return { status: 'ok' };
        case 'qr':
          return { status: 'degraded', message: 'WhatsApp is not linked: scan the QR code on the WhatsApp screen.' };
        case 'reconnecting':
          return { status: 'degraded', message: 'WhatsApp dropped and is reconnecting.' };
        case 'stopped':
          return { status: 'degraded', message: 'WhatsApp is stopped.' };
        default:
          return { status: 'down', message: 'WhatsApp is not connected; see the WhatsApp screen.' };
      }
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.media.start();
    if (this.network && this.connects && this.deps.config.simulatorPaired && !this.network.linked) this.network.linked = true;
    this.ledger.start();
    this.recoverOutbox();
    if (!this.connects) return;
    this.sender.start();
    await this.supervisor.start();
  }

  /** Rows left in flight go back to the queue, checked before they are sent again; on a full disk, once there is room. */
  private recoverOutbox(): boolean {
    try {
      const recovered = this.outbox.recoverInFlight();
      if (recovered > 0) this.deps.log.warn({ rows: recovered }, 'outbox rows were in flight at the last stop; checking them');
      return true;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.deps.log.warn({}, 'the disk is full: outbox rows left in flight are checked once there is room');
      return false;
    }
  }

  /**
   * The disk has room again: rows whose send was not recorded are checked with
   * WhatsApp, consumers take up the message they were on, and what clients sent
   * meanwhile (never stored, so never acknowledged) is fetched again.
   */
  async resumeAfterDiskFull(): Promise<void> {
    if (!this.started) return;
    await this.sender.idle();
    if (!this.recoverOutbox()) return;
    this.ledger.resumeAfterDiskFull();
    if (!this.connects) return;
    this.sender.wake();
    if (this.supervisor.state.state === 'ready') this.catchUp();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.media.stop();
    await this.supervisor.stop();
    await this.sender.stop();
    await this.catchingUp;
    await this.ledger.stop();
    this.network?.close();
  }

  /**
   * A restore is about to close the database: the sender and the consumers stop
   * writing (in-flight work finishes first). The link stays up; a message that
   * arrives meanwhile is not stored, so not acknowledged, and the catch-up in
   * `resume` brings it back.
   */
  async pause(): Promise<void> {
    await this.sender.stop();
    await this.ledger.stop();
  }

  /** After a restore: carry on from the restored database, and fetch what arrived since its newest message. */
  resume(): void {
    if (!this.started) return;
    this.ledger.start();
    this.outbox.recoverInFlight();
    if (!this.connects) return;
    this.sender.start();
    if (this.supervisor.state.state === 'ready') this.catchUp();
  }

  /**
   * After the computer woke up: the link is asked at once and connected again when
   * it does not answer; a link that answers runs the catch-up, since the network
   * was gone while the computer slept (a reconnect runs it by itself once ready).
   */
  async checkNow(): Promise<'ready' | 'reconnected' | 'idle'> {
    if (!this.started || !this.connects) return 'idle';
    const verdict = await this.supervisor.checkNow();
    if (verdict === 'ready') this.catchUp();
    return verdict;
  }

  /** Resolves when a catch-up in progress has ended (tests). */
  async caughtUp(): Promise<void> {
    await this.catchingUp;
  }

  /** Link state (with the QR while one is waiting). */
  status(): LinkSnapshot {
    return this.supervisor.state;
  }

  async restart(): Promise<void> {
    if (!this.connects) return;
    await this.supervisor.restart();
  }

  async logout(): Promise<void> {
    await this.supervisor.logout();
  }

  /** The bytes of an inbound message's media (a client's document or photo), when WhatsApp still has them. */
  downloadMedia(messageId: string): Promise<DownloadedMedia | null> {
    return this.transport.downloadMedia(messageId);
  }

  /**
   * Counters (since start) and gauges for monitoring. Cheap enough for every scrape:
   * counters live in memory, the two outbox counts are indexed and cached for a second.
   */
  /** Told when an outbox row is sent or fails (the bot updates the inbox's delivery marks). */
  onOutboxSettled: ((row: { id: number; chatId: string; status: 'sent' | 'failed' }) => void) | null = null;

  /** The admin's send limits (bot settings) in place of the configured ones. */
  setSendLimits(limits: { perMinute: number; chatSpacingMs: number }): void {
    this.sender.setLimits(limits);
  }

  stats(): WhatsAppStats {
    const link = this.supervisor.state;
    const now = Date.now();
    if (now - this.countsAt > 1000) {
      let open = false;
      try {
        open = this.deps.store().isOpen;
      } catch {
        open = false;
      }
      this.counts = open ? { depth: this.outbox.depth(), failed: this.outbox.failedCount() } : { depth: 0, failed: 0 };
      this.countsAt = now;
    }
    if (link.state === 'ready') this.everReady = true;
    if (link.state === 'logged_out') this.everReady = false;
    return {
      transport: this.transport.kind,
      state: link.state,
      stateCode: LINK_STATES.indexOf(link.state),
      up: link.state === 'ready' ? 1 : 0,
      stateSince: link.since,
      reconnects: link.reconnects,
      inboundStored: this.ledger.counts.stored,
      inboundDuplicates: this.ledger.counts.duplicates,
      consumerFailures: this.ledger.counts.consumerFailures,
      outboundSent: this.sender.stats.sent,
      outboundFailed: this.sender.stats.failed,
      sendErrors: this.sender.stats.errors,
      outboundReconciled: this.sender.stats.reconciled,
      queueDepth: this.counts.depth,
      failedInOutbox: this.counts.failed,
      lastInboundAt: this.ledger.lastStoredAt,
      lastOutboundAt: this.sender.stats.lastSentAt,
      browserPid: this.transport instanceof WwebjsTransport ? this.transport.runningBrowserPid : null,
      enabled: this.connects && this.everReady,
    };
  }

  /** resolves once the sender has nothing due right now (tests, benchmark) */
  senderIdle(): Promise<void> {
    return this.sender.idle();
  }

  /** Acknowledgements whose message id no outbox row had yet (the send had not returned): id → ack, oldest first. */
  private readonly earlyAcks = new Map<string, Ack>();

  /** WhatsApp acknowledged a sent message: the row keeps the highest mark, and the inbox shows the ticks. */
  private acknowledged(messageId: string, ack: Ack): void {
    let row: { id: number; chat_id: string } | undefined;
    try {
      const store = this.deps.store();
      if (!store.isOpen) return;
      row = store.get(
        store.db
          .updateTable('whatsapp_outbox')
          .set({ ack })
          .where('wa_id', '=', messageId)
          .where('ack', '<', ack)
          .returning(['id', 'chat_id']),
      );
      if (!row) {
        const known = store.get(store.db.selectFrom('whatsapp_outbox').select('id').where('wa_id', '=', messageId));
        if (!known) {
          this.earlyAcks.set(messageId, Math.max(ack, this.earlyAcks.get(messageId) ?? 0) as Ack);
          while (this.earlyAcks.size > 1000) this.earlyAcks.delete(this.earlyAcks.keys().next().value!);
        }
        return;
      }
    } catch (err) {
      // a tick is worth nothing next to the message itself: never let it fail anything
      this.deps.log.warn({ err }, 'could not record a WhatsApp acknowledgement');
      return;
    }
    this.onOutboxSettled?.({ id: row.id, chatId: row.chat_id, status: 'sent' });
  }

  private applyEarlyAck(rowId: number): void {
    if (this.earlyAcks.size === 0) return;
    const store = this.deps.store();
    const row = store.get(store.db.selectFrom('whatsapp_outbox').select('wa_id').where('id', '=', rowId));
    const ack = row?.wa_id ? this.earlyAcks.get(row.wa_id) : undefined;
    if (!row?.wa_id || !ack) return;
    this.earlyAcks.delete(row.wa_id);
    store.run(store.db.updateTable('whatsapp_outbox').set({ ack }).where('id', '=', rowId).where('ack', '<', ack));
  }

  private receive(message: InboundMessage): void {
    try {
      // a file is fetched at once: whatsapp-web.js's download is unreliable later
      if (this.ledger.record(message) && message.media) void this.media.fetch(message);
    } catch (err) {
      // not stored means not acknowledged: the catch-up after the next connect (or once the disk has room) brings it back
      this.missedSince = Math.min(this.missedSince ?? Infinity, message.timestamp);
      if (isDiskFull(err)) this.deps.log.warn({ waId: message.id }, 'the disk is full: an inbound WhatsApp message waits on WhatsApp');
      else this.deps.log.error({ err, waId: message.id }, 'could not store an inbound WhatsApp message');
    }
  }

  private publish(snapshot: LinkSnapshot): void {
    const { qr, ...rest } = snapshot;
    this.deps.events.emit('whatsapp.state', {
      state: rest.state,
      since: new Date(rest.since).toISOString(),
      number: rest.number,
      reason: rest.reason,
      reconnects: rest.reconnects,
      retryAt: rest.retryAt === null ? null : new Date(rest.retryAt).toISOString(),
    });
    this.deps.events.emit('whatsapp.qr', { qr });
  }

  /** After every (re)connect: what clients sent while we were away goes through the ledger too. */
  private catchUp(): void {
    if (this.catchingUp) return;
    this.catchingUp = (async () => {
      // after a restore, an empty ledger is not a first link: what came since the backup is fetched
      const last = this.ledger.lastTimestamp() ?? this.outbox.restoredFrom();
      const missed = this.missedSince;
      // first link: old conversations are not the bot's business, unless they came and could not be stored
      if (last === null && missed === null) return;
      const messages = await this.transport.catchUp(Math.min(last ?? Infinity, missed ?? Infinity) - CATCH_UP_MARGIN_MS);
      let fresh = 0;
      for (let i = 0; i < messages.length; i++) {
        if (!this.started) return;
        if (this.ledger.record(messages[i]!)) {
          fresh++;
          if (messages[i]!.media) void this.media.fetch(messages[i]!);
        }
        if (i % 200 === 199) await yieldToLoop();
      }
      if (this.missedSince === missed) this.missedSince = null;
      if (fresh > 0) this.deps.log.info({ fresh, seen: messages.length }, 'caught up with messages sent while disconnected');
    })()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'the WhatsApp catch-up failed; it runs again at the next connect'))
      .finally(() => {
        this.catchingUp = null;
      });
  }
}
