import type { ExportFormat } from '../../../shared/contract/audit.js';
import { csvHeader, csvLine } from './csv.js';
import { AUDIT_COLUMN_NAMES, type AuditRowCells } from './search.js';

/** The columns of an export, in order: the table's own, so a file can be checked against the chain. */
export const EXPORT_COLUMNS = AUDIT_COLUMN_NAMES;

export const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** What comes before the first row: the BOM and the header for CSV, nothing for JSON Lines. */
export function exportPreamble(format: ExportFormat): string {
  return format === 'csv' ? csvHeader(EXPORT_COLUMNS) : '';
}

const DETAILS = EXPORT_COLUMNS.indexOf('details');

export function formatRows(format: ExportFormat, rows: AuditRowCells[]): string {
  let out = '';
  if (format === 'csv') {
    for (const cells of rows) out += csvLine(cells);
    return out;
  }
  for (const cells of rows) {
    let line = '{';
    for (let i = 0; i < EXPORT_COLUMNS.length; i++) {
      const value = cells[i];
      let json: string;
      if (i === DETAILS) {
        // stored as canonical JSON: spliced in as it is, unless someone edited it into something else
        try {
          JSON.parse(value as string);
          json = value as string;
        } catch {
          json = JSON.stringify(value);
        }
      } else json = JSON.stringify(value);
      line += `${i === 0 ? '' : ','}"${EXPORT_COLUMNS[i]}":${json}`;
    }
    out += `${line}}\n`;
  }
  return out;
}
