/** The access request form: purpose, until when, and optionally which columns. */
import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { navigate } from '../router.ts';
import { roleOf, useSession } from '../session.ts';
import { ErrorBox, NotLoaded, Page, useLoad } from '../ui.tsx';
import type { CatalogueItem } from './types.ts';

interface DatasetDoc extends CatalogueItem {
  columns: {
    name: string;
    classification: string;
    pii: string | null;
    description: string | null;
    partition?: boolean;
  }[];
}

/** The day after today plus `days`, YYYY-MM-DD (UTC). */
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function RequestForm({ department, name }: { department: string; name: string }) {
  const t = useT();
  const { who } = useSession();
  const key = `${department}/${name}`;
  const { data, error } = useLoad(() => getJson<DatasetDoc>(`/api/datasets/${key}`), key);
  const [purpose, setPurpose] = useState('');
  const [until, setUntil] = useState(inDays(90));
  const [columns, setColumns] = useState<string[]>([]);
  const [failed, setFailed] = useState<unknown>(null);
  if (error || !data) return <NotLoaded title={t('requestTitle')} error={error} />;
  // What a grant can give: outside the government, public columns without personal data; inside, all but restricted.
  const enterprise = roleOf(who)?.role === 'enterprise';
  const grantable = data.columns.filter(
    (c) =>
      !c.name.startsWith('_') &&
      !c.partition &&
      (enterprise ? c.classification === 'public' && !c.pii : c.classification !== 'restricted'),
  );
  const conditions = enterprise ? data.opening?.conditions : data.sharing.conditions;
  const toggle = (c: string) =>
    setColumns(columns.includes(c) ? columns.filter((x) => x !== c) : [...columns, c]);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await sendJson('POST', '/api/requests', { dataset: key, purpose, until, columns });
      navigate('/requests');
    } catch (err) {
      setFailed(err);
    }
  };
  return (
    <Page title={`${t('requestTitle')} · ${data.title}`}>
      {conditions ? (
        <p>
          <strong>{t(enterprise ? 'openingConditions' : 'conditions')}: </strong>
          {conditions}
        </p>
      ) : null}
      <form onSubmit={submit} class="form">
        <label for="purpose">{t('purpose')}</label>
        <textarea
          id="purpose"
          required
          rows={3}
          value={purpose}
          onInput={(e) => setPurpose((e.target as HTMLTextAreaElement).value)}
        />
        <label for="until">{t('until')}</label>
        <input
          id="until"
          type="date"
          required
          value={until}
          onInput={(e) => setUntil((e.target as HTMLInputElement).value)}
        />
        <fieldset>
          <legend>
            {t('columns')} ({t('allColumns')})
          </legend>
          {grantable.map((c) => (
            <label class="check" key={c.name}>
              <input type="checkbox" checked={columns.includes(c.name)} onChange={() => toggle(c.name)} />{' '}
              <code>{c.name}</code> {c.description ?? ''}
            </label>
          ))}
        </fieldset>
        <button type="submit">{t('submit')}</button>
      </form>
      <ErrorBox error={failed} />
    </Page>
  );
}
