// Issue #16: the parts behind the security fixes, each on its own (no core started).
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { maskUsername } from '../../main/core/auth/signin.js';
import { PasswordWorkers, defaultPoolSize, type Lane } from '../../main/core/auth/passwords.js';
import { kekProtection, keychainProtection, memoryProtection } from '../../main/core/backup/key-protection.js';
import { cleanFileName } from '../../main/core/documents/types.js';
import { ConfigError, loadConfig } from '../../main/core/config.js';
import { addressMatcher, clientKey, isLoopback } from '../../main/core/net/addresses.js';
import { tempDir } from '../support/server.js';

/**
 * A password worker that answers only when told, so the order in which the pool
 * hands out work can be read without timing anything.
 */
class HeldWorker extends EventEmitter {
  readonly jobs: { id: number; task: { password: string } }[] = [];
  postMessage(message: { id: number; task: { password: string } }) {
    this.jobs.push(message);
  }
  answer(): void {
    const job = this.jobs.shift()!;
    this.emit('message', { id: job.id, value: false });
  }
  ref() {}
  unref() {}
  async terminate() {
    return 0;
  }
}

function heldPool(size: number, perSourceQueue = 4) {
  const workers: HeldWorker[] = [];
  const started: string[] = [];
  const pool = new PasswordWorkers({
    size,
    perSourceQueue,
    startWorker: () => {
      const worker = new HeldWorker();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message) => {
        started.push(message.task.password);
        post(message);
      };
      workers.push(worker);
      return worker as unknown as Worker;
    },
  });
  return { pool, workers, started };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const lane = (address: string, user: string, suspect = false): Lane => ({ sources: [`a:${address}`, `u:${user}`], suspect });

describe('finding 1: the password workers serve sign-ins fairly', () => {
  it('sizes the pool to the machine: one worker per core, at least two, at most four', () => {
    expect([1, 2, 3, 8].map((cores) => defaultPoolSize(cores))).toEqual([2, 2, 3, 4]);
  });

  it('a burst from one address cannot fill the queue: past its share it is refused at once with rate_limited', async () => {
    const { pool } = heldPool(2, 4);
    const burst = Array.from({ length: 100 }, (_, i) => pool.verify(`wrong-${i}`, 'hash', lane('198.51.100.9', `name-${i}`)).catch((err: Error & { code?: string }) => err.code));
    await settle();
    const refused = (await Promise.race([Promise.all(burst.slice(10)), new Promise((r) => setTimeout(() => r('waiting'), 200))])) as unknown;
    // one worker holds one of its checks (the other worker stays free for others), four wait, the rest are refused
    expect(pool.pending).toBe(4);
    expect(refused).toEqual(Array(90).fill('rate_limited'));
    await pool.close();
  });

  it('a colleague from another address is served before the burst that was there first, on the worker kept free', async () => {
    const { pool, started } = heldPool(2, 4);
    for (let i = 0; i < 5; i++) void pool.verify(`wrong-${i}`, 'hash', lane('198.51.100.9', `name-${i}`, true)).catch(() => undefined);
    await settle();
    void pool.verify('correct', 'hash', lane('203.0.113.5', 'maria'));
    await settle();
    // the failing address holds one worker; the correct sign-in got the other at once
    expect(started).toEqual(['wrong-0', 'correct']);
    await pool.close();
  });

  it('an address without recent failures goes before one that keeps failing; turns rotate between addresses', async () => {
    const { pool, workers, started } = heldPool(2, 8);
    void pool.hash('warm-up', 4);
    void pool.hash('warm-up-2', 4);
    await settle();
    for (let i = 0; i < 3; i++) void pool.verify(`bad-${i}`, 'h', lane('198.51.100.9', `x${i}`, true)).catch(() => undefined);
    for (let i = 0; i < 2; i++) void pool.verify(`a-${i}`, 'h', lane('203.0.113.1', `a${i}`)).catch(() => undefined);
    for (let i = 0; i < 2; i++) void pool.verify(`b-${i}`, 'h', lane('203.0.113.2', `b${i}`)).catch(() => undefined);
    await settle();
    for (let turn = 0; turn < 7; turn++) {
      const busy = workers.find((w) => w.jobs.length > 0)!;
      busy.answer();
      await settle();
    }
    expect(started.slice(2, 6)).toEqual(['a-0', 'b-0', 'a-1', 'b-1']);
    expect(started.slice(6)).toEqual(['bad-0', 'bad-1', 'bad-2']);
    await pool.close();
  });
});

describe('finding 1: addresses are counted per client, IPv6 per /64', () => {
  it('groups IPv6 addresses by /64 and reads IPv4 on dual-stack sockets as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(clientKey('2001:db8:1:2::7'));
    expect(clientKey('2001:db8:1:3::7')).not.toBe(clientKey('2001:db8:1:2::7'));
    expect(clientKey('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(clientKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(clientKey(undefined)).toBeUndefined();
  });

  it('knows loopback and matches address lists with ranges', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    const trusted = addressMatcher(['127.0.0.1', '172.16.0.0/12', '2001:db8::/32']);
    expect(['127.0.0.1', '172.20.1.1', '::ffff:172.31.255.1', '2001:db8::9'].map(trusted)).toEqual([true, true, true, true]);
    expect(['127.0.0.2', '172.32.0.1', '2001:db9::1', undefined, 'not an address'].map(trusted)).toEqual([false, false, false, false, false]);
  });
});

describe('finding 2: LEXDESK_TRUST_PROXY takes the proxy’s addresses, not true', () => {
  const load = (env: Record<string, string>) => loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: '/tmp/x', ...env }, envFile: null });

  it('refuses true, which would believe any client, and says what to give instead', () => {
    expect(() => load({ LEXDESK_TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => load({ LEXDESK_TRUST_PROXY: 'true' })).toThrow(/LEXDESK_TRUST_PROXY: must list the proxy's own addresses/);
    expect(() => load({ LEXDESK_TRUST_PROXY: 'proxy.local' })).toThrow(/LEXDESK_TRUST_PROXY/);
  });

  it('takes an address, a range or a list; false or nothing trusts no proxy', () => {
    expect(load({ LEXDESK_TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
    expect(load({ LEXDESK_TRUST_PROXY: '127.0.0.1, 172.16.0.0/12' }).trustProxy).toEqual(['127.0.0.1', '172.16.0.0/12']);
    expect(load({ LEXDESK_TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
    expect(load({}).trustProxy).toEqual([]);
  });
});

describe('finding 3: the key that wraps the backup key', () => {
  it('must not be a file in the data, secrets or backup folder', () => {
    const data = tempDir();
    mkdirSync(join(data, 'secrets'), { recursive: true });
    writeFileSync(join(data, 'secrets', 'kek'), 'k'.repeat(40));
    const load = (file: string, extra: Record<string, string> = {}) =>
      loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: data, LEXDESK_BACKUP_KEK_FILE: file, ...extra }, envFile: null });
    expect(() => load(join(data, 'secrets', 'kek'))).toThrow(/LEXDESK_BACKUP_KEK_FILE: must be outside the data, secrets and backup folders/);
    expect(() => load('/mnt/backups/kek', { LEXDESK_BACKUP_DIR: '/mnt/backups' })).toThrow(/outside/);
    expect(load('/run/secrets/backup-kek').backupKek).toEqual({ file: '/run/secrets/backup-kek', source: expect.stringContaining('/run/secrets/backup-kek') });
    expect(() => load('/run/secrets/x', { LEXDESK_BACKUP_KEK: 'k'.repeat(40) })).toThrow(/not both/);
  });

  it('seals with AES-GCM: the sealed form holds no key bytes, opens with the same KEK, and a changed KEK is named', () => {
    const key = Buffer.alloc(32, 7);
    const one = kekProtection({ value: 'a'.repeat(40), source: 'test' });
    const sealed = one.seal(key)!;
    expect(sealed).toMatch(/^kek1\./);
    expect(sealed.includes(key.toString('base64'))).toBe(false);
    expect(one.open(sealed).equals(key)).toBe(true);
    const other = kekProtection({ value: 'b'.repeat(40), source: 'test' });
    expect(() => other.open(sealed)).toThrow(/key-encryption key has changed/);
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'BBB' : 'AAA');
    expect(() => one.open(tampered)).toThrow(/damaged/);
    expect(() => kekProtection({ file: '/nonexistent/kek', source: 'file /nonexistent/kek' }).seal(key)).toThrow(/cannot be read from file/);
  });

  it('memory keeps nothing to write; the keychain trusts its store', () => {
    expect(memoryProtection.seal(Buffer.alloc(32))).toBeNull();
    const keychain = keychainProtection('OS keychain (keytar)');
    expect(keychain.open(keychain.seal(Buffer.alloc(32, 1))!).equals(Buffer.alloc(32, 1))).toBe(true);
  });
});

describe('finding 4: a username typed at sign-in that has no account is never recorded as typed', () => {
  it('is masked to its first and last character', () => {
    expect(maskUsername('maria')).toBe('m•••a');
    expect(maskUsername('Correct horse battery staple')).toBe('C•••e');
    expect(maskUsername('ab')).toBe('•••');
    expect(maskUsername('😀secret😀')).toBe('😀•••😀');
  });
});

describe('finding 13: file names are cleaned of what hides or reorders text', () => {
  it('shows bidi overrides as visible marks, removes zero-width marks and controls', () => {
    expect(cleanFileName('contract\u202Efdp.exe')).toBe('contract[U+202E]fdp.exe');
    expect(cleanFileName('in\u200Bvoice\u2067.pdf\u2069')).toBe('invoice[U+2067].pdf[U+2069]');
    expect(cleanFileName(' report\u0007 .pdf. ')).toBe('report .pdf');
    expect(cleanFileName('\u200B')).toBe('file');
  });
});
