/**
 * Hash routing (`#/datasets/education/schools`): every page is index.html, so the portal needs no
 * server-side routes of its own, locally or behind CloudFront.
 */
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string {
  return decodeURI(location.hash.replace(/^#/, '')) || '/';
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return path;
}

export function navigate(path: string): void {
  location.hash = path;
}

/** The parameters of `path` against a pattern like `/datasets/:department/:name`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('?')[0].split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = s[i];
    else if (p[i] !== s[i]) return null;
  }
  return out;
}
