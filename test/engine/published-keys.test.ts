/**
 * Keys across uploads (TransformOptions.publishedKeys): in an append dataset a row whose primaryKey or
 * unique key the dataset already publishes is quarantined, naming the earlier upload and line; keys are
 * compared as published (as typed, or by their hash); masked keys cannot be, and the report says so.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  contract,
  csvText,
  expectAccounted,
  expectRowErrors,
  ingest,
  type Outcome,
  writeInput,
} from './helpers.ts';

const SCHOOLS = { department: 'education', name: 'schools', mode: 'append', maxRejectedRatio: 1 };
const FIELDS = [{ name: 'school_id' }, { name: 'name' }, { name: 'code', constraints: { unique: true } }];
const HEADER = ['school_id', 'name', 'code'];

/** A curated file as another upload would have published it: the given rows, with lineage columns. */
async function publishedFile(rows: { id: string; code: string; upload: string; line: number }[]) {
  const path = await writeInput('', 'published.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const values = rows.map((r) => `('${r.id}', '${r.code}', '${r.upload}', ${r.line})`).join(', ');
    await c.run(
      `COPY (SELECT * FROM (VALUES ${values}) v(school_id, code, _upload_id, _source_line)) TO '${path}' (FORMAT parquet)`,
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return path;
}

async function upload(rows: string[][], extra: Record<string, unknown>, publishedKeys?: string) {
  const path = await writeInput(csvText(HEADER, rows));
  const o = await ingest(path, contract({ ...SCHOOLS, fields: FIELDS, ...extra }), { publishedKeys });
  expectAccounted(o.report);
  return o;
}

const lines = (o: Outcome) => o.curated.map((r) => Number(r._source_line));

describe('keys already published by another upload', () => {
  it('quarantines a row whose primaryKey is published, naming the upload and its line, counted once', async () => {
    // Prepare
    const published = await publishedFile([
      { id: 'GZ000001', code: 'A1', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 7 },
      { id: 'GZ000002', code: 'A2', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 8 },
    ]);

    // Act
    const o = await upload(
      [
        ['GZ000001', '南明区实验小学', 'B1'],
        ['GZ000009', '云岩区第一中学', 'B2'],
        ['GZ000001', '南明区实验小学', 'B3'],
        ['GZ000009', '云岩区第一中学', 'B4'],
        ['', '花溪区青岩小学', 'B5'],
      ],
      { primaryKey: ['school_id'] },
      published,
    );

    // Assess
    expect(lines(o)).toEqual([3]);
    const earlier = 'already published by upload 20261101T000000Z-aaaaaaaaaaaa (line 7)';
    expectRowErrors(o, [
      { line: 2, column: 'school_id', rule: 'primaryKey', message: earlier },
      { line: 4, column: 'school_id', rule: 'primaryKey', message: earlier },
      { line: 5, column: 'school_id', rule: 'primaryKey', message: 'the value duplicates line 3' },
      { line: 6, column: 'school_id', rule: 'required', message: 'a value is required' },
    ]);
    expect(JSON.stringify(o.report)).not.toContain('GZ000001');
    expect(o.report.notices).toBeUndefined();
  });

  it('checks a unique field the same way, and the earliest upload that published the key is named', async () => {
    const published = await publishedFile([
      { id: 'GZ000001', code: 'A1', upload: '20261102T000000Z-bbbbbbbbbbbb', line: 3 },
      { id: 'GZ000002', code: 'A1', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 9 },
    ]);
    const o = await upload(
      [
        ['GZ000005', '南明区实验小学', 'A1'],
        ['GZ000006', '云岩区第一中学', 'B2'],
      ],
      {},
      published,
    );
    expect(lines(o)).toEqual([3]);
    expectRowErrors(o, [
      {
        line: 2,
        column: 'code',
        rule: 'unique',
        message: 'already published by upload 20261101T000000Z-aaaaaaaaaaaa (line 9)',
      },
    ]);
  });

  it('compares a hashed key by its hash: the same value published earlier is found', async () => {
    const hashed = { primaryKey: ['school_id'] };
    const fields = [{ name: 'school_id', pii: 'other', protect: 'hash' }, { name: 'name' }, { name: 'code' }];
    const first = await upload([['GZ000001', '南明区实验小学', 'A1']], { ...hashed, fields });
    const curated = first.report.outputs.find((x) => x.kind === 'curated');
    expect(curated).toBeDefined();

    const o = await upload(
      [
        ['GZ000002', '云岩区第一中学', 'B1'],
        ['GZ000001', '南明区实验小学', 'B2'],
      ],
      { ...hashed, fields },
      join(first.outDir, curated?.key ?? ''),
    );
    expect(lines(o)).toEqual([2]);
    expectRowErrors(o, [
      {
        line: 3,
        column: 'school_id',
        rule: 'primaryKey',
        message: 'already published by upload upload-1 (line 2)',
      },
    ]);
  });

  it('cannot compare a masked key: it is checked within the file only, and the report says so', async () => {
    const fields = [{ name: 'school_id', pii: 'other', protect: 'mask' }, { name: 'name' }, { name: 'code' }];
    const published = await publishedFile([
      { id: 'GZ000001', code: 'A1', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 7 },
    ]);
    const o = await upload(
      [['GZ000001', '南明区实验小学', 'B1']],
      { primaryKey: ['school_id'], fields },
      published,
    );
    expect(lines(o)).toEqual([2]);
    expect(o.report.notices).toEqual([
      expect.stringContaining('primaryKey school_id is checked within this file only'),
    ]);
  });

  it('leaves replace datasets alone: each upload is the whole dataset', async () => {
    const published = await publishedFile([
      { id: 'GZ000001', code: 'A1', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 7 },
    ]);
    const o = await upload(
      [['GZ000001', '南明区实验小学', 'A1']],
      { mode: 'replace', primaryKey: ['school_id'] },
      published,
    );
    expect(lines(o)).toEqual([2]);
    expect(o.report.rows).toEqual({ total: 1, accepted: 1, rejected: 0 });
  });

  it('skips published files that do not have the key columns (an older contract)', async () => {
    const published = await publishedFile([
      { id: 'GZ000001', code: 'A1', upload: '20261101T000000Z-aaaaaaaaaaaa', line: 7 },
    ]);
    const o = await upload(
      [['GZ000001', '南明区实验小学', 'A1']],
      { primaryKey: ['name'], fields: [{ name: 'school_id' }, { name: 'name' }, { name: 'code' }] },
      published,
    );
    expect(o.report.rows).toEqual({ total: 1, accepted: 1, rejected: 0 });
  });
});
