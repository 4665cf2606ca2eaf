// A LexDesk core with the WhatsApp simulator, in a child process that a test can
// SIGKILL: 50 simulated clients send `total` messages while the office sends
// `total` replies; a ledger consumer records each message it processes. Started
// again on the same data folder, it carries on where the dead one stopped.
//   node --import tsx tests/support/whatsapp-burst-child.ts <dataDir> <total>
// Prints one JSON line per progress step: {"processed": n, "sent": n}, then "done".
import { writeSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createCore } from '../../main/core/app.js';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';

const [dataDir, totalArg] = process.argv.slice(2);
const total = Number(totalArg ?? 2000);
const CLIENTS = 50;
const number = (i: number) => `55119${String(10_000_000 + (i % CLIENTS)).slice(-8)}`;

const config = loadConfig({
  face: 'headless',
  env: {
    LEXDESK_DATA_DIR: dataDir!,
    LEXDESK_WHATSAPP: 'simulator',
    LEXDESK_SIMULATOR_PAIRED: 'true',
    // fast enough for a test, slow enough that a kill lands in the middle
    LEXDESK_WHATSAPP_SEND_PER_MINUTE: '60000',
    LEXDESK_WHATSAPP_SEND_BURST: '20',
    LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
    // WhatsApp confirms a send a moment after it has the message: a kill can land in between
    LEXDESK_SIMULATOR_SEND_LATENCY_MS: '2',
  },
  envFile: null,
});
// the link on its own: this test's consumer answers, not the bot
const core = createCore(config, { log: silentLogger, withoutBot: true });
await core.start();
const { whatsapp, store } = core.services;
const simulator = whatsapp.simulator!;

store.sqlite.exec('CREATE TABLE IF NOT EXISTS burst_processed (wa_id TEXT NOT NULL, at INTEGER NOT NULL)');
const processedCount = () => (store.sqlite.prepare('SELECT COUNT(*) AS n FROM burst_processed').get() as { n: number }).n;
const sentCount = () =>
  (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM whatsapp_outbox WHERE status = 'sent'`).get() as { n: number }).n;

whatsapp.ledger.consume('burst', (message, { commit }) => {
  commit(() => store.prepare('INSERT INTO burst_processed (wa_id, at) VALUES (?, ?)').run(message.id, Date.now()));
});

let last = '';
const report = setInterval(() => {
  const line = JSON.stringify({ processed: processedCount(), sent: sentCount() });
  if (line !== last) writeSync(1, `${line}\n`);
  last = line;
}, 20);

while (whatsapp.status().state !== 'ready') await new Promise((r) => setTimeout(r, 10));

const alreadyFromClients = (
  simulator.network.db.prepare(`SELECT COUNT(*) AS n FROM sim_messages WHERE direction = 'in'`).get() as { n: number }
).n;
for (let i = 0; i < total; i++) {
  // a reply per message, queued idempotently (a restart queues the same keys again)
  whatsapp.outbox.enqueue({ chatId: `${number(i)}@c.us`, text: `out ${i}`, dedupeKey: `burst-out-${i}` });
  if (i >= alreadyFromClients) simulator.clientSend(number(i), `Client ${i % CLIENTS}`, `in ${i}`);
  if (i % 2 === 1) await new Promise((r) => setTimeout(r, 1));
}

for (;;) {
  if (processedCount() >= total && sentCount() >= total) break;
  await yieldToLoop();
  await new Promise((r) => setTimeout(r, 5));
}
clearInterval(report);
writeSync(1, `${JSON.stringify({ processed: processedCount(), sent: sentCount() })}\ndone\n`);
await core.stop();
process.exit(0);
