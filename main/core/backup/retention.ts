import { createdAtOf, type StoredBackup } from './folder.js';

export interface RetentionRules {
  /** keep every backup this many days */
  retentionDays: number;
  /** and at least this many good ones, however old */
  keepAtLeast: number;
}

const DAY_MS = 86_400_000;

/**
 * Which backups retention removes now. Good (verified) backups older than
 * `retentionDays` go, except the newest `keepAtLeast` of them — so the newest
 * good backup is never removed, even when every backup is old (a desktop that was
 * off for a month). Failed ones go after `retentionDays` too. Pre-restore and
 * pre-migration backups count like the others. Files found without a manifest
 * (copied in by hand) are never removed.
 */
export function retentionPlan(items: readonly StoredBackup[], now: Date, rules: RetentionRules): StoredBackup[] {
  const cutoff = now.getTime() - rules.retentionDays * DAY_MS;
  const keep = Math.max(1, rules.keepAtLeast);
  const old = (item: StoredBackup) => Date.parse(createdAtOf(item)) < cutoff;
  const good = items
    .filter((item) => item.status === 'verified')
    .sort((a, b) => Date.parse(createdAtOf(b)) - Date.parse(createdAtOf(a)));
  const remove: StoredBackup[] = [];
  good.forEach((item, index) => {
    if (index >= keep && old(item)) remove.push(item);
  });
  for (const item of items) {
    if (item.status === 'failed' && old(item)) remove.push(item);
  }
  return remove;
}
