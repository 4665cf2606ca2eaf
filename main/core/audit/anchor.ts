import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getOrCreateSecret, type SecretStore } from '../secrets.js';

/**
 * The head of the audit trail kept outside the database: the id and hash of its
 * newest row, signed (HMAC-SHA256 under a key of its own), in the secret store —
 * the OS keychain on the desktop, the secrets folder headless. The database alone
 * cannot vouch for itself: an older copy of the database or of its `-wal` brings its
 * own older checkpoints with it. The anchor is written after every intact
 * verification, at every clean shutdown and after a restore; a trail shorter than
 * its anchor, or whose row at the anchored id has another hash, is broken.
 */
export const AUDIT_ANCHOR_SECRET = 'audit-anchor';
export const AUDIT_ANCHOR_KEY_SECRET = 'audit-anchor-key';

export interface AuditHead {
  id: number;
  hash: string;
  /** when that row was recorded */
  at: string;
}

export type AnchorReading = { state: 'none' } | { state: 'ok'; head: AuditHead } | { state: 'altered' };

export class AuditAnchor {
  private key: Buffer | null = null;

  constructor(private readonly secrets: SecretStore) {}

  private async signingKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const { value } = await getOrCreateSecret(this.secrets, AUDIT_ANCHOR_KEY_SECRET, () => randomBytes(32).toString('base64'));
    this.key = Buffer.from(value, 'base64');
    return this.key;
  }

  private mac(key: Buffer, head: AuditHead): string {
    return createHmac('sha256', key).update(`lexdesk-audit-anchor/1\n${head.id}\n${head.hash}\n${head.at}`).digest('hex');
  }

  async read(): Promise<AnchorReading> {
    const raw = await this.secrets.get(AUDIT_ANCHOR_SECRET);
    if (!raw) return { state: 'none' };
    try {
      const parsed = JSON.parse(raw) as { id?: unknown; hash?: unknown; at?: unknown; mac?: unknown };
      if (typeof parsed.id !== 'number' || typeof parsed.hash !== 'string' || typeof parsed.at !== 'string' || typeof parsed.mac !== 'string') {
        return { state: 'altered' };
      }
      const head = { id: parsed.id, hash: parsed.hash, at: parsed.at };
      const expected = Buffer.from(this.mac(await this.signingKey(), head), 'hex');
      const given = Buffer.from(parsed.mac, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { state: 'altered' };
      return { state: 'ok', head };
    } catch {
      return { state: 'altered' };
    }
  }

  async write(head: AuditHead): Promise<void> {
    const mac = this.mac(await this.signingKey(), head);
    await this.secrets.set(AUDIT_ANCHOR_SECRET, JSON.stringify({ ...head, mac }));
  }
}
