import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { WhatsAppConfig } from './config.js';
import type { InboundMessage, Transport, TransportEvent, Ack } from './transport.js';

/**
 * The link's states, as staff see them.
 * stopped → starting → (qr → authenticated →) ready; a drop → reconnecting → starting…;
 * a logout → logged_out; a banned account, an outdated web version or no browser → failed.
 */
export const LINK_STATES = ['stopped', 'starting', 'qr', 'authenticated', 'ready', 'reconnecting', 'logged_out', 'failed'] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface LinkSnapshot {
  state: LinkState;
  /** when the link entered this state (ms) */
  since: number;
  /** the QR payload while waiting to be scanned */
  qr: string | null;
  /** the linked office number once ready */
  number: string | null;
  /** why the link is down, for people */
  reason: string | null;
  /** reconnections since the app started (drops and watchdog restarts) */
  reconnects: number;
  /** when the next reconnection attempt is due, while reconnecting */
  retryAt: number | null;
}

export interface SupervisorDeps {
  transport: Transport;
  clock: Clock;
  log: Logger;
  reconnect: WhatsAppConfig['reconnect'];
  watchdog: WhatsAppConfig['watchdog'];
  /** how long starting/authenticated may last before it counts as a hang (ready never fired) */
  startTimeoutMs?: number;
  /** not-CONNECTED answers in a row that count as a dead listener */
  strikes?: number;
  random?: () => number;
  onState(snapshot: LinkSnapshot): void;
  onMessage(message: InboundMessage): void;
  /** an acknowledgement of a message the office sent */
  onAck?(messageId: string, ack: Ack): void;
  onReady(): void;
}

/**
 * An explicit state machine around one transport: it starts it, reconnects with
 * exponential back-off and jitter after a drop (not after a logout or a ban), and
 * runs a watchdog that asks the transport for its state on an interval: no answer
 * within the timeout, or a run of bad answers, and the transport is killed (the
 * whole browser process tree) and started again.
 */
export class Supervisor {
  private snapshot: LinkSnapshot;
  private generation = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private probing = false;
  private badAnswers = 0;
  private wanted = false;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SupervisorDeps) {
    this.snapshot = {
      state: 'stopped',
      since: deps.clock.now().getTime(),
      qr: null,
      number: null,
      reason: null,
      reconnects: 0,
      retryAt: null,
    };
  }

  get state(): LinkSnapshot {
    return { ...this.snapshot };
  }

  /** Starts the link (does not wait for it to be ready). */
  start(): Promise<void> {
    this.wanted = true;
    return this.serial(() => this.connect());
  }

  /** Stops the link; the session stays linked for the next start. */
  stop(): Promise<void> {
    this.wanted = false;
    return this.serial(async () => {
      await this.endAttempt('stop');
      this.set({ state: 'stopped', qr: null, reason: null, retryAt: null });
    });
  }

  /** Stops and starts again at once, with the back-off reset (the restart button). */
  restart(): Promise<void> {
    this.wanted = true;
    return this.serial(async () => {
      await this.endAttempt('stop');
      this.attempt = 0;
      await this.connect();
    });
  }

  /** Unlinks the number; the link waits in logged_out until someone starts it again. */
  logout(): Promise<void> {
    this.wanted = false;
    return this.serial(async () => {
      await this.endAttempt('logout');
      this.set({ state: 'logged_out', qr: null, number: null, reason: 'The office number was unlinked.', retryAt: null });
    });
  }

  /**
   * After the computer woke up (or anything else that makes the link's state
   * doubtful): asks the connection at once instead of at the next watchdog round.
   * A link that does not answer CONNECTED is started again now, and a reconnection
   * waiting out its back-off runs now, with the back-off reset. Returns the verdict.
   */
  async checkNow(): Promise<'ready' | 'reconnected' | 'idle'> {
    if (!this.wanted) return 'idle';
    const { state } = this.snapshot;
    if (state === 'reconnecting' && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.attempt = 0;
      await this.serial(() => this.connect());
      return 'reconnected';
    }
    if (state !== 'ready') return 'idle';
    let alive = false;
    try {
      alive = (await withTimeout(this.deps.transport.probe(), this.deps.watchdog.timeoutMs, 'no answer')) === 'CONNECTED';
    } catch {
      alive = false;
    }
    if (alive) return 'ready';
    this.deps.log.warn({}, 'WhatsApp did not answer after the computer woke up; connecting it again');
    await this.serial(async () => {
      await this.endAttempt('kill');
      this.attempt = 0;
      this.set({ state: 'reconnecting', qr: null, reason: 'The computer woke up from sleep.', reconnects: this.snapshot.reconnects + 1 });
      await this.connect();
    });
    return 'reconnected';
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.transition.then(fn, fn);
    this.transition = next.catch(() => {});
    return next;
  }

  private async safely(fn: () => Promise<void>, what: string): Promise<void> {
    try {
      await withTimeout(fn(), this.deps.watchdog.timeoutMs, `${what} timed out`);
    } catch (err) {
      this.deps.log.warn({ err, what }, 'the WhatsApp transport did not finish cleanly');
      if (what !== 'kill') await this.deps.transport.kill().catch(() => {});
    }
  }

  private set(change: Partial<LinkSnapshot>): void {
    const state = change.state ?? this.snapshot.state;
    const since = state !== this.snapshot.state ? this.deps.clock.now().getTime() : this.snapshot.since;
    this.snapshot = { ...this.snapshot, ...change, state, since };
    this.deps.onState(this.state);
  }

  private async connect(): Promise<void> {
    if (!this.wanted) return;
    this.cancelTimers();
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.set({ state: 'starting', qr: null, retryAt: null });
    this.armStartTimeout(generation);
    try {
      await this.deps.transport.start({
        event: (event) => {
          if (current()) this.onEvent(event, generation);
        },
        message: (message) => {
          if (current()) this.deps.onMessage(message);
        },
        ack: (messageId, ack) => {
          if (current()) this.deps.onAck?.(messageId, ack);
        },
      });
    } catch (err) {
      if (!current()) return;
      this.deps.log.warn({ err }, 'WhatsApp could not start');
      this.onEvent({ type: 'failed', reason: describe(err), retry: true }, generation);
    }
  }

  private onEvent(event: TransportEvent, generation: number): void {
    switch (event.type) {
      case 'starting':
        this.set({ state: 'starting' });
        break;
      case 'qr':
        this.clearWatchdog();
        this.set({ state: 'qr', qr: event.qr, reason: null });
        break;
      case 'authenticated':
        this.set({ state: 'authenticated', qr: null });
        this.armStartTimeout(generation);
        break;
      case 'ready':
        this.attempt = 0;
        this.badAnswers = 0;
        this.set({ state: 'ready', qr: null, number: event.number, reason: null, retryAt: null });
        this.armWatchdog(generation);
        this.deps.log.info({ number: event.number }, 'WhatsApp is ready');
        try {
          this.deps.onReady();
        } catch (err) {
          this.deps.log.error({ err }, 'after-ready work failed');
        }
        break;
      case 'disconnected':
        this.deps.log.warn({ reason: event.reason, kind: event.kind }, 'WhatsApp disconnected');
        this.clearWatchdog();
        // staff see the drop at once; tearing down and reconnecting follow in order
        this.set({
          state: event.kind === 'transient' ? 'reconnecting' : event.kind === 'logged_out' ? 'logged_out' : 'failed',
          qr: null,
          reason: event.reason,
        });
        if (event.kind === 'transient') {
          void this.serial(() => this.recover(generation, event.reason, false));
        } else if (event.kind === 'logged_out') {
          this.giveUp(generation, { state: 'logged_out', number: null, reason: event.reason });
        } else {
          this.giveUp(generation, { state: 'failed', reason: event.reason });
        }
        break;
      case 'failed':
        this.clearWatchdog();
        this.set({ state: event.retry ? 'reconnecting' : 'failed', qr: null, reason: event.reason });
        if (event.retry) {
          void this.serial(() => this.recover(generation, event.reason, false));
        } else {
          this.giveUp(generation, { state: 'failed', reason: event.reason });
        }
        break;
    }
  }

  /**
   * Ends the current attempt: its timers stop, its late events are ignored (a new
   * generation), and the transport stops, unlinks, or is killed when it hangs.
   */
  private async endAttempt(how: 'stop' | 'logout' | 'kill'): Promise<void> {
    this.cancelTimers();
    this.generation++;
    await this.safely(() => this.deps.transport[how](), how);
  }

  /** Ends this attempt without a retry (logged out, or a failure trying again cannot help) and shows where it stopped. */
  private giveUp(generation: number, outcome: Partial<LinkSnapshot>): void {
    void this.serial(async () => {
      if (generation !== this.generation) return;
      await this.endAttempt('stop');
      this.set({ ...outcome, qr: null, retryAt: null });
    });
  }

  /** Tear the current attempt down (by force when it hangs) and schedule the next one. */
  private async recover(generation: number, reason: string, hung: boolean): Promise<void> {
    if (generation !== this.generation || !this.wanted) return;
    await this.endAttempt(hung ? 'kill' : 'stop');
    const delay = this.backoff(this.attempt++);
    const retryAt = this.deps.clock.now().getTime() + delay;
    this.set({ state: 'reconnecting', qr: null, reason, reconnects: this.snapshot.reconnects + 1, retryAt });
    this.deps.log.info({ delayMs: delay, reason }, 'WhatsApp will reconnect');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.serial(() => this.connect());
    }, delay);
  }

  /** min · 2^attempt capped at max, then jittered to 50–100 % so that restarts do not stampede */
  backoff(attempt: number): number {
    const random = this.deps.random ?? Math.random;
    const { minMs, maxMs } = this.deps.reconnect;
    const full = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
    return Math.max(1, Math.round(full * (0.5 + random() * 0.5)));
  }

  private armStartTimeout(generation: number): void {
    this.clearWatchdog();
    const limit = this.deps.startTimeoutMs ?? Math.max(120_000, this.deps.watchdog.timeoutMs * 8);
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      if (generation !== this.generation) return;
      const state = this.snapshot.state;
      if (state === 'starting' || state === 'authenticated') {
        this.deps.log.warn({ state, limitMs: limit }, 'WhatsApp did not become ready in time; restarting it');
        void this.serial(() => this.recover(generation, 'WhatsApp did not become ready in time.', true));
      }
    }, limit);
  }

  private armWatchdog(generation: number): void {
    this.clearWatchdog();
    this.watchdogTimer = setInterval(() => void this.check(generation), this.deps.watchdog.intervalMs);
  }

  private async check(generation: number): Promise<void> {
    if (this.probing || generation !== this.generation || this.snapshot.state !== 'ready') return;
    this.probing = true;
    let verdict: string | null = null;
    try {
      const state = await withTimeout(this.deps.transport.probe(), this.deps.watchdog.timeoutMs, 'no answer');
      if (state === 'CONNECTED') this.badAnswers = 0;
      else if (++this.badAnswers >= (this.deps.strikes ?? 3)) verdict = `WhatsApp kept answering ${state ?? 'nothing'}.`;
    } catch (err) {
      verdict = `WhatsApp stopped answering (${describe(err)}).`;
    } finally {
      this.probing = false;
    }
    if (verdict && generation === this.generation) {
      this.deps.log.warn({ verdict }, 'the WhatsApp watchdog is restarting the link');
      await this.serial(() => this.recover(generation, verdict!, true));
    }
  }

  private clearWatchdog(): void {
    if (this.watchdogTimer) {
      clearTimeout(this.watchdogTimer);
      clearInterval(this.watchdogTimer);
    }
    this.watchdogTimer = null;
  }

  private cancelTimers(): void {
    this.clearWatchdog();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  return String((err as Error)?.message ?? err).slice(0, 300);
}
