import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_COUNTIES,
  CSV_HEADERS,
  generateCsv,
  isValidResidentId,
  loadGuizhouCounties,
  loadPaymentsContract,
  type PaymentRecord,
  PROGRAMMES,
  paymentRecords,
} from '../../bench/generate.ts';
import { datasetSchema } from '../../src/contracts/schema.ts';
import { residentIdCheckChar } from '../../src/privacy/detectors/cn-resident-id.ts';

const ROWS = 2_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench payments generator', () => {
  it('writes the same bytes for the same seed, and different bytes for another', async () => {
    const a = await generateCsv(join(dir, 'a.csv'), ROWS, 7);
    const b = await generateCsv(join(dir, 'b.csv'), ROWS, 7);
    const c = await generateCsv(join(dir, 'c.csv'), ROWS, 8);
    expect(a.bytes).toBe(readFileSync(a.path).length);
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    expect(readFileSync(a.path).equals(readFileSync(c.path))).toBe(false);
    expect(a.bytes / ROWS).toBeGreaterThan(130);
    expect(a.bytes / ROWS).toBeLessThan(170);
  });

  it('computes GB 11643 check digits', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('110105194912310021')).toBe(false);
  });

  it('makes realistic Guizhou records', () => {
    const counties = loadGuizhouCounties();
    const codes = new Set(counties.counties.map((c) => c.code));
    const records = [...paymentRecords(ROWS, 7, counties.counties)];
    expect(new Set(records.map((r) => r.paymentId)).size).toBe(ROWS);
    for (const r of records) {
      expect(r.paymentId).toMatch(/^MZ\d{10}$/);
      expect(isValidResidentId(r.residentId), r.residentId).toBe(true);
      expect(codes.has(r.residentId.slice(0, 6))).toBe(true);
      expect(r.countyCode).toMatch(/^52\d{4}$/);
      expect(r.mobile).toMatch(/^(1[3-9]\d{9})?$/);
      expect(r.amount).toMatch(/^\d+\.\d{2}$/);
      expect(r.paymentDate).toMatch(/^\d{4}([-/])\d{2}\1\d{2}$/);
      expect(PROGRAMMES).toContain(r.programme);
    }
    expect(records.some((r) => r.paymentDate.includes('/'))).toBe(true);
    // The built-in list is only real Guizhou counties too.
    for (const c of BUILT_IN_COUNTIES) expect(c.code).toMatch(/^52\d{4}$/);
  });

  it('parses with DuckDB to the same rows, quoted commas and quotes intact', async () => {
    const file = await generateCsv(join(dir, 'parse.csv'), ROWS, 11);
    const expected: PaymentRecord[] = [...paymentRecords(ROWS, 11)];
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(
        `SELECT * FROM read_csv('${file.path.replaceAll("'", "''")}', header=true, all_varchar=true)`,
      );
      expect(reader.columnNames()).toEqual([...CSV_HEADERS]);
      const rows = reader.getRowsJS() as (string | null)[][];
      expect(rows.length).toBe(ROWS);
      const remarks = rows.map((r) => r[9] ?? '');
      expect(remarks).toEqual(expected.map((r) => r.remark));
      expect(rows.map((r) => r[2])).toEqual(expected.map((r) => r.residentId));
      expect(rows.every((r) => isValidResidentId(r[2] as string))).toBe(true);
      expect(remarks.some((r) => r.includes(','))).toBe(true);
      expect(remarks.some((r) => r.includes('"'))).toBe(true);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('comes with a contract that datasetSchema accepts and that maps every header', () => {
    const contract = loadPaymentsContract();
    expect(datasetSchema.safeParse(contract).success).toBe(true);
    expect(contract.primaryKey).toEqual(['payment_id']);
    const byName = new Map(contract.fields.map((f) => [f.name, f]));
    expect(byName.get('resident_id')).toMatchObject({ pii: 'cn_resident_id', protect: 'hash' });
    expect(byName.get('mobile')).toMatchObject({ pii: 'cn_mobile', protect: 'mask' });
    expect(byName.get('recipient_name')).toMatchObject({ pii: 'person_name', protect: 'mask' });
    expect(byName.get('amount')).toMatchObject({ type: 'number', constraints: { minimum: 0 } });
    expect(byName.get('payment_date')?.formats).toEqual(['%Y-%m-%d', '%Y/%m/%d']);
    expect(byName.get('programme')?.constraints?.enum).toEqual([...PROGRAMMES]);
    expect(byName.get('county_code')?.constraints?.pattern).toBe('^52[0-9]{4}$');
    for (const header of CSV_HEADERS) {
      expect(
        contract.fields.some((f) => f.name === header || f.headers?.includes(header)),
        header,
      ).toBe(true);
    }
  });
});
