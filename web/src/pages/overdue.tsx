/** The department's datasets and their freshness: which are overdue by their update cycle. */
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { Badge, NotLoaded, Page, useLoad, when } from '../ui.tsx';
import type { Freshness } from './types.ts';

export function Overdue() {
  const t = useT();
  const { data, error } = useLoad(
    () => getJson<{ datasets: (Freshness & { dataset: string; title: string })[] }>('/api/overdue'),
    'overdue',
  );
  if (error || !data) return <NotLoaded title={t('overdueTitle')} error={error} />;
  return (
    <Page title={t('overdueTitle')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('dataset')}</th>
            <th scope="col">{t('updateCycle')}</th>
            <th scope="col">{t('lastUpdate')}</th>
            <th scope="col">{t('dueAt')}</th>
            <th scope="col">{t('freshness')}</th>
            <th scope="col">{t('daysOverdue')}</th>
          </tr>
        </thead>
        <tbody>
          {data.datasets.map((d) => (
            <tr key={d.dataset}>
              <th scope="row">
                <a href={`#/datasets/${d.dataset}`}>{d.title}</a>
              </th>
              <td>{d.updateFrequency ? t(`freq.${d.updateFrequency}`) : '—'}</td>
              <td>{when(d.lastUpload)}</td>
              <td>{when(d.dueAt)}</td>
              <td>
                <Badge kind={d.state === 'overdue' ? 'no' : d.state === 'current' ? 'ok' : 'warn'}>
                  {t(`fresh.${d.state}`)}
                </Badge>
              </td>
              <td>{d.daysOverdue || ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
