/**
 * `lake open` and the demo's listing: what is opened, with file sizes and where the catalogue is, from
 * the local lake's folder and from a deployed lake's URL (served here over loopback HTTP, as CloudFront
 * would serve it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOpenListing, printOpenCatalog } from '../../src/ingest/open/open-listing.ts';
import { lakePaths } from '../../src/local/lake-dir.ts';
import { lake, tempLakeDir } from '../cli/helpers.ts';

let dir: { dir: string; remove(): Promise<void> };
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  dir = await tempLakeDir();
  const ingested = await lake([
    'ingest',
    'examples/statistics/divisions/divisions-guizhou-2024.csv',
    '--dataset',
    'statistics/divisions',
    '--local',
    '--lake-dir',
    dir.dir,
    '--json',
  ]);
  expect(ingested.code, ingested.stderr).toBe(0);
  // The deployed lake's zone, as CloudFront serves it: the local folder over HTTP.
  const open = lakePaths(dir.dir).open;
  server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(open, decodeURIComponent(req.url ?? '/').replace(/^\/+/, '')));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}/`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await dir?.remove();
});

describe('lake open', () => {
  it('lists the local lake open data with sizes and the catalogue path', async () => {
    const r = await lake(['open', '--local', '--lake-dir', dir.dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('statistics/divisions');
    expect(r.stdout).toMatch(/\d+(\.\d)? KB|\d+ B/);
    expect(r.stdout).toContain(join(lakePaths(dir.dir).open, 'catalog.jsonld'));
    const json = await lake(['open', '--local', '--lake-dir', dir.dir, '--json']);
    const doc = json.json<{ datasets: { id: string; files: { bytes: number }[] }[] }>();
    expect(doc.datasets.map((d) => d.id)).toEqual(['statistics/divisions']);
    expect(doc.datasets[0].files.every((f) => f.bytes > 0)).toBe(true);
  });

  it('reads a deployed lake open data from its URL (stack output OpenDataUrl)', async () => {
    const outputs = join(dir.dir, 'outputs.json');
    await writeFile(
      outputs,
      JSON.stringify({ Lake: { LandingBucket: 'landing', OpenDataUrl: baseUrl, QueueUrl: '' } }),
    );
    const r = await lake(['open', '--outputs', outputs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<{ catalogue: string; datasets: { id: string }[] }>();
    expect(doc.catalogue).toBe(`${baseUrl}catalog.jsonld`);
    expect(doc.datasets.map((d) => d.id)).toEqual(['statistics/divisions']);
  });

  it('says what to do when a deployed lake has no open-data zone', async () => {
    const outputs = join(dir.dir, 'old-outputs.json');
    await writeFile(outputs, JSON.stringify({ Lake: { LandingBucket: 'landing' } }));
    const r = await lake(['open', '--outputs', outputs, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.error().code).toBe('no_open_data');
    expect(r.error().hint).toContain('deploy');
  });
});

describe('the demo listing', () => {
  it('prints each dataset, its files with sizes, and the catalogue', async () => {
    const lines: string[] = [];
    const listing = await printOpenCatalog(lakePaths(dir.dir).open, (l) => lines.push(l));
    expect(listing).toEqual(await localOpenListing(lakePaths(dir.dir).open));
    expect(lines[0]).toContain('catalog.jsonld');
    expect(lines.some((l) => l.includes('divisions/divisions.csv'))).toBe(true);
    expect(lines.some((l) => l.includes('divisions/divisions.dictionary.json'))).toBe(true);
  });
});
