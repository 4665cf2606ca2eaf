import { z } from 'zod';
import { DEFAULT_SCRYPT, deriveBackupKey, keyIdOf, newScryptParams, ScryptParams } from './format.js';
import type { SecretStore } from '../secrets.js';

/** The secret-store entry holding this installation's backup keys. */
export const BACKUP_KEY_SECRET = 'backup-key';

const StoredKey = z.object({
  keyId: z.string(),
  kdf: ScryptParams,
  key: z.string(),
  createdAt: z.string(),
});

const KeyRingData = z.object({
  version: z.literal(1),
  current: z.string(),
  keys: z.array(StoredKey).min(1),
});
type KeyRingData = z.infer<typeof KeyRingData>;

export interface BackupKey {
  keyId: string;
  key: Buffer;
  kdf: ScryptParams;
  createdAt: string;
}

/**
 * The office's backup keys as cached on this machine. Each key is derived from a
 * passphrase the admin chose (scrypt, see format.ts) and can always be derived
 * again from it on another machine; the machine only keeps a copy so that
 * scheduled backups run unattended. Changing the passphrase adds a key and makes it
 * current: older backups stay readable here with the key they were made with.
 */
export class BackupKeyRing {
  private cache: KeyRingData | null | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly scryptCost: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
  ) {}

  get storeKind(): string {
    return this.secrets.kind;
  }

  private async load(): Promise<KeyRingData | null> {
    if (this.cache !== undefined) return this.cache;
    const raw = await this.secrets.get(BACKUP_KEY_SECRET);
    if (raw === null) {
      this.cache = null;
      return null;
    }
    let parsed: KeyRingData;
    try {
      parsed = KeyRingData.parse(JSON.parse(raw));
    } catch {
      throw new Error(`The stored backup key (${this.secrets.kind}) is not readable. Set the backup passphrase again.`);
    }
    this.cache = parsed;
    return parsed;
  }

  private async save(data: KeyRingData): Promise<void> {
    await this.secrets.set(BACKUP_KEY_SECRET, JSON.stringify(data));
    this.cache = data;
  }

  /** Forget the cached copy (another process may have changed the store). */
  reload(): void {
    this.cache = undefined;
  }

  async isSet(): Promise<boolean> {
    return (await this.load()) !== null;
  }

  async current(): Promise<BackupKey | null> {
    const data = await this.load();
    if (!data) return null;
    return this.find(data.current);
  }

  async find(keyId: string): Promise<BackupKey | null> {
    const data = await this.load();
    const entry = data?.keys.find((k) => k.keyId === keyId);
    if (!entry) return null;
    return { keyId: entry.keyId, key: Buffer.from(entry.key, 'base64'), kdf: entry.kdf, createdAt: entry.createdAt };
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
    if (data?.keys.some((k) => k.keyId === key.keyId)) return;
    await this.add(key, data === null);
  }

  private async add(key: BackupKey, makeCurrent: boolean): Promise<BackupKey> {
    const data = await this.load();
    const entry = { keyId: key.keyId, kdf: key.kdf, key: key.key.toString('base64'), createdAt: key.createdAt };
    const keys = [...(data?.keys ?? []).filter((k) => k.keyId !== key.keyId), entry];
    await this.save({ version: 1, current: makeCurrent || !data ? key.keyId : data.current, keys });
    return key;
  }

  async currentCreatedAt(): Promise<string | null> {
    return (await this.current())?.createdAt ?? null;
  }
}

/** K from a passphrase and the parameters written in a backup's header; null when it does not match. */
export async function keyFromPassphrase(passphrase: string, header: { kdf: ScryptParams; keyId: string }, now: Date): Promise<BackupKey | null> {
  const key = await deriveBackupKey(passphrase, header.kdf);
  if (keyIdOf(key) !== header.keyId) return null;
  return { keyId: header.keyId, key, kdf: header.kdf, createdAt: now.toISOString() };
}
