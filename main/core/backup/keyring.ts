import { z } from 'zod';
import { DEFAULT_SCRYPT, deriveBackupKey, keyIdOf, newScryptParams, ScryptParams } from './format.js';
import { memoryProtection, type KeyProtection } from './key-protection.js';
import type { SecretStore } from '../secrets.js';

/** The secret-store entry holding this installation's backup keys. */
export const BACKUP_KEY_SECRET = 'backup-key';

/** Version 1 (before issue #16): the derived keys in clear. Read once, then rewritten as version 2. */
const StoredKeyV1 = z.object({ keyId: z.string(), kdf: ScryptParams, key: z.string(), createdAt: z.string() });
const KeyRingV1 = z.object({ version: z.literal(1), current: z.string(), keys: z.array(StoredKeyV1).min(1) });

/** Version 2: which keys exist and their parameters; each key only sealed by this machine's protection, or not at all. */
const StoredKey = z.object({ keyId: z.string(), kdf: ScryptParams, createdAt: z.string(), sealed: z.string().optional() });
const KeyRingData = z.object({ version: z.literal(2), current: z.string(), keys: z.array(StoredKey).min(1) });
type KeyRingData = z.infer<typeof KeyRingData>;

export interface BackupKey {
  keyId: string;
  key: Buffer;
  kdf: ScryptParams;
  createdAt: string;
}

/**
 * The office's backup keys as kept on this machine. Each key is derived from a
 * passphrase the admin chose (scrypt, see format.ts) and can always be derived
 * again from it on another machine; the machine keeps a copy so that scheduled
 * backups run unattended, and only in a form the data and backup folders cannot
 * open by themselves (key-protection.ts). Where nothing can protect the copy, it
 * lives in memory: after a restart the ring is locked until the passphrase is
 * typed (`unlock`). Changing the passphrase adds a key and makes it current: older
 * backups stay readable here with the key they were made with.
 */
export class BackupKeyRing {
  private cache: KeyRingData | null | undefined;
  /** the keys this process can use, by id */
  private readonly open = new Map<string, Buffer>();
  /** why a stored key could not be opened (a changed KEK), for the screen */
  private problem: string | null = null;

  constructor(
    private readonly secrets: SecretStore,
    private readonly scryptCost: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
    private readonly protection: KeyProtection = memoryProtection,
  ) {}

  /** Where this machine keeps the key, in words. */
  get storeKind(): string {
    return this.protection.kind === 'memory' ? this.protection.description : `${this.protection.description} (${this.secrets.kind})`;
  }

  get protectionKind(): KeyProtection['kind'] {
    return this.protection.kind;
  }

  /** Why the stored key could not be opened, when it could not. */
  get openProblem(): string | null {
    return this.problem;
  }

  private async load(): Promise<KeyRingData | null> {
    if (this.cache !== undefined) return this.cache;
    const raw = await this.secrets.get(BACKUP_KEY_SECRET);
    if (raw === null) {
      this.cache = null;
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`The stored backup key (${this.secrets.kind}) is not readable. Set the backup passphrase again.`);
    }
    const old = KeyRingV1.safeParse(json);
    if (old.success) return this.upgrade(old.data);
    const parsed = KeyRingData.safeParse(json);
    if (!parsed.success) throw new Error(`The stored backup key (${this.secrets.kind}) is not readable. Set the backup passphrase again.`);
    this.cache = parsed.data;
    this.problem = null;
    for (const entry of parsed.data.keys) {
      if (!entry.sealed || this.open.has(entry.keyId)) continue;
      try {
        this.open.set(entry.keyId, this.protection.open(entry.sealed));
      } catch (err) {
        this.problem = (err as Error).message;
      }
    }
    return parsed.data;
  }

  /** A ring written in clear by an older LexDesk: its keys are kept for this run and stored again protected (or not at all). */
  private async upgrade(old: z.infer<typeof KeyRingV1>): Promise<KeyRingData> {
    for (const entry of old.keys) this.open.set(entry.keyId, Buffer.from(entry.key, 'base64'));
    const data: KeyRingData = { version: 2, current: old.current, keys: old.keys.map(({ keyId, kdf, createdAt }) => ({ keyId, kdf, createdAt })) };
    await this.save(data);
    return data;
  }

  private async save(data: KeyRingData): Promise<void> {
    const stored: KeyRingData = {
      ...data,
      keys: data.keys.map(({ keyId, kdf, createdAt }) => {
        const key = this.open.get(keyId);
        const sealed = key ? this.protection.seal(key) : null;
        return sealed ? { keyId, kdf, createdAt, sealed } : { keyId, kdf, createdAt };
      }),
    };
    await this.secrets.set(BACKUP_KEY_SECRET, JSON.stringify(stored));
    this.cache = stored;
  }

  /** Forget the cached copy (another process may have changed the store); keys already open stay open. */
  reload(): void {
    this.cache = undefined;
  }

  /** A passphrase has been set (whether or not this process holds its key). */
  async isSet(): Promise<boolean> {
    return (await this.load()) !== null;
  }

  /** A passphrase is set but its key is not here: backups wait for `unlock`. */
  async isLocked(): Promise<boolean> {
    const data = await this.load();
    return data !== null && !this.open.has(data.current);
  }

  async current(): Promise<BackupKey | null> {
    const data = await this.load();
    if (!data) return null;
    return this.find(data.current);
  }

  async find(keyId: string): Promise<BackupKey | null> {
    const data = await this.load();
    const entry = data?.keys.find((k) => k.keyId === keyId);
    const key = this.open.get(keyId);
    if (!entry || !key) return null;
    return { keyId: entry.keyId, key, kdf: entry.kdf, createdAt: entry.createdAt };
  }

  /**
   * Opens the current key with the passphrase typed after a restart. False when
   * the passphrase does not make it. Where a protection is available (a new KEK),
   * the key is sealed again with it.
   */
  async unlock(passphrase: string): Promise<boolean> {
    const data = await this.load();
    if (!data) return false;
    const entry = data.keys.find((k) => k.keyId === data.current)!;
    const key = await deriveBackupKey(passphrase, entry.kdf);
    if (keyIdOf(key) !== entry.keyId) return false;
    this.open.set(entry.keyId, key);
    this.problem = null;
    if (this.protection.kind !== 'memory') await this.save(data);
    return true;
  }

  /** Derives a key from a new passphrase and makes it the one new backups use. */
  async setPassphrase(passphrase: string, now: Date): Promise<BackupKey> {
    const kdf = newScryptParams(this.scryptCost);
    const key = await deriveBackupKey(passphrase, kdf);
    return this.add({ keyId: keyIdOf(key), key, kdf, createdAt: now.toISOString() }, true);
  }

  /**
   * Keeps a key learned from a passphrase typed for a restore; it becomes current
   * when this installation has none yet (a brand-new machine restoring its office's backup).
   */
  async adopt(key: BackupKey): Promise<void> {
    const data = await this.load();
    if (data?.keys.some((k) => k.keyId === key.keyId) && this.open.has(key.keyId)) return;
    await this.add(key, data === null);
  }

  private async add(key: BackupKey, makeCurrent: boolean): Promise<BackupKey> {
    const data = await this.load();
    this.open.set(key.keyId, key.key);
    const entry = { keyId: key.keyId, kdf: key.kdf, createdAt: key.createdAt };
    const keys = [...(data?.keys ?? []).filter((k) => k.keyId !== key.keyId), entry];
    await this.save({ version: 2, current: makeCurrent || !data ? key.keyId : data.current, keys });
    return key;
  }

  async currentCreatedAt(): Promise<string | null> {
    const data = await this.load();
    return data?.keys.find((k) => k.keyId === data.current)?.createdAt ?? null;
  }
}

/** K from a passphrase and the parameters written in a backup's header; null when it does not match. */
export async function keyFromPassphrase(passphrase: string, header: { kdf: ScryptParams; keyId: string }, now: Date): Promise<BackupKey | null> {
  const key = await deriveBackupKey(passphrase, header.kdf);
  if (keyIdOf(key) !== header.keyId) return null;
  return { keyId: header.keyId, key, kdf: header.kdf, createdAt: now.toISOString() };
}
