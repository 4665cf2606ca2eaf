import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../shared/contract/whatsapp.js';
import { systemClock } from '../../main/core/clock.js';
import { RateLimiter } from '../../main/core/whatsapp/sender.js';
import { SimulatorNetwork, SimulatorTransport } from '../../main/core/whatsapp/simulator.js';
import { SendError } from '../../main/core/whatsapp/transport.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

const FAST = {
  LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
  LEXDESK_WHATSAPP_SEND_PER_MINUTE: '600000',
  LEXDESK_WHATSAPP_SEND_BURST: '1000',
  LEXDESK_WHATSAPP_RETRY_BASE_MS: '10',
  LEXDESK_WHATSAPP_SEND_ATTEMPTS: '3',
};
const ANA = '5511987654321@c.us';
const BEN = '4915112345678@c.us';

let cores: TestCore[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.dispose();
});

async function until<T>(fn: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A simulator whose sends fail as a script says: 'ok', 'transient', 'permanent', or 'lost-ack' (delivered, then an error). */
class ScriptedSimulator extends SimulatorTransport {
  script: ('ok' | 'transient' | 'permanent' | 'lost-ack')[] = [];
  calls = 0;
  override async sendText(chatId: string, text: string): Promise<string> {
    this.calls++;
    const step = this.script.shift() ?? 'ok';
    if (step === 'transient') throw new SendError('Evaluation failed: timeout', true);
    if (step === 'permanent') throw new SendError('invalid wid', false);
    const id = await super.sendText(chatId, text);
    if (step === 'lost-ack') throw new SendError('sending timed out', true);
    return id;
  }
}

async function scriptedCore(env: Record<string, string> = {}) {
  const dataDir = tempDir();
  const network = new SimulatorNetwork(join(dataDir, 'whatsapp', 'simulator.sqlite'), systemClock);
  network.linked = true;
  const transport = new ScriptedSimulator(network, { connectDelayMs: 1 });
  const core = await startTestCore({ dataDir, env: { ...FAST, ...env }, deps: { whatsappTransport: transport } });
  cores.push(core);
  await until(() => core.services.whatsapp.status().state, (s) => s === 'ready');
  return { core, transport, network, dataDir };
}

const outs = (network: SimulatorNetwork, chatId: string) =>
  network.chat(chatId.split('@')[0]!).filter((m) => m.direction === 'out');

describe('the durable outbox', () => {
  it('sends each chat in order, spaced, and every message once', async () => {
    const { core, network } = await scriptedCore({ LEXDESK_WHATSAPP_CHAT_SPACING_MS: '80' });
    const outbox = core.services.whatsapp.outbox;
    for (const text of ['one', 'two', 'three']) outbox.enqueue({ chatId: ANA, text });
    outbox.enqueue({ chatId: BEN, text: 'hallo' });
    await until(() => outbox.depth(), (n) => n === 0);
    const ana = outs(network, ANA);
    expect(ana.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(outs(network, BEN).map((m) => m.text)).toEqual(['hallo']);
    expect(ana[1]!.at - ana[0]!.at).toBeGreaterThanOrEqual(80);
    expect(ana[2]!.at - ana[1]!.at).toBeGreaterThanOrEqual(80);
    const rows = outbox.list({ status: 'sent' });
    expect(rows).toHaveLength(4);
    // WhatsApp's id is recorded with the row
    expect(rows.map((r) => r.waId).sort()).toEqual([...ana, ...outs(network, BEN)].map((m) => m.id).sort());
  });

  it('queues a message with a dedupe key only once', async () => {
    const { core, network } = await scriptedCore();
    const outbox = core.services.whatsapp.outbox;
    const first = outbox.enqueue({ chatId: ANA, text: 'Your summary', dedupeKey: 'summary:42' });
    const again = outbox.enqueue({ chatId: ANA, text: 'Your summary', dedupeKey: 'summary:42' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    await until(() => outbox.depth(), (n) => n === 0);
    expect(outs(network, ANA)).toHaveLength(1);
  });

  it('sends a document with its file name', async () => {
    const { core, network } = await scriptedCore();
    const pdf = Buffer.from('%PDF-1.7\n%fake but bytes\n');
    core.services.whatsapp.outbox.enqueue({ chatId: ANA, document: { data: pdf, fileName: 'intake-LX-0042.pdf' } });
    await until(() => core.services.whatsapp.outbox.depth(), (n) => n === 0);
    expect(outs(network, ANA)).toMatchObject([{ fileName: 'intake-LX-0042.pdf', mimetype: 'application/pdf' }]);
    const file = await network.readFile(outs(network, ANA)[0]!.id);
    expect(file).toMatchObject({ fileName: 'intake-LX-0042.pdf', mimetype: 'application/pdf' });
    expect(file!.data.equals(pdf)).toBe(true);
  });

  it('refuses a malformed chat or an empty text with invalid_input', async () => {
    const { core } = await scriptedCore();
    expect(() => core.services.whatsapp.outbox.enqueue({ chatId: 'robert@example.com', text: 'x' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(() => core.services.whatsapp.outbox.enqueue({ chatId: ANA, text: '' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('retries transient failures with back-off and sends once they pass', async () => {
    const { core, transport, network } = await scriptedCore();
    transport.script = ['transient', 'transient', 'ok'];
    const { id } = core.services.whatsapp.outbox.enqueue({ chatId: ANA, text: 'third time lucky' });
    await until(() => core.services.whatsapp.outbox.get(id)!.status, (s) => s === 'sent');
    expect(core.services.whatsapp.outbox.get(id)).toMatchObject({ attempts: 3, lastError: null });
    expect(outs(network, ANA)).toHaveLength(1);
    expect(core.services.whatsapp.stats()).toMatchObject({ sendErrors: 2, outboundSent: 1 });
  });

  it('does not send twice when a send reached WhatsApp but its answer was lost', async () => {
    const { core, transport, network } = await scriptedCore();
    transport.script = ['lost-ack'];
    const { id } = core.services.whatsapp.outbox.enqueue({ chatId: ANA, text: 'only once please' });
    await until(() => core.services.whatsapp.outbox.get(id)!.status, (s) => s === 'sent');
    expect(transport.calls).toBe(1);
    expect(outs(network, ANA)).toHaveLength(1);
    expect(core.services.whatsapp.outbox.get(id)!.waId).toBe(outs(network, ANA)[0]!.id);
    expect(core.services.whatsapp.stats().outboundReconciled).toBe(1);
  });

  it('fails a row at once on a permanent error, after N tries on transient ones, and an admin can retry it', async () => {
    const { core, transport, network } = await scriptedCore();
    const outbox = core.services.whatsapp.outbox;
    transport.script = ['permanent'];
    const bad = outbox.enqueue({ chatId: BEN, text: 'to a number not on WhatsApp' });
    await until(() => outbox.get(bad.id)!.status, (s) => s === 'failed');
    expect(outbox.get(bad.id)).toMatchObject({ attempts: 1, lastError: 'invalid wid' });

    transport.script = ['transient', 'transient', 'transient'];
    const flaky = outbox.enqueue({ chatId: ANA, text: 'flaky' });
    await until(() => outbox.get(flaky.id)!.status, (s) => s === 'failed');
    expect(outbox.get(flaky.id)).toMatchObject({ attempts: 3, lastError: 'Evaluation failed: timeout' });

    const admin = doorAs(core, 'admin');
    const failed = await admin.ok<{ rows: OutboxEntry[] }>('whatsapp.outbox.list', { status: 'failed' });
    expect(failed.rows.map((r) => r.id).sort()).toEqual([bad.id, flaky.id].sort());
    expect(failed.rows.find((r) => r.id === flaky.id)).toMatchObject({ number: '5511987654321', preview: 'flaky' });
    expect(core.services.whatsapp.stats()).toMatchObject({ failedInOutbox: 2, outboundFailed: 2 });

    const retried = await admin.ok<OutboxEntry>('whatsapp.outbox.retry', { id: flaky.id });
    expect(retried).toMatchObject({ status: 'pending', attempts: 0 });
    await until(() => outbox.get(flaky.id)!.status, (s) => s === 'sent');
    expect(outs(network, ANA).map((m) => m.text)).toEqual(['flaky']);

    // only failed rows can be retried; unknown ones are not found
    expect(await admin.call('whatsapp.outbox.retry', { id: flaky.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await admin.call('whatsapp.outbox.retry', { id: 9999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await doorAs(core, 'lawyer').call('whatsapp.outbox.retry', { id: bad.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('holds messages while the link is down and sends them after it reconnects', async () => {
    const { core, transport, network } = await scriptedCore({ LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '50' });
    transport.drop();
    const { id } = core.services.whatsapp.outbox.enqueue({ chatId: ANA, text: 'after the storm' });
    await new Promise((r) => setTimeout(r, 20));
    expect(outs(network, ANA)).toHaveLength(0);
    await until(() => core.services.whatsapp.outbox.get(id)!.status, (s) => s === 'sent');
    expect(core.services.whatsapp.status()).toMatchObject({ state: 'ready', reconnects: 1 });
  });
});

describe('the outbox after a crash', () => {
  /** What a crash between "sending" and "sent" leaves: a row in flight. */
  async function crashWithRowInFlight(delivered: boolean) {
    const dataDir = tempDir();
    const first = await startTestCore({ dataDir, env: FAST });
    cores.push(first);
    const whatsapp = first.services.whatsapp;
    await whatsapp.stop(); // the link is gone; the row stays queued
    const { id } = whatsapp.outbox.enqueue({ chatId: ANA, text: 'in flight' });
    const network = whatsapp.simulator!.network;
    const now = Date.now();
    first.services.store.sqlite
      .prepare(`UPDATE whatsapp_outbox SET status = 'sending', attempts = 1, uncertain_since = ? WHERE id = ?`)
      .run(now, id);
    if (delivered) {
      network.officeSend(ANA, { text: 'in flight' });
    }
    network.close();
    await first.dispose();
    cores = cores.filter((c) => c !== first);

    const second = await startTestCore({ dataDir, env: FAST });
    cores.push(second);
    await until(() => second.services.whatsapp.outbox.get(id)!.status, (s) => s === 'sent');
    return { second, id, network: second.services.whatsapp.simulator!.network };
  }

  it('settles a row whose send had arrived, without sending it again', async () => {
    const { second, id, network } = await crashWithRowInFlight(true);
    const sent = outs(network, ANA);
    expect(sent).toHaveLength(1);
    expect(second.services.whatsapp.outbox.get(id)).toMatchObject({ status: 'sent', waId: sent[0]!.id, attempts: 1 });
  });

  it('sends a row whose send had not arrived, once', async () => {
    const { second, id, network } = await crashWithRowInFlight(false);
    expect(outs(network, ANA)).toHaveLength(1);
    expect(second.services.whatsapp.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('the send-rate limit', () => {
  it('allows a burst, then one message per interval', () => {
    const limiter = new RateLimiter(60, 2, 0);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(0)).toBe(1000);
    expect(limiter.take(500)).toBe(500);
    expect(limiter.take(1000)).toBe(0);
    // idle time refills up to the burst, not beyond
    expect(limiter.take(60_000)).toBe(0);
    expect(limiter.take(60_000)).toBe(0);
    expect(limiter.take(60_000)).toBeGreaterThan(0);
  });
});
