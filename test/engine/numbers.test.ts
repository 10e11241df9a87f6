/**
 * Numbers and codes as offices write them, end to end through transformFile: group separators,
 * decimal commas, currency signs and percent around a number (`groupChar`, `decimalChar`,
 * `bareNumber: false`), full-width digits, letters and signs in every typed field, and string codes
 * that ask for `normalize: nfkc` joining codes written in ASCII. Values are read back from the
 * curated Parquet; the values that fail say which key would read them.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  contract,
  csvText,
  expectAccounted,
  expectRowErrors,
  ingest,
  type Outcome,
  plainRows,
  writeInput,
} from './helpers.ts';

async function upload(fields: Record<string, unknown>[], rows: string[][]): Promise<Outcome> {
  const header = fields.map((f) => String(f.name));
  const path = await writeInput(csvText(header, rows));
  const o = await ingest(path, contract({ maxRejectedRatio: 1, fields }));
  expectAccounted(o.report);
  return o;
}

/** `column` of each published row, by source line. */
const published = (o: Outcome, column: string) =>
  Object.fromEntries(plainRows(o.curated, o.curatedTypes).map((r) => [r._source_line, r[column]]));

describe('number forms', () => {
  it('groupChar reads digit groups in integer and number fields', async () => {
    const o = await upload(
      [
        { name: 'population', type: 'integer', groupChar: ',' },
        { name: 'area', type: 'number', groupChar: ',' },
      ],
      [
        ['682,773', '8,034.5'],
        ['1,510', '12'],
        ['-3,000,000', '0.25'],
        ['42', '1,000,000.125'],
      ],
    );
    expect(o.report.rows).toEqual({ total: 4, accepted: 4, rejected: 0 });
    expect(published(o, 'population')).toEqual({ 2: 682773, 3: 1510, 4: -3000000, 5: 42 });
    expect(published(o, 'area')).toEqual({ 2: 8034.5, 3: 12, 4: 0.25, 5: 1000000.125 });
  });

  it('bareNumber: false strips currency signs, %, 元 and spaces around the number', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'amount', type: 'number', bareNumber: false, groupChar: ',' },
        { name: 'share', type: 'number', bareNumber: false },
        { name: 'beds', type: 'integer', bareNumber: false },
      ],
      [
        ['GY01', '￥6,619.39', '27.7%', '12床'],
        ['GY02', '¥1,000', ' 3.5 % ', '共 8 张'],
        ['GY03', '6,619.39元', '-0.5%', '+7'],
        ['GY04', 'RMB 12.00', '100', '0'],
        ['GY05', '无', '%', '床'],
      ],
    );
    expect(o.report.rows).toEqual({ total: 5, accepted: 4, rejected: 1 });
    expect(published(o, 'amount')).toEqual({ 2: 6619.39, 3: 1000, 4: 6619.39, 5: 12 });
    expect(published(o, 'share')).toEqual({ 2: 27.7, 3: 3.5, 4: -0.5, 5: 100 });
    expect(published(o, 'beds')).toEqual({ 2: 12, 3: 8, 4: 7, 5: 0 });
    expectRowErrors(o, [
      { line: 6, column: 'amount', rule: 'type', message: '"无" is not a valid number' },
      { line: 6, column: 'share', rule: 'type', message: '"%" is not a valid number' },
      { line: 6, column: 'beds', rule: 'type', message: '"床" is not a valid integer' },
    ]);
  });

  it('decimalChar reads a decimal comma; a point is then not part of the number', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'rate', type: 'number', decimalChar: ',', groupChar: '.' },
        { name: 'ratio', type: 'number', decimalChar: ',' },
      ],
      [
        ['GY01', '1.234,5', '0,75'],
        ['GY02', '12', '3'],
        ['GY03', '1.000.000', '1.5'],
      ],
    );
    expect(published(o, 'rate')).toEqual({ 2: 1234.5, 3: 12 });
    expect(published(o, 'ratio')).toEqual({ 2: 0.75, 3: 3 });
    expectRowErrors(o, [{ line: 4, column: 'ratio', rule: 'type', message: '"1.5" is not a valid number' }]);
  });

  it('a value that fails says which key would read it', async () => {
    const o = await upload(
      [{ name: 'clinic_id' }, { name: 'population', type: 'integer' }, { name: 'amount', type: 'number' }],
      [
        ['GY01', '682,773', '￥6,619.39'],
        ['GY02', '12床', '27.7%'],
        ['GY03', '1', '3,5'],
        ['GY04', '一百', '1 000'],
      ],
    );
    expect(o.report.rows).toEqual({ total: 4, accepted: 0, rejected: 4 });
    const type = (line: number, column: string, message: string) => ({ line, column, rule: 'type', message });
    expectRowErrors(o, [
      type(
        2,
        'population',
        `"682,773" is not a valid integer: it has a group separator: add groupChar: ',' to the field`,
      ),
      type(
        2,
        'amount',
        `"￥6,619.39" is not a valid number: it has text around the number and a group separator: add bareNumber: false and groupChar: ',' to the field`,
      ),
      type(
        3,
        'population',
        '"12床" is not a valid integer: it has text around the number: add bareNumber: false to the field',
      ),
      type(
        3,
        'amount',
        '"27.7%" is not a valid number: it has text around the number: add bareNumber: false to the field',
      ),
      type(
        4,
        'amount',
        `"3,5" is not a valid number: it has a decimal comma: add decimalChar: ',' to the field`,
      ),
      type(5, 'population', '"一百" is not a valid integer'),
      type(5, 'amount', '"1 000" is not a valid number'),
    ]);
  });
});

describe('full-width forms', () => {
  it('are folded before every typed field is parsed', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'beds', type: 'integer' },
        { name: 'rating', type: 'number' },
        { name: 'amount', type: 'number', groupChar: ',', bareNumber: false },
        { name: 'founded', type: 'year' },
        { name: 'open', type: 'boolean' },
        { name: 'opened_on', type: 'date' },
        { name: 'inspected_at', type: 'datetime' },
        { name: 'opens_at', type: 'time' },
      ],
      [
        [
          'GY01',
          '１５１０',
          '－４．５',
          '￥６，６１９．３９',
          '２０２６',
          'ＴＲＵＥ',
          '２０２６－１１－２８',
          '２０２６－１１－２８Ｔ０８：３０：００',
          '\u3000０８：３０：００\u3000',
        ],
      ],
    );
    expect(o.report.rows).toEqual({ total: 1, accepted: 1, rejected: 0 });
    const [row] = plainRows(o.curated, o.curatedTypes);
    expect(row).toMatchObject({
      beds: 1510,
      rating: -4.5,
      amount: 6619.39,
      founded: 2026,
      open: true,
      opened_on: '2026-11-28',
      inspected_at: '2026-11-28 08:30:00',
      opens_at: '08:30:00',
    });
  });

  it('string fields keep them, unless they ask for normalize: nfkc; then codes join', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'county_code', normalize: 'nfkc', constraints: { pattern: '[0-9]{6}' } },
        { name: 'note' },
      ],
      [
        ['GY01', '５２０１０２', 'ＡＢＣ１２３'],
        ['GY02', '520103', 'abc'],
        ['GY03', '５２０１１１', ''],
        ['GY04', '５２０１１Ｘ', ''],
      ],
    );
    expectRowErrors(o, [
      {
        line: 5,
        column: 'county_code',
        rule: 'pattern',
        message: '"５２０１１Ｘ" does not match the pattern [0-9]{6}',
      },
    ]);
    expect(published(o, 'county_code')).toEqual({ 2: '520102', 3: '520103', 4: '520111' });
    expect(published(o, 'note')).toEqual({ 2: 'ＡＢＣ１２３', 3: 'abc', 4: null });
    // The quarantine keeps the text as uploaded.
    expect(o.quarantine.map((r) => r.county_code)).toEqual(['５２０１１Ｘ']);

    // Every published code joins the statistics bureau's ASCII division codes.
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run(
        "CREATE TABLE divisions AS SELECT * FROM (VALUES ('520102', '南明区'), ('520103', '云岩区'), ('520111', '花溪区')) t(code, name)",
      );
      await c.run(
        `CREATE TABLE clinics AS SELECT * FROM (VALUES ${o.curated.map((r) => `('${r.county_code}')`).join(', ')}) t(county_code)`,
      );
      const r = await c.runAndReadAll(
        'SELECT d.name FROM clinics c JOIN divisions d ON d.code = c.county_code ORDER BY d.code',
      );
      expect(r.getRows().map((x) => x[0])).toEqual(['南明区', '云岩区', '花溪区']);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
