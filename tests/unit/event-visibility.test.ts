import { describe, expect, it } from 'vitest';
import { EVENT_ACCESS, type EventType, type ServerEvent } from '../../shared/events.js';
import { roleAllows, ROLES, type Role } from '../../shared/permissions.js';
import { MUST_CHANGE_PASSWORD_OPERATIONS } from '../../main/core/auth/service.js';
import type { Principal } from '../../main/core/dispatch.js';
import { visibleTo } from '../../main/core/events.js';

const at = '2026-03-01T08:00:00.000Z';

function viewer(role: Role, options: { sessionId?: string; mustChangePassword?: boolean } = {}): Principal {
  return {
    userId: `u-${role}`,
    username: role,
    displayName: role,
    role,
    sessionId: options.sessionId ?? `s-${role}`,
    ...(options.mustChangePassword ? { allowedOperations: MUST_CHANGE_PASSWORD_OPERATIONS } : {}),
  };
}

const ended = (sessionId: string): ServerEvent => ({ type: 'auth.session.ended', at, data: { sessionId } });

/** One event of every type, so that a new type cannot slip past these tests. */
const ONE_OF_EACH: Record<EventType, ServerEvent> = {
  'system.stopping': { type: 'system.stopping', at, data: { reason: 'restart' } },
  'audit.export.progress': { type: 'audit.export.progress', at, data: { exportId: 'e', state: 'running', rows: 1, fraction: null } },
  'audit.verified': { type: 'audit.verified', at, data: { intact: true, rows: 3, brokenAt: null, message: 'ok' } },
  'inbox.changed': { type: 'inbox.changed', at, data: { conversationId: 1, reason: 'message' } },
  'matters.changed': { type: 'matters.changed', at, data: { matterId: 1 } },
  'backup.progress': { type: 'backup.progress', at, data: { jobId: 'j', operation: 'backup', step: 'copy', label: 'Copying', percent: 10, kind: 'manual' } },
  'backup.finished': { type: 'backup.finished', at, data: { jobId: 'j', operation: 'backup', outcome: 'ok', id: 'b', message: null } },
  'auth.session.ended': ended('someone-else'),
  'monitoring.alert': { type: 'monitoring.alert', at, data: { id: 1, ruleId: 'r', state: 'firing', title: 't', severity: 'warning' } },
  'whatsapp.state': {
    type: 'whatsapp.state',
    at,
    data: { state: 'ready', since: at, number: null, reason: null, reconnects: 0, retryAt: null },
  },
  'whatsapp.qr': { type: 'whatsapp.qr', at, data: { qr: null } },
  'simulator.message': { type: 'simulator.message', at, data: { from: '+1', direction: 'in' } },
  'bot.answering': { type: 'bot.answering', at, data: { paused: true, since: at, by: 'Maria' } },
  'system.update': {
    type: 'system.update',
    at,
    data: { state: 'ready', currentVersion: '0.1.0', channel: 'latest', feed: null, availableVersion: '0.2.0', percent: 100, lastCheckAt: at, nextCheckAt: null, message: null },
  },
  'desktop.open': { type: 'desktop.open', at, data: { screen: 'inbox', conversationId: 1 } },
  'inbox.handedOff': { type: 'inbox.handedOff', at, data: { conversationId: 1, displayName: 'Ana', reason: 'asked', preview: null } },
  'inbox.waiting': { type: 'inbox.waiting', at, data: { conversationId: 1, displayName: 'Ana', waitingSince: at, preview: null, assignedToId: null } },
  'inbox.assigned': { type: 'inbox.assigned', at, data: { conversationId: 1, displayName: 'Ana', to: null, byName: 'Bruno', note: null } },
  'inbox.presence': { type: 'inbox.presence', at, data: { conversationId: 1, userId: 'u', name: 'Bruno', typing: true } },
  'inbox.mention': { type: 'inbox.mention', at, data: { conversationId: 1, displayName: 'Ana', byName: 'Bruno', text: '@x', forUserId: 'someone-else' } },
};

describe('visibleTo: who receives an event', () => {
  it('the end of a session reaches that session and admins, and no other colleague', () => {
    const lawyer = viewer('lawyer', { sessionId: 'lawyer-session' });
    expect(visibleTo(lawyer, ended('lawyer-session'))).toBe(true);
    expect(visibleTo(lawyer, ended('assistant-session'))).toBe(false);
    expect(visibleTo(viewer('assistant'), ended('lawyer-session'))).toBe(false);
    expect(visibleTo(viewer('admin'), ended('lawyer-session'))).toBe(true);
    expect(visibleTo(null, ended('lawyer-session'))).toBe(false);
  });

  it('a viewer who must change a temporary password receives its own session\'s end and nothing else, whatever its role', () => {
    for (const role of ROLES) {
      const limited = viewer(role, { sessionId: 'mine', mustChangePassword: true });
      expect(visibleTo(limited, ended('mine'))).toBe(true);
      for (const event of Object.values(ONE_OF_EACH)) expect(visibleTo(limited, event), `${role}: ${event.type}`).toBe(false);
    }
  });

  it('otherwise the event\'s access decides, as an operation\'s access does at the door', () => {
    for (const role of ROLES) {
      for (const [type, event] of Object.entries(ONE_OF_EACH) as [EventType, ServerEvent][]) {
        // a mention is for the member named (here nobody of these)
        expect(visibleTo(viewer(role), event), `${role}: ${type}`).toBe(roleAllows(role, EVENT_ACCESS[type]) && type !== 'inbox.mention');
      }
    }
  });

  it('a mention reaches the member named, and no colleague', () => {
    const mention = (forUserId: string): ServerEvent => ({ ...ONE_OF_EACH['inbox.mention'], data: { ...(ONE_OF_EACH['inbox.mention'].data as object), forUserId } }) as ServerEvent;
    const ana = { ...viewer('assistant'), userId: 'ana' };
    expect(visibleTo(ana, mention('ana'))).toBe(true);
    expect(visibleTo(ana, mention('bruno'))).toBe(false);
    expect(visibleTo({ ...viewer('admin'), userId: 'admin' }, mention('ana'))).toBe(false);
  });

  it('nobody signed in receives only public events', () => {
    for (const [type, event] of Object.entries(ONE_OF_EACH) as [EventType, ServerEvent][]) {
      expect(visibleTo(null, event), type).toBe(EVENT_ACCESS[type] === 'public');
    }
    expect(visibleTo(null, ONE_OF_EACH['system.stopping'])).toBe(true);
  });
});
