import { useEffect, useState, type FormEvent } from 'react';
import { MATTER_STATUSES, MATTER_STATUS_LABELS, languageInEnglish, type MatterStatus } from '../../../../shared/bot.js';
import type { MatterDetail } from '../../../../shared/contract/bot.js';
import { deadlineLeft, formatBytes, todayIn } from '../../../../shared/format.js';
import { Options } from '../../components/form.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, QueryStatus } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { shortTime, when } from '../../format.js';
import { useAction, useQuery, useServerEvents } from '../../hooks.js';
import { downloadDocument, ListAndDetail, StatusLabel } from './common.js';
import type { DocumentItem } from '../../../../shared/contract/documents.js';
import { DocumentViewer, sourceLabel, typeLabel } from '../../components/Documents.js';
import { DataRequestsCard } from './DataRequests.js';
import { EraseClient, MatterHolds } from './Privacy.js';
import './bot.css';

/** The role of a party from the office's imported list, as a hit names it. */
const PARTY_ROLE: Record<'client' | 'former_client' | 'adverse_party' | 'related_party' | 'witness', string> = {
  client: 'client',
  former_client: 'former client',
  adverse_party: 'adverse party',
  related_party: 'related party',
  witness: 'witness',
};

function matterFromHash(): number | null {
  const query = window.location.hash.split('?')[1];
  const id = Number(new URLSearchParams(query ?? '').get('matter'));
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function Matters() {
  const [view, setView] = useState<'matters' | 'clients'>('matters');
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<MatterStatus | ''>('');
  const [onlyConflicts, setOnlyConflicts] = useState(false);
  const [clientId, setClientId] = useState<number | null>(null);
  const [selected, setSelected] = useState<number | null>(matterFromHash);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const onHash = () => {
      const id = matterFromHash();
      if (id) setSelected(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const q = search.trim() ? { search: search.trim() } : {};
  const matters = useQuery(
    'matters.list',
    { ...q, ...(status ? { status } : {}), ...(onlyConflicts ? { conflicts: true } : {}), ...(clientId ? { clientId } : {}), limit: 100 },
    { enabled: view === 'matters' },
  );
  const clients = useQuery('clients.list', { ...q, limit: 100 }, { enabled: view === 'clients' });
  const reloadMatters = matters.reload;
  useServerEvents(['matters.changed'], ({ data }) => {
    reloadMatters();
    if (data.matterId === selected) setTick((t) => t + 1);
  });

  return (
    <Screen title="Clients and matters">
      <DataRequestsCard resolvable />
      <ListAndDetail
        choose="Choose a matter to see its status, next step, conflicts, documents and history."
        detail={selected === null ? null : <Matter key={selected} matterId={selected} tick={tick} onChanged={reloadMatters} />}
      >
        <Card label={view === 'matters' ? 'Matters' : 'Clients'}>
          <div className="tabs" role="group" aria-label="Show">
            <button type="button" aria-pressed={view === 'matters'} onClick={() => setView('matters')}>
              Matters
            </button>
            <button type="button" aria-pressed={view === 'clients'} onClick={() => setView('clients')}>
              Clients
            </button>
          </div>
          <div className="toolbar">
            <label className="sr-only" htmlFor="matters-search">
              Search
            </label>
            <input
              id="matters-search"
              type="search"
              placeholder={view === 'matters' ? 'Reference, client, number, other party' : 'Name or number'}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            {view === 'matters' && (
              <>
                <label className="sr-only" htmlFor="matters-status">
                  Status
                </label>
                <select id="matters-status" value={status} onChange={(e) => setStatus(e.target.value as MatterStatus | '')}>
                  <option value="">Any status</option>
                  <Options values={MATTER_STATUSES} labels={MATTER_STATUS_LABELS} />
                </select>
                <label style={{ flexDirection: 'row', alignItems: 'center', fontWeight: 400 }}>
                  <input type="checkbox" checked={onlyConflicts} onChange={(e) => setOnlyConflicts(e.target.checked)} /> Possible
                  conflicts only
                </label>
              </>
            )}
          </div>
          {clientId && view === 'matters' && (
            <p>
              Matters of one client.{' '}
              <button type="button" className="secondary" onClick={() => setClientId(null)}>
                Show all
              </button>
            </p>
          )}
          {view === 'matters' ? (
            <>
              <QueryStatus query={matters} loading="Loading matters…" />
              {matters.data?.items.length === 0 && (
                <p className="empty">
                  {search || status || onlyConflicts
                    ? 'No matter matches. Clear the search or the filters.'
                    : 'No matters yet. They are created when a client completes an intake with the bot.'}
                </p>
              )}
              <ul className="list" data-testid="matters">
                {matters.data?.items.map((m) => (
                  <li key={m.id}>
                    <button type="button" className="row" aria-current={m.id === selected} onClick={() => setSelected(m.id)}>
                      <span className="row-title">
                        {m.reference} · {m.clientName}
                      </span>
                      <span className="row-meta">{shortTime(m.updatedAt)}</span>
                      <span className="row-sub">
                        <StatusLabel status={m.status} /> {m.area}{' '}
                        {m.openConflicts > 0 && <span className="tag warn">Possible conflict ({m.openConflicts})</span>}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>
              <QueryStatus query={clients} loading="Loading clients…" />
              {clients.data?.items.length === 0 && <p className="empty">No clients yet. Clients are created by their first intake.</p>}
              <ul className="list" data-testid="clients">
                {clients.data?.items.map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      className="row"
                      onClick={() => {
                        setClientId(c.id);
                        setView('matters');
                      }}
                    >
                      <span className="row-title">{c.name}</span>
                      <span className="row-meta">
                        {c.matters} matter{c.matters === 1 ? '' : 's'}
                      </span>
                      <span className="row-sub">{c.whatsapp.startsWith('erased-') ? 'Former client · data erased' : `+${c.whatsapp}`}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </ListAndDetail>
    </Screen>
  );
}

/** The deadline as a date with the days left, and the client's own words beside it. */
function Deadline({ typed, date }: { typed: string | null; date: string | null }) {
  if (!typed) return <>none</>;
  if (!date) return <>{typed} <span className="muted">(not a date the bot could read)</span></>;
  const left = deadlineLeft(date, todayIn());
  const shown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
  return (
    <span data-testid="deadline">
      <strong>{shown}</strong> ·{' '}
      <span className={left.days < 0 ? 'late' : left.days <= 7 ? 'soon' : undefined}>{left.text}</span>
      {typed !== shown && <span className="muted"> · the client wrote “{typed}”</span>}
    </span>
  );
}

function Matter({ matterId, tick, onChanged }: { matterId: number; tick: number; onChanged: () => void }) {
  const api = useApi();
  const query = useQuery('matters.get', { matterId });
  const [detail, setDetail] = useState<MatterDetail | null>(null);
  const [status, setStatus] = useState<MatterStatus>('intake');
  const [nextStep, setNextStep] = useState('');
  const [tellClient, setTellClient] = useState(false);
  const [note, setNote] = useState('');
  const action = useAction<string>();
  const busy = action.busy !== null;
  const [saved, setSaved] = useState<string | null>(null);
  const reload = query.reload;

  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);
  useEffect(() => {
    if (!query.data) return;
    setDetail(query.data);
    setStatus(query.data.status);
    setNextStep(query.data.nextStep ?? '');
  }, [query.data]);

  /** Runs a change; an answer that is the matter itself replaces the one shown, otherwise it is read again. */
  const act = (label: string, fn: () => Promise<MatterDetail | unknown>) => {
    setSaved(null);
    return action.run(async () => {
      const value = await fn();
      if (value && typeof value === 'object' && 'reference' in value) setDetail(value as MatterDetail);
      else reload();
      setSaved(label);
      onChanged();
    }, label);
  };

  const [viewing, setViewing] = useState<DocumentItem | null>(null);
  if (query.error && !detail) return <ErrorBox message={query.error.message} onRetry={query.reload} />;
  if (!detail) {
    return (
      <Card>
        <p className="muted">Loading the matter…</p>
      </Card>
    );
  }
  const m = detail;

  const save = (e: FormEvent) => {
    e.preventDefault();
    const told = tellClient;
    void act(told ? 'Saved, and the client was told' : 'Saved', () =>
      api.call('matters.update', { matterId, status, nextStep: nextStep.trim() || null, tellClient: told }),
    ).then((done) => done && setTellClient(false));
  };
  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    if (await act('Note added', () => api.call('matters.addNote', { matterId, text: note }))) setNote('');
  };
  const open = (documentId: number) => action.run(() => downloadDocument(api, documentId), 'open');

  return (
    <div className="stack" data-testid="matter">
      <Card label={`Matter ${m.reference}`}>
        <div className="thread-head">
          <div>
            <h2>
              {m.reference} · {m.clientName}
            </h2>
            <span className="muted">
              {m.whatsapp.startsWith('erased-') ? 'data erased' : `+${m.whatsapp}`} · {m.area} · opened {when(m.createdAt)}
            </span>
          </div>
          <div className="actions">
            {m.conversationId && <a href="#/inbox">Conversation</a>}
            <StatusLabel status={m.status} />
          </div>
        </div>
        <dl className="facts">
          <dt>Description</dt>
          <dd style={{ whiteSpace: 'pre-wrap' }}>{m.description}</dd>
          <dt>Other party</dt>
          <dd>{m.opposingParty ?? 'none'}</dd>
          <dt>Deadline or hearing</dt>
          <dd>
            <Deadline typed={m.deadline} date={m.deadlineDate} />
          </dd>
          <dt>Consent</dt>
          <dd>{m.consent ? `privacy notice version ${m.consent.version}, ${when(m.consent.at)}` : 'no record'}</dd>
        </dl>
        <form onSubmit={save} style={{ marginTop: '1rem' }}>
          <div className="form-grid">
            <label>
              Status
              <select value={status} onChange={(e) => setStatus(e.target.value as MatterStatus)}>
                <Options values={MATTER_STATUSES} labels={MATTER_STATUS_LABELS} />
              </select>
            </label>
            <label>
              Next step (the bot tells the client this when asked)
              <input value={nextStep} maxLength={500} onChange={(e) => setNextStep(e.target.value)} placeholder="e.g. Hearing on 3 March" />
            </label>
          </div>
          <label className="check">
            <input type="checkbox" checked={tellClient} onChange={(e) => setTellClient(e.target.checked)} />
            Tell the client on WhatsApp{m.language ? ` (in ${languageInEnglish(m.language)})` : ''}
          </label>
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              Save status
            </button>
            {saved && <span className="saved" role="status">{saved}</span>}
          </div>
        </form>
        {action.error && <ErrorBox message={action.error} />}
      </Card>

      <Card title="Conflict check">
        {m.conflicts.length === 0 && <p className="muted">No possible conflict was found for this matter.</p>}
        {m.conflicts.map((h) => (
          <div key={h.id} className={`conflict${h.cleared ? ' cleared' : ''}`} data-testid="conflict" data-cleared={h.cleared ? 'yes' : 'no'}>
            <span>
              <strong>{h.cleared ? 'Cleared' : 'Possible conflict'}</strong>:{' '}
              {h.matchedParty
                ? <>“{h.checkedName}” resembles {h.matchedName}, {PARTY_ROLE[h.matchedParty.role]}{h.matchedParty.matterReference ? ` in matter ${h.matchedParty.matterReference}` : ''} (imported)</>
                : h.direction === 'opposing_is_client'
                ? <>the other party “{h.checkedName}” resembles the client “{h.matchedName}”</>
                : <>this client resembles “{h.matchedName}”, the other party in {h.matchedMatter?.reference ?? 'another matter'}</>}{' '}
              <span className="muted">({Math.round(h.score * 100)}% alike)</span>
              {h.cleared && (
                <span className="muted">
                  {' '}
                  — cleared by {h.cleared.byName} on {when(h.cleared.at)}
                  {h.cleared.note ? `: ${h.cleared.note}` : ''}
                </span>
              )}
            </span>
            {!h.cleared && (
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => {
                  const note = window.prompt('Why is this no conflict? (optional, kept on the record)') ?? undefined;
                  void act('Conflict cleared', () => api.call('conflicts.clear', { hitId: h.id, ...(note ? { note } : {}) }));
                }}
              >
                Clear
              </button>
            )}
          </div>
        ))}
      </Card>

      <Card title="Documents">
        {m.documents.length === 0 && <p className="muted">No documents yet. The intake PDF appears here once it is made.</p>}
        {m.documents.length > 0 && (
          <table className="documents" data-testid="matter-documents">
            <thead>
              <tr>
                <th>File</th>
                <th>Source</th>
                <th>Type</th>
                <th>Size</th>
                <th>By</th>
                <th>When</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {m.documents.map((d) => (
                <tr key={d.id} data-document-id={d.id}>
                  <td className="doc-name" title={d.fileName}>
                    {d.fileName}
                    {d.mismatch && <span className="doc-warning"> not what its name says</span>}
                  </td>
                  <td>{sourceLabel(d.source)}</td>
                  <td>{typeLabel(d)}</td>
                  <td>{formatBytes(d.size)}</td>
                  <td>{d.createdBy ?? '—'}</td>
                  <td>{when(d.createdAt)}</td>
                  <td className="actions">
                    {(d.preview === 'image' || d.preview === 'pdf') && (
                      <button type="button" className="secondary" onClick={() => setViewing(d)}>
                        Preview
                      </button>
                    )}
                    <button type="button" className="secondary" onClick={() => void open(d.id)}>
                      Download
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {viewing && <DocumentViewer doc={viewing} onClose={() => setViewing(null)} />}
        <div className="form-actions">
          <button type="button" className="secondary" disabled={busy} onClick={() => void act('PDF requested', () => api.call('matters.regeneratePdf', { matterId, sendToClient: false }))}>
            Make the intake PDF again
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void act('PDF requested', () => api.call('matters.regeneratePdf', { matterId, sendToClient: true }))}>
            Make it and send it to the client
          </button>
        </div>
      </Card>

      <ClientRecords matterId={matterId} clientId={m.clientId} clientName={m.clientName} />

      <Card title="Notes">
        <form className="composer" onSubmit={(e) => void addNote(e)}>
          <label className="sr-only" htmlFor="note-text">
            New note
          </label>
          <textarea id="note-text" rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Internal note, never shown to the client" />
          <button type="submit" disabled={busy || !note.trim()}>
            Add note
          </button>
        </form>
        <ul className="history">
          {m.notes.map((n) => (
            <li key={n.id}>
              <strong>{n.authorName}</strong> <span className="muted">{when(n.at)}</span>
              <div style={{ whiteSpace: 'pre-wrap' }}>{n.text}</div>
            </li>
          ))}
        </ul>
      </Card>

      <MatterHolds matterId={matterId} />
      <Card title="The client’s personal data">
        {m.whatsapp.startsWith('erased-') ? (
          <p className="muted">This client’s personal data was erased. The name, the matter references and dates stay for conflict checks.</p>
        ) : (
          <p className="muted">When the client asks for their data to be deleted, an admin erases it here; the preview says what the office must keep.</p>
        )}
        <EraseClient clientId={m.clientId} clientName={m.clientName} erased={m.whatsapp.startsWith('erased-')} onDone={() => { reload(); onChanged(); }} />
      </Card>

      <Card title="History">
        <ul className="history">
          {m.history.map((h) => (
            <li key={h.id}>
              <span className="muted">{when(h.at)}</span> · {h.actor}: {h.action.replace(/_/g, ' ')}
              {h.field && <> {h.field.replace(/_/g, ' ')}</>}
              {h.oldValue !== null && <> from “{h.oldValue}”</>}
              {h.newValue !== null && <> → “{h.newValue}”</>}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

/**
 * The client's data rights on the matter's page: a copy of their data (saved to
 * hand over, or sent to them on WhatsApp), an evidence export of the matter, and
 * the history of their requests, copies and erasures.
 */
function ClientRecords({ matterId, clientId, clientName }: { matterId: number; clientId: number; clientName: string }) {
  const api = useApi();
  const history = useQuery('clients.dataHistory', { clientId });
  const action = useAction<string>();
  const [done, setDone] = useState<string | null>(null);
  const busy = action.busy !== null;
  const run = (label: string, fn: () => Promise<string>) => {
    setDone(null);
    void action.run(async () => {
      setDone(await fn());
      history.reload();
    }, label);
  };
  const saveCopy = () =>
    run('copy', async () => {
      const made = await api.call('clients.exportData', { clientId, deliver: 'save' });
      await downloadDocument(api, made.zip.id);
      return `Copy saved: ${made.zip.fileName} (${made.counts.messages} ${made.counts.messages === 1 ? 'message' : 'messages'}, ${made.counts.documents} ${made.counts.documents === 1 ? 'document' : 'documents'}).`;
    });
  const sendCopy = () => {
    if (!window.confirm(`Send ${clientName} a copy of all the data the office keeps about them, on WhatsApp?`)) return;
    run('send', async () => {
      const made = await api.call('clients.exportData', { clientId, deliver: 'whatsapp' });
      return `The copy is on its way to ${clientName} (${made.pdf.fileName} and ${made.zip.fileName}).`;
    });
  };
  const evidence = () =>
    run('evidence', async () => {
      const made = await api.call('evidence.export', { matterId });
      await downloadDocument(api, made.pdf.id);
      await downloadDocument(api, made.json.id);
      return `Evidence export saved (content SHA-256 ${made.contentSha256.slice(0, 16)}…). Keep the PDF and the JSON file together.`;
    });
  return (
    <Card title="Client's data and evidence">
      <p className="muted">
        A copy holds what {clientName} may see: their details, consents, messages, the files they sent and received, and their matters. Never
        internal notes or conflict checks.
      </p>
      <div className="form-actions">
        <button type="button" className="secondary" disabled={busy} onClick={saveCopy}>
          {action.busy === 'copy' ? 'Making the copy…' : 'Save a copy of their data'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={sendCopy}>
          {action.busy === 'send' ? 'Sending…' : 'Send them a copy on WhatsApp'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={evidence}>
          {action.busy === 'evidence' ? 'Exporting…' : 'Evidence export of this matter'}
        </button>
      </div>
      {done && (
        <p className="saved" role="status">
          {done}
        </p>
      )}
      {action.error && <ErrorBox message={action.error} />}
      <h3>Requests, copies and erasures</h3>
      {history.error && <ErrorBox message={history.error.message} onRetry={history.reload} />}
      {history.data && history.data.items.length === 0 && <p className="muted">Nothing yet: no request about their data, no copy made.</p>}
      <ul className="history" data-testid="client-data-history">
        {history.data?.items.map((item, i) => (
          <li key={i} data-kind={item.kind}>
            <span className="muted">{when(item.at)}</span> · {item.text}
          </li>
        ))}
      </ul>
    </Card>
  );
}
