import { useRef, useState, type ChangeEvent } from 'react';
import { PARTY_FIELD_LABELS, PARTY_IMPORT_FIELDS, type PartiesImportReport, type PartiesPreview, type PartyImportField } from '../../../shared/contract/imports.js';
import { formatBytes } from '../../../shared/format.js';
import { ApiCallError } from '../api/index.js';
import { Card, Screen } from '../components/Layout.js';
import { Table } from '../components/Table.js';
import { useApi } from '../context.js';
import { messageOf } from '../errors.js';
import { ChatImport } from './ChatImport.js';
import './import.css';

type Mapping = Partial<Record<PartyImportField, string>>;

const ROLE_LABEL: Record<string, string> = {
  client: 'Client',
  former_client: 'Former client',
  adverse_party: 'Adverse party',
  related_party: 'Related party',
  witness: 'Witness',
};

const FIELD_HINT: Record<PartyImportField, string> = {
  name: 'needed',
  role: 'needed: client, former client, adverse party, related party or witness',
  matter: 'the matter reference, if any',
  aliases: 'separated by | or ;',
  taxId: 'CPF, CNPJ, NIF, VAT…',
  email: '',
  phone: '',
};

/**
 * Import and export, for the administrator: a list of the parties the office knew
 * before LexDesk (from a spreadsheet saved as CSV, or a JSON list) into the
 * conflict check — its columns mapped and its first rows shown before anything is
 * written — a chat a phone exported into a client's conversation, and every
 * record out into a folder.
 */
export function Import() {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState<PartiesPreview | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [report, setReport] = useState<PartiesImportReport | null>(null);
  const [busy, setBusy] = useState<'upload' | 'preview' | 'import' | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<{ folder: string; files: number } | null>(null);

  async function work(kind: NonNullable<typeof busy>, fn: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await fn();
    } catch (err) {
      const details = err instanceof ApiCallError ? (err.details as { reason?: string; report?: PartiesImportReport } | undefined) : undefined;
      if (details?.reason === 'file_problems' && details.report) setReport(details.report);
      else setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  function chooseFile() {
    if (api.transport === 'http') input.current?.click();
    else void upload(undefined);
  }

  async function upload(file: File | undefined) {
    await work('upload', async () => {
      const result = await api.files.uploadImport(file);
      if (!result) return;
      setReport(null);
      setPreview(result);
      setMapping(result.mapping);
    });
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) await upload(file);
  }

  async function remap(field: PartyImportField, column: string) {
    if (!preview) return;
    const next: Mapping = { ...mapping };
    if (column) {
      // one column feeds one field
      for (const f of PARTY_IMPORT_FIELDS) if (next[f] === column) delete next[f];
      next[field] = column;
    } else {
      delete next[field];
    }
    setMapping(next);
    await work('preview', async () => {
      setPreview(await api.call('imports.preview', { uploadId: preview.uploadId, mapping: next }));
    });
  }

  async function runImport() {
    if (!preview) return;
    await work('import', async () => {
      const result = await api.call('imports.run', { uploadId: preview.uploadId, mapping });
      setReport(result);
      setPreview(null);
    });
  }

  async function exportAll() {
    setExported(null);
    await work('export', async () => {
      const result = await api.call('imports.exportAll', {});
      setExported({ folder: result.folder, files: result.files });
    });
  }

  const missing = PARTY_IMPORT_FIELDS.filter((f) => (f === 'name' || f === 'role') && !mapping[f]);

  return (
    <Screen
      title="Import and export"
      className="import"
      aside={
        <button type="button" onClick={() => void exportAll()} disabled={busy !== null}>
          {busy === 'export' ? 'Exporting…' : 'Export all data'}
        </button>
      }
    >
      <input ref={input} type="file" accept=".csv,.txt,.tsv,.json,text/csv,application/json" hidden data-testid="import-file-input" onChange={(e) => void onFile(e)} />

      {error && (
        <div className="error-box" role="alert" data-testid="import-error">
          <p>{error}</p>
        </div>
      )}
      {exported && (
        <div className="notice notice-ok" role="status" data-testid="export-notice">
          <p>
            Everything was exported ({exported.files} files) to <code>{exported.folder}</code>. The file manifest.json in that folder lists the SHA-256 of
            every file.
          </p>
        </div>
      )}
      {busy === 'export' && (
        <p className="muted" role="status">
          Writing every client, matter, conversation, document and party into a folder… this can take a minute for a large office.
        </p>
      )}

      {report && <ReportCard report={report} onAnother={chooseFile} />}

      {!preview && !report && (
        <Card title="Bring in the office's known parties" testId="import-empty">
          <p>
            The conflict check compares every new client and every other party with the people and companies the office already knows. Bring in the
            list from the old system or a spreadsheet: in Excel, <em>Save as → CSV</em>; a JSON list works too.
          </p>
          <p className="muted">
            Each row needs a name and a role (client, former client, adverse party, related party or witness); a matter reference, other names, tax id,
            email and phone are taken when present. You will see the columns and the first rows before anything is imported. Rows imported before are
            never added twice.
          </p>
          <button type="button" onClick={chooseFile} disabled={busy !== null}>
            {busy === 'upload' ? 'Reading the file…' : 'Choose a file…'}
          </button>
        </Card>
      )}

      {preview && (
        <>
          <Card title={`Columns of ${preview.fileName}`} testId="import-mapping">
            <p className="muted">
              {formatBytes(preview.bytes)}, {preview.encoding === 'windows-1252' ? 'Windows-1252 (older Excel)' : 'UTF-8'}, columns: {preview.columns.join(', ') || '(none found)'}.
              Choose which column holds each field.
            </p>
            <div className="mapping-grid">
              {PARTY_IMPORT_FIELDS.map((field) => (
                <label key={field}>
                  <span>
                    {PARTY_FIELD_LABELS[field]}
                    {FIELD_HINT[field] && <small className="muted"> ({FIELD_HINT[field]})</small>}
                  </span>
                  <select value={mapping[field] ?? ''} onChange={(e) => void remap(field, e.target.value)} disabled={busy !== null} aria-label={`Column for ${PARTY_FIELD_LABELS[field]}`}>
                    <option value="">(none)</option>
                    {preview.columns.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </div>
          </Card>

          <Card title="First rows, as they will be imported" testId="import-preview">
            {preview.rows.length === 0 ? (
              <p className="muted">No row can be imported with this mapping yet.</p>
            ) : (
              <Table columns={PARTY_IMPORT_FIELDS.map((f) => PARTY_FIELD_LABELS[f])} label="First rows">
                {preview.rows.map((row, i) => (
                  <tr key={i}>
                    <td>{row.name}</td>
                    <td>{ROLE_LABEL[row.role] ?? row.role}</td>
                    <td>{row.matter ?? ''}</td>
                    <td>{row.aliases.join(', ')}</td>
                    <td>{row.taxId ?? ''}</td>
                    <td>{row.email ?? ''}</td>
                    <td>{row.phone ?? ''}</td>
                  </tr>
                ))}
              </Table>
            )}
            {preview.problems.length > 0 && (
              <ul className="problems" data-testid="preview-problems">
                {preview.problems.map((p, i) => (
                  <li key={i}>{p.line}</li>
                ))}
              </ul>
            )}
            <div className="actions">
              {missing.length > 0 && <p className="muted">Choose the column for {missing.map((f) => PARTY_FIELD_LABELS[f].toLowerCase()).join(' and ')} first.</p>}
              <button type="button" onClick={() => void runImport()} disabled={busy !== null || missing.length > 0}>
                {busy === 'import' ? 'Importing…' : 'Import'}
              </button>
              <button type="button" className="secondary" onClick={() => setPreview(null)} disabled={busy !== null}>
                Cancel
              </button>
            </div>
            {busy === 'import' && (
              <p className="muted" role="status" data-testid="import-busy">
                Reading and checking every row, then writing them all at once…
              </p>
            )}
          </Card>
        </>
      )}

      <ChatImport disabled={busy !== null} />
    </Screen>
  );
}

function ReportCard({ report, onAnother }: { report: PartiesImportReport; onAnother: () => void }) {
  const total = report.problems.length + report.moreProblems;
  return (
    <Card title={report.ok ? 'Import done' : 'Nothing was imported'} testId="import-report" className={report.ok ? 'report-ok' : 'report-refused'}>
      {report.ok ? (
        <>
          <p data-testid="import-counts">
            <strong>{report.imported}</strong> {report.imported === 1 ? 'party' : 'parties'} imported from {report.fileName}
            {report.already > 0 && (
              <>
                , <strong>{report.already}</strong> already imported before
              </>
            )}
            . The conflict check now finds them.
          </p>
          {Object.keys(report.byRole).length > 0 && (
            <ul>
              {Object.entries(report.byRole).map(([role, n]) => (
                <li key={role}>
                  {ROLE_LABEL[role] ?? role}: {n}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <>
          <p>
            {report.fileName} has {total} {total === 1 ? 'problem' : 'problems'}. The whole file was left out, so nothing is half imported: correct these
            rows in the spreadsheet (or change the mapping) and import it again.
          </p>
          <ul className="problems" data-testid="import-problems">
            {report.problems.map((p, i) => (
              <li key={i}>{p.line}</li>
            ))}
            {report.moreProblems > 0 && <li>… and {report.moreProblems} more</li>}
          </ul>
        </>
      )}
      <button type="button" className="secondary" onClick={onAnother}>
        Import another file…
      </button>
    </Card>
  );
}
