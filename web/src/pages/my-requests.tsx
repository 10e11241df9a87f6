/**
 * The requests the signed-in analyst (or enterprise) has made, and what became of them. An enterprise's
 * approved request offers its granted data as a CSV download (routes-enterprise.ts), which the portal
 * gives only while the request is approved and unexpired.
 */
import { useState } from 'preact/hooks';
import { downloadGet, getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { ErrorBox, NotLoaded, Page, useLoad } from '../ui.tsx';
import { RequestRow } from './request-row.tsx';
import type { AccessRequest } from './types.ts';

/** The download of an enterprise's granted data: the route the portal serves locally and deployed. */
function GrantedDownload({ r }: { r: AccessRequest }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      const [department, name] = r.dataset.split('/');
      await downloadGet(
        `/api/datasets/${encodeURIComponent(department)}/${encodeURIComponent(name)}/granted.csv`,
        `${name}-granted.csv`,
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <button type="button" onClick={save} data-testid="granted-download">
        {t('downloadGranted')}
      </button>
      <ErrorBox error={error} />
    </>
  );
}

export function MyRequests() {
  const t = useT();
  const { data, error } = useLoad(() => getJson<{ requests: AccessRequest[] }>('/api/requests/mine'), 'mine');
  if (error || !data) return <NotLoaded title={t('myRequestsTitle')} error={error} />;
  return (
    <Page title={t('myRequestsTitle')}>
      {data.requests.length === 0 ? <p>{t('noRequests')}</p> : null}
      <ul class="cards">
        {data.requests.map((r) => (
          <li class="card" key={r.id}>
            <RequestRow r={r} />
            {r.kind === 'opening' && r.status === 'approved' ? <GrantedDownload r={r} /> : null}
          </li>
        ))}
      </ul>
    </Page>
  );
}
