import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, TEST_BACKUP_KEK } from '../support/server.js';
import { sqlite3 } from '../support/backup.js';

const CLI = join(REPO_ROOT, 'dist', 'main', 'cli', 'index.js');

function lexdesk(dataDir: string, args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, LEXDESK_DATA_DIR: dataDir, LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK },
    cwd: dataDir,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// an iPhone in US English, the client saved under a nickname on the lawyer's phone
const CHAT = ['[3/4/24, 9:41:30\u202fAM] Aninha: Hi, I got a letter from the landlord', '[3/4/24, 12:02:11\u202fPM] Rui Lima: Please send it over'].join('\r\n');

describe('lexdesk import chat', { timeout: 120_000 }, () => {
  it("puts an exported chat into the client's conversation, asks which author is the client when it cannot tell, audits it, and imports nothing twice", () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    const db = join(dataDir, 'lexdesk.sqlite');
    sqlite3(db, "INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES ('5511987654321', 'Ana Souza', 'ana souza', '2024-01-01', '2024-01-01')");
    const file = join(dataDir, 'WhatsApp Chat with Aninha.txt');
    writeFileSync(file, CHAT);

    const unknown = lexdesk(dataDir, ['import', 'chat', file, '--client', '+55 11 98765-4321']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('which of "Aninha", "Rui Lima" is the client? Say it with --as "Name"');

    const noClient = lexdesk(dataDir, ['import', 'chat', file, '--client', '5511000000000', '--as', 'Aninha']);
    expect(noClient.stderr).toContain('no client has the WhatsApp number 5511000000000');

    const done = lexdesk(dataDir, ['import', 'chat', file, '--client', '5511987654321', '--as', 'Aninha', '--language', 'en']);
    expect(done.stderr).toBe('');
    expect(done.stdout).toMatch(/^2 messages imported into conversation \d+\n$/);
    expect(sqlite3(db, "SELECT direction || ' ' || author || ' ' || text FROM conversation_messages ORDER BY id").split('\n')).toEqual([
      'in client Hi, I got a letter from the landlord',
      'out staff Please send it over',
    ]);
    expect(sqlite3(db, "SELECT outcome FROM audit_log WHERE action = 'import.chat' ORDER BY at DESC LIMIT 1")).toBe('ok');

    const again = lexdesk(dataDir, ['import', 'chat', file, '--client', '5511987654321', '--as', 'Aninha']);
    expect(again.stdout).toContain('0 messages imported');
    expect(again.stdout).toContain('already imported: 2');
  });

  it("takes the .zip a phone exports with media: the chat's files go into the document store with their messages", () => {
    const dataDir = tempDir();
    expect(lexdesk(dataDir, ['migrate']).status).toBe(0);
    const db = join(dataDir, 'lexdesk.sqlite');
    sqlite3(db, "INSERT INTO clients (whatsapp, name, name_key, created_at, updated_at) VALUES ('5511987654321', 'Ana Souza', 'ana souza', '2024-01-01', '2024-01-01')");
    const src = join(dataDir, 'export');
    mkdirSync(src);
    const photo = '00000002-PHOTO-2024-03-04-09-42-00.jpg';
    writeFileSync(join(src, '_chat.txt'), ['[04/03/2024, 09:41:30] Ana Souza: Segue a foto da carta', `[04/03/2024, 09:42:00] Ana Souza: <anexado: ${photo}>`].join('\n'));
    // a 1×1 PNG
    writeFileSync(join(src, photo), Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082', 'hex'));
    const zip = join(dataDir, 'WhatsApp Chat - Ana Souza.zip');
    execFileSync('zip', ['-q', '-j', zip, join(src, '_chat.txt'), join(src, photo)]);

    const dry = lexdesk(dataDir, ['import', 'chat', zip, '--client', '5511987654321', '--dry-run']);
    expect(dry.stdout).toMatch(/^Dry run \(nothing was changed\): 2 messages to import into conversation \d+, 1 files to store\n$/);
    expect(sqlite3(db, 'SELECT count(*) FROM documents')).toBe('0');

    const done = lexdesk(dataDir, ['import', 'chat', zip, '--client', '5511987654321']);
    expect(done.stderr).toBe('');
    expect(done.stdout).toMatch(/^2 messages imported into conversation \d+, 1 files into the document store\n$/);
    expect(sqlite3(db, "SELECT m.file_name || ' ' || d.detected_type || ' ' || d.source FROM conversation_messages m JOIN documents d ON d.id = m.document_id")).toBe(
      `${photo} image/png client`,
    );
  });
});
