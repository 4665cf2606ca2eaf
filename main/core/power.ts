import type { AuditTrail } from './audit/trail.js';
import type { Face } from './config.js';
import type { Logger } from './log.js';
import type { Monitoring } from './monitoring/index.js';
import type { WhatsAppService } from './whatsapp/service.js';

/** What the operating system said about the computer (the desktop face hears it from Electron's powerMonitor). */
export type PowerChange = 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen';

export interface PowerWatchDeps {
  face: Face;
  log: Logger;
  monitoring: Pick<Monitoring, 'asleep' | 'awake'>;
  whatsapp: Pick<WhatsAppService, 'checkNow'>;
  audit: Pick<AuditTrail, 'append'>;
}

/**
 * The core's side of sleep and wake. A face reports what the OS announced; the
 * core keeps the bot answering across it:
 *
 * - suspend: monitoring stops sampling, so the sleep is never counted as an outage;
 * - resume: monitoring starts its durations again from the wake, the WhatsApp link
 *   is asked at once (and connected again when it does not answer), and the
 *   catch-up fetches what clients sent while the computer slept.
 * - lock and unlock change nothing for the bot (it answers with the screen locked);
 *   they are only logged.
 *
 *   powerMonitor.on('resume', () => void core.services.power.changed('resume'));
 */
export class PowerWatch {
  private suspendedAt: number | null = null;

  constructor(private readonly deps: PowerWatchDeps) {}

  /** The computer is asleep (between a suspend and the next resume). */
  get asleep(): boolean {
    return this.suspendedAt !== null;
  }

  async changed(change: PowerChange): Promise<void> {
    const log = this.deps.log;
    switch (change) {
      case 'suspend': {
        if (this.suspendedAt !== null) return;
        this.suspendedAt = Date.now();
        this.deps.monitoring.asleep();
        this.record('system.suspended', {});
        log.info({}, 'the computer is going to sleep');
        return;
      }
      case 'resume': {
        const sleptMs = this.deps.monitoring.awake();
        this.suspendedAt = null;
        this.record('system.resumed', { sleptSeconds: Math.round(sleptMs / 1000) });
        log.info({ sleptSeconds: Math.round(sleptMs / 1000) }, 'the computer woke up; checking the WhatsApp link');
        try {
          const verdict = await this.deps.whatsapp.checkNow();
          log.info({ verdict }, 'WhatsApp after the wake');
        } catch (err) {
          log.warn({ err }, 'the WhatsApp check after the wake failed; the watchdog tries again');
        }
        return;
      }
      case 'lock-screen':
      case 'unlock-screen':
        log.debug({ change }, 'the screen was locked or unlocked; the bot keeps answering');
        return;
    }
  }

  private record(action: string, details: Record<string, unknown>): void {
    try {
      this.deps.audit.append({ actor: { type: 'system' }, face: this.deps.face, action, outcome: 'ok', details });
    } catch (err) {
      this.deps.log.warn({ err, action }, 'could not record the power change in the audit trail');
    }
  }
}
