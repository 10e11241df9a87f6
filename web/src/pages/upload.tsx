/**
 * The steward's upload: pick one of the department's datasets and a file, watch it upload part by part
 * (a progress bar; cancel stops it and drops the parts sent), then processing (the report asked for every
 * couple of seconds), then the report page. upload-client.ts does the steps.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { navigate } from '../router.ts';
import { ErrorBox, NotLoaded, Page, useLoad } from '../ui.tsx';
import { uploadInParts, waitForReport } from '../upload-client.ts';

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
  const running = useRef<AbortController | null>(null);
  // Leaving the page stops the upload (its parts are dropped) or the wait for the report.
  useEffect(() => () => running.current?.abort(), []);
  if (error || !data) return <NotLoaded title={t('uploadTitle')} error={error} />;
  const chosen = dataset || data.datasets[0]?.dataset;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !chosen) return;
    const controller = new AbortController();
    running.current = controller;
    setFailed(null);
    setProgress({ sent: 0, total: file.size });
    setPhase('uploading');
    try {
      const reportPath = await uploadInParts(
        chosen,
        file,
        (sent, total) => setProgress({ sent, total }),
        controller.signal,
      );
      setPhase('processing');
      const uploadId = await waitForReport(reportPath, controller.signal);
      navigate(`/reports/${uploadId}`);
    } catch (err) {
      if (!controller.signal.aborted) setFailed(err);
      setPhase('idle');
    } finally {
      if (running.current === controller) running.current = null;
    }
  };
  const cancel = () => {
    running.current?.abort();
    setFailed(new Error(t('uploadCancelled')));
  };
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  return (
    <Page title={t('uploadTitle')}>
      <form onSubmit={submit} class="form">
        <label for="dataset">{t('dataset')}</label>
        <select
          id="dataset"
          value={chosen}
          disabled={phase !== 'idle'}
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
          disabled={phase !== 'idle'}
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
        />
        <button type="submit" disabled={!file || phase !== 'idle'}>
          {t('upload')}
        </button>
      </form>
      {phase !== 'idle' ? (
        <div class="progress">
          <label for="upload-progress">{phase === 'uploading' ? t('uploading') : t('processing')}</label>
          {phase === 'uploading' ? (
            <progress id="upload-progress" max={100} value={pct}>
              {pct}%
            </progress>
          ) : (
            // Processing: no measure of how far the lake is, so an indeterminate bar.
            <progress id="upload-progress" />
          )}
          <span aria-live="polite" data-testid="upload-status">
            {phase === 'uploading'
              ? t('uploadedOf', { pct, sent: mib(progress?.sent ?? 0), total: mib(progress?.total ?? 0) })
              : t('processingWait')}
          </span>
          {phase === 'uploading' ? (
            <button type="button" onClick={cancel}>
              {t('cancelUpload')}
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorBox error={failed} />
    </Page>
  );
}

/** Bytes as MiB with one decimal. */
function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
