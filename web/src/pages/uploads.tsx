/** The department's upload history, newest first, each with its report and a withdraw action. */
import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { Badge, ErrorBox, NotLoaded, Page, useLoad, when } from '../ui.tsx';
import type { UploadSummary } from './types.ts';

export function Uploads() {
  const t = useT();
  const { data, error, reload } = useLoad(
    () => getJson<{ uploads: UploadSummary[] }>('/api/uploads'),
    'uploads',
  );
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  if (error || !data) return <NotLoaded title={t('uploadsTitle')} error={error} />;
  return (
    <Page title={t('uploadsTitle')}>
      {data.uploads.length === 0 ? <p>{t('noUploads')}</p> : null}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('uploadId')}</th>
              <th scope="col">{t('dataset')}</th>
              <th scope="col">{t('startedAt')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('accepted')}</th>
              <th scope="col">{t('rejected')}</th>
              <th scope="col">{t('withdraw')}</th>
            </tr>
          </thead>
          <tbody>
            {data.uploads.map((u) => (
              <tr key={u.uploadId}>
                <th scope="row">
                  <a href={`#/reports/${u.uploadId}`}>{u.uploadId}</a>
                </th>
                <td>{u.dataset}</td>
                <td>{when(u.startedAt)}</td>
                <td>
                  <Badge kind={`status-${u.status}`}>{u.status}</Badge>
                  {u.withdrawal ? (
                    <>
                      {' '}
                      <Badge kind="no">{t('withdrawn')}</Badge>
                    </>
                  ) : null}
                </td>
                <td>{u.rows.accepted}</td>
                <td>{u.rows.rejected}</td>
                <td>
                  {u.withdrawal || u.status === 'rejected' ? null : withdrawing === u.uploadId ? (
                    <WithdrawForm
                      id={u.uploadId}
                      done={() => {
                        setWithdrawing(null);
                        reload();
                      }}
                    />
                  ) : (
                    <button
                      type="button"
                      onClick={() => setWithdrawing(u.uploadId)}
                      aria-label={`${t('withdraw')} ${u.uploadId}`}
                    >
                      {t('withdraw')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function WithdrawForm({ id, done }: { id: string; done: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await sendJson('POST', `/api/uploads/${encodeURIComponent(id)}/withdraw`, { reason });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} class="inline">
      <label for={`reason-${id}`}>{t('withdrawReason')}</label>
      <input
        id={`reason-${id}`}
        required
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
      />
      <button type="submit">{t('confirmWithdraw')}</button>
      <ErrorBox error={error} />
    </form>
  );
}
