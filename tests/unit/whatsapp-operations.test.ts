import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../shared/contract/whatsapp.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the WhatsApp operations through the door', () => {
  it('shows the QR to an admin, pairs, and a client message is stored and answered', async () => {
    core = await startTestCore({ env: { LEXDESK_SIMULATOR_PAIRED: 'false', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' } });
    const admin = doorAs(core, 'admin');
    const status = await until(
      () => admin.ok<WhatsAppStatus>('whatsapp.status'),
      (s) => s.state === 'qr',
    );
    expect(status.qr).toMatch(/^lexdesk-simulator:/);
    expect(status.transport).toBe('simulator');

    // an assistant may see the state but never the QR
    const assistant = await doorAs(core, 'assistant').ok<WhatsAppStatus>('whatsapp.status');
    expect(assistant.state).toBe('qr');
    expect(assistant.qr).toBeNull();

    expect(await admin.ok('simulator.pair')).toEqual({ state: 'ready' });
    const sent = await admin.ok<{ id: string; delivered: boolean }>('simulator.clientSend', {
      from: '5511987654321',
      name: 'Ana',
      text: 'Hello',
    });
    expect(sent.delivered).toBe(true);
    expect(core.services.whatsapp.ledger.get(sent.id)).toMatchObject({ from: '5511987654321', pushName: 'Ana', text: 'Hello' });

    core.services.whatsapp.outbox.enqueue({ chatId: '5511987654321@c.us', text: 'Welcome to the office' });
    const inbox = await until(
      () => admin.ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: '5511987654321' }),
      (v) => v.messages.length === 1,
    );
    expect(inbox.messages[0]!.text).toBe('Welcome to the office');
  });
});
