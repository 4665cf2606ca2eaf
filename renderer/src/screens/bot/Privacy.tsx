import { useState, type FormEvent } from 'react';
import { roleAllows } from '../../../../shared/permissions.js';
import type { ErasurePreview, RetentionRules } from '../../../../shared/contract/privacy.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, QueryStatus } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';
import { useSession } from '../../session.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Whether the signed-in member of staff may do what `access` needs (the door checks again). */
function useMay(access: Parameters<typeof roleAllows>[1]): boolean {
  const role = useSession().state.user?.role;
  return role ? roleAllows(role, access) : false;
}

/**
 * "Erase this client" for admins: the preview (what goes, what stays and why,
 * until when backups still hold it), then the reason and the admin's password.
 */
export function EraseClient({ clientId, clientName, erased, onDone }: { clientId: number; clientName: string; erased?: boolean; onDone?: () => void }) {
  const may = useMay('privacy.manage');
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<ErasurePreview | null>(null);
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const action = useAction<'preview' | 'erase'>();
  if (!may) return null;

  const start = () =>
    action.run(async () => {
      setDone(null);
      setPreview(await api.call('clients.erasePreview', { clientId }));
      setOpen(true);
    }, 'preview');
  const erase = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const result = await api.call('clients.erase', { clientId, reason, password });
      setPassword('');
      setOpen(false);
      setDone(
        `Erased: ${plural(result.erased.messages, 'message')}, ${plural(result.erased.documents, 'document')}, ${plural(result.erased.conversations, 'conversation')}. The audit trail records that you did it, with these counts.`,
      );
      onDone?.();
    }, 'erase');
  };

  return (
    <div className="erase-client" data-testid="erase-client">
      {!open && (
        <button type="button" className="danger" disabled={action.busy !== null} onClick={() => void start()}>
          {action.busy === 'preview' ? 'Preparing…' : erased ? 'Erase this client again' : 'Erase this client'}
        </button>
      )}
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {!open && action.error && <ErrorBox message={action.error} />}
      {open && preview && (
        <div className="card erase-dialog" role="dialog" aria-label={`Erase ${clientName}`}>
          <h2>Erase {preview.client.name}’s personal data</h2>
          {preview.blockedBy ? (
            <p className="error-box" role="alert">
              This client is under legal hold (set by {preview.blockedBy.setBy} on {when(preview.blockedBy.setAt)}: {preview.blockedBy.reason}). Nothing can be
              erased until the hold is released.
            </p>
          ) : null}
          <h3>What goes</h3>
          <ul data-testid="erase-goes">
            <li>{plural(preview.goes.messages, 'message')} in {plural(preview.goes.conversations, 'conversation')}</li>
            <li>{plural(preview.goes.documents, 'document')} (the files too)</li>
            <li>{plural(preview.goes.intakeAnswers, 'intake')}: the answers (description, deadline, next step)</li>
            {preview.goes.notes > 0 && <li>{plural(preview.goes.notes, 'internal note')}</li>}
            {preview.goes.contactDetails.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <h3>What stays, and why</h3>
          <ul data-testid="erase-stays">
            {preview.stays.map((s) => (
              <li key={`${s.kind}-${s.matterId ?? 0}`}>
                <strong>{s.what}.</strong> {s.why}
              </li>
            ))}
          </ul>
          <p className="warn" data-testid="erase-irreversible">
            {preview.irreversible}
          </p>
          {!preview.blockedBy && (
            <form className="stack" onSubmit={erase}>
              <label>
                Why is it erased? (no names or details of the client here: this goes into the audit trail)
                <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="The client asked on WhatsApp" required />
              </label>
              <label>
                Your password, to confirm
                <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
              </label>
              {action.error && <ErrorBox message={action.error} />}
              <div className="actions">
                <button type="submit" className="danger" disabled={action.busy !== null || reason.trim().length < 3 || !password}>
                  {action.busy === 'erase' ? 'Erasing…' : 'Erase permanently'}
                </button>
                <button type="button" className="secondary" onClick={() => setOpen(false)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
          {preview.blockedBy && (
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Close
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** Legal holds on a matter: who set each and why; set one, release one. */
export function MatterHolds({ matterId }: { matterId: number }) {
  const api = useApi();
  const holds = useQuery('holds.list', { matterId });
  const [reason, setReason] = useState('');
  const action = useAction<string>();
  const active = holds.data?.items.filter((h) => !h.releasedAt) ?? [];
  const set = (e: FormEvent) => {
    e.preventDefault();
    void action
      .run(() => api.call('holds.set', { matterId, reason }), 'set')
      .then((ok) => {
        if (ok) setReason('');
        holds.reload();
      });
  };
  return (
    <Card title="Legal hold" testId="holds">
      <QueryStatus query={holds} loading="Loading holds…" />
      {holds.data && active.length === 0 && (
        <p className="muted">No legal hold. Put the matter under hold when it may be needed in a dispute: nothing in it is then deleted, by an erasure or by retention.</p>
      )}
      <ul className="history">
        {holds.data?.items.map((h) => (
          <li key={h.id} data-testid="hold">
            <strong>{h.releasedAt ? 'Released' : h.matterId === null ? 'On hold (the whole client)' : 'On hold'}</strong> · set by {h.setBy} {when(h.setAt)}: {h.reason}
            {h.releasedAt && (
              <span className="muted">
                {' '}
                · released by {h.releasedBy} {when(h.releasedAt)}
              </span>
            )}
            {!h.releasedAt && (
              <>
                {' '}
                <button
                  type="button"
                  className="secondary"
                  disabled={action.busy !== null}
                  onClick={() => void action.run(() => api.call('holds.release', { holdId: h.id }), `release-${h.id}`).then(() => holds.reload())}
                >
                  Release
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {holds.data && active.length === 0 && (
        <form className="composer" onSubmit={set}>
          <label className="sr-only" htmlFor="hold-reason">
            Why the hold
          </label>
          <input id="hold-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="Why (e.g. litigation expected)" />
          <button type="submit" disabled={action.busy !== null || reason.trim().length < 3}>
            Put under legal hold
          </button>
        </form>
      )}
      {action.error && <ErrorBox message={action.error} />}
    </Card>
  );
}

const RULE_FIELDS: { key: keyof RetentionRules; label: string; unit: string }[] = [
  { key: 'unconvertedIntakeDays', label: 'Intakes never taken on', unit: 'days' },
  { key: 'closedMatterYears', label: 'Closed matters (their content)', unit: 'years' },
  { key: 'nonClientConversationDays', label: 'Conversations of people who never became clients', unit: 'days' },
  { key: 'declinedConsentHours', label: 'Declined consents (anonymous entries)', unit: 'hours' },
];

/** The office's retention schedule, with what the next nightly run will erase. */
export function RetentionSettings() {
  const api = useApi();
  const state = useQuery('retention.get', {});
  const [draft, setDraft] = useState<RetentionRules | null>(null);
  const [sentence, setSentence] = useState<string | null>(null);
  const action = useAction<string>();
  const rules = draft ?? state.data?.rules ?? null;

  const change = (key: keyof RetentionRules, value: number) => {
    if (!rules) return;
    const next = { ...rules, [key]: value };
    setDraft(next);
    if (Number.isInteger(value) && value > 0) {
      void api
        .call('retention.preview', { rules: next })
        .then((p) => setSentence(p.sentence))
        .catch(() => setSentence(null));
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    void action.run(async () => {
      await api.call('retention.update', { rules: draft });
      setDraft(null);
      setSentence(null);
      state.reload();
    }, 'save');
  };

  return (
    <Card title="Retention" testId="retention">
      <QueryStatus query={state} loading="Loading the retention schedule…" />
      {rules && state.data && (
        <form className="stack" onSubmit={save}>
          <p className="muted">
            Every night LexDesk erases what is past these periods, a few records at a time, and records each run in the audit trail. Matters under legal hold are
            never erased.
          </p>
          {RULE_FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              <span>
                <input
                  type="number"
                  min={1}
                  value={rules[f.key]}
                  onChange={(e) => change(f.key, Number(e.target.value))}
                  style={{ width: '7em' }}
                  aria-label={`${f.label} (${f.unit})`}
                />{' '}
                {f.unit}
              </span>
            </label>
          ))}
          <p data-testid="retention-preview">
            <strong>{sentence ?? state.data.preview.sentence}</strong>
          </p>
          {state.data.lastRun ? (
            <p className="muted">
              Last run {when(state.data.lastRun.at)}: {plural(state.data.lastRun.counts.conversations + state.data.lastRun.counts.declinedConsents, 'conversation')},{' '}
              {plural(state.data.lastRun.counts.intakes, 'intake')}, {plural(state.data.lastRun.counts.closedMatters, 'closed matter')} erased.
            </p>
          ) : (
            <p className="muted">No run yet: the first one is tonight at 03:45.</p>
          )}
          {action.error && <ErrorBox message={action.error} />}
          <div className="actions">
            <button type="submit" disabled={!draft || action.busy !== null}>
              Save the schedule
            </button>
            {draft && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setDraft(null);
                  setSentence(null);
                }}
              >
                Undo changes
              </button>
            )}
          </div>
        </form>
      )}
    </Card>
  );
}

/** The "Clients' data" screen: the retention schedule and every active legal hold. */
export function ClientsData() {
  const holds = useQuery('holds.list', {});
  return (
    <Screen title="Clients’ data">
      <RetentionSettings />
      <Card title="Active legal holds" testId="active-holds">
        <QueryStatus query={holds} loading="Loading holds…" />
        {holds.data?.items.length === 0 && <p className="empty">No matter or client is under legal hold. Set a hold from the matter’s page.</p>}
        <ul className="history">
          {holds.data?.items.map((h) => (
            <li key={h.id}>
              <strong>{h.matterReference ? `Matter ${h.matterReference}` : `Client ${h.clientId}`}</strong> · set by {h.setBy} {when(h.setAt)}: {h.reason}
            </li>
          ))}
        </ul>
      </Card>
    </Screen>
  );
}
