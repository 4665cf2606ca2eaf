import type { BackupAlert, BackupAlertKey, BackupAlertSink } from '../backup/ports.js';
import type { Logger } from '../log.js';
import type { BackupSnapshot } from './sources.js';

/** The parts of the backup service monitoring reads. */
export interface BackupsLike {
  lastGoodAt(): Promise<string | null>;
  destination(): { dir: string };
}

/** How often the last good backup is looked up again (the backup service itself reads its folder at most once a minute). */
const REFRESH_MS = 60_000;

/**
 * The backup service's side of monitoring. It raises and clears keyed alerts
 * through a sink (this one); a failed backup or an unreachable folder becomes
 * `lastFailed`, cleared when the service clears both. The age comes from
 * `lastGoodAt()`, which is asynchronous: it is refreshed in the background and the
 * snapshot is withheld (null) until the first answer, so that a rule never sees
 * "no backup" merely because the answer had not arrived yet.
 */
export function backupSource(backups: BackupsLike, log: Logger): { read: () => BackupSnapshot | null; sink: BackupAlertSink } {
  const problems = new Map<BackupAlertKey, BackupAlert>();
  let failures = 0;
  let lastGood: { at: string | null } | null = null;
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let refreshing = false;
  const slog = log.child({ component: 'backup' });

  const refresh = () => {
    if (refreshing) return;
    refreshing = true;
    refreshedAt = Date.now();
    backups
      .lastGoodAt()
      .then((at) => {
        lastGood = { at };
      })
      .catch((err: unknown) => slog.warn({ err }, 'monitoring could not read the last good backup'))
      .finally(() => {
        refreshing = false;
      });
  };

  const sink: BackupAlertSink = {
    raise(alert) {
      // the service's own log line, which this sink replaces
      slog.warn({ alert: alert.key, severity: alert.severity }, alert.message);
      if (alert.key === 'backup.failed' && !problems.has('backup.failed')) failures += 1;
      problems.set(alert.key, alert);
    },
    clear(key) {
      problems.delete(key);
      if (key === 'backup.failed') refreshedAt = Number.NEGATIVE_INFINITY; // a success: look again soon
    },
  };

  const read = (): BackupSnapshot | null => {
    if (Date.now() - refreshedAt > REFRESH_MS) refresh();
    if (!lastGood) return null;
    // a key waiting for its passphrase is a failed backup to monitoring: none is made until someone acts
    const failure = problems.get('backup.failed') ?? problems.get('backup.destination') ?? problems.get('backup.locked');
    let folder: string | null = null;
    try {
      folder = backups.destination().dir;
    } catch {
      folder = null;
    }
    return {
      lastSuccessAt: lastGood.at,
      lastDurationSeconds: null,
      lastFailed: failure !== undefined,
      lastFailure: failure?.message ?? null,
      failures,
      folder,
    };
  };

  return { read, sink };
}
