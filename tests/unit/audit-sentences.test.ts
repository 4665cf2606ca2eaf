import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../../shared/contract/audit.js';
import { OPERATION_NAMES } from '../../shared/contract/index.js';
import { auditSentence, isReadAction, READ_ACTIONS, type SentenceNames } from '../../main/core/audit/sentences.js';

const names: SentenceNames = {
  user: (id) => ({ u1: 'Ana Souza', u2: 'Maria Lopes', u3: 'Bruno Lima' })[id] ?? null,
  client: (id) => ({ '4': 'José Núñez' })[id] ?? null,
  conversation: (id) => ({ '7': 'José Núñez' })[id] ?? null,
  matter: (id) => ({ '3': '2026-0007' })[id] ?? null,
  document: (id) => ({ '12': 'contrato.pdf' })[id] ?? null,
};

function row(action: string, over: Partial<AuditRow> = {}): AuditRow {
  return {
    id: 1,
    at: '2026-12-01T10:00:00.000Z',
    actor: { type: 'user', id: 'u1', name: 'asouza', role: 'assistant' },
    face: 'desktop',
    action,
    target: null,
    outcome: 'ok',
    errorCode: null,
    details: {},
    sessionId: null,
    address: null,
    requestId: null,
    prevHash: '0',
    hash: '1',
    ...over,
  };
}

const conversation = { type: 'conversation', id: '7' };

describe('audit rows as sentences', () => {
  it.each([
    [row('inbox.reply', { target: conversation }), 'Ana Souza replied to José Núñez'],
    [row('inbox.takeOver', { target: conversation }), 'Ana Souza took over the conversation with José Núñez'],
    [row('inbox.handBack', { target: conversation }), 'Ana Souza handed the conversation with José Núñez back to the bot'],
    [row('inbox.sendDocument', { target: conversation, details: { fileName: 'contrato.pdf' } }), 'Ana Souza sent contrato.pdf to José Núñez'],
    [row('inbox.assign', { target: conversation, details: { input: { userId: 'u3' } } }), 'Ana Souza gave the conversation with José Núñez to Bruno Lima'],
    [row('matters.update', { actor: { type: 'user', id: 'u3', name: 'blima', role: 'lawyer' }, target: { type: 'matter', id: '3' } }), 'Bruno Lima updated matter 2026-0007'],
    [row('conflicts.clear', { actor: { type: 'user', id: 'u3', name: 'blima', role: 'lawyer' }, target: { type: 'matter', id: '3' } }), 'Bruno Lima cleared a possible conflict on matter 2026-0007'],
    [row('documents.open', { target: { type: 'document', id: '12' }, details: { disposition: 'attachment' } }), 'Ana Souza downloaded "contrato.pdf"'],
    [row('backup.restored', { actor: { type: 'user', id: 'u2', name: 'mlopes', role: 'admin' }, details: { backupCreatedAt: `${new Date().getUTCFullYear()}-11-30T02:00:00Z` } }), 'Maria Lopes restored the backup of 30 Nov'],
    [row('backup.restore', { actor: { type: 'user', id: 'u2', name: 'mlopes', role: 'admin' }, details: { input: { id: '20251130T020000Z-manual-a1b2' } } }), 'Maria Lopes restored the backup of 30 Nov 2025'],
    [row('clients.exportData', { target: { type: 'client', id: '4' }, details: { delivered: 'whatsapp' } }), 'Ana Souza sent José Núñez a copy of their data on WhatsApp'],
    [row('clients.exportData', { target: { type: 'client', id: '4' }, details: { delivered: 'save' } }), 'Ana Souza made a copy of the data of José Núñez'],
    [row('clients.erase', { actor: { type: 'user', id: 'u2', name: 'mlopes', role: 'admin' }, target: { type: 'client', id: '9' } }), 'Maria Lopes erased the data of client 9'],
    [row('evidence.export', { actor: { type: 'user', id: 'u3', name: 'blima', role: 'lawyer' }, target: conversation }), 'Bruno Lima exported evidence of the conversation with José Núñez'],
    [row('users.create', { actor: { type: 'user', id: 'u2', name: 'mlopes', role: 'admin' }, target: { type: 'user', id: 'u1' } }), 'Maria Lopes created the account of Ana Souza'],
    [row('auth.login', { actor: { type: 'anonymous', id: null, name: null, role: null }, target: { type: 'user', id: 'u1' } }), 'Ana Souza signed in'],
    [row('security.login.failed', { actor: { type: 'anonymous', id: null, name: 'mallory', role: null } }), 'A sign-in as "mallory" failed'],
    [row('system.started', { actor: { type: 'system', id: null, name: null, role: null } }), 'LexDesk started'],
    [row('audit.verify', { actor: { type: 'cli', id: null, name: 'it', role: null }, details: { intact: true } }), 'IT at the command line (it) checked the audit trail: intact'],
  ])('%#: %s', (r, sentence) => {
    expect(auditSentence(r, names)).toBe(sentence);
  });

  it('says when the action was refused or failed', () => {
    expect(auditSentence(row('backup.restore', { outcome: 'denied', errorCode: 'forbidden' }), names)).toBe('Ana Souza restored the backup (refused)');
    expect(auditSentence(row('inbox.reply', { target: conversation, outcome: 'error' }), names)).toBe('Ana Souza replied to José Núñez (failed)');
  });

  it('names a client, a matter or a person that is gone by its id, and any other action plainly', () => {
    expect(auditSentence(row('inbox.reply', { target: { type: 'conversation', id: '99' } }), names)).toBe('Ana Souza replied to conversation 99');
    expect(auditSentence(row('some.newThing', { target: { type: 'data_request', id: '5' } }), names)).toBe('Ana Souza: some new thing (data request 5)');
    expect(auditSentence(row('inbox.reply', { actor: { type: 'user', id: 'gone', name: 'olduser', role: 'assistant' }, target: conversation }), names)).toBe(
      'olduser replied to José Núñez',
    );
  });

  it('tells reads (views, downloads, searches, exports) from changes', () => {
    for (const read of ['inbox.list', 'inbox.thread', 'matters.get', 'documents.open', 'audit.search', 'audit.export', 'evidence.export', 'clients.list']) {
      expect(isReadAction(read), read).toBe(true);
      expect(READ_ACTIONS).toContain(read);
    }
    for (const change of ['inbox.reply', 'matters.update', 'clients.exportData', 'dataRequests.resolve', 'backup.restore', 'users.create', 'auth.login', 'security.login.failed']) {
      expect(isReadAction(change), change).toBe(false);
    }
    // every read is an operation or event LexDesk records
    expect(READ_ACTIONS.filter((a) => !OPERATION_NAMES.includes(a as never) && a !== 'audit.export.delivered')).toEqual([]);
  });
});
