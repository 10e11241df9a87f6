/** The steward's inbox: the requests for the department's datasets, approved, denied or revoked with a reason. */
import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { ErrorBox, NotLoaded, Page, useLoad } from '../ui.tsx';
import { RequestRow } from './request-row.tsx';
import type { AccessRequest } from './types.ts';

export function Inbox() {
  const t = useT();
  const { data, error, reload } = useLoad(
    () => getJson<{ requests: AccessRequest[] }>('/api/inbox'),
    'inbox',
  );
  if (error || !data) return <NotLoaded title={t('inboxTitle')} error={error} />;
  return (
    <Page title={t('inboxTitle')}>
      {data.requests.length === 0 ? <p>{t('noRequests')}</p> : null}
      <ul class="cards">
        {data.requests.map((r) => (
          <li class="card" key={r.id}>
            <RequestRow r={r} />
            {r.status === 'pending' || r.status === 'approved' ? <Decide r={r} done={reload} /> : null}
          </li>
        ))}
      </ul>
    </Page>
  );
}

function Decide({ r, done }: { r: AccessRequest; done: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<unknown>(null);
  const decide = (decision: 'approve' | 'deny' | 'revoke') => async () => {
    try {
      await sendJson('POST', `/api/requests/${r.id}/${decision}`, { reason, ...(until ? { until } : {}) });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline" onSubmit={(e) => e.preventDefault()}>
      <label for={`reason-${r.id}`}>{t('decisionReason')}</label>
      <input
        id={`reason-${r.id}`}
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
      />
      {r.status === 'pending' ? (
        <>
          <label for={`until-${r.id}`}>{t('shortenUntil')}</label>
          <input
            id={`until-${r.id}`}
            type="date"
            max={r.requestedUntil}
            value={until}
            onInput={(e) => setUntil((e.target as HTMLInputElement).value)}
          />
          <button type="button" onClick={decide('approve')} aria-label={`${t('approve')} ${r.id}`}>
            {t('approve')}
          </button>
          <button type="button" onClick={decide('deny')} aria-label={`${t('deny')} ${r.id}`}>
            {t('deny')}
          </button>
        </>
      ) : (
        <button type="button" onClick={decide('revoke')} aria-label={`${t('revoke')} ${r.id}`}>
          {t('revoke')}
        </button>
      )}
      <ErrorBox error={error} />
    </form>
  );
}
