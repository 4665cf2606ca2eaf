import { useEffect, useState } from 'react';
import { PRODUCT_NAME } from '../../../../shared/product.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { useQuery, useServerEvents } from '../../hooks.js';
import { useSession } from '../../session.js';

/**
 * Nobody misses a client: hand-offs, waiting clients writing again, mentions and
 * conversations given to you become browser notifications (permission asked
 * once, from a button, never on load), with an optional sound (a setting per
 * user, kept in this browser); the count of conversations needing attention is
 * in the sidebar and in the tab's title. The desktop app shows its own OS
 * notifications and badge from the same events.
 */

const soundKey = (userId: string) => `lexdesk.notify.sound.${userId}`;

function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** A short two-tone chime, made on the spot (no file to load). */
function chime(): void {
  try {
    const audio = new AudioContext();
    for (const [i, freq] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, audio.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.18 + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.18);
      osc.stop(audio.currentTime + i * 0.18 + 0.17);
    }
    setTimeout(() => void audio.close(), 1000);
  } catch {
    // no sound on this machine
  }
}

function show(title: string, body: string, conversationId: number, soundOn: boolean): void {
  if (soundOn) chime();
  if (permission() !== 'granted') return;
  const n = new Notification(title, { body, tag: `conversation-${conversationId}` });
  n.onclick = () => {
    window.focus();
    window.location.hash = `#/inbox?conversation=${conversationId}`;
    n.close();
  };
}

/** Runs once in the signed-in shell: turns the inbox's events into notifications and keeps the count. */
export function useInboxAttention(): number | null {
  const user = useSession().state.user;
  const sees = user ? roleAllows(user.role, 'conversations') : false;
  const counts = useQuery('inbox.counts', {}, { enabled: sees, refreshMs: 60_000 });
  const reload = counts.reload;
  const soundOn = () => (user ? localStorage.getItem(soundKey(user.id)) === 'on' : false);

  useServerEvents(['inbox.changed', 'inbox.assigned'], () => reload());
  useServerEvents(['inbox.handedOff', 'inbox.waiting', 'inbox.mention', 'inbox.assigned'], (event) => {
    if (!user || !sees) return;
    switch (event.type) {
      case 'inbox.handedOff':
        show(`${event.data.displayName} is waiting for staff`, event.data.preview ?? 'Open the conversation to reply.', event.data.conversationId, soundOn());
        break;
      case 'inbox.waiting':
        // a conversation someone has is theirs to hear about
        if (event.data.assignedToId && event.data.assignedToId !== user.id) return;
        show(`${event.data.displayName} wrote again`, event.data.preview ?? '', event.data.conversationId, soundOn());
        break;
      case 'inbox.mention':
        show(`${event.data.byName} mentioned you`, `${event.data.displayName}: ${event.data.text}`, event.data.conversationId, soundOn());
        break;
      case 'inbox.assigned':
        if (event.data.to?.id === user.id && event.data.byName !== (user.displayName || user.username)) {
          show(`${event.data.byName} gave you ${event.data.displayName}`, event.data.note ?? 'The conversation is yours now.', event.data.conversationId, soundOn());
        }
        break;
    }
  });

  const attention = counts.data?.attention ?? null;
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '') || PRODUCT_NAME;
    document.title = attention ? `(${attention}) ${base}` : base;
  }, [attention]);
  return sees ? attention : null;
}

/** "Turn on notifications" (asks the browser once, from a click) and the sound setting. */
export function NotificationsButton() {
  const user = useSession().state.user;
  const [state, setState] = useState(permission);
  const [sound, setSound] = useState(() => (user ? localStorage.getItem(soundKey(user.id)) === 'on' : false));
  if (!user) return null;
  return (
    <span className="notify-controls">
      {state === 'default' && (
        <button type="button" className="secondary small" onClick={() => void Notification.requestPermission().then(setState)}>
          Turn on notifications
        </button>
      )}
      {state === 'granted' && <span className="muted">Notifications on</span>}
      {state === 'denied' && <span className="muted">Notifications are blocked in this browser's settings</span>}
      <label className="check">
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            setSound(e.target.checked);
            localStorage.setItem(soundKey(user.id), e.target.checked ? 'on' : 'off');
            if (e.target.checked) chime();
          }}
        />
        Sound
      </label>
    </span>
  );
}
