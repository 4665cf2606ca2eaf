import { Cron } from 'croner';
import type { Verification } from '../../../shared/contract/audit.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { Logger } from '../log.js';
import { verificationDetails, type AuditRecords } from './records.js';
import type { AuditTrail } from './trail.js';

/** 03:15 on the machine's clock: after the default 02:30 backup, before the office opens. */
export const NIGHTLY_VERIFICATION_PATTERN = '15 3 * * *';
/** A verification older than this is run again soon after start (desktops are off at night). */
const STALE_AFTER_MS = 26 * 3600_000;

export interface NightlyVerificationDeps {
  records: AuditRecords;
  trail: AuditTrail;
  store: () => Store;
  clock: Clock;
  log: Logger;
  /** false on the command line and in tests that drive `run()` themselves */
  schedule: boolean;
  /** the wait after start before a stale chain is verified, so start-up is not slowed */
  catchUpDelayMs?: number;
}

/**
 * Verifies the audit trail's hash chain every night, from the furthest checkpoint,
 * so "The audit trail is broken" alert and `lexdesk_audit_chain_ok` always rest
 * on a recent verification. Its result is stored (an intact one is the next
 * checkpoint), written to the trail and announced, as a verification by a person is.
 */
export class NightlyVerification {
  readonly name = 'audit-verification';
  private job: Cron | null = null;
  private catchUp: NodeJS.Timeout | null = null;

  constructor(private readonly deps: NightlyVerificationDeps) {}

  start(): void {
    if (!this.deps.schedule) return;
    this.job = new Cron(NIGHTLY_VERIFICATION_PATTERN, { name: 'lexdesk-audit-verify', protect: true, unref: true }, () => this.runLogged());
    const last = this.deps.records.lastVerification();
    const stale = last === null ? (this.deps.records.lastRowId() ?? 0) > 0 : this.deps.clock.now().getTime() - Date.parse(last.at) > STALE_AFTER_MS;
    if (stale) {
      this.catchUp = setTimeout(() => this.runLogged(), this.deps.catchUpDelayMs ?? 120_000);
      this.catchUp.unref();
    }
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
    if (this.catchUp) clearTimeout(this.catchUp);
    this.catchUp = null;
  }

  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  /** One verification from the checkpoint, stored, recorded and announced. */
  async run(): Promise<Verification> {
    const { records, trail } = this.deps;
    const by = { type: 'system' } as const;
    const verification = await records.verify('checkpoint', by);
    this.deps.store().tx(() => {
      records.save(verification, by);
      trail.append({
        actor: { type: 'system', name: 'audit' },
        face: 'scheduler',
        action: 'audit.verify',
        outcome: 'ok',
        details: verificationDetails(verification),
      });
    });
    records.announce(verification);
    if (!verification.intact) this.deps.log.error({ brokenAt: verification.brokenAt, reason: verification.reason }, verification.message);
    return verification;
  }

  private async runLogged(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      // a restore in progress (database closed) or a verification interrupted by one: the next run tries again
      this.deps.log.warn({ err }, 'the scheduled verification of the audit trail did not run');
    }
  }
}
