import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuditFilter, AuditRow, ExportFormat, InputOf, OutputOf } from '../../../shared/contract/index.js';
import { AUDIT_OUTCOMES } from '../../../shared/contract/audit.js';
import { roleAllows } from '../../../shared/permissions.js';
import { ApiCallError } from '../api/index.js';
import { Options } from '../components/form.js';
import { Screen } from '../components/Layout.js';
import { ErrorBox } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { useApi } from '../context.js';
import { asApiError, messageOf } from '../errors.js';
import { useAction, useServerEvents } from '../hooks.js';
import { useSession } from '../session.js';
import './audit.css';

/** The form's fields, as typed (times in the browser's local time). */
interface FilterForm {
  actor: string;
  action: string;
  outcome: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
  contains: string;
}

const EMPTY_FORM: FilterForm = { actor: '', action: '', outcome: '', targetType: '', targetId: '', from: '', to: '', contains: '' };

function toFilter(form: FilterForm): AuditFilter {
  const filter: AuditFilter = {};
  const text = (value: string) => value.trim() || undefined;
  const time = (value: string) => (value ? new Date(value).toISOString() : undefined);
  if (text(form.actor)) filter.actor = text(form.actor);
  if (text(form.action)) filter.action = text(form.action);
  if (form.outcome) filter.outcome = form.outcome as AuditFilter['outcome'];
  if (text(form.targetType)) filter.target = { type: text(form.targetType)!, ...(text(form.targetId) ? { id: text(form.targetId) } : {}) };
  if (time(form.from)) filter.from = time(form.from);
  if (time(form.to)) filter.to = time(form.to);
  if (text(form.contains)) filter.contains = text(form.contains);
  return filter;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const tableTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const formatTime = (iso: string) => dateTime.format(new Date(iso));

function actorLabel(row: AuditRow): string {
  if (row.actor.type === 'user') return row.actor.name ?? row.actor.id ?? 'a user';
  const kind = { bot: 'WhatsApp bot', system: 'LexDesk', cli: 'command line', anonymous: 'not signed in' }[row.actor.type];
  // an anonymous caller's name is the one they typed (a failed sign-in)
  return row.actor.name ? `${kind} · ${row.actor.name}` : kind;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
/** "at 10:42" today, the date otherwise. */
function whenChecked(iso: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? `at ${timeOfDay.format(date)}` : `on ${shortDate.format(date)}`;
}

const OUTCOME_LABEL: Record<AuditRow['outcome'], string> = { ok: 'OK', denied: 'Refused', invalid: 'Invalid', error: 'Failed' };
const OUTCOME_PILL: Record<AuditRow['outcome'], string> = { ok: 'pill-ok', denied: 'pill-down', invalid: 'pill-degraded', error: 'pill-down' };

function OutcomePill({ row, withCode = false }: { row: AuditRow; withCode?: boolean }) {
  return (
    <span className={`pill ${OUTCOME_PILL[row.outcome]}`} data-outcome={row.outcome} title={row.errorCode ?? undefined}>
      {OUTCOME_LABEL[row.outcome]}
      {withCode && row.errorCode && row.outcome !== 'ok' ? ` · ${row.errorCode}` : null}
    </span>
  );
}

/** `matter 42`, with a long id (a UUID) shortened; the detail panel shows it whole. */
function targetLabel(row: AuditRow): string {
  if (!row.target) return '';
  const id = row.target.id ?? '';
  return `${row.target.type} ${id.length > 14 ? `${id.slice(0, 8)}…` : id}`;
}

// ---------------------------------------------------------------------------------------------
// The pages of a search, loaded as the list scrolls

interface Pages {
  rows: AuditRow[];
  next: string | null;
  searchedTo: string | null;
  loading: boolean;
  error: ApiCallError | null;
  started: boolean;
}

const PAGE_SIZE = 100;

function useAuditPages(filter: AuditFilter, hideReads: boolean) {
  const api = useApi();
  const [state, setState] = useState<Pages>({ rows: [], next: null, searchedTo: null, loading: true, error: null, started: false });
  const generation = useRef(0);
  const busy = useRef(false);
  const key = JSON.stringify({ ...filter, hideReads });

  const load = useCallback(
    (cursor: string | null, mine: number) => {
      busy.current = true;
      setState((s) => ({ ...s, loading: true, error: null }));
      const input: InputOf<'audit.search'> = { ...(JSON.parse(key) as AuditFilter & { hideReads: boolean }), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
      api
        .call('audit.search', input)
        .then((page) => {
          if (mine !== generation.current) return;
          setState((s) => ({
            rows: cursor ? [...s.rows, ...page.rows] : page.rows,
            next: page.next,
            searchedTo: page.searchedTo,
            loading: false,
            error: null,
            started: true,
          }));
        })
        .catch((err: unknown) => {
          if (mine !== generation.current) return;
          setState((s) => ({ ...s, loading: false, error: asApiError(err), started: true }));
        })
        .finally(() => {
          if (mine === generation.current) busy.current = false;
        });
    },
    [api, key],
  );

  useEffect(() => {
    const mine = ++generation.current;
    setState({ rows: [], next: null, searchedTo: null, loading: true, error: null, started: false });
    load(null, mine);
  }, [load]);

  const more = useCallback(() => {
    if (busy.current || !state.next || state.error) return;
    load(state.next, generation.current);
  }, [load, state.next, state.error]);

  const retry = useCallback(() => load(state.rows.length ? state.next : null, generation.current), [load, state.next, state.rows.length]);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    load(null, mine);
  }, [load]);
  return { ...state, more, retry, reload };
}

/** Calls `onVisible` whenever the element is on screen (and again after each change of `deps`). */
function useWhenVisible(onVisible: () => void, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) callback.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
    // re-observing after each page makes a still-visible sentinel fire again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Integrity badge

type Integrity = OutputOf<'audit.integrity'>;

function IntegrityBadge() {
  const api = useApi();
  const [integrity, setIntegrity] = useState<Integrity | null>(null);
  const [error, setError] = useState<string | null>(null);
  const verifying = useAction();

  const refresh = useCallback(() => {
    api
      .call('audit.integrity', {})
      .then(setIntegrity)
      .catch((err: unknown) => setError(messageOf(err)));
  }, [api]);

  useEffect(refresh, [refresh]);
  useServerEvents(['audit.verified'], refresh);

  const verify = () => {
    setError(null);
    void verifying.run(async () => {
      await api.call('audit.verify', { from: 'start' });
      refresh();
    });
  };
  const problem = verifying.error ?? error;

  const last = integrity?.last ?? null;
  let pill = <span className="pill pill-unknown">Not verified yet</span>;
  if (last?.intact) {
    pill = (
      <span className="pill pill-ok" title={`Checked ${formatTime(last.at)} by ${last.by.name ?? last.by.type}`}>
        <span className="dot" aria-hidden="true" />
        Intact · {last.rows.toLocaleString()} rows · checked {whenChecked(last.at)}
      </span>
    );
  } else if (last) {
    pill = (
      <span className="pill pill-down" title={last.message}>
        <span className="dot" aria-hidden="true" />
        Broken at row {last.brokenAt?.toLocaleString()}
      </span>
    );
  }
  return (
    <div className="audit-integrity" data-testid="audit-integrity" aria-live="polite">
      {integrity ? pill : <span className="muted">Checking the record…</span>}
      {last && !last.intact && <span className="audit-integrity-message">{last.message}</span>}
      {integrity && integrity.rowsSince > 0 && last?.intact && (
        <span className="muted">{integrity.rowsSince.toLocaleString()} new since</span>
      )}
      <button type="button" className="secondary" onClick={verify} disabled={verifying.busy !== null}>
        {verifying.busy ? 'Verifying…' : 'Verify now'}
      </button>
      {problem && (
        <span className="audit-error-inline" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Export

type ExportState =
  | { phase: 'idle' }
  | { phase: 'preparing' }
  | { phase: 'running'; exportId: string; rows: number; fraction: number | null }
  | { phase: 'done'; rows: number }
  | { phase: 'cancelled' }
  | { phase: 'failed'; message: string };

function ExportControl({ filter, nothing }: { filter: AuditFilter; nothing: boolean }) {
  const api = useApi();
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [state, setState] = useState<ExportState>({ phase: 'idle' });
  const exportId = useRef<string | null>(null);

  useServerEvents(['audit.export.progress'], ({ data }) => {
    if (data.exportId !== exportId.current) return;
    if (data.state === 'running') setState({ phase: 'running', exportId: data.exportId, rows: data.rows, fraction: data.fraction });
    else if (data.state === 'done') setState({ phase: 'done', rows: data.rows });
    else if (data.state === 'cancelled') setState({ phase: 'cancelled' });
    else setState({ phase: 'failed', message: data.message ?? 'The export could not be written.' });
  });

  const start = async () => {
    setState({ phase: 'preparing' });
    try {
      const ticket = await api.call('audit.export', { ...filter, format });
      exportId.current = ticket.exportId;
      setState({ phase: 'running', exportId: ticket.exportId, rows: 0, fraction: null });
      if (api.transport === 'http') {
        // the browser downloads it itself: streamed to disk, never held in this page
        const link = document.createElement('a');
        link.href = ticket.downloadPath;
        link.download = ticket.filename;
        document.body.append(link);
        link.click();
        link.remove();
      }
      // on the desktop, the app now asks where to save it
    } catch (err) {
      if (err instanceof ApiCallError && err.code === 'forbidden') {
        setState({ phase: 'failed', message: 'Only an administrator can export the audit trail.' });
      } else {
        setState({ phase: 'failed', message: messageOf(err) });
      }
    }
  };

  const busy = state.phase === 'preparing' || state.phase === 'running';
  return (
    <div className="audit-export" data-testid="audit-export">
      <label className="inline">
        <span>Format</span>
        <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)} disabled={busy}>
          <option value="csv">CSV (spreadsheets)</option>
          <option value="jsonl">JSON Lines</option>
        </select>
      </label>
      <button type="button" onClick={() => void start()} disabled={busy || nothing} title={nothing ? 'No rows to export' : undefined}>
        {busy ? 'Exporting…' : 'Export'}
      </button>
      <span className="audit-export-status" role="status" aria-live="polite">
        {state.phase === 'preparing' && 'Preparing the export…'}
        {state.phase === 'running' && (
          <>
            <progress max={1} value={state.fraction ?? undefined} aria-label="Export progress" />
            {state.rows > 0 ? `${state.rows.toLocaleString()} rows written` : 'Starting…'}
          </>
        )}
        {state.phase === 'done' && `Exported ${state.rows.toLocaleString()} rows.`}
        {state.phase === 'cancelled' && 'Export cancelled.'}
        {state.phase === 'failed' && <span className="audit-error-inline">{state.message}</span>}
      </span>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Detail panel

function DetailPanel({ id, onClose, onActor }: { id: number; onClose: () => void; onActor: (actor: string) => void }) {
  const api = useApi();
  const [row, setRow] = useState<AuditRow | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let current = true;
    setRow(null);
    setError(null);
    api
      .call('audit.get', { id })
      .then((value) => current && setRow(value))
      .catch((err: unknown) => current && setError(asApiError(err)));
    return () => {
      current = false;
    };
  }, [api, id, tick]);

  return (
    <aside className="card audit-detail" aria-label={`Audit row ${id}`} data-testid="audit-detail">
      <header className="audit-detail-header">
        <h2>Row {id.toLocaleString()}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </header>
      {error && <ErrorBox message={error.message} onRetry={() => setTick((t) => t + 1)} />}
      {!row && !error && <p className="muted">Loading…</p>}
      {row && (
        <>
          {row.sentence && (
            <p className="audit-sentence" data-testid="audit-detail-sentence">
              {row.sentence}
            </p>
          )}
          <dl className="facts">
            <dt>When</dt>
            <dd>{formatTime(row.at)}</dd>
            <dt>Who</dt>
            <dd>
              {actorLabel(row)}
              {row.actor.role ? ` (${row.actor.role})` : ''}{' '}
              {(row.actor.id ?? row.actor.type) && (
                <button type="button" className="link" onClick={() => onActor(row.actor.id ?? row.actor.type)}>
                  all rows by them
                </button>
              )}
            </dd>
            <dt>What</dt>
            <dd>
              <code>{row.action}</code> <OutcomePill row={row} withCode />
            </dd>
            {row.target && (
              <>
                <dt>About</dt>
                <dd>
                  {row.target.type} {row.target.id}
                </dd>
              </>
            )}
            <dt>From</dt>
            <dd>
              {row.face}
              {row.address ? ` · ${row.address}` : ''}
            </dd>
          </dl>
          <pre className="audit-json" data-testid="audit-json">
            {JSON.stringify(row, null, 2)}
          </pre>
        </>
      )}
    </aside>
  );
}

// ---------------------------------------------------------------------------------------------
// The screen

export function Audit() {
  const [form, setForm] = useState<FilterForm>(EMPTY_FORM);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [selected, setSelected] = useState<number | null>(null);
  // the whole trail, its export and verification (admin), or the rows about clients and
  // matters (lawyer); the door enforces the same, this only hides what it would refuse
  const role = useSession().state.user?.role;
  const admin = role ? roleAllows(role, 'audit.all') : false;
  // views, downloads and searches are most of the trail: hidden until asked for
  const [showReads, setShowReads] = useState(false);
  const pages = useAuditPages(filter, !showReads);
  const sentinel = useWhenVisible(pages.more, [pages.rows.length, pages.searchedTo, pages.next]);
  const filtered = Object.keys(filter).length > 0;

  const set = (field: keyof FilterForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setSelected(null);
    setFilter(toFilter(form));
  };
  const clear = () => {
    setForm(EMPTY_FORM);
    setFilter({});
    setSelected(null);
  };
  const byActor = (actor: string) => {
    const next = { ...EMPTY_FORM, actor };
    setForm(next);
    setFilter(toFilter(next));
  };

  const invalid = pages.error?.code === 'invalid_input';
  return (
    <Screen title="Audit trail" className="audit" aside={admin && <IntegrityBadge />}>
      {!admin && <p className="muted">You see the rows about clients and matters.</p>}

      <form className="card audit-filters" onSubmit={apply} aria-label="Filters" role="search">
        <label>
          Person
          <input value={form.actor} onChange={set('actor')} placeholder="name or username, bot, system…" />
        </label>
        <label>
          Action
          <input value={form.action} onChange={set('action')} placeholder="auth.login or security." />
        </label>
        <label>
          Outcome
          <select value={form.outcome} onChange={set('outcome')}>
            <option value="">Any</option>
            <Options values={AUDIT_OUTCOMES} labels={OUTCOME_LABEL} />
          </select>
        </label>
        <label>
          About (type)
          <input value={form.targetType} onChange={set('targetType')} placeholder="matter, client, user…" />
        </label>
        <label>
          About (id)
          <input value={form.targetId} onChange={set('targetId')} disabled={!form.targetType.trim()} />
        </label>
        <label>
          From
          <input type="datetime-local" step={1} value={form.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" step={1} value={form.to} onChange={set('to')} />
        </label>
        <label>
          Details contain
          <input value={form.contains} onChange={set('contains')} />
        </label>
        <div className="audit-filter-buttons">
          <button type="submit">Search</button>
          <button type="button" className="secondary" onClick={clear} disabled={!filtered && form === EMPTY_FORM}>
            Clear
          </button>
        </div>
      </form>

      <div className="audit-toolbar">
        <span className="muted" data-testid="audit-count">
          {pages.started && !pages.error
            ? `${pages.rows.length.toLocaleString()}${pages.next ? '+' : ''} ${pages.rows.length === 1 ? 'row' : 'rows'}${filtered ? ' matching' : ''}, newest first`
            : ''}
        </span>
        <span className="audit-toolbar-actions">
          <label className="inline audit-reads" title="Views, downloads, searches, exports and sign-in renewals: they change nothing">
            <input type="checkbox" role="switch" checked={showReads} onChange={(e) => setShowReads(e.target.checked)} />
            <span>Show reads</span>
          </label>
          <button type="button" className="secondary" onClick={pages.reload}>
            Show newest
          </button>
          {admin && <ExportControl filter={filter} nothing={pages.started && pages.rows.length === 0 && !pages.next} />}
        </span>
      </div>

      {invalid && <ErrorBox message={`${pages.error!.message} Check the filters.`} />}
      {pages.error && !invalid && <ErrorBox message={pages.error.message} onRetry={pages.retry} />}

      <div className={`audit-body${selected !== null ? ' with-detail' : ''}`}>
        <div className="card audit-list">
          {!pages.started && <p className="muted">Loading the audit trail…</p>}
          {pages.started && !pages.error && pages.rows.length === 0 && !pages.next && (
            <div className="empty-state" data-testid="audit-empty">
              {filtered ? (
                <>
                  <p>No audit rows match these filters.</p>
                  <p className="muted">Widen the time range, check the spelling of the person or action, or clear the filters.</p>
                  <button type="button" className="secondary" onClick={clear}>
                    Clear the filters
                  </button>
                </>
              ) : !admin ? (
                <>
                  <p>There are no rows about clients or matters yet.</p>
                  <p className="muted">Every time someone opens or changes a client or a matter, it will be listed here.</p>
                </>
              ) : (
                <>
                  <p>Nothing has been recorded yet.</p>
                  <p className="muted">Every sign-in, change, export and refusal in LexDesk will be listed here as it happens.</p>
                </>
              )}
            </div>
          )}
          {pages.rows.length > 0 && (
            <Table className="audit-table" testId="audit-table" columns={['When', 'What happened', 'Outcome']}>
              {pages.rows.map((row) => (
                <tr
                  key={row.id}
                  tabIndex={0}
                  aria-selected={row.id === selected}
                  data-action={row.action}
                  data-id={row.id}
                  onClick={() => setSelected(row.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setSelected(row.id);
                    }
                  }}
                >
                  <td className="nowrap" title={formatTime(row.at)}>
                    {tableTime.format(new Date(row.at))}
                  </td>
                  <td className="audit-what">
                    <span className="audit-sentence-cell">{row.sentence ?? `${actorLabel(row)}: ${row.action}`}</span>
                    <span className="audit-code muted">
                      <code>{row.action}</code>
                      {row.target ? ` · ${targetLabel(row)}` : ''}
                    </span>
                  </td>
                  <td className="nowrap">
                    <OutcomePill row={row} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <div ref={sentinel} className="audit-sentinel" aria-hidden="true" />
          {pages.started && pages.loading && pages.rows.length > 0 && <p className="muted">Loading more…</p>}
          {pages.searchedTo && pages.next && (
            <p className="muted" data-testid="audit-searching">
              Searching further back… reached {formatTime(pages.searchedTo)}.
            </p>
          )}
          {pages.started && !pages.next && pages.rows.length > 0 && <p className="muted audit-end">That is every matching row.</p>}
        </div>
        {selected !== null && <DetailPanel id={selected} onClose={() => setSelected(null)} onActor={byActor} />}
      </div>
    </Screen>
  );
}
