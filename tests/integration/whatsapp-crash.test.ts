import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/server.js';

const TOTAL = 2000;
const CHILD = join(REPO_ROOT, 'tests', 'support', 'whatsapp-burst-child.ts');

const children: ChildProcess[] = [];
afterEach(() => {
  // a test that failed or timed out leaves no child behind
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Progress {
  processed: number;
  sent: number;
}

/** Runs the burst child; `killWhen` decides, on each progress line, whether to SIGKILL it. */
function runChild(dataDir: string, killWhen: (p: Progress) => boolean): Promise<{ last: Progress; killed: boolean; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(TOTAL)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let last: Progress = { processed: 0, sent: 0 };
    let killed = false;
    let done = false;
    let pending = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'done') {
          done = true;
          continue;
        }
        if (!line.startsWith('{')) continue;
        last = JSON.parse(line) as Progress;
        if (!killed && killWhen(last)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') return resolve({ last, killed, done });
      if (code === 0) return resolve({ last, killed, done });
      reject(new Error(`burst child exited with ${code ?? signal}:\n${errors}`));
    });
  });
}

describe('a crash in the middle of a WhatsApp burst', () => {
  it(`processes each of ${TOTAL} inbound messages once and sends each of ${TOTAL} replies once, across a SIGKILL`, async () => {
    const dataDir = tempDir();
    const first = await runChild(dataDir, (p) => p.processed >= TOTAL * 0.25 && p.sent >= TOTAL * 0.25);
    expect(first.killed).toBe(true);
    expect(first.done).toBe(false);

    // what the dead process left: work in the middle, not at the end
    const lexdesk = new Database(join(dataDir, 'lexdesk.sqlite'), { readonly: true });
    lexdesk.prepare('ATTACH DATABASE ? AS net').run(join(dataDir, 'whatsapp', 'simulator.sqlite'));
    const count = (sql: string) => (lexdesk.prepare(sql).get() as { n: number }).n;
    const atKill = {
      processed: count('SELECT COUNT(*) AS n FROM burst_processed'),
      stored: count('SELECT COUNT(*) AS n FROM whatsapp_inbound'),
      sent: count(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'sent'`),
      // a send WhatsApp had but LexDesk had not recorded: the case reconciliation exists for
      inFlight: count(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'sending'`),
      delivered: count(`SELECT COUNT(*) AS n FROM net.sim_messages WHERE direction = 'out'`),
    };
    lexdesk.close();
    console.info('at the kill:', atKill);
    expect(atKill.processed).toBeLessThan(TOTAL);
    expect(atKill.sent).toBeLessThan(TOTAL);

    const second = await runChild(dataDir, () => false);
    expect(second.done).toBe(true);

    const db = new Database(join(dataDir, 'lexdesk.sqlite'), { readonly: true });
    db.prepare(`ATTACH DATABASE ? AS net`).run(join(dataDir, 'whatsapp', 'simulator.sqlite'));
    const one = <T>(sql: string) => db.prepare(sql).get() as T;

    expect((db.pragma('integrity_check', { simple: true }) as string)).toBe('ok');

    // inbound: every message a client sent is in the ledger once and was processed once
    expect(one<{ n: number }>(`SELECT COUNT(*) AS n FROM net.sim_messages WHERE direction = 'in'`).n).toBe(TOTAL);
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM whatsapp_inbound').n).toBe(TOTAL);
    expect(
      one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM net.sim_messages s WHERE s.direction = 'in'
           AND NOT EXISTS (SELECT 1 FROM whatsapp_inbound i WHERE i.wa_id = s.id)`,
      ).n,
    ).toBe(0);
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM burst_processed').n).toBe(TOTAL);
    expect(
      one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM whatsapp_inbound i WHERE (SELECT COUNT(*) FROM burst_processed p WHERE p.wa_id = i.wa_id) <> 1`,
      ).n,
    ).toBe(0);

    // outbound: what WhatsApp received, counted on its side
    const outs = db.prepare(`SELECT body, COUNT(*) AS copies FROM net.sim_messages WHERE direction = 'out' GROUP BY body`).all() as {
      body: string;
      copies: number;
    }[];
    expect(outs).toHaveLength(TOTAL);
    expect(outs.filter((o) => o.copies !== 1)).toEqual([]);
    expect(new Set(outs.map((o) => o.body))).toEqual(new Set(Array.from({ length: TOTAL }, (_, i) => `out ${i}`)));
    expect(one<{ n: number }>(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status <> 'sent'`).n).toBe(0);
    expect(
      one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM whatsapp_outbox o WHERE NOT EXISTS
           (SELECT 1 FROM net.sim_messages s WHERE s.id = o.wa_id AND s.body = o.text)`,
      ).n,
    ).toBe(0);
    db.close();
  }, 120_000);
});
