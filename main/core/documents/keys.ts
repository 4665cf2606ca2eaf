import { randomBytes } from 'node:crypto';
import { getOrCreateSecret, type SecretStore } from '../secrets.js';
import { documentKeyId } from './format.js';

/** The secret that holds the store's key; keys adopted from a restored backup are `documents-key-<keyId>`. */
export const DOCUMENT_KEY_SECRET = 'documents-key';

export interface DocumentKey {
  keyId: string;
  key: Buffer;
}

/**
 * The document store's keys: the current one (made at first use, kept in the
 * secret store, never in the database or next to the files) and those adopted from
 * backups made on another machine, which the files restored from them name.
 */
export class DocumentKeys {
  private currentKey: DocumentKey | null = null;
  private readonly known = new Map<string, Buffer>();

  constructor(private readonly secrets: SecretStore) {}

  async current(): Promise<DocumentKey> {
    if (this.currentKey) return this.currentKey;
    const { value } = await getOrCreateSecret(this.secrets, DOCUMENT_KEY_SECRET, () => randomBytes(32).toString('base64'));
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) throw new Error(`the secret "${DOCUMENT_KEY_SECRET}" is not a 32-byte key`);
    this.currentKey = { keyId: documentKeyId(key), key };
    this.known.set(this.currentKey.keyId, key);
    return this.currentKey;
  }

  /** The key a file names, or null when this machine does not have it. */
  async byId(keyId: string): Promise<Buffer | null> {
    await this.current();
    const cached = this.known.get(keyId);
    if (cached) return cached;
    if (!/^[0-9a-f]{16}$/.test(keyId)) return null;
    const value = await this.secrets.get(`${DOCUMENT_KEY_SECRET}-${keyId}`);
    if (!value) return null;
    const key = Buffer.from(value, 'base64');
    if (documentKeyId(key) !== keyId) return null;
    this.known.set(keyId, key);
    return key;
  }

  /** Keeps a key that came with a backup, so the files it encrypted can be read here. */
  async adopt(key: Buffer): Promise<string> {
    const keyId = documentKeyId(key);
    if ((await this.byId(keyId)) !== null) return keyId;
    await this.secrets.set(`${DOCUMENT_KEY_SECRET}-${keyId}`, key.toString('base64'));
    this.known.set(keyId, key);
    return keyId;
  }
}
