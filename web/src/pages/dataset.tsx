/** A dataset's page: what it is, who publishes it, how fresh it is, its dictionary, downloads and DCAT link. */
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { useSession } from '../session.ts';
import { Badge, ErrorBox, Loading, Page, useLoad, when } from '../ui.tsx';
import type { CatalogueItem, ReadAccess } from './types.ts';

interface DatasetDoc extends CatalogueItem {
  table: string;
  columns: {
    name: string;
    type: string;
    classification: string;
    pii: string | null;
    protect: string | null;
    description: string | null;
    headers: string[] | null;
    partition?: boolean;
  }[];
  contactPoint: { name: string; email: string | null; telephone: string | null } | null;
  /** The area covered: a division code, and its name where the lake knows it. */
  spatial: { code: string; name: string | null } | null;
  /** The contract's fixed period, or the date field whose range `period` gives. */
  temporal: { start: string; end: string | null } | { field: string } | null;
  period: { field: string; from: string | null; to: string | null } | null;
  open: boolean;
  downloads: { format: string; file: string; bytes: number | null; url: string }[];
  dcat: string | null;
  access: ReadAccess | null;
}

/** The period covered: the contract's fixed one, else the range of the table's date field. */
function periodText(d: Pick<DatasetDoc, 'temporal' | 'period'>, ongoing: string): string {
  const fixed = d.temporal && 'start' in d.temporal ? d.temporal : null;
  if (fixed) return `${fixed.start} – ${fixed.end ?? ongoing}`;
  if (d.period?.from) return `${d.period.from} – ${d.period.to ?? ongoing}`;
  return '—';
}

export function DatasetPage({ department, name }: { department: string; name: string }) {
  const t = useT();
  const { who } = useSession();
  const key = `${department}/${name}`;
  const { data: d, error } = useLoad(() => getJson<DatasetDoc>(`/api/datasets/${key}`), `${key} ${who}`);
  if (error)
    return (
      <Page title={key}>
        <ErrorBox error={error} />
      </Page>
    );
  if (!d) return <Loading />;
  return (
    <Page title={d.title}>
      <p class="meta">
        <code>{d.table}</code> · <Badge kind={d.classification}>{d.classification}</Badge>{' '}
        <Badge kind={`sharing-${d.sharing.type}`}>{t(`sharing.${d.sharing.type}`)}</Badge>{' '}
        <Badge kind={`opening-${d.opening?.type ?? 'none'}`}>
          {t(`opening.${d.opening?.type ?? 'null'}`)}
        </Badge>
      </p>
      {d.description ? <p>{d.description}</p> : null}
      <dl class="facts">
        <dt>{t('publisher')}</dt>
        <dd>{d.owner}</dd>
        <dt>{t('updateCycle')}</dt>
        <dd>{d.updateFrequency ? t(`freq.${d.updateFrequency}`) : '—'}</dd>
        <dt>{t('lastUpdate')}</dt>
        <dd>{when(d.lastIngested)}</dd>
        <dt>{t('freshness')}</dt>
        <dd>{t(`fresh.${d.freshness.state}`)}</dd>
        <dt>{t('rows')}</dt>
        <dd>{d.rows ?? '—'}</dd>
        <dt>{t('area')}</dt>
        <dd>{d.spatial ? [d.spatial.name, d.spatial.code].filter(Boolean).join(' · ') : '—'}</dd>
        <dt>{t('period')}</dt>
        <dd>{periodText(d, t('periodOngoing'))}</dd>
        <dt>{t('licence')}</dt>
        <dd>{d.license ?? '—'}</dd>
        <dt>{t('contact')}</dt>
        <dd>
          {d.contactPoint
            ? [d.contactPoint.name, d.contactPoint.email, d.contactPoint.telephone]
                .filter(Boolean)
                .join(' · ')
            : '—'}
        </dd>
        <dt>{t('keywords')}</dt>
        <dd>{d.keywords.join('、') || '—'}</dd>
      </dl>
      {d.access ? <AccessNote dataset={key} access={d.access} /> : null}
      <h2>{t('downloads')}</h2>
      {d.downloads.length === 0 ? (
        <p>{t('noDownloads')}</p>
      ) : (
        <ul class="downloads">
          {d.downloads.map((f) => (
            <li key={f.file}>
              <a href={f.url} download={f.file} data-format={f.format}>
                {f.format.toUpperCase()} · {f.file}
              </a>
            </li>
          ))}
        </ul>
      )}
      {d.dcat ? (
        <p>
          <a href={d.dcat}>{t('dcatLink')}</a>
        </p>
      ) : null}
      <h2>{t('dictionary')}</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('column')}</th>
              <th scope="col">{t('type')}</th>
              <th scope="col">{t('classification')}</th>
              <th scope="col">{t('personal')}</th>
              <th scope="col">{t('headers')}</th>
              <th scope="col">{t('description')}</th>
            </tr>
          </thead>
          <tbody>
            {d.columns
              .filter((c) => !c.name.startsWith('_') && !c.partition)
              .map((c) => (
                <tr key={c.name}>
                  <th scope="row">
                    <code>{c.name}</code>
                  </th>
                  <td>{c.type}</td>
                  <td>{c.classification}</td>
                  <td>{c.pii ? `${c.pii} (${c.protect})` : ''}</td>
                  <td>{c.headers?.join('、') ?? ''}</td>
                  <td>{c.description ?? ''}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function AccessNote({ dataset, access }: { dataset: string; access: ReadAccess }) {
  const t = useT();
  if (access.columns.length > 0)
    return (
      <p>
        <Badge kind="ok">{t('mayRead')}</Badge>
      </p>
    );
  if (access.request === 'possible')
    return (
      <p>
        <Badge kind="warn">{t('needsRequest')}</Badge>{' '}
        <a href={`#/request/${dataset}`}>{t('requestAccess')}</a>
      </p>
    );
  return (
    <p>
      <Badge kind="no">{t('notShared')}</Badge>
    </p>
  );
}
