/**
 * The government catalogue: every dataset with its classification, sharing and opening, and what the
 * signed-in analyst reads of it, or a link to request it.
 */
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { roleOf, useSession } from '../session.ts';
import { Badge, NotLoaded, Page, useLoad } from '../ui.tsx';
import type { CatalogueItem, ReadAccess } from './types.ts';

export function GovCatalogue() {
  const t = useT();
  const title =
    roleOf(useSession().who)?.role === 'enterprise' ? t('navCatalogueForEnterprise') : t('govTitle');
  const { data, error } = useLoad(
    () => getJson<{ datasets: (CatalogueItem & { access: ReadAccess | null })[] }>('/api/gov/catalog'),
    'gov',
  );
  if (error || !data) return <NotLoaded title={title} error={error} />;
  return (
    <Page title={title}>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('dataset')}</th>
              <th scope="col">{t('publisher')}</th>
              <th scope="col">{t('classification')}</th>
              <th scope="col">{t('sharing')}</th>
              <th scope="col">{t('opening')}</th>
              <th scope="col">{t('yourAccess')}</th>
            </tr>
          </thead>
          <tbody>
            {data.datasets.map((d) => (
              <tr key={d.dataset} data-dataset={d.dataset}>
                <th scope="row">
                  <a href={`#/datasets/${d.dataset}`}>{d.title}</a> <code>{d.dataset.replace('/', '.')}</code>
                </th>
                <td>{d.owner}</td>
                <td>
                  <Badge kind={d.classification}>{d.classification}</Badge>
                </td>
                <td>
                  <Badge kind={`sharing-${d.sharing.type}`}>{t(`sharing.${d.sharing.type}`)}</Badge>
                </td>
                <td>
                  <Badge kind={`opening-${d.opening?.type ?? 'none'}`}>
                    {t(`opening.${d.opening?.type ?? 'null'}`)}
                  </Badge>
                </td>
                <td>
                  {d.access && d.access.columns.length > 0 ? (
                    <Badge kind="ok">{t('mayRead')}</Badge>
                  ) : d.access?.request === 'possible' ? (
                    <a href={`#/request/${d.dataset}`}>{t('requestAccess')}</a>
                  ) : (
                    <Badge kind="no">{t('notShared')}</Badge>
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
