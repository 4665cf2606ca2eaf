// Issue #16: every operation of the contract, as every role, over real HTTP, with
// inputs generated from its zod schema (fast-check) and hostile variants: no 5xx,
// no stack trace, always the error envelope, and the server stays up. About a minute.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { operations, type OperationName } from '../../shared/contract/index.js';
import { createUser, signIn, type TestUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { inputsFor } from '../support/fuzz.js';
import { serveHttp } from '../support/http.js';
import { tempDir } from '../support/server.js';

// every operation as every caller, a fixed number of inputs each (a count, not a time budget: the
// contract is always covered whole, however busy the machine)
const RUNS = { valid: 8, hostile: 6 };

let core: TestCore;
let app: FastifyInstance;
let base: string;
const users: Record<string, TestUser> = {};
const tokens: Record<string, string | undefined> = {};

const ROLES = ['anonymous', 'admin', 'lawyer', 'assistant', 'must-change'] as const;
type Who = (typeof ROLES)[number];

beforeAll(async () => {
  core = await startTestCore({
    env: {
      // fuzzed passwords must not lock the test accounts out; fuzzed folders must not be created on this machine
      LEXDESK_LOCKOUT_THRESHOLD: '1000',
      LEXDESK_SIGNIN_LIMIT: '100000',
      // thousands of fuzzed calls a minute from one address and three accounts (the limits have their own test)
      LEXDESK_RATE_LIMIT_PER_ADDRESS: '0',
      LEXDESK_RATE_LIMIT_PER_USER: '0',
      LEXDESK_BACKUP_DIR: tempDir('lexdesk-fuzz-backups-'),
    },
  });
  ({ app, base } = await serveHttp(core));
  for (const role of ['admin', 'lawyer', 'assistant'] as const) users[role] = await createUser(core, { role });
  users['must-change'] = await createUser(core, { role: 'admin', mustChangePassword: true });
  for (const who of ROLES) await renew(who);
});

afterAll(async () => {
  await app?.close();
  await core?.dispose();
});

/** A fresh sign-in for `who`, outside HTTP (a fuzzed call may have ended the session or changed the password). */
async function renew(who: Who): Promise<void> {
  if (who === 'anonymous') return;
  const user = users[who]!;
  try {
    tokens[who] = (await signIn(core, user)).token;
  } catch {
    // a fuzzed call changed this account (disabled, new password): make another like it
    users[who] = await createUser(core, { role: user.role, mustChangePassword: who === 'must-change' });
    tokens[who] = (await signIn(core, users[who]!)).token;
  }
}

async function call(operation: string, input: unknown, who: Who): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (tokens[who]) headers.authorization = `Bearer ${tokens[who]}`;
  const response = await fetch(`${base}/api/rpc/${encodeURIComponent(operation)}`, { method: 'POST', headers, body: JSON.stringify(input) ?? 'null' });
  return { status: response.status, text: await response.text() };
}

const STACK = /\bat [\w.<>]+ \(|node:internal|\.ts:\d+:\d+|\.js:\d+:\d+|TypeError|ReferenceError|SQLITE_/;

describe('fuzzing every operation as every role over HTTP', () => {
  it('answers every input with the envelope, never a 5xx or a stack, and stays up', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const failures: string[] = [];
    const covered = new Set<string>();
    let calls = 0;
    const outcomes: Record<string, number> = {};
    // the calls that end sessions or change accounts go last, so the others run signed in
    const names = (Object.keys(operations) as OperationName[]).sort((a, b) => Number(/logout|revoke|users\.|changePassword|restore/.test(a)) - Number(/logout|revoke|users\.|changePassword|restore/.test(b)));
    for (const name of names) {
      const { valid, hostile } = inputsFor(operations[name].input as never);
      for (const who of ROLES) {
        for (const [kind, arbitrary, runs] of [['valid', valid, RUNS.valid], ['hostile', hostile, RUNS.hostile]] as const) {
          await fc.assert(
            fc.asyncProperty(arbitrary, async (input) => {
              calls++;
              const { status, text } = await call(name, input, who);
              let body: { ok?: boolean; error?: { code?: string; details?: { reason?: string } } };
              try {
                body = JSON.parse(text);
              } catch {
                failures.push(`${name} as ${who} (${kind}): not JSON (${status}): ${text.slice(0, 120)}`);
                return;
              }
              if (status >= 500 || STACK.test(text) || typeof body.ok !== 'boolean') {
                failures.push(`${name} as ${who} (${kind}): ${status} ${text.slice(0, 300)} for ${JSON.stringify(input)?.slice(0, 200)}`);
              }
              const outcome = body.ok ? 'ok' : (body.error?.code ?? 'none');
              outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
              if (status === 401 && who !== 'anonymous') await renew(who);
            }),
            { numRuns: runs, endOnFailure: true },
          );
        }
        covered.add(name);
      }
    }
    expect(failures).toEqual([]);
    // the generated inputs reach the handlers, not only the validation
    expect(outcomes.ok ?? 0).toBeGreaterThan(500);
    // the whole contract was reached
    expect([...covered].sort()).toEqual(Object.keys(operations).sort());
    // the server is still up and still answers
    const info = await fetch(`${base}/api/rpc/system.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(info.status).toBe(200);
    const health = await fetch(`${base}/api/monitoring/health`);
    expect(health.status).toBe(200);
    console.log(`fuzz: ${calls} calls over ${covered.size} operations × ${ROLES.length} callers in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(outcomes)}`);
  });
});
