/** The requests the signed-in analyst (or enterprise) has made, and what became of them. */
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { ErrorBox, Loading, Page, useLoad } from '../ui.tsx';
import { RequestRow } from './request-row.tsx';
import type { AccessRequest } from './types.ts';

export function MyRequests() {
  const t = useT();
  const { data, error } = useLoad(() => getJson<{ requests: AccessRequest[] }>('/api/requests/mine'), 'mine');
  if (error)
    return (
      <Page title={t('myRequestsTitle')}>
        <ErrorBox error={error} />
      </Page>
    );
  if (!data) return <Loading />;
  return (
    <Page title={t('myRequestsTitle')}>
      {data.requests.length === 0 ? <p>{t('noRequests')}</p> : null}
      <ul class="cards">
        {data.requests.map((r) => (
          <li class="card" key={r.id}>
            <RequestRow r={r} />
          </li>
        ))}
      </ul>
    </Page>
  );
}
