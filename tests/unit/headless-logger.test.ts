import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHeadlessLogger, LOG_CATEGORIES } from '../../main/headless/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createHeadlessLogger('debug', stream) };
}

describe('the headless JSON log', () => {
  it('gives every line a category by the component that wrote it', () => {
    const { lines, log } = capture();
    log.child({ component: 'auth' }).warn({ username: 'm•••a' }, 'sign-in refused');
    log.child({ component: 'whatsapp' }).info({ delayMs: 2000 }, 'WhatsApp will reconnect');
    log.child({ component: 'backup' }).error({}, 'backup failed');
    log.child({ component: 'audit' }).info({}, 'chain verified');
    log.child({ component: 'http' }).debug({ status: 200 }, 'request');
    log.info({}, 'LexDesk listening');
    log.child({ component: 'dispatch' }).warn({ category: 'security' }, 'refused');
    expect(lines.map((l) => l.category)).toEqual(['security', 'whatsapp', 'backup', 'audit', 'http', 'monitoring', 'security']);
    for (const line of lines) expect(LOG_CATEGORIES).toContain(line.category);
    expect(lines[1]).toMatchObject({ app: 'lexdesk', component: 'whatsapp', msg: 'WhatsApp will reconnect', delayMs: 2000 });
  });

  it('never writes a secret or a message body', () => {
    const { lines, log } = capture();
    const bot = log.child({ component: 'bot' });
    bot.info({ message: { body: 'my divorce papers', from: '5511999990000' }, text: 'hello' }, 'message received');
    log.child({ component: 'auth' }).info({ password: 'Ample lantern', token: 'eyJhbGci', user: { refreshToken: 'r1' }, authorization: 'Bearer x' }, 'x');
    log.child({ component: 'whatsapp' }).info({ qr: '2@abc' }, 'qr');
    const all = JSON.stringify(lines);
    for (const secret of ['my divorce papers', 'hello', 'Ample lantern', 'eyJhbGci', 'r1', 'Bearer x', '2@abc']) expect(all).not.toContain(secret);
    expect(all).toContain('[redacted]');
  });
});
