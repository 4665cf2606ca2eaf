import { Cron } from 'croner';
import type { Logger } from '../log.js';

/** The cron pattern for a daily backup at `time` (HH:MM, local time). */
export function dailyPattern(time: string): string {
  const [hours, minutes] = time.split(':').map((part) => Number.parseInt(part, 10));
  return `${minutes} ${hours} * * *`;
}

/**
 * The daily backup, through croner (local time of the machine, as the admin
 * reads the clock on the wall). `protect` stops a slow run from overlapping the next.
 */
export class BackupScheduler {
  private job: Cron | null = null;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  apply(settings: { scheduleEnabled: boolean; time: string }): void {
    this.stop();
    if (!settings.scheduleEnabled) return;
    this.job = new Cron(dailyPattern(settings.time), { name: 'lexdesk-backup', protect: true, unref: true }, async () => {
      try {
        await this.run();
      } catch (err) {
        this.log.error({ err }, 'the scheduled backup failed');
      }
    });
  }

  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
  }
}
