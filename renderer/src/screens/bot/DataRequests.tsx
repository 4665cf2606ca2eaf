import { Card } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';

const KIND_LABEL = { erase: 'Delete my data', stop: 'Stop messages' } as const;

/**
 * Clients' open requests to delete their data or to stop messages, above the
 * Inbox and the Matters screen. Where they are `resolvable` (Matters), each is
 * marked handled with a sentence saying how; elsewhere the card says where.
 */
export function DataRequestsCard({ resolvable }: { resolvable: boolean }) {
  const api = useApi();
  const requests = useQuery('dataRequests.list', { status: 'open' });
  const resolve = useAction<number>();
  if (!requests.data || requests.data.items.length === 0) return null;

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
      <Table className="data" columns={['Request', 'From', 'When', ...(resolvable ? [{ hidden: 'Actions' }] : [])]}>
        {requests.data.items.map((r) => (
          <tr key={r.id}>
            <td>{KIND_LABEL[r.kind]}</td>
            <td>{r.clientName ?? `+${r.whatsapp}`}</td>
            <td>{when(r.createdAt)}</td>
            {resolvable && (
              <td>
                <button type="button" className="secondary" disabled={resolve.busy === r.id} onClick={() => markHandled(r.id)}>
                  Mark handled
                </button>
              </td>
            )}
          </tr>
        ))}
      </Table>
      {!resolvable && <p className="muted">A lawyer or the admin records how each was handled on the Matters screen.</p>}
    </Card>
  );
}
