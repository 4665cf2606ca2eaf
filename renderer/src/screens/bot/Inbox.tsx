import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConversationFilter, ConversationSummary, ThreadMessage } from '../../../../shared/contract/bot.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, QueryStatus } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { shortTime, when } from '../../format.js';
import { useAction, useQuery, useServerEvents } from '../../hooks.js';
import { useSession } from '../../session.js';
import { downloadDocument, ListAndDetail, ModePill, readAsBase64, StatusLabel } from './common.js';
import { DataRequestsCard } from './DataRequests.js';
import './bot.css';

const FILTERS: { id: ConversationFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'waiting', label: 'Waiting for staff' },
  { id: 'bot', label: 'Bot active' },
  { id: 'mine', label: 'Mine' },
  { id: 'unread', label: 'Unread' },
];

const DELIVERY_LABEL: Record<ThreadMessage['delivery'], string> = {
  received: '',
  queued: 'queued',
  sending: 'sending…',
  sent: 'sent ✓',
  failed: 'not sent',
};

const HANDOFF_LABEL: Record<string, string> = {
  asked: 'asked for a person',
  misunderstood: 'the bot did not understand',
  data_request: 'data request',
  staff: 'taken over by staff',
};

/** `#/inbox?conversation=42` (a desktop notification was clicked): the conversation to open. */
function conversationFromHash(): number | null {
  const query = window.location.hash.split('?')[1] ?? '';
  const id = Number(new URLSearchParams(query).get('conversation'));
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function Inbox() {
  const [filter, setFilter] = useState<ConversationFilter>('all');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<number | null>(conversationFromHash);
  useEffect(() => {
    const onHash = () => {
      const id = conversationFromHash();
      if (id !== null) setSelected(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [threadTick, setThreadTick] = useState(0);
  const list = useQuery('inbox.list', { filter, ...(search.trim() ? { search: search.trim() } : {}), limit: 100 });

  const reloadList = list.reload;
  useServerEvents(['inbox.changed'], ({ data }) => {
    reloadList();
    if (data.conversationId === selected) setThreadTick((t) => t + 1);
  });

  const items = list.data?.items ?? [];
  return (
    <Screen title="Inbox" aside={list.data && <span className="muted">{list.data.total} conversation{list.data.total === 1 ? '' : 's'}</span>}>
      <DataRequestsCard resolvable={false} />
      <ListAndDetail
        choose="Choose a conversation to read it, answer the client or take it over from the bot."
        detail={selected === null ? null : <Thread key={selected} conversationId={selected} tick={threadTick} onChanged={reloadList} />}
      >
        <Card label="Conversations">
          <div className="tabs" role="group" aria-label="Filter">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
                {f.label}
              </button>
            ))}
          </div>
          <div className="toolbar">
            <label className="sr-only" htmlFor="inbox-search">
              Search conversations
            </label>
            <input
              id="inbox-search"
              type="search"
              placeholder="Search name, number or reference"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <QueryStatus query={list} loading="Loading conversations…" />
          {list.data && items.length === 0 && (
            <p className="empty" data-testid="inbox-empty">
              {filter === 'all' && !search
                ? 'No conversations yet. When a client writes to the office on WhatsApp, the conversation appears here.'
                : 'No conversation matches. Try another filter or search.'}
            </p>
          )}
          <ul className="list" data-testid="conversations">
            {items.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className="row"
                  aria-current={c.id === selected}
                  data-conversation={c.id}
                  onClick={() => setSelected(c.id)}
                >
                  <span className="row-title">{c.displayName}</span>
                  <span className="row-meta">
                    {c.unread > 0 && (
                      <span className="unread-count" aria-label={`${c.unread} unread`}>
                        {c.unread}
                      </span>
                    )}
                    {shortTime(c.lastActivityAt)}
                  </span>
                  <span className="row-sub">
                    <ModePill mode={c.mode} /> {c.lastIntake && <span className="tag warn">Intake {c.lastIntake.reference}</span>}{' '}
                    {c.lastPreview}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Card>
      </ListAndDetail>
    </Screen>
  );
}

function Thread({ conversationId, tick, onChanged }: { conversationId: number; tick: number; onChanged: () => void }) {
  const api = useApi();
  const role = useSession().state.user?.role;
  const seesMatters = role ? roleAllows(role, 'matters') : false;
  const thread = useQuery('inbox.thread', { conversationId, limit: 200 });
  const [text, setText] = useState('');
  const action = useAction();
  const busy = action.busy !== null;
  const end = useRef<HTMLLIElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const reload = thread.reload;

  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [thread.data?.messages.length]);
  const unread = thread.data?.conversation.unread ?? 0;
  useEffect(() => {
    if (unread > 0) void api.call('inbox.markRead', { conversationId }).then(onChanged, () => {});
  }, [api, conversationId, unread, onChanged]);

  const act = (fn: () => Promise<unknown>) =>
    action.run(async () => {
      await fn();
      reload();
      onChanged();
    });

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (await act(() => api.call('inbox.reply', { conversationId, text }))) setText('');
  };

  const attach = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 700 * 1024) {
      action.setError('That file is larger than 700 KB. Send a smaller file, or share it another way.');
      return;
    }
    const base64 = await readAsBase64(file);
    await act(() =>
      api.call('inbox.sendDocument', {
        conversationId,
        upload: { fileName: file.name, mimetype: (file.type || 'application/pdf') as 'application/pdf', base64 },
      }),
    );
    if (fileInput.current) fileInput.current.value = '';
  };

  const open = (documentId: number) => action.run(() => downloadDocument(api, documentId));

  if (thread.error) return <ErrorBox message={thread.error.message} onRetry={thread.reload} />;
  if (!thread.data) {
    return (
      <Card>
        <p className="muted">Loading the conversation…</p>
      </Card>
    );
  }
  const c: ConversationSummary = thread.data.conversation;

  return (
    <Card label={`Conversation with ${c.displayName}`} testId="thread">
      <div className="thread-head">
        <div>
          <h2>{c.displayName}</h2>
          <span className="muted">
            +{c.whatsapp} · <ModePill mode={c.mode} />
            {c.assignedTo && <> · with {c.assignedTo.name}</>}
            {c.mode === 'waiting' && c.handoffReason && <> · {HANDOFF_LABEL[c.handoffReason] ?? c.handoffReason}</>}
          </span>
        </div>
        <div className="actions">
          {c.mode !== 'staff' && (
            <button type="button" disabled={busy} onClick={() => void act(() => api.call('inbox.takeOver', { conversationId }))}>
              Take over
            </button>
          )}
          {c.mode !== 'bot' && (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void act(() => api.call('inbox.handBack', { conversationId, notify: true }))}
            >
              Hand back to bot
            </button>
          )}
        </div>
      </div>

      {thread.data.intakes.length > 0 && (
        <div className="intake-cards" aria-label="Intakes">
          {thread.data.intakes.map((i) => (
            <div key={i.matterId} className="intake-card" data-testid="intake-card">
              <span>
                <strong>Intake {i.reference}</strong> · {i.area} · <StatusLabel status={i.status} />{' '}
                <span className="muted">{when(i.createdAt)}</span>
              </span>
              <span className="actions">
                {seesMatters && <a href={`#/matters?matter=${i.matterId}`}>Open matter</a>}
                {i.pdfDocumentId && (
                  <>
                    <button type="button" className="secondary" onClick={() => void open(i.pdfDocumentId!)}>
                      View PDF
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy}
                      onClick={() => void act(() => api.call('inbox.sendDocument', { conversationId, documentId: i.pdfDocumentId! }))}
                    >
                      Send intake PDF
                    </button>
                  </>
                )}
              </span>
            </div>
          ))}
        </div>
      )}

      <ol className="messages" data-testid="messages">
        {thread.data.messages.map((m) => (
          <li key={m.id} className={`bubble ${m.direction} ${m.author}`} data-author={m.author} data-delivery={m.delivery}>
            {m.fileName &&
              (m.documentId ? (
                <button type="button" className="secondary doc" onClick={() => void open(m.documentId!)}>
                  {m.fileName}
                </button>
              ) : (
                <span className="doc">Attachment: {m.fileName}</span>
              ))}
            {m.text}
            <span className="meta">
              {m.author === 'bot' ? 'Bot' : m.author === 'staff' ? (m.authorName ?? 'Staff') : ''} {shortTime(m.at)}{' '}
              <span className={m.delivery === 'failed' ? 'delivery-failed' : undefined} title={m.error ?? undefined}>
                {DELIVERY_LABEL[m.delivery]}
              </span>
            </span>
          </li>
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>

      {action.error && <ErrorBox message={action.error} />}
      <form className="composer" onSubmit={(e) => void send(e)}>
        <label className="sr-only" htmlFor="reply-text">
          Reply to {c.displayName}
        </label>
        <textarea
          id="reply-text"
          rows={2}
          maxLength={4000}
          placeholder={c.mode === 'bot' ? 'Replying takes the conversation over from the bot…' : 'Write a reply…'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
          }}
        />
        <button type="submit" disabled={busy || !text.trim()}>
          Send
        </button>
        <div className="composer-tools">
          <label className="secondary">
            <span className="sr-only">Send a file</span>
            <input ref={fileInput} type="file" accept=".pdf,.png,.jpg,.jpeg,.doc,.docx,.txt" onChange={(e) => void attach(e.target.files?.[0])} />
          </label>
          <span className="muted">Files up to 700 KB. Ctrl+Enter sends.</span>
        </div>
      </form>
    </Card>
  );
}
