/** The analyst's SQL page: the tables it may read, a statement, the result as a table and as CSV. */
import { useState } from 'preact/hooks';
import { download, getJson, sendJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { ErrorBox, NotLoaded, Page, useLoad } from '../ui.tsx';
import type { CatalogueItem, ReadAccess } from './types.ts';

interface Result {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  limit: number;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function SqlPage() {
  const t = useT();
  const { data, error } = useLoad(
    () => getJson<{ datasets: (CatalogueItem & { access: ReadAccess | null })[] }>('/api/gov/catalog'),
    'tables',
  );
  const [sql, setSql] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  if (error || !data) return <NotLoaded title={t('sqlTitle')} error={error} />;
  const readable = data.datasets.filter((d) => d.access && d.access.columns.length > 0);
  const run = async (e: Event) => {
    e.preventDefault();
    setFailed(null);
    setRunning(true);
    try {
      setResult(await sendJson<Result>('POST', '/api/query', { sql }));
    } catch (err) {
      setResult(null);
      setFailed(err);
    } finally {
      setRunning(false);
    }
  };
  const csv = async () => {
    try {
      await download('/api/query.csv', { sql }, 'query.csv');
    } catch (err) {
      setFailed(err);
    }
  };
  return (
    <Page title={t('sqlTitle')}>
      <h2>{t('readableTables')}</h2>
      <ul class="tables">
        {readable.map((d) => (
          <li key={d.dataset}>
            <code>{d.dataset.replace('/', '.')}</code> · {d.title}{' '}
            <span class="muted">({d.access?.columns.filter((c) => !c.startsWith('_')).join(', ')})</span>
          </li>
        ))}
      </ul>
      <form onSubmit={run} class="form">
        <label for="sql">{t('sqlLabel')}</label>
        <textarea
          id="sql"
          rows={5}
          spellcheck={false}
          value={sql}
          onInput={(e) => setSql((e.target as HTMLTextAreaElement).value)}
        />
        <div>
          <button type="submit" disabled={running || !sql.trim()}>
            {t('run')}
          </button>{' '}
          <button type="button" onClick={csv} disabled={!sql.trim()}>
            {t('downloadCsv')}
          </button>
        </div>
      </form>
      <ErrorBox error={failed} />
      {result ? (
        <section aria-live="polite">
          <p data-testid="result-count">
            {t('resultRows', { n: result.rows.length })}
            {result.truncated ? ` · ${t('truncated', { n: result.limit })}` : ''}
          </p>
          <div class="scroll">
            <table class="result">
              <thead>
                <tr>
                  {result.columns.map((c) => (
                    <th scope="col" key={c.name}>
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((r, i) => (
                  <tr key={i}>
                    {result.columns.map((c) => (
                      <td key={c.name}>{cell(r[c.name])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </Page>
  );
}
