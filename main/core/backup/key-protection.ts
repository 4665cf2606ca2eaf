import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * How this machine keeps its copy of the backup key, so that the backups' own
 * folder, the secrets folder, or both copied elsewhere open nothing without the
 * passphrase (finding: `secrets/backup-key` held the derived key in clear).
 *
 * - `keychain`: the secret store is the OS keychain (keytar) or a file the OS
 *   encrypts (Electron safeStorage): the store itself protects the key.
 * - `kek`: a key-encryption key from outside the data volume (LEXDESK_BACKUP_KEK,
 *   or a mounted secret file LEXDESK_BACKUP_KEK_FILE) seals the key with AES-256-GCM.
 * - `memory`: nothing can protect it here: the key lives in memory only and the
 *   admin types the passphrase after each restart before scheduled backups resume.
 */
export interface KeyProtection {
  readonly kind: 'keychain' | 'kek' | 'memory';
  /** for the Backups screen and the log */
  readonly description: string;
  /** the key as stored, or null when it must not be stored at all */
  seal(key: Buffer): string | null;
  /** the key from what `seal` gave; throws when this protection cannot open it (another KEK) */
  open(sealed: string): Buffer;
}

export class KeyProtectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyProtectionError';
  }
}

/** The secret store protects what it holds (OS keychain, safeStorage). */
export function keychainProtection(storeKind: string): KeyProtection {
  return {
    kind: 'keychain',
    description: storeKind,
    seal: (key) => `store:${key.toString('base64')}`,
    open: (sealed) => {
      if (!sealed.startsWith('store:')) throw new KeyProtectionError('This backup key was sealed with a key-encryption key, not by the keychain.');
      return Buffer.from(sealed.slice('store:'.length), 'base64');
    },
  };
}

/**
 * AES-256-GCM under a key derived (HKDF-SHA-256) from the key-encryption key; its
 * id tells a changed KEK at once. A KEK file is read when the key is first needed.
 */
export function kekProtection(kek: { value?: string; file?: string; source: string }): KeyProtection {
  let derived: { wrapKey: Buffer; kekId: string } | null = null;
  const keys = () => {
    if (derived) return derived;
    let value = kek.value;
    if (value === undefined) {
      try {
        value = readFileSync(kek.file!, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        throw new KeyProtectionError(`The backup key-encryption key cannot be read from ${kek.source}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
      }
    }
    if (value.length < 32) throw new KeyProtectionError(`The backup key-encryption key in ${kek.source} must have at least 32 characters.`);
    const wrapKey = Buffer.from(hkdfSync('sha256', Buffer.from(value, 'utf8'), Buffer.alloc(0), 'lexdesk-backup-kek-v1', 32));
    derived = { wrapKey, kekId: createHash('sha256').update(wrapKey).digest('hex').slice(0, 16) };
    return derived;
  };
  return {
    kind: 'kek',
    description: `sealed with the key-encryption key from ${kek.source}`,
    seal(key) {
      const { wrapKey, kekId } = keys();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', wrapKey, iv);
      cipher.setAAD(Buffer.from(kekId));
      const data = Buffer.concat([cipher.update(key), cipher.final()]);
      return ['kek1', kekId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const { wrapKey, kekId } = keys();
      const [tag, id, iv, auth, data] = sealed.split('.');
      if (tag !== 'kek1' || !iv || !auth || !data) throw new KeyProtectionError('This backup key was not sealed with a key-encryption key.');
      if (id !== kekId) throw new KeyProtectionError('The key-encryption key has changed since this backup key was sealed.');
      const decipher = createDecipheriv('aes-256-gcm', wrapKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(kekId));
      decipher.setAuthTag(Buffer.from(auth, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      } catch {
        throw new KeyProtectionError('The sealed backup key is damaged.');
      }
    },
  };
}

/** Nothing to wrap with: the key is never written. */
export const memoryProtection: KeyProtection = {
  kind: 'memory',
  description:
    'memory only: no keychain and no key-encryption key (LEXDESK_BACKUP_KEK_FILE) here, so the backup passphrase is asked after each restart',
  seal: () => null,
  open: () => {
    throw new KeyProtectionError('This machine keeps no copy of the backup key.');
  },
};

/** Said wherever backups wait for the passphrase after a restart (the screen, the alert, the error). */
export const BACKUPS_LOCKED_MESSAGE =
  'Backups are paused: this server keeps no copy of the backup key, so an administrator must enter the backup passphrase on the Backups screen after each restart (or IT sets LEXDESK_BACKUP_KEK_FILE).';
