import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SnapshotItem } from '../../../shared/contract/backup.js';
import { AppError } from '../errors.js';
import { writeFileAtomic } from '../fs.js';
import { BackupFileError } from './format.js';
import type { DocumentIndex, IndexEntry } from './documents.js';
import type { BackupFolder } from './folder.js';
import type { BackupKey } from './keyring.js';
import { SYSTEM_ORIGIN, type BackupContext, type Origin } from './ports.js';
import { databaseReader } from './live.js';
import { thinningPlan } from './retention.js';
import { readJson } from './settings.js';
import { runInWorker } from './runner.js';
import {
  REPO_DIR,
  decodeSnapshot,
  listSnapshots,
  openSealed,
  parseSnapshotHead,
  readSnapshot,
  snapshotKeys,
  withRepoLock,
  writeSnapshotManifest,
  type SnapshotBody,
  type SnapshotChunkResult,
  type SnapshotHead,
  type SnapshotKind,
} from './snapshots.js';

const Checks = z.object({
  version: z.literal(1),
  /** depth 'chunks': only the chunks written with the snapshot were read back and opened (a full check follows) */
  checks: z.record(z.string(), z.object({ at: z.string(), problem: z.string().nullable(), depth: z.enum(['full', 'chunks']).optional() })),
});
type Checks = z.infer<typeof Checks>;

export type SnapshotStep = (step: string, label: string, percent: number) => void;

/** When a snapshot of `kind` is taken, which steps it reports. */
const LABELS: Record<string, string> = {
  copying: 'Copying the database',
  compressing: 'Writing the changed parts',
  verifying: 'Reassembling and checking the snapshot',
  checking: 'Opening the snapshot (integrity check)',
};

/**
 * The snapshots of the backup folder's repository (format in format.ts): taking
 * one (chunks in the worker, the documents into the pool, the signed manifest,
 * then a full verification), listing them with their last verification, finding
 * the one for a point in time, and thinning them.
 */
export class BackupSnapshots {
  private checks: Checks | null = null;

  constructor(private readonly ctx: BackupContext) {}

  repoDir(folder: BackupFolder = this.ctx.folder()): string {
    return join(folder.dir, REPO_DIR);
  }

  private get checksFile(): string {
    return join(this.ctx.dataDir, 'backup-snapshot-checks.json');
  }

  private async loadChecks(): Promise<Checks> {
    if (!this.checks) this.checks = (await readJson(this.checksFile, Checks, { version: 1, checks: {} })).value;
    return this.checks;
  }

  private async recordCheck(id: string, problem: string | null, depth: 'full' | 'chunks' = 'full'): Promise<void> {
    const checks = await this.loadChecks();
    checks.checks[id] = { at: this.ctx.deps.clock.now().toISOString(), problem, ...(depth === 'chunks' ? { depth } : {}) };
    await writeFileAtomic(this.checksFile, `${JSON.stringify(checks, null, 2)}\n`).catch((err: unknown) =>
      this.ctx.log.error({ err }, 'could not record the snapshot verification'),
    );
  }

  /** A fingerprint of the live database files: it moves with every write that reaches the disk. */
  async fingerprint(): Promise<string> {
    const file = this.ctx.deps.database.file;
    const parts: string[] = [];
    for (const f of [file, `${file}-wal`]) {
      const s = await stat(f, { bigint: true }).catch(() => null);
      parts.push(s ? `${s.size}:${s.mtimeNs}` : '-');
    }
    return parts.join('|');
  }

  /**
   * Takes a snapshot of the live database. Returns null when nothing changed since
   * the newest snapshot (only for 'frequent': a backup always records one).
   */
  async take(kind: SnapshotKind, id: string, key: BackupKey, origin: Origin, report: SnapshotStep, signal?: AbortSignal): Promise<SnapshotItem | null> {
    const { ctx } = this;
    const folder = ctx.folder();
    const repoDir = this.repoDir(folder);
    return withRepoLock(folder.dir, async () => {
      const reader = databaseReader(ctx.deps.database.file);
      const chunks = await runInWorker(
        {
          type: 'snapshot',
          key: key.key,
          job: {
            databaseFile: ctx.deps.database.file,
            nativeBinding: ctx.deps.nativeBinding,
            workDir: ctx.workDir,
            repoDir,
            keyId: key.keyId,
            id,
            level: ctx.deps.options?.compressionLevel ?? 1,
            dbFd: reader.fd,
          },
        },
        {
          signal,
          onProgress: (step, fraction) => report(step, LABELS[step] ?? step, ({ copying: 0, compressing: 30, verifying: 60, checking: 90 }[step as string] ?? 0) + 30 * fraction),
        },
      ).finally(() => reader.release());
      if (chunks.unchanged && kind === 'frequent') return null;
      return this.commit(kind, id, key, origin, chunks, null, report, signal);
    });
  }

  /**
   * Writes the manifest of a snapshot whose chunks are written and checked (the
   * caller holds the repository lock): the documents into the pool first (or the
   * index a backup just made), then the signed manifest, read back and decoded.
   */
  async commit(
    kind: SnapshotKind,
    id: string,
    key: BackupKey,
    origin: Origin,
    chunks: SnapshotChunkResult,
    documentIndex: DocumentIndex | null,
    report: SnapshotStep,
    signal?: AbortSignal,
  ): Promise<SnapshotItem> {
    const { ctx } = this;
    const folder = ctx.folder();
    const repoDir = this.repoDir(folder);
    const started = Date.now();
    const createdAt = ctx.deps.clock.now().toISOString();
    const keys = snapshotKeys(key.key, key.keyId);
    const bytes = chunks.documents.reduce((s, d) => s + d.size, 0);
    let index: SnapshotBody['documents'] = { count: chunks.documents.length, bytes, keys: [], entries: [] };
    const documents = ctx.documents(folder);
    let outcome: DocumentIndex | null = documentIndex;
    if (!outcome && documents && chunks.documents.length > 0) {
      const previous = await this.previousDocuments(repoDir, keys);
      outcome = (await documents.copy(id, chunks.documents, previous, (done, total) => report('documents', `Copying the documents (${done} of ${total})`, 95), signal)).index;
    }
    if (outcome) {
      index = { count: chunks.documents.length, bytes, keys: outcome.keys.map((k) => ({ keyId: k.keyId, key: k.key.toString('base64') })), entries: outcome.entries };
    }
    const body: SnapshotBody = {
      id,
      createdAt,
      kind,
      appVersion: ctx.deps.appVersion,
      schemaVersion: chunks.schemaVersion,
      tables: chunks.tables,
      databaseBytes: chunks.databaseBytes,
      databaseSha256: chunks.databaseSha256,
      chunkBytes: 65536,
      tree: chunks.tree,
      auditHead: chunks.auditHead,
      documents: index,
      added: { chunks: chunks.written, bytes: chunks.writtenBytes },
      ...(chunks.live ? { live: chunks.live } : {}),
    };
    const manifestBytes = await writeSnapshotManifest(repoDir, keys, key.kdf, body);
    // the manifest as written opens with the key and names exactly this chunk list
    const read = await readSnapshot(repoDir, keys, id);
    if (read.body.tree?.blocks !== body.tree?.blocks || read.body.tree?.count !== body.tree?.count || read.body.databaseSha256 !== body.databaseSha256) {
      throw new BackupFileError('mismatch', `The manifest of snapshot ${id} does not read back as written.`);
    }
    await this.recordCheck(id, null, chunks.checked);
    // a good frequent snapshot is logged, not audited: an audit row would itself be a change to snapshot
    if (kind !== 'frequent') {
      ctx.audit(origin, 'backup.snapshot', 'ok', { kind, addedChunks: body.added.chunks, addedBytes: body.added.bytes + manifestBytes, databaseBytes: body.databaseBytes }, id);
    }
    ctx.log.info({ id, kind, addedChunks: body.added.chunks, addedBytes: body.added.bytes, manifestBytes, ms: Date.now() - started }, chunks.checked === 'full' ? 'snapshot written and verified' : 'snapshot written, its new chunks checked');
    return this.toItem({ format: 'lexdesk-snapshot', version: 2, id, createdAt, kind, keyId: key.keyId, kdf: key.kdf, nonce: '' }, body, await this.loadChecks());
  }

  verifyInWorker(
    id: string,
    key: BackupKey,
    options: { keepAs?: string; signal?: AbortSignal; onProgress?: (step: 'verifying' | 'checking', fraction: number) => void } = {},
  ) {
    return runInWorker(
      {
        type: 'snapshot-verify',
        key: key.key,
        job: { repoDir: this.repoDir(), keyId: key.keyId, id, workDir: this.ctx.workDir, nativeBinding: this.ctx.deps.nativeBinding, keepAs: options.keepAs },
      },
      { signal: options.signal, onProgress: options.onProgress as ((step: string, fraction: number) => void) | undefined },
    );
  }

  /** Verifies a snapshot again and records when (and what was found). */
  async verify(id: string, key: BackupKey, signal?: AbortSignal): Promise<string | null> {
    let problem: string | null = null;
    try {
      await this.verifyInWorker(id, key, { signal });
    } catch (err) {
      if (!(err instanceof BackupFileError)) throw err;
      problem = err.message;
    }
    await this.recordCheck(id, problem);
    return problem;
  }

  private async previousDocuments(repoDir: string, keys: ReturnType<typeof snapshotKeys>): Promise<Map<string, IndexEntry>> {
    const newest = (await listSnapshots(repoDir)).filter((e): e is { head: SnapshotHead; problem: null } => e.problem === null && e.head.keyId === keys.keyId).at(-1);
    if (!newest) return new Map();
    const previous = await readSnapshot(repoDir, keys, newest.head.id).catch(() => null);
    return new Map((previous?.body.documents.entries ?? []).map((e) => [e.sha256, e]));
  }

  /**
   * Opens an object of the repository read back from the off-site copy: a chunk
   * decrypts with one of the snapshots' keys and hashes to its name (a delta, which
   * needs its base for that, is authenticated), a manifest decrypts and its
   * signature holds. Null when it opens (or is not a chunk or a
   * manifest, or no key of this machine could open it); else what is wrong.
   */
  async openObject(name: string, bytes: Buffer): Promise<string | null> {
    const chunk = /^repo\/chunks\/[0-9a-f]{2}\/([0-9a-f]{32})$/.exec(name);
    const manifest = /^repo\/snapshots\/([A-Za-z0-9-]+)\.snapshot$/.exec(name);
    if (!chunk && !manifest) return null;
    const keys: ReturnType<typeof snapshotKeys>[] = [];
    for (const keyId of new Set((await this.heads()).map((h) => h.keyId))) {
      const key = await this.ctx.keys.find(keyId).catch(() => null);
      if (key) keys.push(snapshotKeys(key.key, key.keyId));
    }
    if (keys.length === 0) return null;
    if (chunk) {
      for (const k of keys) {
        try {
          openSealed(k, chunk[1]!, bytes);
          return null;
        } catch {
          // another key, or damaged: tried with each
        }
      }
      return 'it does not decrypt with the backup key, or it does not hash to its name (damaged or altered)';
    }
    try {
      const head = parseSnapshotHead(bytes.toString('utf8'));
      const k = keys.find((x) => x.keyId === head.keyId);
      if (!k) return null;
      decodeSnapshot(k, bytes.toString('utf8'));
      return null;
    } catch {
      return 'the snapshot manifest does not decrypt, or its signature does not hold (damaged or altered)';
    }
  }

  /** The heads of the snapshots, oldest first (the unreadable are left out, and logged). */
  async heads(): Promise<SnapshotHead[]> {
    const entries = await listSnapshots(this.repoDir());
    const heads: SnapshotHead[] = [];
    for (const e of entries) {
      if (e.problem === null) heads.push(e.head);
      else this.ctx.log.warn({ id: e.id, problem: e.problem }, 'a snapshot manifest cannot be read');
    }
    return heads;
  }

  /** The snapshots as the screen and the command line list them, oldest first. */
  async list(): Promise<SnapshotItem[]> {
    const checks = await this.loadChecks();
    const items: SnapshotItem[] = [];
    const keys = new Map<string, BackupKey | null>();
    for (const head of await this.heads()) {
      if (!keys.has(head.keyId)) keys.set(head.keyId, await this.ctx.keys.find(head.keyId).catch(() => null));
      const key = keys.get(head.keyId) ?? null;
      let body: SnapshotBody | null = null;
      let problem: string | null = null;
      if (key) {
        try {
          body = (await readSnapshot(this.repoDir(), snapshotKeys(key.key, key.keyId), head.id)).body;
        } catch (err) {
          problem = (err as Error).message;
        }
      }
      const item = this.toItem(head, body, checks);
      items.push(problem ? { ...item, problem, restorable: false } : item);
    }
    return items;
  }

  private toItem(head: SnapshotHead, body: SnapshotBody | null, checks: Checks): SnapshotItem {
    const check = checks.checks[head.id];
    return {
      id: head.id,
      createdAt: head.createdAt,
      kind: head.kind,
      databaseBytes: body?.databaseBytes ?? 0,
      schemaVersion: body?.schemaVersion ?? 0,
      tables: body?.tables ?? {},
      documents: body?.documents.count ?? 0,
      addedChunks: body?.added.chunks ?? 0,
      addedBytes: body?.added.bytes ?? 0,
      verifiedAt: check && check.problem === null && check.depth !== 'chunks' ? check.at : null,
      partsCheckedAt: check && check.problem === null && check.depth === 'chunks' ? check.at : null,
      problem: check?.problem ?? null,
      locations: ['local'],
      keyAvailable: body !== null,
      restorable: check?.problem == null && (body === null || body.schemaVersion <= this.ctx.deps.schemaVersion),
    };
  }

  /** The newest snapshot at or before `at`; `not_found` when there is none that early. */
  async resolve(at: Date): Promise<SnapshotHead> {
    if (Number.isNaN(at.getTime())) throw new AppError('invalid_input', 'Give a date and time such as 2026-12-01 14:45.', { issues: [{ path: 'at', message: 'not a date and time' }] });
    const heads = await this.heads();
    const found = heads.filter((h) => Date.parse(h.createdAt) <= at.getTime()).at(-1);
    if (!found) {
      const first = heads[0];
      throw new AppError(
        'not_found',
        first
          ? `There is no snapshot that early: the oldest is from ${first.createdAt.slice(0, 16).replace('T', ' ')} UTC.`
          : 'There are no snapshots in the backup folder yet.',
        { reason: 'no_snapshot' },
      );
    }
    return found;
  }

  async has(id: string): Promise<SnapshotHead | null> {
    return (await this.heads()).find((h) => h.id === id) ?? null;
  }

  /** The documents the snapshots name (null when one cannot be read: then none may be deleted). */
  async namedDocuments(): Promise<Set<string> | null> {
    const kept = new Set<string>();
    const entries = await listSnapshots(this.repoDir());
    for (const e of entries) {
      if (e.problem !== null) return null;
      const key = await this.ctx.keys.find(e.head.keyId).catch(() => null);
      if (!key) return null;
      const snapshot = await readSnapshot(this.repoDir(), snapshotKeys(key.key, key.keyId), e.head.id).catch(() => null);
      if (!snapshot) return null;
      for (const d of snapshot.body.documents.entries) kept.add(d.sha256);
    }
    return kept;
  }

  /**
   * Thins the snapshots as the settings say and removes the chunks none of the
   * rest uses. The caller runs it as a job, so never beside a snapshot or a restore.
   */
  async thin(origin: Origin = SYSTEM_ORIGIN, report?: SnapshotStep, options: { sweep?: boolean } = {}): Promise<{ removed: string[]; chunks: number; bytes: number }> {
    const { ctx } = this;
    await ctx.records.load();
    const key = await ctx.keys.current();
    if (!key) return { removed: [], chunks: 0, bytes: 0 };
    const heads = await this.heads();
    if (heads.some((h) => h.keyId !== key.keyId)) {
      // chunks of snapshots under another key cannot be told apart: only manifests of this key are thinned, no chunk is removed
      ctx.log.info({}, 'snapshots made with an earlier passphrase are in the folder: their chunks are kept');
    }
    const s = ctx.records.settings;
    const remove = thinningPlan(
      heads.filter((h) => h.keyId === key.keyId),
      ctx.deps.clock.now(),
      { keepAllHours: s.keepAllHours, hourlyDays: s.hourlyDays, retentionDays: s.retentionDays, monthlyMonths: s.monthlyMonths },
    );
    const folder = ctx.folder();
    // after a backup, the chunks are swept only when a snapshot went; asked for (`sweep`), always
    if (remove.length === 0 && !options.sweep) return { removed: [], chunks: 0, bytes: 0 };
    const result = await withRepoLock(folder.dir, () =>
      runInWorker(
        { type: 'snapshot-prune', key: key.key, job: { repoDir: this.repoDir(folder), keyId: key.keyId, remove, pauseAt: ctx.deps.options?.prunePauseAt } },
        { onProgress: (step, fraction) => report?.(step, 'Removing the parts no snapshot uses', 100 * fraction) },
      ),
    );
    if (remove.length > 0 || result.chunks > 0) {
      ctx.audit(origin, 'backup.snapshots.thinned', 'ok', { removed: remove, chunks: result.chunks, bytes: result.bytes });
      ctx.log.info({ removed: remove.length, chunks: result.chunks, bytes: result.bytes }, 'snapshots thinned');
    }
    return { removed: remove, chunks: result.chunks, bytes: result.bytes };
  }
}
