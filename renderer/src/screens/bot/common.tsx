import type { ReactNode } from 'react';
import type { ConversationMode, MatterStatus } from '../../../../shared/bot.js';
import { MATTER_STATUS_LABELS } from '../../../../shared/bot.js';
import type { Api } from '../../api/index.js';
import { Card } from '../../components/Layout.js';

const MODE_LABEL: Record<ConversationMode, string> = { bot: 'Bot active', waiting: 'Waiting for staff', staff: 'With staff' };

export function ModePill({ mode }: { mode: ConversationMode }) {
  return (
    <span className={`pill mode-${mode}`} data-mode={mode}>
      <span className="dot" aria-hidden="true" />
      {MODE_LABEL[mode]}
    </span>
  );
}

export function StatusLabel({ status }: { status: MatterStatus }) {
  return <span className={`tag status-${status}`}>{MATTER_STATUS_LABELS[status]}</span>;
}

/** A list (the children) beside the one chosen in it (`detail`); until one is, a line saying what choosing shows. */
export function ListAndDetail({ detail, choose, children }: { detail: ReactNode; choose: string; children: ReactNode }) {
  return (
    <div className="split">
      {children}
      {detail ?? (
        <Card>
          <p className="empty">{choose}</p>
        </Card>
      )}
    </div>
  );
}

export { downloadDocument } from '../../components/Documents.js';

/** A file picked by the user, as base64 (without the data: prefix). */
export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}
