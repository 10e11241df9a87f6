/**
 * The catalogue as the portal lists it: each dataset's table facts (from the same backend as `lake
 * catalog`) with its catalogue metadata (sharing, opening, update cycle, themes, keywords, contact) and
 * its freshness; searched with the CLI's search (Chinese substrings, pinyin, column titles and original
 * headers) and filtered by department, theme and update frequency.
 */

import type { DatasetInfo } from '../cli/backend.ts';
import { searchDatasets } from '../cli/catalog-search.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { type CatalogueEntry, catalogueEntry, withSpatialName } from '../lake/catalogue.ts';
import { type Freshness, freshness } from '../lake/freshness.ts';
import type { PortalServices } from './services.ts';

export interface CatalogueItem extends DatasetInfo, CatalogueEntry {
  description: string | null;
  freshness: Freshness;
  /** Where the search matched, best first (only when searching). */
  matches?: { where: string; text: string }[];
}

export interface CatalogueFilter {
  q?: string;
  department?: string;
  theme?: string;
  frequency?: string;
}

/** When a dataset was last ingested, as freshness() takes it: undefined when the backend cannot tell. */
export function lastIngestedOf(
  d: Pick<DatasetInfo, 'lastIngested' | 'lastIngestedKnown'>,
): string | null | undefined {
  return d.lastIngestedKnown === false ? undefined : d.lastIngested;
}

/** Whether the dataset is open data: published to the public after each upload. */
export function isOpen(contract: DatasetContract | undefined): boolean {
  return contract?.opening?.type === 'unconditional';
}

/** Every dataset with its catalogue entry; `only` keeps those it accepts (the public: open data). */
export async function catalogueItems(
  s: PortalServices,
  only: (c: DatasetContract) => boolean = () => true,
): Promise<CatalogueItem[]> {
  const now = s.now();
  const infos = await s.lake.datasets();
  const out: CatalogueItem[] = [];
  for (const info of infos) {
    const contract = s.contracts.datasets.get(info.dataset);
    if (!contract || !only(contract)) continue;
    const entry = withSpatialName(catalogueEntry(contract), info.catalogue.spatial);
    out.push({
      ...info,
      ...entry,
      description: contract.description ?? null,
      freshness: freshness(contract.updateFrequency, lastIngestedOf(info), now),
    });
  }
  return out;
}

/** The items that pass the filter, best match first when searching. */
export function filterCatalogue(
  items: CatalogueItem[],
  f: CatalogueFilter,
  contractOf: (dataset: string) => DatasetContract | undefined,
): CatalogueItem[] {
  const kept = items.filter(
    (i) =>
      (!f.department || i.department === f.department) &&
      (!f.theme || i.theme.some((t) => t.code === f.theme)) &&
      (!f.frequency || i.updateFrequency === f.frequency),
  );
  const q = f.q?.trim();
  if (!q) return kept;
  return searchDatasets(q, kept, (d) => contractOf(d.dataset)).map((h) => ({
    ...h.dataset,
    matches: h.matches,
  }));
}

/** The choices the filters offer: the departments, themes and frequencies the items have. */
export function facets(items: readonly CatalogueItem[]) {
  const departments = new Map<string, string>();
  const themes = new Map<string, { code: string; name: string; nameZh: string }>();
  const frequencies = new Set<string>();
  for (const i of items) {
    departments.set(i.department, i.owner);
    for (const t of i.theme) themes.set(t.code, t);
    if (i.updateFrequency) frequencies.add(i.updateFrequency);
  }
  return {
    departments: [...departments].map(([id, name]) => ({ id, name })),
    themes: [...themes.values()].sort((a, b) => a.code.localeCompare(b.code)),
    frequencies: [...frequencies].sort(),
  };
}
