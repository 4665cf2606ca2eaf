import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConversationFilter, ConversationSummary, ThreadMessage } from '../../../../shared/contract/bot.js';
import type { SearchHit } from '../../../../shared/contract/inbox.js';
import { ApiCallError } from '../../api/index.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, QueryStatus } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { shortTime, when } from '../../format.js';
import { useAction, useQuery, useServerEvents } from '../../hooks.js';
import { useSession } from '../../session.js';
import type { DocumentItem } from '../../../../shared/contract/documents.js';
import { DocumentChip, DocumentViewer, PdfPages, fileSize, typeLabel } from '../../components/Documents.js';
import { downloadDocument, ListAndDetail, ModePill, StatusLabel } from './common.js';
import { DataRequestsCard } from './DataRequests.js';
import { NotificationsButton } from './notify.js';
import { AssignControl, PresenceNotice, QuickReplyPicker, SearchResults, usePresence, WaitTime } from './team.js';
import './bot.css';

const FILTERS: { id: ConversationFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'waiting', label: 'Waiting for staff' },
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'bot', label: 'Bot active' },
  { id: 'unread', label: 'Unread' },
];

const DELIVERY_LABEL: Record<ThreadMessage['delivery'], string> = {
  received: '',
  queued: 'queued',
  sending: 'sending…',
  sent: 'sent ✓',
  delivered: 'delivered ✓✓',
  read: 'read ✓✓',
  failed: 'not sent',
};

const HANDOFF_LABEL: Record<string, string> = {
  asked: 'asked for a person',
  misunderstood: 'the bot did not understand',
  data_request: 'data request',
  staff: 'taken over by staff',
  reopened: 'wrote again after it was resolved',
};

/** The conversation named in the address (#/inbox?conversation=12), as notifications open it. */
function conversationFromHash(): number | null {
  const query = window.location.hash.split('?')[1] ?? '';
  const id = Number.parseInt(new URLSearchParams(query).get('conversation') ?? '', 10);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function Inbox() {
  const [filter, setFilter] = useState<ConversationFilter>('all');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<number | null>(conversationFromHash);
  const [focusMessage, setFocusMessage] = useState<number | null>(null);
  const [threadTick, setThreadTick] = useState(0);
  const list = useQuery('inbox.list', { filter, limit: 100 });
  const searching = search.trim() !== '';

  const reloadList = list.reload;
  useServerEvents(['inbox.changed', 'inbox.assigned'], ({ data }) => {
    reloadList();
    if (data.conversationId === selected) setThreadTick((t) => t + 1);
  });
  useEffect(() => {
    const onHash = () => {
      const id = conversationFromHash();
      if (id !== null) setSelected(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const openHit = (hit: SearchHit) => {
    if (hit.conversationId !== null) {
      setSelected(hit.conversationId);
      setFocusMessage(hit.messageId);
    } else if (hit.matterId !== null) window.location.hash = `#/matters?matter=${hit.matterId}`;
  };

  const items = list.data?.items ?? [];
  const waiting = items.filter((c) => c.mode === 'waiting');
  const others = items.filter((c) => c.mode !== 'waiting');
  const row = (c: ConversationSummary) => (
    <li key={c.id}>
      <button type="button" className="row" aria-current={c.id === selected} data-conversation={c.id} onClick={() => setSelected(c.id)}>
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
          <ModePill mode={c.mode} /> {c.mode === 'waiting' && c.waitingSince && <WaitTime since={c.waitingSince} />}{' '}
          {c.assignedTo && <span className="tag">{c.assignedTo.name}</span>}{' '}
          {c.lastIntake && <span className="tag warn">Intake {c.lastIntake.reference}</span>} {c.lastPreview}
        </span>
      </button>
    </li>
  );
  return (
    <Screen
      title="Inbox"
      aside={
        <span className="inbox-aside">
          <NotificationsButton />
          {list.data && <span className="muted">{list.data.total} conversation{list.data.total === 1 ? '' : 's'}</span>}
        </span>
      }
    >
      <DataRequestsCard resolvable={false} />
      <div className={`inbox-split${selected !== null ? ' has-detail' : ''}`}>
      <ListAndDetail
        choose="Choose a conversation to read it, answer the client or take it over from the bot."
        detail={
          selected === null ? null : (
            <Thread
              key={selected}
              conversationId={selected}
              tick={threadTick}
              focusMessage={focusMessage}
              onChanged={reloadList}
              onBack={() => setSelected(null)}
            />
          )
        }
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
              placeholder="Search messages, notes, names, numbers, references"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          {searching ? (
            <SearchResults query={search.trim()} onOpen={openHit} />
          ) : (
            <>
              <QueryStatus query={list} loading="Loading conversations…" />
              {list.data && items.length === 0 && (
                <p className="empty" data-testid="inbox-empty">
                  {filter === 'all'
                    ? 'No conversations yet. When a client writes to the office on WhatsApp, the conversation appears here.'
                    : 'No conversation matches. Try another filter or search.'}
                </p>
              )}
              {waiting.length > 0 && (
                <section aria-label="Waiting for staff" data-testid="waiting">
                  <h3 className="list-heading">Waiting for staff · {waiting.length}</h3>
                  <ul className="list">{waiting.map(row)}</ul>
                </section>
              )}
              {others.length > 0 && (
                <section aria-label="Other conversations">
                  {waiting.length > 0 && <h3 className="list-heading">Others</h3>}
                  <ul className="list" data-testid="conversations">
                    {others.map(row)}
                  </ul>
                </section>
              )}
              {waiting.length > 0 && others.length === 0 && <ul className="list" data-testid="conversations" />}
            </>
          )}
        </Card>
      </ListAndDetail>
      </div>
    </Screen>
  );
}

function Thread({
  conversationId,
  tick,
  focusMessage,
  onChanged,
  onBack,
}: {
  conversationId: number;
  tick: number;
  focusMessage: number | null;
  onChanged: () => void;
  onBack: () => void;
}) {
  const api = useApi();
  const role = useSession().state.user?.role;
  const [asNote, setAsNote] = useState(false);
  const [warning, setWarning] = useState<string | null>(null);
  const seesMatters = role ? roleAllows(role, 'matters') : false;
  const thread = useQuery('inbox.thread', { conversationId, limit: 200 });
  const [text, setText] = useState('');
  const action = useAction<true | 'upload'>();
  const busy = action.busy !== null;
  const end = useRef<HTMLLIElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<DocumentItem | null>(null);
  const [viewing, setViewing] = useState<DocumentItem | null>(null);
  const reload = thread.reload;

  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);
  useEffect(() => {
    if (focusMessage !== null) {
      const target = document.querySelector(`[data-message="${focusMessage}"]`);
      if (target) {
        target.scrollIntoView({ block: 'center' });
        return;
      }
    }
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [thread.data?.messages.length, focusMessage]);
  const others = usePresence(conversationId, asNote ? '' : text, thread.data?.presence ?? NOBODY);
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

  const send = async (event: FormEvent, confirmed = false) => {
    event.preventDefault();
    if (!text.trim()) return;
    setWarning(null);
    if (asNote) {
      if (await act(() => api.call('inbox.addNote', { conversationId, text }))) setText('');
      return;
    }
    const sent = await action.run(async () => {
      try {
        await api.call('inbox.reply', { conversationId, text, confirmed });
      } catch (err) {
        // a colleague has it or is writing in it: ask before sending into their conversation
        if (err instanceof ApiCallError && err.code === 'conflict' && (err.details as { reason?: string } | undefined)?.reason === 'someone_else') {
          setWarning(err.message);
          return false;
        }
        throw err;
      }
      reload();
      onChanged();
      return true;
    });
    if (sent) setText('');
  };

  // a chosen file is uploaded and kept first; it goes to the client only from the confirmation card
  const choose = async (file?: File) => {
    let doc: DocumentItem | null = null;
    await action.run(async () => {
      doc = await api.files.upload({ conversationId }, file);
    }, 'upload');
    if (fileInput.current) fileInput.current.value = '';
    if (doc) setPending(doc);
  };

  const open = (documentId: number) => action.run(() => downloadDocument(api, documentId));
  const matters = thread.data?.intakes ?? [];

  if (thread.error) return <ErrorBox message={thread.error.message} onRetry={thread.reload} />;
  if (!thread.data) {
    return (
      <Card>
        <p className="muted">Loading the conversation…</p>
      </Card>
    );
  }
  const c: ConversationSummary = thread.data.conversation;
  const timeline = [
    ...thread.data.messages.map((m) => ({ kind: 'message' as const, at: m.at, id: m.id, m })),
    ...thread.data.notes.map((n) => ({ kind: 'note' as const, at: n.at, id: n.id, n })),
    ...thread.data.assignments.map((a) => ({ kind: 'assignment' as const, at: a.at, id: a.id, a })),
  ].sort((x, y) => x.at.localeCompare(y.at) || (x.kind === 'message' ? -1 : 1));
  const renderMessage = (m: ThreadMessage) => (
          <li
            key={m.id}
            className={`bubble ${m.direction} ${m.author}${m.id === focusMessage ? ' focused' : ''}`}
            data-author={m.author}
            data-delivery={m.delivery}
            data-message={m.id}
          >
            {m.document ? (
              <>
                <DocumentChip doc={m.document} onOpen={setViewing} />
                {m.direction === 'in' && matters.length > 0 && (
                  <AttachToMatter
                    doc={m.document}
                    matters={matters}
                    onAttach={(matterId) => void act(() => api.call('documents.attachToMatter', { documentId: m.document!.id, matterId }))}
                  />
                )}
              </>
            ) : m.mediaError ? (
              <span className="doc-warning" data-testid="media-error">
                {m.fileName ? `“${m.fileName}”: ` : ''}
                {m.mediaError}
              </span>
            ) : (
              m.fileName &&
              (m.documentId ? (
                <button type="button" className="secondary doc" onClick={() => void open(m.documentId!)}>
                  {m.fileName}
                </button>
              ) : (
                <span className="doc">Attachment: {m.fileName}</span>
              ))
            )}
            {m.text}
            <span className="meta">
              {m.author === 'bot' ? 'Bot' : m.author === 'staff' ? (m.authorName ?? 'Staff') : ''} {shortTime(m.at)}{' '}
              <span className={`delivery-${m.delivery}`} title={m.error ?? undefined}>
                {DELIVERY_LABEL[m.delivery]}
              </span>
              {m.delivery === 'failed' && (
                <button
                  type="button"
                  className="link"
                  disabled={busy}
                  onClick={() => void act(() => api.call('inbox.retry', { conversationId, messageId: m.id }))}
                >
                  Retry
                </button>
              )}
            </span>
          </li>
  );

  return (
    <Card label={`Conversation with ${c.displayName}`} testId="thread">
      <button type="button" className="link back" onClick={onBack}>
        ← All conversations
      </button>
      <div className="thread-head">
        <div>
          <h2>{c.displayName}</h2>
          <span className="muted">
            +{c.whatsapp} · <ModePill mode={c.mode} />
            {c.assignedTo && <> · with {c.assignedTo.name}</>}
            {c.mode === 'waiting' && c.handoffReason && <> · {HANDOFF_LABEL[c.handoffReason] ?? c.handoffReason}</>}
            {c.mode === 'waiting' && c.waitingSince && (
              <>
                {' '}
                · <WaitTime since={c.waitingSince} />
              </>
            )}
            {c.closedAt && <> · resolved</>}
          </span>
          <AssignControl conversation={c} onChanged={() => { reload(); onChanged(); }} />
        </div>
        <div className="actions">
          {thread.data.languages.length > 1 && (
            <label className="language-choice">
              <span className="muted">Bot speaks</span>{' '}
              <select
                aria-label="Language the bot speaks with this client"
                value={c.language ?? thread.data.languages[0]!.code}
                disabled={busy}
                onChange={(e) => {
                  const language = e.target.value;
                  void act(() => api.call('inbox.setLanguage', { conversationId, language }));
                }}
              >
                {thread.data.languages.map((l) => (
                  <option key={l.code} value={l.code}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
          )}
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
          {!c.closedAt && (
            <button type="button" className="secondary" disabled={busy} onClick={() => void act(() => api.call('inbox.close', { conversationId }))}>
              Resolved
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
        {timeline.map((item) =>
          item.kind === 'note' ? (
            <li key={`note-${item.id}`} className="bubble note" data-testid="note">
              <span className="note-label">Internal note · never sent</span>
              {item.n.text}
              <span className="meta">
                {item.n.authorName} {shortTime(item.n.at)}
              </span>
            </li>
          ) : item.kind === 'assignment' ? (
            <li key={`assignment-${item.id}`} className="event-line">
              {item.a.toName === item.a.byName ? `${item.a.byName} took it` : `${item.a.byName} gave it to ${item.a.toName ?? 'nobody'}`}
              {item.a.note ? `: “${item.a.note}”` : ''} · {shortTime(item.a.at)}
            </li>
          ) : (
            renderMessage(item.m)
          ),
        )}
        <li ref={end} aria-hidden="true" />
      </ol>
      <PresenceNotice others={others} />
      {warning && (
        <div className="warning" role="alertdialog" aria-label="Someone else has this conversation">
          <p>{warning}</p>
          <button type="button" onClick={(e) => void send(e as unknown as FormEvent, true)}>
            Send anyway
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setWarning(null)}>
            Cancel
          </button>
        </div>
      )}
      
      {action.error && <ErrorBox message={action.error} />}
      {viewing && <DocumentViewer doc={viewing} onClose={() => setViewing(null)} />}
      {pending && (
        <ConfirmSend
          doc={pending}
          to={c}
          busy={busy}
          onCancel={() => {
            const dropped = pending;
            setPending(null);
            // the file was kept only to be sent: cancelled, it leaves the conversation's documents
            void api.call('documents.discard', { documentId: dropped.id }).catch(() => undefined);
          }}
          onSend={async (caption) => {
            const sent = await act(() =>
              api.call('inbox.sendDocument', { conversationId, documentId: pending.id, ...(caption.trim() ? { caption: caption.trim() } : {}) }),
            );
            if (sent) setPending(null);
          }}
        />
      )}
      <form className={`composer${asNote ? ' as-note' : ''}`} onSubmit={(e) => void send(e)}>
        <div className="tabs composer-mode" role="group" aria-label="Write">
          <button type="button" aria-pressed={!asNote} onClick={() => setAsNote(false)}>
            Reply to the client
          </button>
          <button type="button" aria-pressed={asNote} onClick={() => setAsNote(true)}>
            Internal note
          </button>
        </div>
        {!asNote && <QuickReplyPicker draft={text} conversationId={conversationId} onPick={setText} />}
        <label className="sr-only" htmlFor="reply-text">
          {asNote ? `Internal note about ${c.displayName}` : `Reply to ${c.displayName}`}
        </label>
        <textarea
          id="reply-text"
          rows={2}
          maxLength={asNote ? 20000 : 4000}
          placeholder={
            asNote
              ? 'A note for colleagues, never sent to the client. @username tells them.'
              : c.mode === 'bot'
                ? 'Replying takes the conversation over from the bot… Type / for quick replies.'
                : 'Write a reply… Type / for quick replies.'
          }
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
          }}
        />
        <button type="submit" disabled={busy || !text.trim() || (!asNote && text.startsWith('/'))}>
          {asNote ? 'Add note' : 'Send'}
        </button>
        <div className="composer-tools">
          {api.transport === 'http' ? (
            <label className="secondary">
              <span className="sr-only">Send a file</span>
              <input ref={fileInput} type="file" data-testid="file-input" onChange={(e) => void choose(e.target.files?.[0])} />
            </label>
          ) : (
            <button type="button" className="secondary" disabled={busy} onClick={() => void choose()}>
              Send a file…
            </button>
          )}
          <span className="muted">{action.busy === 'upload' ? 'Uploading the file…' : 'Files are checked before they are sent. Ctrl+Enter sends.'}</span>
        </div>
      </form>
    </Card>
  );
}

const NOBODY: { userId: string; name: string }[] = [];

/** Files a client's document under one of the conversation's matters. */
function AttachToMatter({ doc, matters, onAttach }: { doc: DocumentItem; matters: { matterId: number; reference: string }[]; onAttach: (matterId: number) => void }) {
  const [matterId, setMatterId] = useState(matters[0]!.matterId);
  const filed = doc.matterId !== null ? matters.find((m) => m.matterId === doc.matterId) : undefined;
  if (filed) return <span className="muted doc-filed">Filed under {filed.reference}</span>;
  return (
    <span className="attach-matter">
      <label className="sr-only" htmlFor={`attach-${doc.id}`}>
        Matter for {doc.fileName}
      </label>
      <select id={`attach-${doc.id}`} value={matterId} onChange={(e) => setMatterId(Number(e.target.value))}>
        {matters.map((m) => (
          <option key={m.matterId} value={m.matterId}>
            {m.reference}
          </option>
        ))}
      </select>
      <button type="button" className="secondary" onClick={() => onAttach(matterId)}>
        Attach to matter
      </button>
    </span>
  );
}

/** The card between choosing a file and sending it: what goes, to whom, with an optional caption. */
function ConfirmSend({
  doc,
  to,
  busy,
  onSend,
  onCancel,
}: {
  doc: DocumentItem;
  to: ConversationSummary;
  busy: boolean;
  onSend: (caption: string) => void | Promise<void>;
  onCancel: () => void;
}) {
  const api = useApi();
  const [caption, setCaption] = useState('');
  const [preview, setPreview] = useState<{ blob: Blob; url: string } | null>(null);
  useEffect(() => {
    if (doc.preview !== 'image' && doc.preview !== 'pdf') return;
    let url: string | null = null;
    let live = true;
    void api.files.fetch(doc.id, 'inline').then(({ blob }) => {
      url = URL.createObjectURL(blob);
      if (live) setPreview({ blob, url });
    }, () => {});
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, doc.id, doc.preview]);
  return (
    <div className="confirm-send" role="dialog" aria-label="Send this file?" data-testid="confirm-send">
      <h3>Send this file?</h3>
      <div className="confirm-body">
        <div className="confirm-preview">
          {doc.preview === 'image' && preview && <img src={preview.url} alt={doc.fileName} />}
          {doc.preview === 'pdf' && preview && <PdfPages data={preview.blob} firstPageOnly width={220} />}
          {!preview && <span className="muted">{doc.preview ? 'Loading the preview…' : 'No preview for this kind of file.'}</span>}
        </div>
        <dl className="confirm-facts">
          <dt>File</dt>
          <dd data-testid="confirm-file">{doc.fileName}</dd>
          <dt>Size</dt>
          <dd>{fileSize(doc.size)}</dd>
          <dt>Type</dt>
          <dd>{typeLabel(doc)}</dd>
          <dt>To</dt>
          <dd data-testid="confirm-to">
            {to.displayName} · +{to.whatsapp}
          </dd>
        </dl>
      </div>
      {doc.mismatch && <p className="doc-warning">This file is not what its name says. Check it before you send it.</p>}
      <label htmlFor="confirm-caption">Caption (optional)</label>
      <input id="confirm-caption" value={caption} maxLength={1000} onChange={(e) => setCaption(e.target.value)} />
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void onSend(caption)}>
          Send to {to.displayName}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
