/**
 * What the deployed lake's open-data index (`open/catalog.json`, src/ingest/open/open-index.ts) says of an
 * opened dataset beyond its Glue table: when its newest published upload arrived, the period its rows
 * cover (the range of the contract's `temporal.field`) and the name of the area it covers (its division
 * code named from statistics/divisions). The transformer writes the index at each publication; it is read
 * here over the open-data zone's public URL: metadata anyone may download, so the reader needs no grant
 * on a bucket and reads no row. A dataset that is not opened has no entry: its facts stay unknown (null).
 *
 * The newest published upload is the newest whose rows the open copy holds (accepted or partial, not
 * withdrawn, no undeclared personal data found), at the time its id records (when its file reached the
 * landing zone). An upload after it that delivered the same bytes again (duplicate), or that was kept out
 * of the open copy, counts for `lake status --overdue` and not here: the time here is never later than
 * that command's, so freshness read from it may call a dataset late that the reports say is not.
 */

import { type OpenDatasetEntry, parseIndex } from '../../ingest/open/open-index.ts';
import { type CatalogueEntry, withSpatialName } from '../../lake/catalogue.ts';
import { freshness } from '../../lake/freshness.ts';
import { OPEN_INDEX_KEY, OPEN_PREFIX, uploadIdTime } from '../../lake/layout.ts';
import type { DatasetDetail, DatasetInfo } from '../backend.ts';

export interface OpenFacts {
  /** When the newest upload whose rows are opened reached the landing zone (ISO 8601), or null. */
  lastUpload: string | null;
  /** The contract's temporal field and its range over the rows opened; null without one. */
  period: DatasetDetail['period'];
  /** The area's division code and name, as the open catalogue gives them. */
  spatial: CatalogueEntry['spatial'];
}

/** An index entry's facts. */
export function openFactsOf(entry: OpenDatasetEntry): OpenFacts {
  const computed = entry.temporalField && entry.temporal;
  return {
    lastUpload: entry.latestUpload ? uploadIdTime(entry.latestUpload) : null,
    period: computed
      ? {
          field: entry.temporalField as string,
          from: entry.temporal?.start ?? null,
          to: entry.temporal?.end ?? null,
        }
      : null,
    spatial: entry.spatial ?? null,
  };
}

/**
 * The facts of every opened dataset, by `<department>/<dataset>`, from the index at `baseUrl` (the
 * open-data zone's URL, standing for `open/`). No index yet, or one that cannot be read: no facts (the
 * catalogue still lists every dataset, with these facts unknown).
 */
export async function readOpenFacts(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<Map<string, OpenFacts>> {
  const url = `${baseUrl.replace(/\/?$/, '/')}${OPEN_INDEX_KEY.slice(OPEN_PREFIX.length)}`;
  let text: string | null = null;
  try {
    const r = await fetchFn(url);
    if (r.ok) text = await r.text();
  } catch {
    // unreachable: the facts stay unknown
  }
  const index = parseIndex(text, baseUrl, new Date(0).toISOString());
  return new Map(Object.entries(index.datasets).map(([id, entry]) => [id, openFactsOf(entry)]));
}

/** A catalogue entry with what the open index knows: when it was last ingested, the area's name. */
export function infoWithOpenFacts<T extends DatasetInfo>(info: T, facts: OpenFacts | undefined): T {
  if (!facts) return info;
  return {
    ...info,
    lastIngested: info.lastIngested ?? facts.lastUpload,
    lastIngestedKnown: true,
    catalogue: withSpatialName(info.catalogue, facts.spatial),
  };
}

/** A dataset's page with what the open index knows, and its freshness as of `now` from it. */
export function detailWithOpenFacts(
  detail: DatasetDetail,
  facts: OpenFacts | undefined,
  now: Date,
): DatasetDetail {
  if (!facts) return detail;
  const d = infoWithOpenFacts(detail, facts);
  return {
    ...d,
    period: d.period ?? facts.period,
    freshness: d.freshness ?? freshness(d.catalogue.updateFrequency ?? undefined, facts.lastUpload, now),
  };
}
