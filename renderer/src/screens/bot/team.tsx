import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ConversationSummary, SearchHit } from '../../../../shared/contract/index.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { useApi } from '../../context.js';
import { shortTime } from '../../format.js';
import { useAction, useNow, useQuery, useServerEvents } from '../../hooks.js';
import { useSession } from '../../session.js';

/* The team inbox's pieces: wait times, who has a conversation, who is writing, quick replies, search. */

/** "waiting 12 min", ticking. */
export function WaitTime({ since }: { since: string }) {
  const now = useNow(15_000);
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  const text = minutes < 1 ? 'waiting <1 min' : minutes < 60 ? `waiting ${minutes} min` : `waiting ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return (
    <span className={`wait${minutes >= 15 ? ' long' : ''}`} data-testid="wait-time">
      {text}
    </span>
  );
}

/** Who has the conversation: give it to yourself, a colleague (with a note), or nobody. */
export function AssignControl({ conversation, onChanged }: { conversation: ConversationSummary; onChanged: () => void }) {
  const api = useApi();
  const me = useSession().state.user!;
  const members = useQuery('inbox.members', {});
  const action = useAction();
  const [choice, setChoice] = useState('');
  const [note, setNote] = useState('');
  const mine = conversation.assignedTo?.id === me.id;

  const give = (userId: string | null, withNote?: string) =>
    action.run(async () => {
      await api.call('inbox.assign', { conversationId: conversation.id, userId, ...(withNote ? { note: withNote } : {}) });
      setChoice('');
      setNote('');
      onChanged();
    });

  return (
    <div className="assign" data-testid="assign">
      <span className="muted">{conversation.assignedTo ? `With ${mine ? 'you' : conversation.assignedTo.name}` : 'Nobody has it'}</span>
      {!mine && (
        <button type="button" className="small" disabled={action.busy !== null} onClick={() => void give(me.id)}>
          Assign to me
        </button>
      )}
      <select aria-label="Give the conversation to" value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">Give to…</option>
        {(members.data?.items ?? [])
          .filter((m) => m.id !== conversation.assignedTo?.id)
          .map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        {conversation.assignedTo && <option value="nobody">Nobody (unassigned)</option>}
      </select>
      {choice && (
        <>
          <input
            aria-label="Note for the colleague"
            placeholder="A note for them (optional)"
            maxLength={1000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <button type="button" className="small" disabled={action.busy !== null} onClick={() => void give(choice === 'nobody' ? null : choice, note.trim())}>
            {choice === 'nobody' ? 'Unassign' : 'Transfer'}
          </button>
        </>
      )}
      {action.error && <span className="field-error">{action.error}</span>}
    </div>
  );
}

/**
 * Tells colleagues this member is writing while the draft is not empty (again
 * every 10 s, as "replying" fades after 30 s), and that they stopped when it
 * empties or the conversation closes. Returns who else is writing.
 */
export function usePresence(conversationId: number, draft: string, initial: { userId: string; name: string }[]) {
  const api = useApi();
  const [others, setOthers] = useState(initial);
  const me = useSession().state.user?.id;
  const typing = draft.trim() !== '';
  const last = useRef(0);

  useEffect(() => setOthers(initial), [initial]);
  useEffect(() => {
    const say = (value: boolean) => api.call('inbox.presence', { conversationId, typing: value }).then((r) => setOthers(r.others), () => {});
    if (typing) {
      if (Date.now() - last.current > 10_000) {
        last.current = Date.now();
        void say(true);
      }
      const timer = setInterval(() => {
        last.current = Date.now();
        void say(true);
      }, 10_000);
      return () => clearInterval(timer);
    }
    if (last.current !== 0) {
      last.current = 0;
      void say(false);
    }
    return undefined;
  }, [api, conversationId, typing]);
  useEffect(
    () => () => {
      if (last.current !== 0) void api.call('inbox.presence', { conversationId, typing: false }).catch(() => {});
    },
    [api, conversationId],
  );
  useServerEvents(['inbox.presence'], ({ data }) => {
    if (data.conversationId !== conversationId || data.userId === me) return;
    setOthers((list) => {
      const rest = list.filter((o) => o.userId !== data.userId);
      return data.typing ? [...rest, { userId: data.userId, name: data.name }] : rest;
    });
  });
  return others;
}

export function PresenceNotice({ others }: { others: { name: string }[] }) {
  if (others.length === 0) return null;
  return (
    <p className="presence" role="status" data-testid="presence">
      {others.map((o) => o.name).join(' and ')} {others.length === 1 ? 'is' : 'are'} replying…
    </p>
  );
}

/**
 * The "/" picker: typing "/" at the start of the composer lists the office's
 * quick replies, filtered as one types; choosing one puts it, filled in for
 * this client, into the composer to edit and send.
 */
export function QuickReplyPicker({ draft, conversationId, onPick }: { draft: string; conversationId: number; onPick: (text: string) => void }) {
  const api = useApi();
  const open = draft.startsWith('/');
  const list = useQuery('quickReplies.list', {}, { enabled: open });
  const [active, setActive] = useState(0);
  const filter = draft.slice(1).trim().toLowerCase();
  const items = useMemo(
    () => (list.data?.items ?? []).filter((q) => !filter || `${q.title} ${Object.values(q.texts).join(' ')}`.toLowerCase().includes(filter)),
    [list.data, filter],
  );
  useEffect(() => setActive(0), [filter]);
  const pick = async (id: number) => {
    const rendered = await api.call('quickReplies.render', { id, conversationId });
    onPick(rendered.text);
  };
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.target instanceof HTMLTextAreaElement) || e.target.id !== 'reply-text') return;
      if (e.key === 'ArrowDown') setActive((a) => Math.min(items.length - 1, a + 1));
      else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
      else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && items[active]) void pick(items[active]!.id);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  });
  if (!open) return null;
  return (
    <div className="quick-replies" role="listbox" aria-label="Quick replies" data-testid="quick-replies">
      {list.data && items.length === 0 && (
        <p className="muted">
          {list.data.items.length === 0 ? 'The office has no quick replies yet. Lawyers and admins add them under Quick replies.' : 'No quick reply matches.'}
        </p>
      )}
      {items.map((q, i) => (
        <button key={q.id} type="button" role="option" aria-selected={i === active} className="quick-reply" onClick={() => void pick(q.id)}>
          <strong>{q.title}</strong> <span className="muted">{Object.values(q.texts)[0]?.slice(0, 80)}</span>
        </button>
      ))}
    </div>
  );
}

/** Words between \u0002 and \u0003 marked, the rest as text. */
export function Marked({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  const re = /\u0002([^\u0003]*)\u0003/g;
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) parts.push(text.slice(last, m.index));
    parts.push(<mark key={i++}>{m[1]}</mark>);
    last = m.index! + m[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

const KIND_LABEL: Record<SearchHit['kind'], string> = { message: 'Message', note: 'Note', client: 'Client', matter: 'Matter' };

/** One search over messages, notes, clients and matters; a result opens its conversation at the message. */
export function SearchResults({ query, onOpen }: { query: string; onOpen: (hit: SearchHit) => void }) {
  const role = useSession().state.user?.role;
  const results = useQuery('inbox.search', { query, limit: 30 }, { enabled: query.trim() !== '' });
  if (results.error) return <p className="field-error" role="alert">{results.error.message}</p>;
  if (!results.data) return <p className="muted">Searching…</p>;
  const { items, indexing } = results.data;
  return (
    <div data-testid="search-results">
      {!indexing.done && (
        <p className="muted" role="status">
          Still indexing older messages ({Math.round(indexing.fraction * 100)}%): some older results may be missing.
        </p>
      )}
      {items.length === 0 && (
        <p className="empty">
          Nothing found for “{query}”. Search looks in messages, notes{role && roleAllows(role, 'matters') ? ', clients and matters' : ''}; accents do not matter.
        </p>
      )}
      <ul className="list">
        {items.map((hit) => (
          <li key={`${hit.kind}-${hit.messageId ?? hit.noteId ?? hit.matterId ?? hit.clientId}`}>
            <button
              type="button"
              className="row"
              onClick={() => onOpen(hit)}
              disabled={hit.conversationId === null && hit.kind !== 'matter' && hit.kind !== 'client'}
            >
              <span className="row-title">{hit.title}</span>
              <span className="row-meta">
                <span className="tag">{KIND_LABEL[hit.kind]}</span> {hit.at ? shortTime(hit.at) : ''}
              </span>
              <span className="row-sub">
                <Marked text={hit.snippet} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
