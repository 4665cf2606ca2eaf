import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { OffsiteProblem, TargetConfig, type OffsiteStatus, type TargetCredentials } from '../../../../shared/contract/offsite.js';
import { formatBytes } from '../../../../shared/format.js';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { EventBus } from '../../events.js';
import { writeFileAtomic } from '../../fs.js';
import type { CheckResult } from '../../health.js';
import type { Logger } from '../../log.js';
import type { SecretStore } from '../../secrets.js';
import { readJson } from '../settings.js';
import { backupIdOf, copyToTarget, DEFAULT_RETRY, verifyTarget, type RetryPolicy } from './engine.js';
import { SftpTarget } from './sftp-target.js';
import { openTarget, probeTarget } from './targets.js';
import { targetLabel, type Target } from './target.js';

/**
 * The off-site copy of the backup folder: where it goes (offsite-settings.json in
 * the data folder, beside the backup settings, and like them not in the database, so
 * that a restore does not take them back in time), its secrets (the secret store
 * only), and how it stands (offsite-state.json). It copies after every backup and
 * every hour, checks a sample read back from the target every day and everything
 * every week, and raises the health check and monitoring's off-site rules.
 */

const Settings = z.object({
  version: z.literal(1),
  target: TargetConfig.nullable(),
  hostKey: z.string().nullable(),
});
type Settings = z.infer<typeof Settings>;
const NO_SETTINGS: Settings = { version: 1, target: null, hostKey: null };

const State = z.object({
  version: z.literal(1),
  /** which target the state is about (its label): a new target starts over */
  label: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastCopy: z
    .object({ at: z.string(), ok: z.boolean(), message: z.string(), uploaded: z.number(), uploadedBytes: z.number(), deleted: z.number(), durationMs: z.number() })
    .nullable(),
  lastVerify: z
    .object({ at: z.string(), full: z.boolean(), ok: z.boolean(), checked: z.number(), message: z.string(), problems: z.array(OffsiteProblem) })
    .nullable(),
  lastFullVerifyAt: z.string().nullable(),
  sentManifests: z.record(z.string(), z.string()),
  backupsThere: z.array(z.string()),
});
type State = z.infer<typeof State>;
const EMPTY_STATE: State = {
  version: 1,
  label: null,
  lastSuccessAt: null,
  lastCopy: null,
  lastVerify: null,
  lastFullVerifyAt: null,
  sentManifests: {},
  backupsThere: [],
};

export const SECRET_NAMES = { password: 'offsite-password', privateKey: 'offsite-private-key', secretAccessKey: 'offsite-secret-key' } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_ALERT_AFTER_HOURS = 48;

export interface OffsiteSnapshot {
  configured: boolean;
  lastSuccessAt: string | null;
  verifyFailed: boolean;
  verifyProblem: string | null;
  label: string | null;
}

export interface OffsiteDeps {
  dataDir: string;
  /** the backup folder as the backup settings say now */
  backupDir: () => string;
  secrets: SecretStore;
  log: Logger;
  clock: Clock;
  events?: EventBus;
  /** monitoring's threshold for the "off-site copy is old" rule */
  alertAfterHours?: () => number;
  /** decrypts a snapshot chunk or manifest read back (see verifyTarget) */
  openObject?: (name: string, bytes: Buffer) => Promise<string | null>;
  options?: {
    /** copy and check on a timer, and after each backup (off for the command line) */
    schedule?: boolean;
    intervalMs?: number;
    /** wait after a backup before copying it */
    afterBackupDelayMs?: number;
    retry?: RetryPolicy;
    /** objects read back in the daily check (besides the newest backup's files) */
    sampleSize?: number;
  };
}

export class OffsiteService {
  private settings: Settings = NO_SETTINGS;
  private state: State = EMPTY_STATE;
  private loaded = false;
  private running: { kind: 'copy' | 'verify'; done: Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private afterBackup: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  /** when the last successful copy read the backup folder (this process) */
  private copyStartedMs: number | null = null;

  constructor(private readonly deps: OffsiteDeps) {
    this.log = deps.log.child({ component: 'offsite' });
  }

  private get settingsFile(): string {
    return join(this.deps.dataDir, 'offsite-settings.json');
  }
  private get stateFile(): string {
    return join(this.deps.dataDir, 'offsite-state.json');
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    const settings = await readJson(this.settingsFile, Settings, NO_SETTINGS);
    if (settings.problem) this.log.warn({ problem: settings.problem }, 'off-site settings not readable; the off-site copy is off');
    const state = await readJson(this.stateFile, State, EMPTY_STATE);
    this.settings = settings.value;
    this.state = state.value;
    this.loaded = true;
  }

  private async saveState(patch: Partial<State>): Promise<void> {
    this.state = { ...this.state, ...patch };
    try {
      await writeFileAtomic(this.stateFile, `${JSON.stringify(this.state, null, 2)}\n`);
    } catch (err) {
      this.log.error({ err }, 'could not save the off-site state');
    }
  }

  // ---- life -----------------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.load();
    if (this.deps.options?.schedule === false) return;
    const interval = this.deps.options?.intervalMs ?? HOUR_MS;
    this.timer = setInterval(() => void this.tick(), interval);
    this.timer.unref();
    this.unsubscribe =
      this.deps.events?.subscribe((event) => {
        if (event.type !== 'backup.finished' || event.data.operation !== 'backup' || event.data.outcome !== 'ok') return;
        if (this.afterBackup) clearTimeout(this.afterBackup);
        this.afterBackup = setTimeout(() => {
          this.afterBackup = null;
          void this.tick();
        }, this.deps.options?.afterBackupDelayMs ?? 5_000);
        this.afterBackup.unref();
      }) ?? null;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.afterBackup) clearTimeout(this.afterBackup);
    this.timer = null;
    this.afterBackup = null;
    this.unsubscribe?.();
    this.abort.abort();
    await this.running?.done.catch(() => undefined);
  }

  /** The timer's work: copy, then the daily sample check or the weekly full one when due. */
  async tick(): Promise<void> {
    await this.load();
    if (!this.settings.target || this.running) return;
    try {
      await this.copy();
      const now = this.deps.clock.now().getTime();
      const fullDue = !this.state.lastFullVerifyAt || now - Date.parse(this.state.lastFullVerifyAt) >= 7 * DAY_MS;
      const sampleDue = !this.state.lastVerify || now - Date.parse(this.state.lastVerify.at) >= DAY_MS;
      // after a failed check, the copy sent the damaged files again: check again at once
      const recheck = this.state.lastVerify !== null && !this.state.lastVerify.ok;
      if (this.state.lastCopy?.ok && (fullDue || sampleDue || recheck)) await this.verify(fullDue || (recheck && this.state.lastVerify!.full));
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error({ err }, 'the off-site copy failed');
    }
  }

  // ---- settings -------------------------------------------------------------------------------

  private async credentials(): Promise<TargetCredentials> {
    const out: TargetCredentials = {};
    for (const [field, name] of Object.entries(SECRET_NAMES) as [keyof TargetCredentials, string][]) {
      const value = await this.deps.secrets.get(name);
      if (value !== null) out[field] = value;
    }
    return out;
  }

  private async target(): Promise<Target> {
    await this.load();
    if (!this.settings.target) throw new AppError('conflict', 'No off-site copy is set up: choose a target first.', { reason: 'not_configured' });
    const config = this.settings.target;
    try {
      return openTarget(config, await this.credentials(), { hostKey: this.settings.hostKey });
    } catch (err) {
      // the secret store did not answer, or the saved settings no longer make a target: said, never a crash
      if (err instanceof AppError) throw err;
      this.log.warn({ err }, 'the off-site target cannot be opened');
      throw new AppError('conflict', `The off-site target cannot be opened: ${(err as Error)?.message ?? String(err)} Check the Off-site copy settings.`, { reason: 'offsite_target' });
    }
  }

  /** Sets (or with null removes) the target; credentials given go to the secret store, the others are kept. */
  async set(target: TargetConfig | null, credentials: TargetCredentials = {}): Promise<OffsiteStatus> {
    await this.load();
    if (target === null) {
      for (const name of Object.values(SECRET_NAMES)) await this.deps.secrets.delete(name).catch(() => false);
      await writeFileAtomic(this.settingsFile, `${JSON.stringify(NO_SETTINGS, null, 2)}\n`);
      this.settings = NO_SETTINGS;
      await this.saveState({ ...EMPTY_STATE });
      return this.status();
    }
    if (target.kind === 'folder') {
      const issue = (message: string) => new AppError('invalid_input', message, { issues: [{ path: 'target.path', message }] });
      if (!isAbsolute(target.path)) throw issue('Give the full path of a folder (for example \\\\nas\\backups or /mnt/offsite).');
      if (resolve(target.path) === resolve(this.deps.backupDir())) throw issue('Choose a folder other than the backup folder itself.');
    }
    const sameTarget = this.settings.target !== null && targetLabel(this.settings.target) === targetLabel(target);
    for (const [field, name] of Object.entries(SECRET_NAMES) as [keyof TargetCredentials, string][]) {
      const value = credentials[field];
      if (value !== undefined && value !== '') await this.deps.secrets.set(name, value);
      // another server or bucket never receives the secrets given for the previous one
      else if (!sameTarget) await this.deps.secrets.delete(name).catch(() => false);
    }
    const sameServer =
      this.settings.target?.kind === 'sftp' && target.kind === 'sftp' && this.settings.target.host === target.host && this.settings.target.port === target.port;
    const next: Settings = { version: 1, target, hostKey: sameServer ? this.settings.hostKey : null };
    await writeFileAtomic(this.settingsFile, `${JSON.stringify(next, null, 2)}\n`);
    this.settings = next;
    if (this.state.label !== targetLabel(target)) await this.saveState({ ...EMPTY_STATE, label: targetLabel(target) });
    return this.status();
  }

  /** Tries a target (the one given, else the one set); records an SSH server's host key on the first success. */
  async test(target?: TargetConfig, credentials: TargetCredentials = {}): Promise<{ ok: boolean; message: string; hostKey: string | null }> {
    await this.load();
    let adapter: Target;
    try {
      if (target) {
        // the stored secrets go only to the server they were given for, never to one being tried out
        const sameTarget = this.settings.target !== null && targetLabel(this.settings.target) === targetLabel(target);
        const merged: TargetCredentials = sameTarget ? await this.credentials() : {};
        for (const [field, value] of Object.entries(credentials) as [keyof TargetCredentials, string | undefined][]) if (value) merged[field] = value;
        const hostKey = this.settings.target && targetLabel(this.settings.target) === targetLabel(target) ? this.settings.hostKey : null;
        adapter = openTarget(target, merged, { hostKey });
      } else {
        adapter = await this.target();
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      return { ok: false, message: (err as Error).message, hostKey: null };
    }
    const result = await probeTarget(adapter);
    const isSet = this.settings.target && targetLabel(this.settings.target) === adapter.label;
    if (result.ok && result.hostKey && isSet && !this.settings.hostKey) await this.recordHostKey(result.hostKey);
    return result;
  }

  private async recordHostKey(hostKey: string): Promise<void> {
    this.settings = { ...this.settings, hostKey };
    await writeFileAtomic(this.settingsFile, `${JSON.stringify(this.settings, null, 2)}\n`);
  }

  // ---- copy and verify ------------------------------------------------------------------------

  private async exclusive<T>(kind: 'copy' | 'verify', work: () => Promise<T>): Promise<T> {
    while (this.running) await this.running.done.catch(() => undefined);
    const result = work();
    this.running = { kind, done: result.then(
      () => undefined,
      () => undefined,
    ) };
    try {
      return await result;
    } finally {
      this.running = null;
    }
  }

  /** Copies what the target lacks; records the outcome. A failure is recorded and thrown as `conflict`. */
  async copy(): Promise<OffsiteStatus> {
    const target = await this.target();
    await this.exclusive('copy', async () => {
      const started = this.deps.clock.now();
      const t0 = Date.now();
      const walkStarted = Date.now();
      try {
        const result = await copyToTarget(this.deps.backupDir(), target, {
          retry: this.deps.options?.retry ?? DEFAULT_RETRY,
          signal: this.abort.signal,
          sentManifests: this.state.sentManifests,
          resend: (this.state.lastVerify?.problems ?? []).map((p) => p.name),
          onRetry: (err, attempt) => this.log.warn({ attempt, reason: (err as Error)?.message }, 'the off-site copy lost the connection; trying again'),
        });
        this.copyStartedMs = walkStarted;
        if (target instanceof SftpTarget && target.seenHostKey && !this.settings.hostKey) await this.recordHostKey(target.seenHostKey);
        const there = new Set(result.remote.map((o) => backupIdOf(o.name)).filter((id): id is string => id !== null));
        const parts = [
          result.uploaded === 0 ? 'nothing new to copy' : `copied ${result.uploaded} file${result.uploaded === 1 ? '' : 's'} (${formatBytes(result.uploadedBytes)})`,
          result.deleted > 0 ? `removed ${result.deleted} that the backup folder no longer holds` : null,
          result.deletionsHeld,
        ].filter(Boolean);
        const message = `${target.label}: ${parts.join('; ')}.`;
        await this.saveState({
          label: target.label,
          lastSuccessAt: started.toISOString(),
          lastCopy: { at: started.toISOString(), ok: true, message, uploaded: result.uploaded, uploadedBytes: result.uploadedBytes, deleted: result.deleted, durationMs: Date.now() - t0 },
          sentManifests: result.sentManifests,
          backupsThere: [...there].sort().reverse(),
        });
        this.log.info({ uploaded: result.uploaded, deleted: result.deleted, retries: result.retries }, message);
      } catch (err) {
        const message = `The off-site copy to ${target.label} failed: ${(err as Error)?.message ?? String(err)}`;
        await this.saveState({
          lastCopy: { at: started.toISOString(), ok: false, message, uploaded: 0, uploadedBytes: 0, deleted: 0, durationMs: Date.now() - t0 },
        });
        this.log.warn({ err }, message);
        throw new AppError('conflict', message, { reason: 'offsite_copy_failed' });
      }
    });
    return this.status();
  }

  /** Reads back a sample (or every object) and compares; a difference is named and raised. */
  async verify(full: boolean): Promise<OffsiteStatus> {
    const target = await this.target();
    await this.exclusive('verify', async () => {
      const at = this.deps.clock.now().toISOString();
      try {
        const result = await verifyTarget(this.deps.backupDir(), target, {
          sample: full ? undefined : (this.deps.options?.sampleSize ?? 20),
          copiedAt: this.copyStartedMs ?? undefined,
          include: (this.state.lastVerify?.problems ?? []).map((p) => p.name),
          retry: this.deps.options?.retry ?? DEFAULT_RETRY,
          signal: this.abort.signal,
          open: this.deps.openObject,
        });
        const ok = result.problems.length === 0;
        const first = result.problems.slice(0, 3).map((p) => `${p.name} (${p.problem})`);
        const message = ok
          ? `Read back ${result.checked} file${result.checked === 1 ? '' : 's'} from ${target.label}: all match the backups here${this.deps.openObject ? ', and the snapshot parts among them decrypt with the backup key' : ''}.`
          : `${result.problems.length} file${result.problems.length === 1 ? '' : 's'} on ${target.label} ${result.problems.length === 1 ? 'is' : 'are'} not right: ${first.join('; ')}${result.problems.length > 3 ? '; …' : ''}. The next copy sends them again.`;
        await this.saveState({ lastVerify: { at, full, ok, checked: result.checked, message, problems: result.problems }, ...(full ? { lastFullVerifyAt: at } : {}) });
        if (!ok) this.log.error({ problems: result.problems.slice(0, 20) }, message);
      } catch (err) {
        const message = `The off-site copy at ${target.label} could not be checked: ${(err as Error)?.message ?? String(err)}`;
        this.log.warn({ err }, message);
        throw new AppError('conflict', message, { reason: 'offsite_verify_failed' });
      }
    });
    return this.status();
  }

  // ---- how it stands --------------------------------------------------------------------------

  private alertAfterHours(): number {
    try {
      return this.deps.alertAfterHours?.() ?? DEFAULT_ALERT_AFTER_HOURS;
    } catch {
      return DEFAULT_ALERT_AFTER_HOURS;
    }
  }

  async status(): Promise<OffsiteStatus> {
    await this.load();
    const { target, hostKey } = this.settings;
    const stored = {
      password: (await this.deps.secrets.get(SECRET_NAMES.password).catch(() => null)) !== null,
      privateKey: (await this.deps.secrets.get(SECRET_NAMES.privateKey).catch(() => null)) !== null,
      secretAccessKey: (await this.deps.secrets.get(SECRET_NAMES.secretAccessKey).catch(() => null)) !== null,
    };
    const lagHours = this.lagHours();
    const alertAfterHours = this.alertAfterHours();
    return {
      target,
      label: target ? targetLabel(target) : null,
      stored,
      hostKey,
      lastSuccessAt: this.state.lastSuccessAt,
      lastCopy: this.state.lastCopy,
      lagHours,
      alertAfterHours,
      lagging: target !== null && (lagHours === null || lagHours > alertAfterHours),
      lastVerify: this.state.lastVerify,
      lastFullVerifyAt: this.state.lastFullVerifyAt,
      running: this.running?.kind ?? null,
      backupsThere: target ? this.state.backupsThere : [],
    };
  }

  private lagHours(): number | null {
    if (!this.state.lastSuccessAt) return null;
    return Math.max(0, (this.deps.clock.now().getTime() - Date.parse(this.state.lastSuccessAt)) / HOUR_MS);
  }

  /** The backups on the target as last seen, for "where does it exist"; null without a target. */
  where(): { label: string; ids: string[]; at: string | null } | null {
    if (!this.settings.target) return null;
    return { label: targetLabel(this.settings.target), ids: this.state.backupsThere, at: this.state.lastSuccessAt };
  }

  /** For monitoring (synchronous: read once loaded). */
  snapshot(): OffsiteSnapshot | null {
    if (!this.loaded) return null;
    const verify = this.state.lastVerify;
    return {
      configured: this.settings.target !== null,
      lastSuccessAt: this.state.lastSuccessAt,
      verifyFailed: verify ? !verify.ok : false,
      verifyProblem: verify && !verify.ok ? verify.message : null,
      label: this.settings.target ? targetLabel(this.settings.target) : null,
    };
  }

  async health(): Promise<CheckResult> {
    await this.load();
    if (!this.settings.target) return { status: 'ok', message: 'No off-site copy is set up.' };
    const verify = this.state.lastVerify;
    if (verify && !verify.ok) return { status: 'degraded', message: verify.message };
    const lag = this.lagHours();
    const limit = this.alertAfterHours();
    if (lag === null) {
      return { status: 'degraded', message: this.state.lastCopy?.message ?? 'The off-site copy has not been made yet.' };
    }
    if (lag > limit) {
      const days = lag >= 48 ? `${Math.floor(lag / 24)} days` : `${Math.round(lag)} hours`;
      return { status: 'degraded', message: `The off-site copy is ${days} old.${this.state.lastCopy && !this.state.lastCopy.ok ? ` ${this.state.lastCopy.message}` : ''}` };
    }
    return { status: 'ok', message: `The off-site copy at ${targetLabel(this.settings.target)} is up to date as of ${this.state.lastSuccessAt}.` };
  }
}
