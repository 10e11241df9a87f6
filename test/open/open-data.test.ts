/**
 * The open-data zone end to end on the local S3 endpoint: uploads of opened datasets are published as
 * CSV, Parquet, a dictionary and a DCAT-AP 3 catalogue; every file is read back by an independent reader.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSchema } from '../../src/contracts/schema.ts';
import type { OpenIndex } from '../../src/ingest/open/open-index.ts';
import { dirOpenStore } from '../../src/ingest/open/open-store.ts';
import { readOpenIndex } from '../../src/ingest/open/publish-open.ts';
import { getBytes, startTestLake } from '../ingest/helpers.ts';
import { CONTRACTS, duck, example, type OpenLake, sha256, upload, withOpenZone } from './helpers.ts';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const SPDX = 'http://spdx.org/rdf/terms#';

/** A JSON-LD document loader that refuses every URL: the catalogue must expand without the network. */
const noNetwork = async (url: string): Promise<never> => {
  throw new Error(`the catalogue asked to fetch ${url}`);
};

type Expanded = Record<string, unknown[]>;
const values = (node: Expanded, iri: string): unknown[] => node[iri] ?? [];
const first = (node: Expanded, iri: string): Record<string, unknown> =>
  (values(node, iri)[0] ?? {}) as Record<string, unknown>;

let open: OpenLake;
let index: OpenIndex;
const fileOf = (key: string) => join(open.openDir, key.slice('open/'.length));

beforeAll(async () => {
  open = await withOpenZone(await startTestLake());
  const divisions = await upload(
    open,
    CONTRACTS,
    { department: 'statistics', dataset: 'divisions' },
    'divisions.csv',
    await example('statistics/divisions/divisions-guizhou-2024.csv'),
  );
  expect(divisions.report?.status).toBe('accepted');
  const stops = await upload(
    open,
    CONTRACTS,
    { department: 'transport', dataset: 'bus_stops' },
    'stops.csv',
    await example('transport/bus_stops/bus-stops-guiyang-2026-11.csv'),
  );
  expect(stops.report?.opening).toMatchObject({ status: 'published', files: 4 });
  index = (await readOpenIndex(dirOpenStore(open.openDir), 'unused/')).index;
}, 120_000);

afterAll(() => open?.stop());

describe('the open files', () => {
  it('opens each dataset as CSV, Parquet and a dictionary whose checksums and sizes the index gives', async () => {
    expect(Object.keys(index.datasets).sort()).toEqual(['statistics/divisions', 'transport/bus_stops']);
    for (const d of Object.values(index.datasets)) {
      expect(d.files.map((f) => f.kind).sort()).toEqual([
        'csv',
        'dictionary-csv',
        'dictionary-json',
        'parquet',
      ]);
      for (const f of d.files) {
        const bytes = await readFile(fileOf(f.key));
        expect(sha256(bytes)).toBe(f.sha256);
        expect(bytes.length).toBe(f.bytes);
        expect(f.url).toBe(`https://open.example.test/${f.key}`);
      }
    }
  });

  it('writes CSV that Excel opens (BOM, CRLF) with the rows of the Parquet file', async () => {
    const d = index.datasets['transport/bus_stops'];
    const csvKey = d.files.find((f) => f.kind === 'csv')?.key as string;
    const parquetKey = d.files.find((f) => f.kind === 'parquet')?.key as string;
    const csv = await readFile(fileOf(csvKey));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    expect(text.split('\r\n').length - 1).toBe(d.rows + 1);
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    const [[csvRows]] = await duck(`SELECT count(*) FROM read_csv('${fileOf(csvKey)}', header = true)`);
    const [[parquetRows]] = await duck(`SELECT count(*) FROM read_parquet('${fileOf(parquetKey)}')`);
    expect(Number(csvRows)).toBe(d.rows);
    expect(Number(parquetRows)).toBe(d.rows);
    expect(d.rows).toBeGreaterThan(0);
    // Typed Parquet, and no lineage column in either file.
    const columns = await duck(`DESCRIBE SELECT * FROM read_parquet('${fileOf(parquetKey)}')`);
    expect(columns.map((c) => c[0])).not.toContain('_upload_id');
    expect(text.split('\r\n')[0]).not.toContain('_source_line');
  });

  it('gives each column its title, type, description and headers in the dictionary', async () => {
    const d = index.datasets['transport/bus_stops'];
    const json = JSON.parse(
      await readFile(fileOf(d.files.find((f) => f.kind === 'dictionary-json')?.key as string), 'utf8'),
    ) as { columns: { name: string; type: string; headers: string[] }[] };
    const contract = CONTRACTS.get('transport/bus_stops');
    expect(json.columns.map((c) => c.name)).toEqual(contract?.fields.map((f) => f.name));
    expect(json.columns.find((c) => c.name === 'stop_name')?.headers).toEqual(['站点名称']);
    const dictCsv = fileOf(d.files.find((f) => f.kind === 'dictionary-csv')?.key as string);
    const rows = await duck(`SELECT name FROM read_csv('${dictCsv}', header = true)`);
    expect(rows.map((r) => r[0])).toEqual(json.columns.map((c) => c.name));
  });
});

describe('the DCAT-AP catalogue', () => {
  it('expands with a JSON-LD processor, offline, and carries the mandatory and recommended properties', async () => {
    const doc = JSON.parse(await readFile(join(open.openDir, 'catalog.jsonld'), 'utf8'));
    const expanded = (await jsonld.expand(doc, { documentLoader: noNetwork })) as Expanded[];
    const catalog = expanded.find((n) => (n['@type'] as unknown as string[])?.includes(`${DCAT}Catalog`));
    expect(catalog).toBeDefined();
    const c = catalog as Expanded;
    for (const p of [`${DCT}title`, `${DCT}description`, `${DCT}publisher`, `${DCAT}dataset`]) {
      expect(values(c, p).length, p).toBeGreaterThan(0);
    }
    const datasets = values(c, `${DCAT}dataset`) as Expanded[];
    expect(datasets).toHaveLength(2);
    for (const d of datasets) {
      for (const p of [
        'title',
        'description',
        'publisher',
        'spatial',
        'accrualPeriodicity',
        'modified',
        'identifier',
      ]) {
        expect(values(d, `${DCT}${p}`).length, p).toBeGreaterThan(0);
      }
      for (const p of ['keyword', 'theme', 'contactPoint', 'distribution']) {
        expect(values(d, `${DCAT}${p}`).length, p).toBeGreaterThan(0);
      }
      for (const dist of values(d, `${DCAT}distribution`) as Expanded[]) {
        for (const p of [
          `${DCAT}accessURL`,
          `${DCAT}downloadURL`,
          `${DCT}format`,
          `${DCAT}byteSize`,
          `${DCT}license`,
        ]) {
          expect(values(dist, p).length, p).toBeGreaterThan(0);
        }
        const checksum = first(dist, `${SPDX}checksum`) as Expanded;
        expect(first(checksum, `${SPDX}algorithm`)['@id']).toBe(`${SPDX}checksumAlgorithm_sha256`);
        const url = first(dist, `${DCAT}downloadURL`)['@id'] as string;
        const file = fileOf(url.slice('https://open.example.test/'.length));
        expect(first(checksum, `${SPDX}checksumValue`)['@value']).toBe(sha256(await readFile(file)));
        expect(first(dist, `${DCAT}byteSize`)['@value']).toBe(String((await readFile(file)).length));
      }
    }
    const stops = datasets.find(
      (d) => first(d, `${DCT}identifier`)['@value'] === 'transport/bus_stops',
    ) as Expanded;
    expect(first(stops, `${DCT}accrualPeriodicity`)['@id']).toBe(
      'http://publications.europa.eu/resource/authority/frequency/MONTHLY',
    );
    expect(first(stops, `${DCAT}theme`)['@id']).toBe(
      'http://publications.europa.eu/resource/authority/data-theme/TRAN',
    );
    const spatial = first(stops, `${DCT}spatial`) as Expanded;
    expect(first(spatial, 'http://www.w3.org/2004/02/skos/core#prefLabel')['@value']).toBe('贵阳市');
    // Places and agents are named in the catalogue's own document, which a harvester can fetch.
    const catalogUrl = 'https://open.example.test/open/catalog.jsonld';
    expect(c['@id']).toBe(catalogUrl);
    expect(spatial['@id']).toMatch(new RegExp(`^${catalogUrl.replace(/\./g, '\\.')}#division-52\\d*$`));
    expect((first(stops, `${DCT}publisher`) as Expanded)['@id']).toBe(`${catalogUrl}#department-transport`);
    const keywords = values(stops, `${DCAT}keyword`) as { '@language': string }[];
    expect(keywords.some((k) => k['@language'] === 'zh')).toBe(true);
    expect(
      first(first(stops, `${DCT}publisher`) as Expanded, 'http://xmlns.com/foaf/0.1/name')['@value'],
    ).toContain('交通运输厅');
  });
});

describe('what is never opened', () => {
  it('leaves out personal-data and non-public columns even if a contract slipped past the loader', async () => {
    const contract = datasetSchema.parse({
      department: 'health',
      name: 'clinics',
      title: '诊所',
      classification: 'public',
      mode: 'replace',
      primaryKey: ['clinic_id'],
      maxRejectedRatio: 0.5,
      opening: { type: 'unconditional' },
      license: 'CC-BY-4.0',
      fields: [
        { name: 'clinic_id', constraints: { required: true, pattern: '^GZ[0-9]{6}$' } },
        { name: 'clinic_name', headers: ['诊所名称'] },
        { name: 'beds', type: 'integer', classification: 'internal' },
        {
          name: 'opened_on',
          type: 'date',
          formats: ['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日'],
          classification: 'restricted',
        },
        { name: 'owner_name', pii: 'person_name', protect: 'hash' },
      ],
    });
    const contracts = new Map([['health/clinics', contract]]);
    const body = await readFile(join(import.meta.dirname, '..', 'ingest', 'fixtures', 'clinics.csv'));
    const r = await upload(open, contracts, { department: 'health', dataset: 'clinics' }, 'c.csv', body);
    expect(r.report?.opening?.status).toBe('published');
    const files = (await readOpenIndex(dirOpenStore(open.openDir), 'unused/')).index.datasets[
      'health/clinics'
    ].files;
    for (const f of files) {
      const text = (await readFile(fileOf(f.key))).toString('latin1');
      expect(text, f.key).not.toContain('owner_name');
      expect(text, f.key).not.toContain('beds');
      expect(text, f.key).not.toContain('opened_on');
      expect(text, f.key).not.toContain('2015-03-18');
    }
    // The hashed values the lake publishes in curated appear in no open file.
    const curatedKey = r.report?.outputs.find((o) => o.kind === 'curated')?.key as string;
    const curatedPath = join(open.openDir, '..', `curated-${process.pid}.parquet`);
    await writeFile(curatedPath, await getBytes(open.lake.s3.client(), open.buckets.curated, curatedKey));
    const hashes = (await duck(`SELECT owner_name FROM read_parquet('${curatedPath}')`)).map((x) =>
      String(x[0]),
    );
    expect(hashes.length).toBeGreaterThan(0);
    const csvText = (await readFile(fileOf(files.find((f) => f.kind === 'csv')?.key as string))).toString(
      'utf8',
    );
    for (const h of hashes) expect(csvText).not.toContain(h);
    expect(csvText).not.toContain('张三丰');
    const parquet = fileOf(files.find((f) => f.kind === 'parquet')?.key as string);
    const columns = (await duck(`DESCRIBE SELECT * FROM read_parquet('${parquet}')`)).map((c) => c[0]);
    expect(columns).toEqual(['clinic_id', 'clinic_name']);
  });
});
