/** The public open-data catalogue: search (Chinese, pinyin, column headers) and filters, no sign-in. */
import { useContext, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { LangContext, useT } from '../i18n.ts';
import { ErrorBox, Loading, Page, useLoad, when } from '../ui.tsx';
import type { CatalogueItem } from './types.ts';

interface CatalogueDoc {
  datasets: CatalogueItem[];
  total: number;
  facets: {
    departments: { id: string; name: string }[];
    themes: { code: string; name: string; nameZh: string }[];
    frequencies: string[];
  };
}

export function Catalogue() {
  const t = useT();
  const { lang } = useContext(LangContext);
  const [query, setQuery] = useState({ q: '', department: '', theme: '', frequency: '' });
  const [draft, setDraft] = useState('');
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const { data, error } = useLoad(() => getJson<CatalogueDoc>(`/api/catalog?${params}`), params.toString());
  const set = (k: keyof typeof query) => (e: Event) =>
    setQuery({ ...query, [k]: (e.target as HTMLSelectElement).value });
  return (
    <Page title={t('catalogueTitle')}>
      <p>{t('catalogueIntro')}</p>
      <form
        aria-label={t('catalogueTitle')}
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ ...query, q: draft });
        }}
      >
        <label for="q">{t('searchLabel')}</label>
        <input
          id="q"
          type="search"
          value={draft}
          placeholder={t('searchPlaceholder')}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t('search')}</button>
      </form>
      {data ? (
        <div class="filters">
          <div>
            <label for="f-department">{t('department')}</label>
            <select id="f-department" value={query.department} onChange={set('department')}>
              <option value="">{t('all')}</option>
              {data.facets.departments.map((d) => (
                <option value={d.id}>{d.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-theme">{t('theme')}</label>
            <select id="f-theme" value={query.theme} onChange={set('theme')}>
              <option value="">{t('all')}</option>
              {data.facets.themes.map((th) => (
                <option value={th.code}>{lang === 'en' ? th.name : th.nameZh}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-frequency">{t('frequency')}</label>
            <select id="f-frequency" value={query.frequency} onChange={set('frequency')}>
              <option value="">{t('all')}</option>
              {data.facets.frequencies.map((f) => (
                <option value={f}>{t(`freq.${f}`)}</option>
              ))}
            </select>
          </div>
        </div>
      ) : null}
      <ErrorBox error={error} />
      {!data && !error ? <Loading /> : null}
      {data ? (
        <section aria-live="polite">
          <p class="count">
            {data.datasets.length} {t('results')}
          </p>
          {data.datasets.length === 0 ? <p>{t('noResults')}</p> : null}
          <ul class="cards">
            {data.datasets.map((d) => (
              <li class="card" key={d.dataset}>
                <h2>
                  <a href={`#/datasets/${d.dataset}`}>{d.title}</a>
                </h2>
                <p class="meta">
                  {d.owner} · {d.updateFrequency ? t(`freq.${d.updateFrequency}`) : '—'} · {t('lastUpdate')}{' '}
                  {when(d.lastIngested)}
                </p>
                {d.description ? <p>{d.description}</p> : null}
                {d.matches?.length ? (
                  <p class="matched">
                    {t('matched')}:{' '}
                    {d.matches
                      .slice(0, 2)
                      .map((m) => m.text)
                      .join('；')}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <a href="/open/catalog.jsonld">{t('jsonld')}</a>
      </p>
    </Page>
  );
}
