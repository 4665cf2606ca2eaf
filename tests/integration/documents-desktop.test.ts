import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withDesktopDocuments } from '../../main/electron/documents.js';
import { silentLogger } from '../../main/core/log.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { signedInAs } from '../support/auth.js';
import { tempDir } from '../support/server.js';

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

describe("the desktop's file dialog", () => {
  it('streams the chosen file into the store through the door, and carries bytes back for the screen', async () => {
    core = await startTestCore({ face: 'desktop' });
    const now = new Date().toISOString();
    core.services.store.sqlite.exec(`INSERT INTO conversations (id, chat_id, whatsapp, mode, state, last_activity_at, created_at) VALUES (1, '5511999000111@c.us', '5511999000111', 'bot', '{}', '${now}', '${now}')`);
    const assistant = await signedInAs(core, 'assistant', { face: 'desktop' });
    const file = join(tempDir(), 'Procuração.pdf');
    const bytes = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n');
    writeFileSync(file, bytes);
    const chosen: { canceled: boolean; filePaths: string[] }[] = [{ canceled: true, filePaths: [] }, { canceled: false, filePaths: [file] }, { canceled: false, filePaths: [file] }];
    const shown: string[] = [];
    // shaped like Electron's dialog.showOpenDialog
    const door = withDesktopDocuments(core.dispatcher, {
      dialog: { showOpenDialog: async (options) => (shown.push(options.title), chosen.shift()!) },
      documents: () => core!.services.documents.store,
      log: silentLogger,
    });
    expect(await door.dispatch('documents.upload', { conversationId: 1 }, assistant.context)).toMatchObject({ ok: false, error: { details: { reason: 'cancelled' } } });
    const uploaded = await door.dispatch('documents.upload', { conversationId: 1 }, assistant.context);
    expect(uploaded).toMatchObject({ ok: true, value: { fileName: 'Procuração.pdf', size: bytes.length, detectedType: 'application/pdf', source: 'staff' } });
    expect(shown).toEqual(['Choose a file to send', 'Choose a file to send']);
    const id = (uploaded as { value: { id: number } }).value.id;
    const opened = await door.dispatch('documents.open', { documentId: id, disposition: 'inline' }, assistant.context);
    expect(opened).toMatchObject({ ok: true, value: { contentType: 'application/pdf' } });
    expect(Buffer.from((opened as { value: { base64: string } }).value.base64, 'base64').equals(bytes)).toBe(true);
    // without a token the dialog's file is refused before it is read
    expect(await door.dispatch('documents.upload', { conversationId: 1 }, { face: 'desktop' })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(core.services.store.sqlite.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 1 });
  });
});
