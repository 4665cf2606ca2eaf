import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/server.js';

const CHILD = join(REPO_ROOT, 'tests', 'support', 'soak-child.ts');
/** each cycle is SIGKILLed after this many progress lines (100 ms apart): early, during the backup, late */
const KILL_AFTER = [4, 10, 17, 25, 33];

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Run {
  lines: Record<string, unknown>[];
  killed: boolean;
  done: boolean;
}

function runChild(args: string[], killAfter: number | null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let killed = false;
    let done = false;
    let pending = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        if (part === 'done') done = true;
        if (!part.startsWith('{')) continue;
        lines.push(JSON.parse(part) as Record<string, unknown>);
        if (!killed && killAfter !== null && lines.length >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if ((killed && signal === 'SIGKILL') || code === 0) return resolve({ lines, killed: killed && signal === 'SIGKILL', done });
      reject(new Error(`soak child exited with ${code ?? signal}:\n${errors}`));
    });
  });
}

/** Clients write while LexDesk is down: WhatsApp keeps the messages, the catch-up brings them in. */
function clientsWriteWhileDown(dataDir: string, cycle: number): void {
  const net = new Database(join(dataDir, 'whatsapp', 'simulator.sqlite'));
  const insert = net.prepare(`INSERT INTO sim_messages (id, chat_id, direction, name, body, at) VALUES (?, ?, 'in', ?, ?, ?)`);
  for (let c = 0; c < 3; c++) {
    const chatId = `55${String(cycle).padStart(2, '0')}9${String(10_000_000 + c).slice(-8)}@c.us`;
    insert.run(`false_${chatId}_SIM${randomBytes(8).toString('hex').toUpperCase()}`, chatId, `Client ${cycle}-${c}`, 'hello, are you there?', Date.now());
  }
  net.close();
}

describe('kill -9 soak', () => {
  it('five SIGKILLs in the middle of WhatsApp traffic, the bot and a backup: nothing lost, nothing sent twice, nothing corrupted', async () => {
    const dataDir = tempDir();
    const cycles: { killed: boolean; last: unknown }[] = [];
    for (let cycle = 1; cycle <= KILL_AFTER.length; cycle++) {
      const run = await runChild([dataDir, 'burst', String(cycle)], KILL_AFTER[cycle - 1]!);
      cycles.push({ killed: run.killed, last: run.lines.at(-1) });
      clientsWriteWhileDown(dataDir, cycle);
    }
    console.info('cycles:', JSON.stringify(cycles));
    // the kills landed: a run that finished before its kill would make the soak a plain run
    expect(cycles.filter((c) => c.killed).length).toBeGreaterThanOrEqual(4);

    const final = await runChild([dataDir, 'final'], null);
    expect(final.done).toBe(true);
    const result = final.lines.find((l) => l.final)?.final as { auditIntact: boolean; verified: number; backups: number; failedVerify: string[] };
    console.info('final run:', JSON.stringify(result));

    const db = new Database(join(dataDir, 'lexdesk.sqlite'), { readonly: true });
    db.prepare('ATTACH DATABASE ? AS net').run(join(dataDir, 'whatsapp', 'simulator.sqlite'));
    const n = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;

    const clientMessages = n(`SELECT COUNT(*) AS n FROM net.sim_messages WHERE direction = 'in'`);
    const lost = n(
      `SELECT COUNT(*) AS n FROM net.sim_messages s WHERE s.direction = 'in'
         AND NOT EXISTS (SELECT 1 FROM whatsapp_inbound i WHERE i.wa_id = s.id)`,
    );
    const duplicates = {
      // an inbound message stored twice
      inbound: n(`SELECT SUM(c - 1) AS n FROM (SELECT COUNT(*) AS c FROM whatsapp_inbound GROUP BY wa_id HAVING c > 1)`),
      // one reply (one dedupe key) queued and sent twice
      outboxKey: n(`SELECT SUM(c - 1) AS n FROM (SELECT COUNT(*) AS c FROM whatsapp_outbox WHERE status = 'sent' AND dedupe_key IS NOT NULL GROUP BY dedupe_key HAVING c > 1)`),
      // two outbox messages claiming the same WhatsApp message
      outboxWaId: n(`SELECT SUM(c - 1) AS n FROM (SELECT COUNT(*) AS c FROM whatsapp_outbox WHERE wa_id IS NOT NULL GROUP BY wa_id HAVING c > 1)`),
      // a message on the client's phone that no outbox message accounts for: a second copy of a reply
      onThePhone: n(
        `SELECT COUNT(*) AS n FROM net.sim_messages s WHERE s.direction = 'out'
           AND NOT EXISTS (SELECT 1 FROM whatsapp_outbox o WHERE o.wa_id = s.id AND o.status = 'sent')`,
      ),
    };
    const counts = {
      clientMessages,
      stored: n('SELECT COUNT(*) AS n FROM whatsapp_inbound'),
      outboxSent: n(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'sent'`),
      outboxNotSent: n(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status <> 'sent'`),
      onThePhone: n(`SELECT COUNT(*) AS n FROM net.sim_messages WHERE direction = 'out'`),
      matters: n('SELECT COUNT(*) AS n FROM matters'),
    };
    db.close();
    const duplicated = Object.values(duplicates).reduce((a, b) => a + b, 0);

    const integrity = execFileSync('sqlite3', [join(dataDir, 'lexdesk.sqlite'), 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim();
    const corruption = {
      database: integrity === 'ok' ? 0 : 1,
      audit: result.auditIntact ? 0 : 1,
      backups: result.failedVerify.length,
    };
    const corrupted = Object.values(corruption).reduce((a, b) => a + b, 0);

    console.info('counts:', JSON.stringify(counts), 'duplicates:', JSON.stringify(duplicates), 'corruption:', JSON.stringify(corruption));
    console.info(`soak: cycles ${cycles.length}, lost ${lost}, duplicated ${duplicated}, corrupted ${corrupted}`);

    // the traffic was real: every cycle's clients wrote, matters were opened, backups were made
    expect(clientMessages).toBeGreaterThan(KILL_AFTER.length * 3);
    expect(counts.outboxSent).toBeGreaterThan(0);
    expect(result.verified).toBeGreaterThan(0);
    expect({ lost, duplicated, corrupted }).toEqual({ lost: 0, duplicated: 0, corrupted: 0 });
    // a failed soak leaves its folder behind, to be looked at
    rmSync(dataDir, { recursive: true, force: true });
  }, 240_000);
});
