/**
 * File-level validation and the report: maxRejectedRatio, header matching, missing and extra columns,
 * the report's fields, maxErrors and the lineage columns.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractHash } from '../../src/contracts/contract-hash.ts';
import { datasetModel } from '../../src/lake/dataset-model.ts';
import {
  contract,
  csvText,
  expectAccounted,
  expectRowErrors,
  ingest,
  NOW,
  readParquet,
  timestamptzMillis,
  writeInput,
} from './helpers.ts';

const CLINIC_FIELDS = [
  { name: 'clinic_id', constraints: { required: true } },
  { name: 'name' },
  { name: 'county_code', constraints: { pattern: '52[0-9]{4}' } },
  { name: 'beds', type: 'integer' },
];
const COUNTIES = ['520102', '520103', '520111'];

/** `n` clinics; the lines listed in `badBeds` get a bed count that is not an integer. */
function clinics(n: number, badBeds: number[] = []): string[][] {
  return Array.from({ length: n }, (_, i) => {
    const line = i + 2;
    return [
      `GY${String(i + 1).padStart(4, '0')}`,
      `第${i + 1}社区卫生服务站`,
      COUNTIES[i % COUNTIES.length],
      badBeds.includes(line) ? `${i}.5` : String(10 + i),
    ];
  });
}
const CLINIC_HEADER = ['clinic_id', 'name', 'county_code', 'beds'];

describe('maxRejectedRatio', () => {
  it('below the ratio: partial, with both outputs', async () => {
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(20, [7])));
    const o = await ingest(path, contract({ maxRejectedRatio: 0.1, fields: CLINIC_FIELDS }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(o.report.rows).toEqual({ total: 20, accepted: 19, rejected: 1 });
    expect(o.report.outputs.map((x) => [x.kind, x.rows])).toEqual([
      ['curated', 19],
      ['quarantine', 1],
    ]);
    expectRowErrors(o, [{ line: 7, column: 'beds', rule: 'type', message: '"5.5" is not a valid integer' }]);
  });

  it('exactly at the ratio (the default 5%): still partial', async () => {
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(20, [12])));
    const c = contract({ fields: CLINIC_FIELDS });
    expect(c.maxRejectedRatio).toBe(0.05);
    const o = await ingest(path, c);
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(o.report.rows).toEqual({ total: 20, accepted: 19, rejected: 1 });
    expect(o.curated).toHaveLength(19);
    expect(o.quarantine.map((r) => r._source_line)).toEqual(['12']);
  });

  it('above the ratio: rejected, no curated output, every row in quarantine, the file-level error first', async () => {
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(20, [5, 9, 16])));
    const o = await ingest(path, contract({ maxRejectedRatio: 0.1, fields: CLINIC_FIELDS }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows).toEqual({ total: 20, accepted: 0, rejected: 20 });
    expect(o.report.outputs.map((x) => [x.kind, x.rows])).toEqual([['quarantine', 20]]);
    expect(o.curated).toEqual([]);

    const verdict = {
      column: null,
      rule: 'maxRejectedRatio',
      message:
        "3 of 20 rows (15.0%) were rejected, more than the contract's maxRejectedRatio of 10.0%: the whole file is quarantined; fix the rows listed and upload the file again",
    };
    expect(o.report.errors).toEqual([
      { line: null, ...verdict },
      { line: 5, column: 'beds', rule: 'type', message: '"3.5" is not a valid integer' },
      { line: 9, column: 'beds', rule: 'type', message: '"7.5" is not a valid integer' },
      { line: 16, column: 'beds', rule: 'type', message: '"14.5" is not a valid integer' },
    ]);
    expect(o.report.errorCounts).toEqual({ maxRejectedRatio: { _file: 1 }, type: { beds: 3 } });

    // Accepted rows too, as uploaded, with the file-level error; the bad ones with their own error after it.
    expect(o.quarantine.map((r) => Number(r._source_line))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    for (const row of o.quarantine) {
      const line = Number(row._source_line);
      const own = [5, 9, 16].includes(line)
        ? [{ column: 'beds', rule: 'type', message: `"${line - 2}.5" is not a valid integer` }]
        : [];
      expect(row._errors).toEqual([verdict, ...own]);
    }
    expect(o.quarantine[0]).toMatchObject({ clinic_id: 'GY0001', name: '第1社区卫生服务站', beds: '10' });
  });

  it('maxRejectedRatio 0: a single rejected row rejects the file', async () => {
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(50, [40])));
    const o = await ingest(path, contract({ maxRejectedRatio: 0, fields: CLINIC_FIELDS }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows).toEqual({ total: 50, accepted: 0, rejected: 50 });
    expect(o.report.errors[0]).toMatchObject({ line: null, rule: 'maxRejectedRatio' });
    expect(o.report.errors[0].message).toContain('1 of 50 rows (2.0%)');
  });
});

describe('header', () => {
  const fields = [
    { name: 'clinic_id', headers: ['机构编码'], constraints: { required: true } },
    { name: 'name', headers: ['机构名称', 'Clinic Name'] },
    { name: 'county_code', headers: ['区划代码'] },
    { name: 'beds', type: 'integer', headers: ['床位数'] },
  ];

  it('a field matches its name or any headers spelling, ignoring case, surrounding spaces and full-width forms', async () => {
    const text =
      '\uFEFF机构编码, CLINIC NAME ,ＣＯＵＮＴＹ＿ＣＯＤＥ,\u3000床位数\u3000\n' +
      'GY0001,南明区花果园社区卫生服务中心,520102,35\n' +
      'GY0002,云岩区中华北路诊所,520103,8\n';
    const o = await ingest(await writeInput(text), contract({ fields }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.report.columns).toEqual({
      matched: {
        clinic_id: '机构编码',
        name: 'CLINIC NAME',
        county_code: 'ＣＯＵＮＴＹ＿ＣＯＤＥ',
        beds: '床位数',
      },
      extra: [],
      missing: [],
    });
    expect(
      o.curated.map(({ clinic_id, name, county_code, beds }) => ({ clinic_id, name, county_code, beds })),
    ).toEqual([
      { clinic_id: 'GY0001', name: '南明区花果园社区卫生服务中心', county_code: '520102', beds: '35' },
      { clinic_id: 'GY0002', name: '云岩区中华北路诊所', county_code: '520103', beds: '8' },
    ]);
  });

  it('a missing required column rejects the file: rule missing_column, naming the column and its spellings; all rows in quarantine', async () => {
    const text = csvText(
      ['clinic_id', '名称', 'beds'],
      [
        ['GY0001', '花溪区青岩镇卫生院', '40'],
        ['GY0002', '花溪区党武乡卫生院', '12'],
      ],
    );
    const c = contract({
      fields: [
        { name: 'clinic_id' },
        { name: 'name', headers: ['机构名称'], constraints: { required: true } },
        fields[3],
      ],
    });
    const o = await ingest(await writeInput(text), c);
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows).toEqual({ total: 2, accepted: 0, rejected: 2 });
    expect(o.report.outputs.map((x) => x.kind)).toEqual(['quarantine']);
    const first = o.report.errors[0];
    expect(first).toMatchObject({ line: null, column: 'name', rule: 'missing_column' });
    expect(first.message).toContain('"name"');
    expect(first.message).toContain('"机构名称"');
    expect(o.report.errorCounts.missing_column).toEqual({ name: 1 });
    expect(o.report.columns.missing).toEqual(['name']);
    expect(o.report.columns.extra).toEqual(['名称']);
    expect(o.quarantine.map((r) => [r._source_line, r.clinic_id, r.beds])).toEqual([
      ['2', 'GY0001', '40'],
      ['3', 'GY0002', '12'],
    ]);
    for (const row of o.quarantine) {
      expect((row._errors as { rule: string }[])[0]).toEqual({
        column: 'name',
        rule: 'missing_column',
        message: first.message,
      });
    }
  });

  it('a missing primaryKey column is a missing required column', async () => {
    const text = csvText(['name', 'beds'], [['云岩区中华北路诊所', '8']]);
    const c = contract({
      primaryKey: ['clinic_id'],
      fields: [{ name: 'clinic_id' }, { name: 'name' }, fields[3]],
    });
    const o = await ingest(await writeInput(text), c);
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ line: null, column: 'clinic_id', rule: 'missing_column' });
    expect(o.quarantine).toHaveLength(1);
  });

  it('a missing optional column is published as NULL of its type and listed in columns.missing', async () => {
    const text = csvText(
      ['clinic_id', 'name'],
      [
        ['GY0001', '南明区花果园社区卫生服务中心'],
        ['GY0002', '云岩区中华北路诊所'],
      ],
    );
    const o = await ingest(await writeInput(text), contract({ fields }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.report.columns.missing).toEqual(['county_code', 'beds']);
    expect(o.curated.map((r) => [r.county_code, r.beds])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(o.curatedTypes.beds).toBe('BIGINT');
    expect(o.curatedTypes.county_code).toBe('VARCHAR');
  });

  it('extra columns are named in columns.extra and absent from both outputs', async () => {
    const text = csvText(
      ['clinic_id', '备注', 'name', 'beds', 'internal_code'],
      [
        ['GY0001', '新建', '南明区花果园社区卫生服务中心', '35', 'X-1'],
        ['GY0002', '', '云岩区中华北路诊所', 'eight', 'X-2'],
      ],
    );
    const o = await ingest(await writeInput(text), contract({ maxRejectedRatio: 1, fields }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(o.report.columns.extra).toEqual(['备注', 'internal_code']);
    const published = ['clinic_id', 'name', 'county_code', 'beds'];
    const lineage = ['_upload_id', '_source_line', '_ingested_at'];
    expect(Object.keys(o.curated[0]).sort()).toEqual([...published, ...lineage].sort());
    expect(Object.keys(o.quarantine[0]).sort()).toEqual([...published, ...lineage, '_errors'].sort());
  });

  it('two columns matching one field reject the file with rule header', async () => {
    const text = csvText(['clinic_id', 'county_code', '区划代码'], [['GY0001', '520102', '520102']]);
    const o = await ingest(await writeInput(text), contract({ fields }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors).toHaveLength(1);
    expect(o.report.errors[0]).toMatchObject({ line: null, column: 'county_code', rule: 'header' });
    expect(o.report.errors[0].message).toContain('"county_code"');
    expect(o.report.errors[0].message).toContain('"区划代码"');
    // The whole file is quarantined, its rows kept; the count names the field the verdict is about.
    expect(o.report.rows).toEqual({ total: 1, accepted: 0, rejected: 1 });
    expect(o.quarantine).toHaveLength(1);
    expect(o.report.errorCounts).toEqual({ header: { county_code: 1 } });
  });

  it('one column matching two fields rejects the file with rule header', async () => {
    const text = csvText(['clinic_id', '代码'], [['GY0001', '520102']]);
    const c = contract({
      fields: [
        { name: 'clinic_id', headers: ['代码'] },
        { name: 'county_code', headers: ['代码'] },
      ],
    });
    const o = await ingest(await writeInput(text), c);
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ line: null, rule: 'header' });
  });

  it('a header without rows is rejected as empty', async () => {
    const o = await ingest(
      await writeInput(`${CLINIC_HEADER.join(',')}\n`),
      contract({ fields: CLINIC_FIELDS }),
    );
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ line: null, rule: 'empty' });
    expect(o.report.outputs).toEqual([]);
  });
});

describe('the report', () => {
  it('names the upload, the dataset, the contract, the source and every output', async () => {
    const text = csvText(CLINIC_HEADER, clinics(6, [4]));
    const path = await writeInput(text, '2026-11.csv');
    const c = contract({ maxRejectedRatio: 0.5, fields: CLINIC_FIELDS });
    const o = await ingest(path, c);
    const r = o.report;
    expectAccounted(r);

    expect(r.uploadId).toBe('upload-1');
    expect(r.dataset).toBe('health/clinics');
    expect(r.contractHash).toBe(contractHash(c));
    const bytes = await readFile(path);
    expect(r.source).toEqual({
      key: 'landing/health/clinics/2026-11.csv',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      encoding: 'utf-8',
      format: 'csv',
      compression: null,
    });
    expect(r.status).toBe('partial');
    expect(r.rows).toEqual({ total: 6, accepted: 5, rejected: 1 });
    expect(r.errors).toEqual([
      { line: 4, column: 'beds', rule: 'type', message: '"2.5" is not a valid integer' },
    ]);
    expect(r.errorCounts).toEqual({ type: { beds: 1 } });
    expect(r.pii).toEqual({ protected: [], flagged: [], found: [] });
    expect(r.startedAt).toBe(NOW.toISOString());
    expect(Number.isFinite(r.durationMs) && r.durationMs >= 0).toBe(true);

    const keys = datasetModel(c).outputKeys('upload-1', NOW);
    expect(r.outputs.map((x) => [x.kind, x.key])).toEqual([
      ['curated', keys.curated],
      ['quarantine', keys.quarantine],
    ]);
    expect(keys.curated).toBe('curated/health/clinics/ingest_date=2026-11-28/upload-1.parquet');
    for (const out of r.outputs) {
      const file = join(o.outDir, out.key);
      expect(out.bytes).toBe((await stat(file)).size);
      expect(out.rows).toBe((await readParquet(file)).rows.length);
    }
    const written = JSON.parse(await readFile(join(o.outDir, keys.report), 'utf8'));
    expect(written).toEqual(r);
  });

  it('lists at most maxErrors errors, the first ones in line order, and counts them all', async () => {
    const bad = [3, 5, 6, 8, 10, 11, 13, 14];
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(14, bad)));
    const o = await ingest(path, contract({ maxRejectedRatio: 1, fields: CLINIC_FIELDS }), { maxErrors: 3 });
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(o.report.errors).toEqual(
      [3, 5, 6].map((line) => ({
        line,
        column: 'beds',
        rule: 'type',
        message: `"${line - 2}.5" is not a valid integer`,
      })),
    );
    expect(o.report.errorCounts).toEqual({ type: { beds: 8 } });
    expect(o.quarantine.map((r) => Number(r._source_line))).toEqual(bad);
  });

  it('with a rejected file: the file-level error first, then at most maxErrors row errors', async () => {
    const bad = [3, 5, 6, 8, 10, 11, 13, 14];
    const path = await writeInput(csvText(CLINIC_HEADER, clinics(14, bad)));
    const o = await ingest(path, contract({ maxRejectedRatio: 0.1, fields: CLINIC_FIELDS }), {
      maxErrors: 3,
    });
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ line: null, rule: 'maxRejectedRatio' });
    expect(o.report.errors.slice(1).map((e) => e.line)).toEqual([3, 5, 6]);
    expect(o.report.errorCounts).toEqual({ maxRejectedRatio: { _file: 1 }, type: { beds: 8 } });
  });
});

describe('lineage', () => {
  it('every curated and quarantined row carries _upload_id, _source_line and _ingested_at', async () => {
    // Line 3 holds a quoted name over two lines: the next record starts on line 5.
    const text =
      'clinic_id,name,county_code,beds\n' +
      'GY0001,南明区花果园社区卫生服务中心,520102,35\n' +
      'GY0002,"云岩区\n中华北路诊所",520103,8\n' +
      'GY0003,花溪区青岩镇卫生院,520111,40\n' +
      'GY0004,花溪区党武乡卫生院,520111,十二\n';
    const o = await ingest(await writeInput(text), contract({ maxRejectedRatio: 1, fields: CLINIC_FIELDS }), {
      uploadId: 'upload-1',
    });
    expectAccounted(o.report);
    expect(o.curated.map((r) => [r.clinic_id, r._source_line])).toEqual([
      ['GY0001', '2'],
      ['GY0002', '3'],
      ['GY0003', '5'],
    ]);
    expect(o.curated[1].name).toBe('云岩区\n中华北路诊所');
    expect(o.quarantine.map((r) => [r.clinic_id, r._source_line])).toEqual([['GY0004', '6']]);
    for (const row of [...o.curated, ...o.quarantine]) {
      expect(row._upload_id).toBe('upload-1');
      expect(timestamptzMillis(String(row._ingested_at))).toBe(NOW.getTime());
    }
    expect(o.curatedTypes._ingested_at).toBe('TIMESTAMP WITH TIME ZONE');
    expect(o.curatedTypes._source_line).toBe('BIGINT');
  });
});
