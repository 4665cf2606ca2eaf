import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { redact } from '../../main/core/audit/redact.js';
import { operations, withoutSensitive, type OperationName } from '../../shared/contract/index.js';

/**
 * An erasure cannot rewrite the tamper-evident audit trail, so what a client or
 * staff wrote must never have gone into it: the door stores each call's input
 * without its sensitive fields, then redacted by field name.
 */
const PHRASE = 'zebra-quokka-7731';
const CALLS: [OperationName, Record<string, unknown>][] = [
  ['inbox.reply', { conversationId: 1, text: PHRASE }],
  ['inbox.addNote', { conversationId: 1, text: PHRASE }],
  ['matters.addNote', { matterId: 1, text: PHRASE }],
  ['simulator.clientSend', { from: '351910000001', text: PHRASE }],
  ['clients.erase', { clientId: 1, reason: 'asked', password: PHRASE }],
];

describe('the audit record of a call', () => {
  it.each(CALLS)('%s keeps no message text', (name, input) => {
    const stored = JSON.stringify(redact(withoutSensitive(operations[name].input as z.ZodType, input)));
    expect(stored).not.toContain(PHRASE);
    expect(stored).toContain('[redacted]');
  });
});
