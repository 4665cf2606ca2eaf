import { useState } from 'react';
import { Card } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

const KIND_LABEL = { erase: 'Delete my data', stop: 'Stop messages' } as const;

/**
 * Clients' open requests to delete their data or to stop messages, above the
 * Inbox and the Matters screen. A known client's request can be answered with a
 * copy of their data sent on WhatsApp (which closes it, saying what was sent);
 * where they are `resolvable` (Matters), each is marked handled with a sentence
 * saying how; elsewhere the card says where.
 */
export function DataRequestsCard({ resolvable }: { resolvable: boolean }) {
  const api = useApi();
  const requests = useQuery('dataRequests.list', { status: 'open' });
  const resolve = useAction<number>();
  const [sent, setSent] = useState<string | null>(null);
  if (!requests.data || requests.data.items.length === 0) {
    return sent ? (
      <p className="saved" role="status">
        {sent}
      </p>
    ) : null;
  }

  const sendCopy = (id: number, clientId: number, name: string) => {
    if (!window.confirm(`Send ${name} a copy of all the data the office keeps about them, on WhatsApp? This closes the request.`)) return;
    setSent(null);
    void resolve.run(async () => {
      const made = await api.call('clients.exportData', { clientId, deliver: 'whatsapp', requestId: id });
      setSent(`A copy of the data is on its way to ${name} (${plural(made.counts.messages, 'message')}, ${plural(made.counts.documents, 'document')}); the request is closed.`);
      requests.reload();
    }, id);
  };

  const markHandled = (id: number) => {
    const resolution = window.prompt('How was it handled?');
    if (!resolution) return;
    void resolve.run(async () => {
      await api.call('dataRequests.resolve', { id, resolution });
      requests.reload();
    }, id);
  };

  return (
    <Card title="Requests about personal data" className="data-requests">
      {resolve.error && <ErrorBox message={resolve.error} />}
      {sent && (
        <p className="saved" role="status">
          {sent}
        </p>
      )}
      <Table className="data" columns={['Request', 'From', 'When', { hidden: 'Actions' }]}>
        {requests.data.items.map((r) => (
          <tr key={r.id}>
            <td>{KIND_LABEL[r.kind]}</td>
            <td>{r.clientName ?? `+${r.whatsapp}`}</td>
            <td>{when(r.createdAt)}</td>
            <td className="actions">
              {r.clientId !== null && (
                <button type="button" className="secondary" disabled={resolve.busy === r.id} onClick={() => sendCopy(r.id, r.clientId!, r.clientName ?? `+${r.whatsapp}`)}>
                  Send a copy of their data
                </button>
              )}
              {resolvable && (
                <button type="button" className="secondary" disabled={resolve.busy === r.id} onClick={() => markHandled(r.id)}>
                  Mark handled
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {!resolvable && <p className="muted">A lawyer or the admin records how each was handled on the Matters screen.</p>}
    </Card>
  );
}
