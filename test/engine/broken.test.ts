/**
 * Broken uploads (test/fixtures/engine/broken, made by make-fixtures.ts): each ends in a report that
 * keeps the accounting invariant and says what is wrong (a rule, and a message naming the problem and
 * what to do), never in a crash and never in published garbage.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLINIC_ROWS, clinicRows, clinicsContract, FIXTURES } from './clinics.ts';
import { contract, expectAccounted, ingest, type Outcome, plainRows } from './helpers.ts';

const BROKEN = join(FIXTURES, 'broken');
const tmp = mkdtempSync(join(tmpdir(), 'lake-broken-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A whole-file rejection: nothing published or quarantined, one error saying why. */
function expectFileRejected(o: Outcome, rule: string, message: RegExp, line: number | null = null) {
  expectAccounted(o.report);
  expect(o.report.status).toBe('rejected');
  expect(o.report.rows).toEqual({ total: 0, accepted: 0, rejected: 0 });
  expect(o.report.outputs).toEqual([]);
  expect(o.report.errors).toHaveLength(1);
  expect(o.report.errors[0]).toMatchObject({ rule, line, column: null });
  expect(o.report.errors[0].message).toMatch(message);
  expect(o.report.errorCounts).toEqual({ [rule]: { _file: 1 } });
}

describe('broken files', () => {
  it('a truncated gzip', async () => {
    const o = await ingest(join(BROKEN, 'truncated.csv.gz'), clinicsContract());
    expectFileRejected(
      o,
      'gzip',
      /^the gzip stream is truncated or corrupt .*: upload the complete file again$/,
    );
  });

  it('a gzip bomb past maxDecompressedBytes', async () => {
    const o = await ingest(join(BROKEN, 'bomb.csv.gz'), clinicsContract(), { maxDecompressedBytes: 1 << 20 });
    expectFileRejected(
      o,
      'gzip',
      /^the gzip file expands past the limit of 1048576 bytes: split it into smaller files and upload each$/,
    );
  });

  it('binary garbage named .csv', async () => {
    const o = await ingest(join(BROKEN, 'garbage.csv'), clinicsContract());
    expectFileRejected(
      o,
      'encoding',
      /^the file is not text: \d+ of its first \d+ bytes are control characters \(it looks like binary data\): upload the data as CSV, TSV or JSON text/,
    );
  });

  it('an Excel workbook renamed to .csv', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['clinic_id', 'clinic_name']);
    const path = join(tmp, 'clinics-export.csv');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const o = await ingest(path, clinicsContract());
    expectFileRejected(
      o,
      'encoding',
      /it is a ZIP archive, such as an \.xlsx workbook.*declare format\.type xlsx/,
    );
  });

  it.each([{ type: 'csv' }, { type: 'tsv' }, { type: 'jsonl' }, { type: 'json' }])(
    'a zero-byte file declared $type',
    async (format) => {
      const o = await ingest(join(BROKEN, 'empty.csv'), clinicsContract(format));
      expectFileRejected(o, 'empty', /^the file is empty: .*upload the complete/);
    },
  );

  it('a header and no rows', async () => {
    const o = await ingest(join(BROKEN, 'header-only.csv'), clinicsContract());
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows.total).toBe(0);
    expect(o.report.errors).toEqual([
      {
        line: null,
        column: null,
        rule: 'empty',
        message: 'the file has a header but no data rows: upload the file with its rows',
      },
    ]);
  });

  const RAGGED = [
    {
      line: 3,
      column: null,
      rule: 'ragged',
      message:
        'expected 7 columns as in the header, found fewer: add the missing values (an empty value still needs its "," delimiter)',
    },
    {
      line: 5,
      column: null,
      rule: 'ragged',
      message:
        'expected 7 columns as in the header, found more: quote the values that contain a ",", or remove the extra values',
    },
  ];

  it('ragged rows: too few and too many columns are quarantined with their lines', async () => {
    const o = await ingest(join(BROKEN, 'ragged.csv'), clinicsContract({}, { maxRejectedRatio: 0.5 }));
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(o.report.rows).toEqual({ total: 6, accepted: 4, rejected: 2 });
    expect(o.report.errors).toEqual(RAGGED);
    expect(o.report.errorCounts).toEqual({ ragged: { _row: 2 } });
    const all = clinicRows([2, 3, 4, 5, 6, 7], false);
    expect(plainRows(o.curated, o.curatedTypes)).toEqual([all[0], all[2], all[4], all[5]]);
    // Quarantine keeps the text as uploaded: the short row's missing value is NULL.
    expect(o.quarantine.map((r) => [r._source_line, r.clinic_id, r.floor_area])).toEqual([
      ['3', 'GZ520111003', null],
      ['5', 'GZ520381004', '702'],
    ]);
  });

  it('ragged rows past maxRejectedRatio: the file is rejected and the rows still listed', async () => {
    const o = await ingest(join(BROKEN, 'ragged.csv'), clinicsContract());
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows).toEqual({ total: 6, accepted: 0, rejected: 6 });
    expect(o.report.errors[0]).toMatchObject({ line: null, rule: 'maxRejectedRatio' });
    expect(o.report.errors[0].message).toMatch(/^2 of 6 rows \(33\.3%\) were rejected/);
    expect(o.report.errors.slice(1)).toEqual(RAGGED);
  });

  it('an unterminated quote', async () => {
    const o = await ingest(join(BROKEN, 'unterminated-quote.csv'), clinicsContract());
    expectFileRejected(
      o,
      'quote',
      /^line 3: a quoted value starts here and its closing quote is missing, .*: close the quote/,
      3,
    );
  });

  it('invalid UTF-8 in a file declared utf-8 is rejected at its line', async () => {
    const o = await ingest(join(BROKEN, 'late-gb18030.csv'), lateContract('utf-8'));
    expectFileRejected(
      o,
      'encoding',
      /^line 4: the file is not valid UTF-8 \(first bad byte at offset \d+\) but the contract declares format\.encoding: utf-8: save it as UTF-8, or set format\.encoding to gb18030 or auto$/,
      4,
    );
  });

  it('the same bytes with encoding auto decode as GB18030', async () => {
    const o = await ingest(join(BROKEN, 'late-gb18030.csv'), lateContract('auto'));
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.report.source.encoding).toBe('gb18030');
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(
      CLINIC_ROWS.map((r, i) => ({
        clinic_id: r.clinic_id,
        county_code: r.county_code,
        opened_on: r.opened_on,
        beds: r.beds,
        clinic_name: i < 2 ? null : r.clinic_name,
        _source_line: i + 2,
      })),
    );
  });

  it('an invalid JSON array', async () => {
    const o = await ingest(join(BROKEN, 'invalid-array.json'), clinicsContract({ type: 'json' }));
    expectFileRejected(
      o,
      'format',
      /^the file is not a JSON array of objects \(.*\): upload an array like \[\{"a": 1\}, \.\.\.\], or declare format\.type jsonl/,
    );
    // The engine's working paths are no business of the uploader.
    expect(o.report.errors[0].message).not.toMatch(/in file|invalid-array\.json/);
  });

  it('a 1 MB field is accepted and read back intact', async () => {
    // A description of about 1 MB (3 bytes a character), with commas, quotes and a line break.
    const sentence = '该院承担辖区基本医疗和公共卫生服务，设有"全科"、中医、预防保健等科室。\n';
    const description = sentence.repeat(Math.ceil(1_000_000 / Buffer.byteLength(sentence))).slice(0, -1);
    expect(Buffer.byteLength(description)).toBeGreaterThan(1_000_000);
    const lineBreaks = description.split('\n').length - 1;
    const quoted = `"${description.replaceAll('"', '""')}"`;
    const text = [
      'clinic_id,clinic_name,description',
      `GZ520102001,南明区花果园社区卫生服务中心,${quoted}`,
      'GZ520111003,花溪区青岩镇卫生院,乡镇卫生院',
      '',
    ].join('\n');
    const path = join(tmp, 'long-field.csv');
    writeFileSync(path, text);
    const c = contract({
      fields: [{ name: 'clinic_id' }, { name: 'clinic_name' }, { name: 'description' }],
    });
    const o = await ingest(path, c);
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.curated).toHaveLength(2);
    expect((o.curated[0].description as string).length).toBe(description.length);
    expect(o.curated[0].description === description).toBe(true);
    expect(plainRows(o.curated).map((r) => r._source_line)).toEqual([2, 3 + lineBreaks]);
  });
});

function lateContract(encoding: string) {
  return contract({
    format: { encoding },
    fields: [
      { name: 'clinic_id' },
      { name: 'county_code', type: 'integer' },
      { name: 'opened_on', type: 'date' },
      { name: 'beds', type: 'integer' },
      { name: 'clinic_name' },
    ],
  });
}
