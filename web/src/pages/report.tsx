/** An upload's report: status, counts, and every rejected row (line, column, rule, message), as a CSV too. */
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { Badge, NotLoaded, Page, useLoad, when } from '../ui.tsx';
import type { RowError } from './types.ts';

interface ReportDoc {
  report: {
    uploadId: string;
    dataset: string;
    status: string;
    source: { key: string };
    rows: { total: number; accepted: number; rejected: number; skipped?: number };
    errors: RowError[];
    withdrawal?: unknown;
    startedAt: string;
  };
  shownErrors: number;
  rejectedRows: number;
}

export function ReportPage({ id }: { id: string }) {
  const t = useT();
  const { data, error } = useLoad(() => getJson<ReportDoc>(`/api/uploads/${encodeURIComponent(id)}`), id);
  if (error || !data) return <NotLoaded title={t('reportTitle')} error={error} />;
  const r = data.report;
  return (
    <Page title={`${t('reportTitle')} · ${r.uploadId}`}>
      <dl class="facts">
        <dt>{t('dataset')}</dt>
        <dd>{r.dataset}</dd>
        <dt>{t('file')}</dt>
        <dd>{r.source.key.split('/').pop()}</dd>
        <dt>{t('startedAt')}</dt>
        <dd>{when(r.startedAt)}</dd>
        <dt>{t('status')}</dt>
        <dd>
          <Badge kind={`status-${r.status}`}>{r.status}</Badge>
          {r.withdrawal ? (
            <>
              {' '}
              <Badge kind="no">{t('withdrawn')}</Badge>
            </>
          ) : null}
        </dd>
        <dt>{t('total')}</dt>
        <dd data-testid="rows-total">{r.rows.total}</dd>
        <dt>{t('accepted')}</dt>
        <dd data-testid="rows-accepted">{r.rows.accepted}</dd>
        <dt>{t('rejected')}</dt>
        <dd data-testid="rows-rejected">{r.rows.rejected}</dd>
      </dl>
      <h2>{t('rejectedRows')}</h2>
      {r.errors.length === 0 ? (
        <p>{t('noRejected')}</p>
      ) : (
        <>
          <p>
            <a href={`/api/uploads/${encodeURIComponent(r.uploadId)}/errors.csv`} download>
              {t('downloadCsv')}
            </a>
            {data.shownErrors < data.rejectedRows ? <> · {t('shownOf', { n: data.shownErrors })}</> : null}
          </p>
          <div class="scroll">
            <table class="errors">
              <thead>
                <tr>
                  <th scope="col">{t('line')}</th>
                  <th scope="col">{t('column')}</th>
                  <th scope="col">{t('rule')}</th>
                  <th scope="col">{t('message')}</th>
                </tr>
              </thead>
              <tbody>
                {r.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.line ?? '—'}</td>
                    <td>{e.column ?? '—'}</td>
                    <td>{e.rule}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}
