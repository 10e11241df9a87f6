/**
 * What is open, for readers of the zone: `lake open`, the demo and the portal (`lake serve`). Small and
 * documented on purpose: the portal lists the datasets of `.lake/open/` and serves `catalog.jsonld` with
 * these, and never parses the zone's files on its own.
 *
 *   listOpenDatasets(openDir)     the entries of `catalog.json`, sorted by id (files with size and checksum)
 *   readOpenCatalogue(openDir)    `catalog.jsonld` parsed (the DCAT-AP document), or null before any opening
 *   openCatalogLines(listing)     the text the demo prints: each dataset, its files and sizes, the catalogue
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPEN_CATALOG_KEY, OPEN_PREFIX } from '../../lake/layout.ts';
import { indexDatasets, type OpenDatasetEntry, parseIndex } from './open-index.ts';
import { dirOpenStore } from './open-store.ts';

export interface OpenListing {
  /** Where the catalogue is: its file (local lake) or its URL (deployed lake). */
  catalogue: string;
  datasets: OpenDatasetEntry[];
}

/** The datasets opened in a local open-data folder (`.lake/open/`), sorted by id; none before any opening. */
export async function listOpenDatasets(openDir: string): Promise<OpenDatasetEntry[]> {
  const found = await dirOpenStore(openDir).get(`${OPEN_PREFIX}catalog.json`);
  return indexDatasets(parseIndex(found?.body.toString('utf8') ?? null, '', ''));
}

/** The DCAT-AP catalogue of a local open-data folder, parsed, or null when nothing is open yet. */
export async function readOpenCatalogue(openDir: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(localCataloguePath(openDir), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The file of a local open-data folder's catalogue. */
export function localCataloguePath(openDir: string): string {
  return join(openDir, OPEN_CATALOG_KEY.slice(OPEN_PREFIX.length));
}

/** The local open-data zone as a listing. */
export async function localOpenListing(openDir: string): Promise<OpenListing> {
  return { catalogue: localCataloguePath(openDir), datasets: await listOpenDatasets(openDir) };
}

/** A size in bytes as people read it (1.2 MB). */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** The open-data catalogue as lines of text: for the demo (and anyone printing a listing). */
export function openCatalogLines(listing: OpenListing): string[] {
  if (listing.datasets.length === 0) {
    return [
      'open data: nothing is opened yet (a dataset with `opening: unconditional` is, after its next upload)',
    ];
  }
  const lines = [`open data: ${listing.datasets.length} dataset(s), DCAT-AP catalogue ${listing.catalogue}`];
  for (const d of listing.datasets) {
    lines.push(`  ${d.id}  ${d.title}  (${d.rows} rows, ${d.publisher.name})`);
    for (const f of d.files) {
      lines.push(`    ${f.key.slice(OPEN_PREFIX.length).padEnd(48)} ${humanBytes(f.bytes).padStart(9)}`);
    }
  }
  return lines;
}

/** Prints the local lake's open-data catalogue (the demo's last words): datasets, files, sizes, catalogue. */
export async function printOpenCatalog(openDir: string, write: (line: string) => void): Promise<OpenListing> {
  const listing = await localOpenListing(openDir);
  for (const line of openCatalogLines(listing)) write(line);
  return listing;
}
