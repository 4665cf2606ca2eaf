import type { SecretStore } from '../secrets.js';

export type { SecretStore } from '../secrets.js';

/** Secrets in memory only: tests, and a one-off run that must leave nothing on the machine. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory';
  private readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}
