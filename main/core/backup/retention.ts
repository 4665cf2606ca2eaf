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

export interface ThinningRules {
  /** every snapshot younger than this is kept */
  keepAllHours: number;
  /** then the newest of each hour, up to this age */
  hourlyDays: number;
  /** then the newest of each day (local time), up to this age */
  retentionDays: number;
  /** then the newest of each month, up to this age; older ones go */
  monthlyMonths: number;
}

/**
 * Which snapshots thinning removes now (ids). Buckets are in the machine's local
 * time, as the office reads the clock. The newest snapshot is never removed, nor
 * one dated in the future (a clock that was set back).
 */
export function thinningPlan(snapshots: readonly { id: string; createdAt: string }[], now: Date, rules: ThinningRules): string[] {
  const nowMs = now.getTime();
  const sorted = [...snapshots].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const seen = new Set<string>();
  const remove: string[] = [];
  sorted.forEach((snapshot, index) => {
    const at = new Date(snapshot.createdAt);
    const age = nowMs - at.getTime();
    if (Number.isNaN(age) || age < rules.keepAllHours * 3_600_000) return;
    let bucket: string | null;
    const day = `${at.getFullYear()}-${at.getMonth()}-${at.getDate()}`;
    if (age < rules.hourlyDays * DAY_MS) bucket = `h ${day} ${at.getHours()}`;
    else if (age < rules.retentionDays * DAY_MS) bucket = `d ${day}`;
    else if (age < rules.monthlyMonths * 31 * DAY_MS) bucket = `m ${at.getFullYear()}-${at.getMonth()}`;
    else bucket = null;
    const first = bucket !== null && !seen.has(bucket);
    if (bucket !== null) seen.add(bucket);
    if (first || index === 0) return;
    remove.push(snapshot.id);
  });
  return remove;
}
