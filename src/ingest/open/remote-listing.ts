/**
 * The deployed lake's open data, read as anyone reads it: `catalog.json` from the CloudFront URL (stack
 * output OpenDataUrl), over HTTPS, with no credentials.
 */
import { OPEN_CATALOG_KEY, OPEN_INDEX_KEY, OPEN_PREFIX } from '../../lake/layout.ts';
import { indexDatasets, parseIndex } from './open-index.ts';
import type { OpenListing } from './open-listing.ts';
import { urlOf } from './open-store.ts';

export async function remoteOpenListing(
  baseUrl: string,
  fetcher: typeof fetch = fetch,
): Promise<OpenListing> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = urlOf(base, OPEN_INDEX_KEY);
  const response = await fetcher(url);
  if (response.status === 404 || response.status === 403) {
    return { catalogue: urlOf(base, OPEN_CATALOG_KEY), datasets: [] };
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}; try again later`);
  const index = parseIndex(await response.text(), base, '');
  return {
    catalogue: `${base}${OPEN_CATALOG_KEY.slice(OPEN_PREFIX.length)}`,
    datasets: indexDatasets(index),
  };
}
