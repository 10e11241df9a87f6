/**
 * The open-data zone's index, `open/catalog.json`: one entry per opened dataset with what the catalogue
 * says of it and of its files. It is the one model of the zone: `catalog.jsonld` (DCAT-AP) is rendered
 * from it, `lake open` and the portal read it. Updated by one conditional write per change, so two
 * publications at once never lose each other's entry.
 */
import type { CatalogueMetadata } from '../../contracts/catalogue-schema.ts';
import type { OpenFileKind } from './build-open.ts';

/** Bumped when the index's layout changes. */
export const OPEN_INDEX_VERSION = 1;

export interface OpenFileEntry {
  kind: OpenFileKind;
  key: string;
  /** Where it is downloaded from. */
  url: string;
  bytes: number;
  sha256: string;
  mediaType: string;
}

export interface OpenDatasetEntry {
  /** `<department>/<dataset>` */
  id: string;
  department: string;
  dataset: string;
  /** The contract's mode and temporal field: how a withdrawal or an erasure rebuilds the copy. */
  mode: string;
  temporalField: string | null;
  title: string;
  description: string | null;
  publisher: { id: string; name: string };
  keywords: string[];
  theme: string[];
  spatial: { code: string; name: string | null } | null;
  /** The period covered: fixed in the contract, or the temporal field's range in the rows opened. */
  temporal: { start: string; end: string | null } | null;
  updateFrequency: CatalogueMetadata['updateFrequency'] | null;
  license: string | null;
  contactPoint: CatalogueMetadata['contactPoint'] | null;
  /** When the open copy was last built (ISO 8601). */
  modified: string;
  /** The latest upload whose rows it holds. */
  latestUpload: string | null;
  rows: number;
  files: OpenFileEntry[];
}

export interface OpenIndex {
  version: number;
  /** The base URL files are served from (ends with `/`; it stands for `open/`). */
  baseUrl: string;
  updated: string;
  datasets: Record<string, OpenDatasetEntry>;
}

export function emptyIndex(baseUrl: string, at: string): OpenIndex {
  return { version: OPEN_INDEX_VERSION, baseUrl, updated: at, datasets: {} };
}

/** Parses an index read from the zone; a broken or other-version one is started afresh (it is derived). */
export function parseIndex(text: string | null, baseUrl: string, at: string): OpenIndex {
  if (!text) return emptyIndex(baseUrl, at);
  try {
    const parsed = JSON.parse(text) as OpenIndex;
    if (parsed.version === OPEN_INDEX_VERSION && parsed.datasets && typeof parsed.datasets === 'object') {
      return parsed;
    }
  } catch {
    // rebuilt below
  }
  return emptyIndex(baseUrl, at);
}

/** The datasets of an index, sorted by id. */
export function indexDatasets(index: OpenIndex): OpenDatasetEntry[] {
  return Object.values(index.datasets).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
