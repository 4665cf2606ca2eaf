import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionGrant } from '../../shared/contract/auth.js';
import type { Role } from '../../shared/permissions.js';
import { createUser } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { readEvents, serveHttp, type EventReader } from '../support/http.js';

let core: TestCore;
let app: FastifyInstance;
let base: string;
const readers: EventReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.stop();
  await app?.close();
  await core?.dispose();
});

async function start() {
  core = await startTestCore();
  ({ app, base } = await serveHttp(core));
}

async function rpc<T>(name: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${base}/api/rpc/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { ok: boolean; value: T; error?: { code: string } };
  if (!answer.ok) throw new Error(`${name}: ${answer.error?.code}`);
  return answer.value;
}

/** A staff member signed in over HTTP, and the event stream their screens would open. */
async function signedIn(role: Role, options: { mustChangePassword?: boolean } = {}) {
  const user = await createUser(core, { role, ...options });
  const grant = await rpc<SessionGrant>('auth.login', { username: user.username, password: user.password });
  const stream = readEvents(base, grant.accessToken);
  readers.push(stream);
  await stream.connected;
  return { user, grant, stream, types: () => stream.events.map((e) => e.type) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const endedSessions = (stream: EventReader) =>
  stream.events.flatMap((e) => (e.type === 'auth.session.ended' ? [e.data.sessionId] : []));

describe('who receives which event over the event stream', () => {
  it('the end of another user\'s session reaches admins only; a user who must change the password receives nothing but its own session\'s end', async () => {
    await start();
    const admin = await signedIn('admin');
    const lawyer = await signedIn('lawyer');
    // an admin role, to show that the temporary password, not the role, decides
    const limited = await signedIn('admin', { mustChangePassword: true });
    const colleague = await signedIn('lawyer');

    await rpc('users.sessions.revoke', { sessionId: colleague.grant.sessionId }, admin.grant.accessToken);
    const events = core.services.events;
    events.emit('inbox.changed', { conversationId: 7, reason: 'message' });
    events.emit('monitoring.alert', { id: 1, ruleId: 'backup.overdue', state: 'firing', title: 'Backups are overdue', severity: 'warning' });
    events.emit('backup.finished', { jobId: 'j1', operation: 'backup', outcome: 'ok', id: 'b1', message: null });
    events.emit('system.stopping', { reason: 'test' });
    await until(() => admin.types().includes('system.stopping') && lawyer.types().includes('system.stopping'), 'the last event');

    // the colleague's own stream heard of its end and closed
    await colleague.stream.ended;
    expect(endedSessions(colleague.stream)).toEqual([colleague.grant.sessionId]);

    expect(endedSessions(admin.stream)).toEqual([colleague.grant.sessionId]);
    expect(admin.types()).toEqual(['auth.session.ended', 'inbox.changed', 'monitoring.alert', 'backup.finished', 'system.stopping']);
    expect(lawyer.types()).toEqual(['inbox.changed', 'monitoring.alert', 'system.stopping']);

    // the limited stream: its own end comes through, and closes it, after nothing else
    await rpc('users.sessions.revoke', { sessionId: limited.grant.sessionId }, admin.grant.accessToken);
    await limited.stream.ended;
    expect(limited.stream.events).toEqual([
      { type: 'auth.session.ended', at: expect.any(String), data: { sessionId: limited.grant.sessionId } },
    ]);
    await until(() => endedSessions(admin.stream).length === 2, 'the admin to hear of the second end');
    expect(endedSessions(admin.stream)).toEqual([colleague.grant.sessionId, limited.grant.sessionId]);
    expect(endedSessions(lawyer.stream)).toEqual([]);
  });

  it('once the temporary password is changed, the same stream receives what the role allows', async () => {
    await start();
    const limited = await signedIn('lawyer', { mustChangePassword: true });
    core.services.events.emit('inbox.changed', { conversationId: 1, reason: 'message' });
    await rpc('auth.changePassword', { current: limited.user.password, next: 'Brand new harbor lantern 58' }, limited.grant.accessToken);
    core.services.events.emit('inbox.changed', { conversationId: 2, reason: 'message' });
    await until(() => limited.stream.events.length > 0, 'an event after the change');
    expect(limited.stream.events).toMatchObject([{ type: 'inbox.changed', data: { conversationId: 2 } }]);
  });
});
