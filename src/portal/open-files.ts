/**
 * The local lake's open-data zone as the portal serves it: the folder `<lake>/open/` (written by the
 * open-data publisher, PII-free by construction) under the URL path `/open/`, as it is, so that the
 * catalogue's download links work locally as they do behind CloudFront. Only plain files inside the
 * folder are served; a path that leaves it, hidden files and folders answer 404.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { OPEN_PREFIX } from '../lake/layout.ts';
import type { OpenData, OpenFile } from './services.ts';

/** Content types of the files the zone holds. */
const TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.parquet': 'application/vnd.apache.parquet',
  '.json': 'application/json; charset=utf-8',
  '.jsonld': 'application/ld+json; charset=utf-8',
};

/** The download formats, by how a file's name ends (the dictionary files first, they end alike). */
const FORMATS: [string, string][] = [
  ['.dictionary.json', 'dictionary-json'],
  ['.dictionary.csv', 'dictionary-csv'],
  ['.csv', 'csv'],
  ['.parquet', 'parquet'],
];

/** The order a dataset's page lists its downloads in: the data first. */
const DISPLAY_ORDER = ['csv', 'parquet', 'dictionary-csv', 'dictionary-json'];

const PLAIN_SEGMENT = /^[\p{L}\p{N}_][\p{L}\p{N}._-]*$/u;

export function typeOf(name: string): string | null {
  const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
  return TYPES[ext] ?? null;
}

/** The open zone in a local lake directory. */
export function localOpenData(lakeDir: string): OpenData {
  const root = resolve(lakeDir, OPEN_PREFIX);
  /** The file at `path` (relative to the zone) when it is a plain file inside it, else null. */
  async function inside(path: string): Promise<{ file: string; bytes: number } | null> {
    const parts = path.split('/');
    if (parts.some((p) => !PLAIN_SEGMENT.test(p) || p.includes('..'))) return null;
    const file = resolve(root, ...parts);
    if (!file.startsWith(root + sep)) return null;
    const s = await stat(file).catch(() => null);
    return s?.isFile() ? { file, bytes: s.size } : null;
  }
  return {
    async files(dataset) {
      const dir = join(root, ...dataset.split('/'));
      const names = await readdir(dir).catch(() => [] as string[]);
      const out: { format: string; file: string; bytes: number | null }[] = [];
      for (const [end, format] of FORMATS) {
        const name = names.find((n) => n.endsWith(end) && !out.some((o) => o.file === n));
        if (!name) continue;
        const s = await stat(join(dir, name)).catch(() => null);
        if (s?.isFile()) out.push({ format, file: name, bytes: s.size });
      }
      return out.sort((a, b) => DISPLAY_ORDER.indexOf(a.format) - DISPLAY_ORDER.indexOf(b.format));
    },
    async file(path): Promise<OpenFile | null> {
      const found = await inside(path);
      const contentType = typeOf(path);
      if (!found || !contentType) return null;
      const body = Readable.toWeb(createReadStream(found.file)) as ReadableStream<Uint8Array>;
      return { body, contentType, filename: path.split('/').pop() as string };
    },
  };
}
