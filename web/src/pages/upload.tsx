/** The steward's upload: pick one of the department's datasets and a file, watch it upload and process. */
import { useState } from 'preact/hooks';
import { getJson, uploadFile } from '../api.ts';
import { useT } from '../i18n.ts';
import { navigate } from '../router.ts';
import { ErrorBox, Loading, Page, useLoad } from '../ui.tsx';

export function UploadPage() {
  const t = useT();
  const { data, error } = useLoad(
    () => getJson<{ datasets: { dataset: string; title: string }[] }>('/api/overdue'),
    'datasets',
  );
  const [dataset, setDataset] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'processing'>('idle');
  const [failed, setFailed] = useState<unknown>(null);
  if (error)
    return (
      <Page title={t('uploadTitle')}>
        <ErrorBox error={error} />
      </Page>
    );
  if (!data) return <Loading />;
  const chosen = dataset || data.datasets[0]?.dataset;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !chosen) return;
    setFailed(null);
    setPhase('uploading');
    try {
      const r = await uploadFile<{ uploadId: string }>(
        `/api/datasets/${chosen}/uploads?filename=${encodeURIComponent(file.name)}`,
        file,
        (sent, total) => setProgress({ sent, total }),
        () => setPhase('processing'),
      );
      navigate(`/reports/${r.uploadId}`);
    } catch (err) {
      setFailed(err);
      setPhase('idle');
    }
  };
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  return (
    <Page title={t('uploadTitle')}>
      <form onSubmit={submit} class="form">
        <label for="dataset">{t('dataset')}</label>
        <select
          id="dataset"
          value={chosen}
          onChange={(e) => setDataset((e.target as HTMLSelectElement).value)}
        >
          {data.datasets.map((d) => (
            <option value={d.dataset} key={d.dataset}>
              {d.title} ({d.dataset})
            </option>
          ))}
        </select>
        <label for="file">{t('file')}</label>
        <input
          id="file"
          type="file"
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
        />
        <button type="submit" disabled={!file || phase !== 'idle'}>
          {t('upload')}
        </button>
      </form>
      {phase !== 'idle' ? (
        <div class="progress" aria-live="polite">
          <label for="upload-progress">{phase === 'uploading' ? t('uploading') : t('processing')}</label>
          <progress id="upload-progress" max={100} value={pct}>
            {pct}%
          </progress>
          <span>{pct}%</span>
        </div>
      ) : null}
      <ErrorBox error={failed} />
    </Page>
  );
}
