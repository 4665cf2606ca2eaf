// Runs in a worker thread: bcrypt hashing and password-strength estimation are
// CPU work of tens to hundreds of milliseconds that must not stall the event loop.
import { createHmac } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import { LEGACY_BCRYPT } from './password-marks.js';
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export type PasswordTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'verify'; password: string; hash: string }
  | { op: 'strength'; password: string; userInputs: string[] };

export interface StrengthAnswer {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/**
 * bcrypt reads only the first 72 bytes of its input, so a long passphrase would
 * be cut silently. The password (NFC, so the same text typed on any system
 * matches) goes through HMAC-SHA-384 first, and bcrypt gets its 64 base64
 * characters. The fixed key keeps these digests unlike any other site's.
 */
export function prehash(password: string): string {
  return createHmac('sha384', 'lexdesk-password-v1').update(password.normalize('NFC'), 'utf8').digest('base64');
}

let zxcvbn: ZxcvbnFactory | null = null;
function strength(password: string, userInputs: string[]): StrengthAnswer {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    useLevenshteinDistance: true,
  });
  const result: ZxcvbnResult = zxcvbn.check(password, userInputs);
  return { score: result.score, warning: result.feedback.warning || null, suggestions: result.feedback.suggestions };
}

interface Bcrypt {
  hash(text: string, cost: number): unknown;
  compare(text: string, hash: string): unknown;
}

/** In the worker, bcrypt's blocking calls; in-process, the ones that work in slices and yield to the event loop. */
const BLOCKING: Bcrypt = { hash: bcrypt.hashSync, compare: bcrypt.compareSync };
const YIELDING: Bcrypt = { hash: bcrypt.hash, compare: bcrypt.compare };

function runWith(calls: Bcrypt, task: PasswordTask): unknown {
  switch (task.op) {
    case 'hash':
      return calls.hash(prehash(task.password), task.cost);
    case 'verify':
      if (task.hash.startsWith(LEGACY_BCRYPT)) return calls.compare(task.password, task.hash.slice(LEGACY_BCRYPT.length));
      if (task.hash.startsWith('!')) return false;
      return calls.compare(prehash(task.password), task.hash);
    case 'strength':
      return strength(task.password, task.userInputs);
  }
}

/** The same work without a worker, in slices that yield to the event loop; used only if workers cannot start. */
export async function runTaskInline(task: PasswordTask): Promise<unknown> {
  return runWith(YIELDING, task);
}

function run(task: PasswordTask): unknown {
  return runWith(BLOCKING, task);
}

parentPort?.on('message', (message: { id: number; task: PasswordTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, value: run(message.task) });
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
