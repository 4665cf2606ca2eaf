import type { BackupService } from './backup/service.js';
import type { Clock } from './clock.js';
import type { WhatsAppService } from './whatsapp/service.js';

/** Something that must not be cut off by a restart (an update installing, a quit). */
export interface BusyWith {
  kind: 'backup' | 'verify' | 'restore' | 'reply';
  /** for people: "A backup is running." */
  message: string;
}

/** A staff reply queued longer ago than this waits for WhatsApp, not for us: the durable outbox keeps it across a restart. */
const REPLY_WINDOW_MS = 15 * 60_000;

export interface ActivityDeps {
  backups: Pick<BackupService, 'runningJob'>;
  whatsapp: { outbox: Pick<WhatsAppService['outbox'], 'staffRepliesInFlight'> };
  clock: Clock;
  /** false while the database is closed (a restore swapping it): the outbox cannot be asked then */
  storeOpen: () => boolean;
}

/**
 * What LexDesk is in the middle of, for a face deciding whether now is a good
 * moment to restart: a backup, verification or restore running, or a reply staff
 * just sent that WhatsApp has not taken yet. Empty means quiet.
 *
 *   if (core.services.activity.busy().length === 0) updater.quitAndInstall();
 */
export class Activity {
  constructor(private readonly deps: ActivityDeps) {}

  busy(): BusyWith[] {
    const found: BusyWith[] = [];
    const job = this.deps.backups.runningJob();
    if (job) {
      const message =
        job.operation === 'restore' ? 'A restore is running.' : job.operation === 'verify' ? 'A backup is being verified.' : 'A backup is running.';
      found.push({ kind: job.operation, message });
    }
    if (!this.deps.storeOpen()) {
      if (!job) found.push({ kind: 'restore', message: 'The database is being replaced.' });
      return found;
    }
    const since = this.deps.clock.now().getTime() - REPLY_WINDOW_MS;
    const replies = this.deps.whatsapp.outbox.staffRepliesInFlight(since);
    if (replies > 0) found.push({ kind: 'reply', message: `${replies === 1 ? 'A reply' : `${replies} replies`} from staff ${replies === 1 ? 'is' : 'are'} still being sent.` });
    return found;
  }
}
