import { existsSync, statfsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { DoctorCheck, DoctorReport } from '../../../shared/contract/system.js';
import type { CoreServices } from '../services.js';
import { JWT_SECRET_NAME } from '../auth/service.js';

const HOUR_MS = 3_600_000;
const GB = 1024 ** 3;
/** the last good backup may be this old (a daily backup, with two hours of slack) */
export const BACKUP_MAX_AGE_HOURS = 26;
/** the audit chain should have been verified within this (the nightly check runs every day) */
const AUDIT_VERIFIED_WITHIN_HOURS = 48;
/** the clock may differ this much from WhatsApp's */
const CLOCK_TOLERANCE_MS = 60_000;

const inside = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The nearest folder of `path` that exists (a backup folder may not be made yet). */
function existing(path: string): string {
  let at = path;
  while (!existsSync(at)) {
    const up = join(at, '..');
    if (up === at) break;
    at = up;
  }
  return at;
}

const ok = (id: string, title: string, detail: string): DoctorCheck => ({ id, title, status: 'ok', detail, fix: null });
const warn = (id: string, title: string, detail: string, fix: string): DoctorCheck => ({ id, title, status: 'warn', detail, fix });
const fail = (id: string, title: string, detail: string, fix: string): DoctorCheck => ({ id, title, status: 'fail', detail, fix });
const hours = (ms: number) => `${Math.round(ms / HOUR_MS)} h`;

/**
 * The production checklist, run against this installation's settings and state:
 * each line ok, warn or fail, with the fix in one sentence. `lexdesk doctor` prints
 * it (exit 1 on any fail); administrators see it on the Overview.
 */
export async function runDoctor(services: CoreServices): Promise<DoctorReport> {
  const { config, clock } = services;
  const now = clock.now().getTime();
  const checks: DoctorCheck[] = [];
  const headless = config.face !== 'desktop';

  // the key that signs sign-ins
  if (!headless) {
    checks.push(ok('jwt-key', 'Sign-in key', 'Kept in the operating system’s keychain.'));
  } else if (config.secretEnv[JWT_SECRET_NAME]) {
    checks.push(ok('jwt-key', 'Sign-in key', 'Given by LEXDESK_JWT_SECRET, outside the data volume.'));
  } else if (inside(config.dataDir, config.secretsDir)) {
    checks.push(
      warn('jwt-key', 'Sign-in key', 'LexDesk generated it into the data folder, so every copy of the data volume carries it.',
        'Set LEXDESK_JWT_SECRET in .env to 32+ random characters (openssl rand -base64 32) and restart.'),
    );
  } else {
    checks.push(ok('jwt-key', 'Sign-in key', 'Kept in LEXDESK_SECRETS_DIR, outside the data folder.'));
  }

  // backups
  const backups = await services.backups.overview();
  if (!backups.passphraseSet) {
    checks.push(fail('backup-passphrase', 'Backup passphrase', 'No backup passphrase is set, so LexDesk makes no backups.',
      'Set it on the Backups screen (or lexdesk backup passphrase) and write it down away from the server.'));
  } else if (backups.keyLocked) {
    checks.push(fail('backup-passphrase', 'Backup passphrase', 'A passphrase is set but this machine cannot open the backup key.',
      'Enter the passphrase on the Backups screen, and set LEXDESK_BACKUP_KEK_FILE so it survives restarts.'));
  } else {
    checks.push(ok('backup-passphrase', 'Backup passphrase', 'Set, and the backup key opens on this machine.'));
  }

  const lastGood = backups.lastGoodAt ? Date.parse(backups.lastGoodAt) : null;
  if (lastGood === null) {
    checks.push(fail('backup-recent', 'Last good backup', 'There is no verified backup.',
      'Run a backup from the Backups screen (or lexdesk backup create) and check it verifies.'));
  } else if (now - lastGood > BACKUP_MAX_AGE_HOURS * HOUR_MS) {
    checks.push(fail('backup-recent', 'Last good backup', `The newest verified backup is ${hours(now - lastGood)} old.`,
      'Open Backups for the reason the daily backup fails, fix it and run one now.'));
  } else {
    checks.push(ok('backup-recent', 'Last good backup', `Verified, ${hours(now - lastGood)} old.`));
  }

  const backupDir = services.backups.destination().dir;
  if (inside(config.dataDir, backupDir)) {
    checks.push(fail('backup-volume', 'Backups on their own volume', 'The backups are inside the data folder: losing it loses them too.',
      'Set LEXDESK_BACKUP_DIR to a folder on another disk or share (docker-compose.yml mounts /backups).'));
  } else {
    let sameDevice = false;
    try {
      sameDevice = statSync(existing(backupDir)).dev === statSync(existing(config.dataDir)).dev;
    } catch {
      sameDevice = false;
    }
    checks.push(
      sameDevice
        ? warn('backup-volume', 'Backups on their own volume', 'The backup folder is on the same disk as the data.',
          'Mount a second disk or a NAS share as the backup folder, so one failed disk does not take both.')
        : ok('backup-volume', 'Backups on their own volume', 'The backup folder is on another disk than the data.'),
    );
  }

  // free space
  for (const [name, dir] of [['data', config.dataDir], ['backups', backupDir]] as const) {
    try {
      const fs = statfsSync(existing(dir));
      const free = fs.bavail * fs.bsize;
      const share = fs.blocks > 0 ? fs.bavail / fs.blocks : 1;
      const detail = `${(free / GB).toFixed(1)} GB free (${Math.round(share * 100)}%).`;
      if (free < GB || share < 0.05) checks.push(fail(`disk-${name}`, `Free space (${name})`, detail, `Free space on the ${name} disk or give it more now.`));
      else if (share < 0.15) checks.push(warn(`disk-${name}`, `Free space (${name})`, detail, `Plan more space for the ${name} disk soon.`));
      else checks.push(ok(`disk-${name}`, `Free space (${name})`, detail));
    } catch {
      checks.push(warn(`disk-${name}`, `Free space (${name})`, 'The free space could not be read.', `Check that the ${name} folder exists and is readable.`));
    }
  }

  // how users reach it
  if (headless) {
    const url = config.publicUrl;
    const https = url?.startsWith('https://') ?? false;
    if (config.trustProxy.length > 0 && !https) {
      checks.push(fail('public-url', 'Public address', url ? `LEXDESK_PUBLIC_URL is ${url}, not https.` : 'LEXDESK_PUBLIC_URL is not set.',
        'Set LEXDESK_PUBLIC_URL to the https:// address NGINX serves (README, "Deployment").'));
    } else if (!https) {
      checks.push(warn('public-url', 'Public address', 'No https address: sign-ins cross the network unencrypted.',
        'Put NGINX in front (docker-compose.yml) and set LEXDESK_PUBLIC_URL to its https:// address.'));
    } else {
      checks.push(ok('public-url', 'Public address', `${url}${config.trustProxy.length > 0 ? ', behind a listed proxy' : ''}.`));
    }

    const broad = (config.metricsAllow ?? []).filter((entry) => {
      const bits = entry.includes('/') ? Number(entry.split('/')[1]) : 128;
      return bits < (entry.includes(':') ? 48 : 16);
    });
    if (broad.length > 0 && !config.metricsToken) {
      checks.push(fail('metrics', '/metrics protected', `LEXDESK_METRICS_ALLOW lets ${broad.join(', ')} read the metrics without a token.`,
        'List only Prometheus’s address in LEXDESK_METRICS_ALLOW, or set LEXDESK_METRICS_TOKEN.'));
    } else {
      const how = config.metricsToken ? 'a token' : config.metricsAllow ? `only ${config.metricsAllow.join(', ')}` : 'only this machine';
      checks.push(ok('metrics', '/metrics protected', `Answered to ${how}.`));
    }
  }

  // accounts
  const admins = services.auth.listUsers().filter((u) => u.role === 'admin' && !u.disabled);
  const temporary = admins.filter((u) => u.mustChangePassword);
  if (admins.length === 0) {
    checks.push(fail('admins', 'Administrators', 'There is no active administrator.',
      'Create one on first run, or with lexdesk user create-admin --username NAME.'));
  } else if (temporary.length > 0) {
    checks.push(fail('admins', 'Administrators', `${temporary.map((u) => u.username).join(', ')} still ${temporary.length === 1 ? 'has' : 'have'} a temporary password.`,
      'Sign in as each of them and choose a new password, or disable the account under Users.'));
  } else {
    checks.push(ok('admins', 'Administrators', `${admins.length} active, none with a temporary password.`));
  }

  // the clock, against WhatsApp's time on messages received live
  const store = services.store;
  const recent = store.all(
    store.db
      .selectFrom('whatsapp_inbound')
      .select(['sent_at', 'received_at'])
      .where('received_at', '>', now - 7 * 24 * HOUR_MS)
      .orderBy('seq', 'desc')
      .limit(50),
  );
  if (recent.length === 0) {
    const linked = services.whatsapp.status().state === 'ready';
    checks.push(warn('clock', 'Clock in sync', linked ? 'No WhatsApp message in the last week to compare the clock with.' : 'WhatsApp is not linked, so the clock was not compared with its time.',
      'Make sure the machine syncs its clock (timedatectl: "System clock synchronized: yes").'));
  } else {
    // the smallest delay is the clock's offset plus the fastest delivery
    const offset = Math.min(...recent.map((r) => r.received_at - r.sent_at));
    const behind = recent.some((r) => r.received_at < r.sent_at - CLOCK_TOLERANCE_MS);
    if (behind || Math.abs(offset) > CLOCK_TOLERANCE_MS) {
      const by = Math.round(Math.abs(behind ? Math.min(...recent.map((r) => r.received_at - r.sent_at)) : offset) / 1000);
      checks.push(fail('clock', 'Clock in sync', `The clock is about ${by} s ${offset < 0 ? 'behind' : 'ahead of'} WhatsApp’s.`,
        'Turn on time synchronisation on the machine (timedatectl set-ntp true) and check the time zone.'));
    } else {
      checks.push(ok('clock', 'Clock in sync', `Within ${Math.max(1, Math.round(Math.abs(offset) / 1000))} s of WhatsApp’s time.`));
    }
  }

  // the audit trail
  const verification = services.auditRecords.lastVerification();
  if (!verification) {
    checks.push(warn('audit-chain', 'Audit trail verified', 'The audit trail’s hash chain has never been verified.',
      'Run lexdesk audit verify (LexDesk also verifies it every night).'));
  } else if (!verification.intact) {
    checks.push(fail('audit-chain', 'Audit trail verified', 'The last verification found the hash chain broken.',
      'Keep the data as it is and export the audit trail for an investigation (README, "The audit trail").'));
  } else if (now - Date.parse(verification.at) > AUDIT_VERIFIED_WITHIN_HOURS * HOUR_MS) {
    checks.push(warn('audit-chain', 'Audit trail verified', `Last verified ${hours(now - Date.parse(verification.at))} ago.`,
      'Run lexdesk audit verify, and check that LexDesk runs through the night.'));
  } else {
    checks.push(ok('audit-chain', 'Audit trail verified', `Intact, verified ${hours(now - Date.parse(verification.at))} ago.`));
  }

  const ready = !checks.some((c) => c.status === 'fail');
  return { ready, checkedAt: new Date(now).toISOString(), checks };
}
