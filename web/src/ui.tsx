/** Small pieces every page uses: loading a resource, showing an error with what to do, badges. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';
import { useT } from './i18n.ts';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  reload: () => void;
}

/** Loads `load()` when `key` changes. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (d) => live && setData(d),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [key, n]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

export function ErrorBox({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const body =
    error instanceof ApiFailure
      ? error.body
      : { message: String((error as Error)?.message ?? error), hint: undefined };
  return (
    <div class="error" role="alert">
      <strong>{t('errorTitle')}: </strong>
      {body.message}
      {body.hint ? <p class="hint">{body.hint}</p> : null}
    </div>
  );
}

export function Loading() {
  return <p aria-live="polite">{useT()('loading')}</p>;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

/**
 * What a page shows until its data is there: the error that kept it from loading, under the page's
 * heading, or that it is loading.
 */
export function NotLoaded({ title, error }: { title: string; error: unknown }) {
  if (!error) return <Loading />;
  return (
    <Page title={title}>
      <ErrorBox error={error} />
    </Page>
  );
}

/** Page wrapper: the heading every page has, and the document title. */
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  const t = useT();
  useEffect(() => {
    document.title = `${title} · ${t('appName')}`;
  }, [title]);
  return (
    <>
      <h1>{title}</h1>
      {children}
    </>
  );
}

export function when(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—';
}
