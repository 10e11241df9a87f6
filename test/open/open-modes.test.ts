/**
 * The open copy follows each mode's published state: an append dataset opens every published upload (and
 * the period its date field covers), an upsert dataset its merged state.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetSchema } from '../../src/contracts/schema.ts';
import { dirOpenStore } from '../../src/ingest/open/open-store.ts';
import { readOpenIndex } from '../../src/ingest/open/publish-open.ts';
import { withdrawUpload } from '../../src/ingest/withdraw.ts';
import { startTestLake } from '../ingest/helpers.ts';
import { duck, type OpenLake, upload, withOpenZone } from './helpers.ts';

const REF = { department: 'statistics', dataset: 'visits' };
const contractFor = (mode: 'append' | 'upsert') =>
  datasetSchema.parse({
    department: 'statistics',
    name: 'visits',
    title: '景区接待人次',
    description: '各景区每日接待游客人次。',
    classification: 'public',
    mode,
    primaryKey: ['site', 'day'],
    opening: { type: 'unconditional' },
    license: 'https://creativecommons.org/licenses/by/4.0/',
    temporal: { field: 'day' },
    fields: [
      { name: 'site', constraints: { required: true } },
      { name: 'day', type: 'date', constraints: { required: true } },
      { name: 'visitors', type: 'integer' },
    ],
  });
const csv = (rows: string[]) => `site,day,visitors\n${rows.join('\n')}\n`;

let open: OpenLake;
const entry = async () =>
  (await readOpenIndex(dirOpenStore(open.openDir), 'x/')).index.datasets['statistics/visits'];
const openRows = async () =>
  duck(
    `SELECT site, CAST(day AS VARCHAR), visitors FROM read_parquet('${join(open.openDir, 'statistics/visits/visits.parquet')}') ORDER BY 1, 2`,
  );

beforeEach(async () => {
  open = await withOpenZone(await startTestLake());
});
afterEach(() => open?.stop());

describe('an append dataset', () => {
  it('opens every published upload, with the period its date field covers, and drops a withdrawn one', async () => {
    const contracts = new Map([['statistics/visits', contractFor('append')]]);
    await upload(open, contracts, REF, 'a.csv', csv(['黄果树,2026-10-01,5000', '梵净山,2026-10-01,3000']));
    const b = await upload(open, contracts, REF, 'b.csv', csv(['黄果树,2026-10-02,4500']));
    expect(await openRows()).toEqual([
      ['梵净山', '2026-10-01', 3000n],
      ['黄果树', '2026-10-01', 5000n],
      ['黄果树', '2026-10-02', 4500n],
    ]);
    const e = await entry();
    expect(e.temporal).toEqual({ start: '2026-10-01', end: '2026-10-02' });
    const catalogue = JSON.parse(await readFile(join(open.openDir, 'catalog.jsonld'), 'utf8'));
    const dataset = catalogue['dcat:dataset'][0];
    expect(dataset['dct:temporal']['dcat:startDate']['@value']).toBe('2026-10-01');
    expect(dataset['dcat:distribution'][0]['dct:license']['@id']).toBe(
      'https://creativecommons.org/licenses/by/4.0/',
    );

    const s3 = open.lake.s3.client();
    const ref = REF;
    await withdrawUpload(
      { s3, buckets: open.buckets },
      { ref, uploadId: b.uploadId as string, by: 't', reason: 'r' },
    );
    expect(await openRows()).toEqual([
      ['梵净山', '2026-10-01', 3000n],
      ['黄果树', '2026-10-01', 5000n],
    ]);
    expect((await entry()).temporal).toEqual({ start: '2026-10-01', end: '2026-10-01' });
  });
});

describe('an upsert dataset', () => {
  it('opens the merged state: one row per key, the latest upload winning', async () => {
    const contracts = new Map([['statistics/visits', contractFor('upsert')]]);
    const a = await upload(
      open,
      contracts,
      REF,
      'a.csv',
      csv(['黄果树,2026-10-01,5000', '梵净山,2026-10-01,3000']),
    );
    const b = await upload(open, contracts, REF, 'b.csv', csv(['黄果树,2026-10-01,5100']));
    const later = (a.uploadId ?? '') > (b.uploadId ?? '') ? 5000n : 5100n;
    expect(b.report?.opening?.status).toBe('published');
    expect(await openRows()).toEqual([
      ['梵净山', '2026-10-01', 3000n],
      ['黄果树', '2026-10-01', later],
    ]);
  });
});
