/**
 * When an upload is not opened, and how withdrawal reaches the open copy: an upload with personal data in
 * an undeclared column leaves the previous open version in place; a failure to open never fails the upload;
 * a withdrawal rebuilds the open copy through the published-copies layer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetSchema } from '../../src/contracts/schema.ts';
import { dirOpenStore } from '../../src/ingest/open/open-store.ts';
import { readOpenIndex } from '../../src/ingest/open/publish-open.ts';
import { PUBLISHED_COPY_LAYERS } from '../../src/ingest/published-copies.ts';
import { withdrawUpload } from '../../src/ingest/withdraw.ts';
import { getBytes, startTestLake } from '../ingest/helpers.ts';
import { duck, type OpenLake, upload, withOpenZone } from './helpers.ts';

const REF = { department: 'health', dataset: 'clinics' };
const contract = datasetSchema.parse({
  department: 'health',
  name: 'clinics',
  title: '诊所名录',
  classification: 'public',
  mode: 'replace',
  primaryKey: ['clinic_id'],
  opening: { type: 'unconditional' },
  license: 'CC-BY-4.0',
  fields: [
    { name: 'clinic_id', constraints: { required: true, pattern: '^GZ[0-9]{6}$' } },
    { name: 'clinic_name', headers: ['诊所名称'] },
    { name: 'beds', type: 'integer' },
  ],
});
const contracts = new Map([['health/clinics', contract]]);
const csv = (rows: string[]) => `clinic_id,诊所名称,beds\n${rows.join('\n')}\n`;

let open: OpenLake;
const entry = async () =>
  (await readOpenIndex(dirOpenStore(open.openDir), 'x/')).index.datasets['health/clinics'];
const openRows = async () => {
  const e = await entry();
  const parquet = e?.files.find((f) => f.kind === 'parquet')?.key as string;
  return duck(
    `SELECT clinic_id FROM read_parquet('${join(open.openDir, parquet.slice('open/'.length))}') ORDER BY 1`,
  );
};

beforeEach(async () => {
  open = await withOpenZone(await startTestLake());
});
afterEach(() => open?.stop());

/** Upload ids sort by time, and within one second by a digest: the current upload is the greatest id. */
const latest = <T extends { uploadId?: string }>(...results: T[]): T =>
  results.reduce((a, b) => ((a.uploadId ?? '') > (b.uploadId ?? '') ? a : b));

describe('opening after an upload', () => {
  it('keeps the previous open version when personal data turns up in an undeclared column', async () => {
    const first = await upload(
      open,
      contracts,
      REF,
      'a.csv',
      csv(['GZ000001,南明诊所,3', 'GZ000002,云岩诊所,4']),
    );
    expect(first.report?.opening?.status).toBe('published');
    const before = await entry();
    const second = await upload(
      open,
      contracts,
      REF,
      'b.csv',
      csv(['GZ000001,南明诊所 联系人电话13812345678,3', 'GZ000003,花溪诊所,5']),
    );
    expect(second.report?.status).not.toBe('rejected');
    expect(second.report?.pii.found.length).toBeGreaterThan(0);
    expect(second.report?.opening?.status).toBe('skipped');
    expect(second.report?.opening?.reason).toContain('clinic_name');
    expect(JSON.stringify(second.report?.opening)).not.toContain('13812345678');
    expect(await entry()).toEqual(before);
    expect(await openRows()).toEqual([['GZ000001'], ['GZ000002']]);

    // A later clean upload is opened; the one with finds never is, not even as a fallback.
    const third = await upload(open, contracts, REF, 'c.csv', csv(['GZ000009,观山湖诊所,1']));
    expect(third.report?.opening?.status).toBe('published');
    const rows = latest(first, third) === third ? [['GZ000009']] : [['GZ000001'], ['GZ000002']];
    expect(await openRows()).toEqual(rows);
    const text = await dirOpenStore(open.openDir).get('open/health/clinics/clinics.csv');
    expect(text?.body.toString('utf8')).not.toContain('GZ000003');
  });

  it('reports a failure to open without failing or losing the upload, and opens with the next one', async () => {
    // The open zone's folder is a file: nothing can be written under it.
    const blocked = join(open.openDir, 'blocked');
    await writeFile(blocked, 'not a folder');
    const broken: OpenLake = { ...open, buckets: { ...open.buckets, open: { dir: blocked } } };
    const r = await upload(broken, contracts, REF, 'a.csv', csv(['GZ000001,南明诊所,3']));
    expect(r.report?.status).toBe('accepted');
    expect(r.report?.opening?.status).toBe('failed');
    const next = await upload(open, contracts, REF, 'b.csv', csv(['GZ000002,云岩诊所,4']));
    expect(next.report?.opening).toMatchObject({ status: 'published', rows: 1 });
  });

  it('says nothing about opening for a dataset that is not opened', async () => {
    const closed = datasetSchema.parse({ ...contract, opening: undefined });
    const r = await upload(
      open,
      new Map([['health/clinics', closed]]),
      REF,
      'a.csv',
      csv(['GZ000001,南明诊所,3']),
    );
    expect(r.report?.opening).toBeUndefined();
    expect(await entry()).toBeUndefined();
  });
});

describe('withdrawal', () => {
  it('reaches the open copy: lake withdraw rebuilds it through the published-copies layer', async () => {
    const layer = PUBLISHED_COPY_LAYERS.find((l) => l.name === 'open-data');
    expect(layer).toBeDefined();
    const a = await upload(open, contracts, REF, 'a.csv', csv(['GZ000001,南明诊所,3']));
    const b = await upload(
      open,
      contracts,
      REF,
      'b.csv',
      csv(['GZ000002,云岩诊所,4', 'GZ000003,花溪诊所,5']),
    );
    const rowsOf = (r: typeof a) => (r === a ? [['GZ000001']] : [['GZ000002'], ['GZ000003']]);
    const current = latest(a, b);
    const other = current === a ? b : a;
    expect(await openRows()).toEqual(rowsOf(current));
    const s3 = open.lake.s3.client();
    const uploadId = current.uploadId as string;
    await withdrawUpload(
      { s3, buckets: open.buckets },
      { ref: REF, uploadId, by: 'test', reason: 'sent by mistake' },
    );
    expect(await openRows()).toEqual(rowsOf(other));
    // Idempotent: the layer run again removes nothing more.
    expect(await layer?.withdrawUpload({ s3, buckets: open.buckets, ref: REF }, uploadId)).toBe(0);
    expect(await openRows()).toEqual(rowsOf(other));
  });

  it('takes a dataset with nothing left published out of the catalogue and removes its files', async () => {
    const first = await upload(open, contracts, REF, 'a.csv', csv(['GZ000001,南明诊所,3']));
    const s3 = open.lake.s3.client();
    const uploadId = first.uploadId as string;
    expect(await entry()).toBeDefined();
    await withdrawUpload(
      { s3, buckets: open.buckets },
      { ref: REF, uploadId, by: 'test', reason: 'wrong file' },
    );
    expect(await entry()).toBeUndefined();
    expect(await dirOpenStore(open.openDir).list('open/health/')).toEqual([]);
    const catalogue = await dirOpenStore(open.openDir).get('open/catalog.jsonld');
    expect(catalogue?.body.toString('utf8')).not.toContain('health/clinics');
  });

  it('counts the rows an erasure takes out of the open copy', async () => {
    const layer = PUBLISHED_COPY_LAYERS.find((l) => l.name === 'open-data');
    const a = await upload(
      open,
      contracts,
      REF,
      'a.csv',
      csv(['GZ000001,南明诊所,3', 'GZ000002,云岩诊所,4']),
    );
    const s3 = open.lake.s3.client();
    // The erasure rewrites curated first; here the upload's curated file is replaced by one without a row.
    const key = a.report?.outputs.find((o) => o.kind === 'curated')?.key as string;
    const local = join(open.openDir, '..', `erase-${process.pid}.parquet`);
    const original = join(open.openDir, '..', `orig-${process.pid}.parquet`);
    await writeFile(original, await getBytes(s3, open.buckets.curated, key));
    await duck(
      `COPY (SELECT * FROM read_parquet('${original}') WHERE clinic_id <> 'GZ000002') TO '${local}' (FORMAT parquet)`,
    );
    await s3.send(
      new PutObjectCommand({ Bucket: open.buckets.curated, Key: key, Body: await readFile(local) }),
    );
    const lines = new Map([[a.uploadId as string, [3]]]);
    expect(await layer?.eraseRows({ s3, buckets: open.buckets, ref: REF }, lines)).toBe(1);
    expect(await openRows()).toEqual([['GZ000001']]);
  });
});
