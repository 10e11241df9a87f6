/**
 * Field typing and constraint rules, end to end: small CSV uploads of Guizhou clinics and schools
 * through transformFile, every typed value read back from the curated Parquet, every rejected row
 * checked in the quarantine Parquet, in report.errors and in report.errorCounts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMATS, type FieldType } from '../../src/contracts/schema.ts';
import {
  contract,
  csvText,
  type ExpectedRowError,
  expectAccounted,
  expectRowErrors,
  ingest,
  type Outcome,
  writeInput,
} from './helpers.ts';

/** Upload `rows` under `header` with the given fields (maxRejectedRatio 1, so rejected rows never fail the file). */
async function upload(
  fields: Record<string, unknown>[],
  header: string[],
  rows: string[][],
  extra: Record<string, unknown> = {},
): Promise<Outcome> {
  const path = await writeInput(csvText(header, rows));
  const o = await ingest(path, contract({ maxRejectedRatio: 1, fields, ...extra }));
  expectAccounted(o.report);
  return o;
}

/** Curated rows as { line: value of `column` }. */
function publishedValues(o: Outcome, column: string): Record<number, unknown> {
  return Object.fromEntries(o.curated.map((r) => [Number(r._source_line), r[column]]));
}

// ---------------------------------------------------------------------------------------------------------
// Types

interface TypeCase {
  title: string;
  type: FieldType;
  field?: Record<string, unknown>;
  parquet: string;
  /** Raw text -> value read back from Parquet (as DuckDB's JSON rendering: BIGINT as text, DOUBLE as number...). */
  accepted: [string, unknown][];
  rejected: string[];
  /** Raw text -> the hint its type message ends with (a number form the field lacks). */
  hints?: Record<string, string>;
}

const TYPE_CASES: TypeCase[] = [
  {
    title: 'string keeps the text as uploaded',
    type: 'string',
    parquet: 'VARCHAR',
    accepted: [
      ['南明区', '南明区'],
      ['  花溪区 青岩镇  ', '  花溪区 青岩镇  '],
      ['贵阳市"第一"社区卫生服务中心', '贵阳市"第一"社区卫生服务中心'],
      ['中华南路1号,2楼', '中华南路1号,2楼'],
      ['007', '007'],
      ['', null],
    ],
    rejected: [],
  },
  {
    title: 'number',
    type: 'number',
    parquet: 'DOUBLE',
    accepted: [
      ['12.5', 12.5],
      [' 12.5 ', 12.5],
      ['-3', -3],
      ['+0.25', 0.25],
      ['1e3', 1000],
      ['1.5E-2', 0.015],
      ['.5', 0.5],
      ['0', 0],
      ['NaN', 'NaN'],
      ['INF', 'Infinity'],
      ['-INF', '-Infinity'],
      ['', null],
    ],
    rejected: ['1,234.5', '1_000', '十二', '12元', '12.5.1', '0x10', '1 000', 'abc'],
    hints: {
      '1,234.5': ": it has a group separator: add groupChar: ',' to the field",
      '12元': ': it has text around the number: add bareNumber: false to the field',
    },
  },
  {
    title: 'integer',
    type: 'integer',
    parquet: 'BIGINT',
    accepted: [
      ['42', '42'],
      [' 7 ', '7'],
      ['-15', '-15'],
      ['+3', '3'],
      ['007', '7'],
      // Beyond a double's exact range: read as a 64-bit integer, not through a float.
      ['9007199254740993', '9007199254740993'],
      ['', null],
    ],
    rejected: ['1.5', '1.0', '1e3', '12床', '0x10', '1_000', '9223372036854775808', '一'],
    hints: { '12床': ': it has text around the number: add bareNumber: false to the field' },
  },
  {
    title: 'boolean with the default spellings',
    type: 'boolean',
    parquet: 'BOOLEAN',
    accepted: [
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['1', true],
      [' true ', true],
      ['false', false],
      ['False', false],
      ['FALSE', false],
      ['0', false],
      ['', null],
    ],
    rejected: ['yes', 'no', '是', 't', 'tRUE', '2'],
  },
  {
    title: 'boolean with trueValues and falseValues (which replace the defaults)',
    type: 'boolean',
    field: { trueValues: ['是', '有'], falseValues: ['否', '无'] },
    parquet: 'BOOLEAN',
    accepted: [
      ['是', true],
      ['有', true],
      [' 否 ', false],
      ['无', false],
      ['', null],
    ],
    rejected: ['true', '1', '0', 'Y', '不是'],
  },
  {
    title: 'date with the default ISO format',
    type: 'date',
    parquet: 'DATE',
    accepted: [
      ['2026-01-05', '2026-01-05'],
      [' 2024-02-29 ', '2024-02-29'],
      ['', null],
    ],
    rejected: [
      '2026-02-30',
      '2026-13-01',
      '2026/01/05',
      '05/01/2026',
      '2026年01月05日',
      '2026-01-05T08:00:00',
      'x',
    ],
  },
  {
    title: 'date with several formats, Chinese spelling included',
    type: 'date',
    field: { formats: ['%Y-%m-%d', '%Y年%m月%d日', '%Y/%m/%d', '%Y%m%d'] },
    parquet: 'DATE',
    accepted: [
      ['2026-01-05', '2026-01-05'],
      ['2026年01月05日', '2026-01-05'],
      ['2026年1月5日', '2026-01-05'],
      ['2026/01/05', '2026-01-05'],
      ['20260105', '2026-01-05'],
      ['1949年10月01日', '1949-10-01'],
    ],
    rejected: ['2026.01.05', '2026年02月30日', '05/01/2026', '2026年01月05'],
  },
  {
    title: 'datetime with the default formats',
    type: 'datetime',
    parquet: 'TIMESTAMP',
    accepted: [
      ['2026-11-28T08:30:00', '2026-11-28 08:30:00'],
      ['2026-11-28T08:30:00Z', '2026-11-28 08:30:00'],
      ['2026-11-28 17:05:09', '2026-11-28 17:05:09'],
      ['', null],
    ],
    rejected: ['2026-11-28', '2026-11-28 08:30', '2026-11-28T25:00:00', '2026/11/28 08:30:00'],
  },
  {
    title: 'datetime with a Chinese format',
    type: 'datetime',
    field: { formats: ['%Y年%m月%d日 %H时%M分'] },
    parquet: 'TIMESTAMP',
    accepted: [['2026年11月28日 08时30分', '2026-11-28 08:30:00']],
    rejected: ['2026-11-28T08:30:00', '2026年11月28日'],
  },
  {
    title: 'time with the default format',
    type: 'time',
    parquet: 'VARCHAR',
    accepted: [
      ['08:30:00', '08:30:00'],
      [' 17:45:30 ', '17:45:30'],
      ['00:00:00', '00:00:00'],
      ['23:59:59', '23:59:59'],
      ['', null],
    ],
    rejected: ['24:00:00', '08:60:00', '08:30', '8点30分'],
  },
  {
    title: 'time with formats',
    type: 'time',
    field: { formats: ['%H:%M', '%H时%M分'] },
    parquet: 'VARCHAR',
    accepted: [
      ['08:30', '08:30:00'],
      ['17时45分', '17:45:00'],
    ],
    rejected: ['08:30:00', '25:00'],
  },
  {
    title: 'year',
    type: 'year',
    parquet: 'INTEGER',
    accepted: [
      ['2026', 2026],
      [' 1998 ', 1998],
      ['', null],
    ],
    rejected: ['26', '2026年', '20260', '2026.0', '二〇二六'],
  },
];

function typeMessage(c: TypeCase, raw: string): string {
  const formats =
    (c.field?.formats as string[] | undefined) ??
    (c.type === 'date' || c.type === 'datetime' || c.type === 'time' ? [...DEFAULT_FORMATS[c.type]] : []);
  const hint = formats.length ? ` (formats: ${formats.join(', ')})` : '';
  return `"${raw}" is not a valid ${c.type}${hint}${c.hints?.[raw] ?? ''}`;
}

describe('types', () => {
  for (const c of TYPE_CASES) {
    it(`${c.title}: accepted values read back typed, one by one; rejected ones quarantined as text`, async () => {
      const raws = [...c.accepted.map(([raw]) => raw), ...c.rejected];
      const o = await upload(
        [{ name: 'clinic_id' }, { name: 'value', type: c.type, ...c.field }],
        ['clinic_id', 'value'],
        raws.map((raw, i) => [`GY${String(i + 1).padStart(4, '0')}`, raw]),
      );

      expect(o.report.status).toBe(c.rejected.length ? 'partial' : 'accepted');
      expect(o.report.rows).toEqual({
        total: raws.length,
        accepted: c.accepted.length,
        rejected: c.rejected.length,
      });
      expect(o.curatedTypes.value).toBe(c.parquet);
      expect(o.curatedTypes.clinic_id).toBe('VARCHAR');
      // Value by value: line i + 2 holds raws[i].
      const published = publishedValues(o, 'value');
      c.accepted.forEach(([raw, want], i) => {
        expect({ raw, value: published[i + 2] }).toEqual({ raw, value: want });
      });
      expect(Object.keys(published)).toHaveLength(c.accepted.length);

      expectRowErrors(
        o,
        c.rejected.map((raw, i) => ({
          line: c.accepted.length + i + 2,
          column: 'value',
          rule: 'type',
          message: typeMessage(c, raw),
        })),
      );
      // The quarantine keeps the text as uploaded, untyped.
      expect(o.quarantine.map((r) => r.value)).toEqual(c.rejected);
    });
  }

  it('a record with every type: one row, every Parquet column type', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'beds', type: 'integer' },
        { name: 'rating', type: 'number' },
        { name: 'has_pharmacy', type: 'boolean' },
        { name: 'opened', type: 'date', formats: ['%Y年%m月%d日'] },
        { name: 'inspected_at', type: 'datetime' },
        { name: 'opens_at', type: 'time' },
        { name: 'founded', type: 'year' },
      ],
      ['clinic_id', 'beds', 'rating', 'has_pharmacy', 'opened', 'inspected_at', 'opens_at', 'founded'],
      [['GY0001', ' 35 ', ' 4.5 ', 'TRUE', '2003年07月01日', '2026-11-20T09:15:00', '08:00:00', '2003']],
    );
    expect(o.curatedTypes).toEqual({
      clinic_id: 'VARCHAR',
      beds: 'BIGINT',
      rating: 'DOUBLE',
      has_pharmacy: 'BOOLEAN',
      opened: 'DATE',
      inspected_at: 'TIMESTAMP',
      opens_at: 'VARCHAR',
      founded: 'INTEGER',
      _upload_id: 'VARCHAR',
      _source_line: 'BIGINT',
      _ingested_at: 'TIMESTAMP WITH TIME ZONE',
    });
    expect(o.curated).toHaveLength(1);
    expect(o.curated[0]).toMatchObject({
      clinic_id: 'GY0001',
      beds: '35',
      rating: 4.5,
      has_pharmacy: true,
      opened: '2003-07-01',
      inspected_at: '2026-11-20 09:15:00',
      opens_at: '08:00:00',
      founded: 2003,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Constraints

const SCHOOL = { department: 'education', name: 'schools' };

describe('constraints', () => {
  it('required: an empty value is rejected; an empty optional value is published as NULL', async () => {
    const o = await upload(
      [
        { name: 'school_id' },
        { name: 'name', constraints: { required: true } },
        { name: 'students', type: 'integer' },
      ],
      ['school_id', 'name', 'students'],
      [
        ['GZ000001', '南明区实验小学', '1200'],
        ['GZ000002', '', '800'],
        ['GZ000003', '花溪区青岩小学', ''],
      ],
      SCHOOL,
    );
    expect(o.report.status).toBe('partial');
    expect(o.curated.map((r) => [r._source_line, r.name, r.students])).toEqual([
      ['2', '南明区实验小学', '1200'],
      ['4', '花溪区青岩小学', null],
    ]);
    expectRowErrors(o, [{ line: 3, column: 'name', rule: 'required', message: 'a value is required' }]);
    expect(o.quarantine[0]).toMatchObject({ school_id: 'GZ000002', name: null, students: '800' });
  });

  it('unique: the first occurrence is published, later ones quarantined; empty values are not duplicates', async () => {
    const o = await upload(
      [{ name: 'school_id' }, { name: 'registration_no', constraints: { unique: true } }],
      ['school_id', 'registration_no'],
      [
        ['GZ000001', 'JY52010201'],
        ['GZ000002', 'JY52010302'],
        ['GZ000003', 'JY52010201'],
        ['GZ000004', ''],
        ['GZ000005', 'JY52010201'],
        ['GZ000006', ''],
      ],
      SCHOOL,
    );
    expect(o.curated.map((r) => r.school_id)).toEqual(['GZ000001', 'GZ000002', 'GZ000004', 'GZ000006']);
    expectRowErrors(o, [
      { line: 4, column: 'registration_no', rule: 'unique', message: 'the value duplicates line 2' },
      { line: 6, column: 'registration_no', rule: 'unique', message: 'the value duplicates line 2' },
    ]);
  });

  it('unique compares typed values: 07 and 7 are the same integer', async () => {
    const o = await upload(
      [{ name: 'school_id' }, { name: 'seat_no', type: 'integer', constraints: { unique: true } }],
      ['school_id', 'seat_no'],
      [
        ['GZ000001', '7'],
        ['GZ000002', '07'],
        ['GZ000003', '8'],
      ],
      SCHOOL,
    );
    expect(o.curated.map((r) => r.school_id)).toEqual(['GZ000001', 'GZ000003']);
    expectRowErrors(o, [
      { line: 3, column: 'seat_no', rule: 'unique', message: 'the value duplicates line 2' },
    ]);
  });

  it('minimum and maximum on integers and numbers: bounds included', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'beds', type: 'integer', constraints: { minimum: 0, maximum: 500 } },
        { name: 'rating', type: 'number', constraints: { minimum: 0, maximum: 5 } },
      ],
      ['clinic_id', 'beds', 'rating'],
      [
        ['GY0001', '0', '0'],
        ['GY0002', '500', '5'],
        ['GY0003', '-1', '4.5'],
        ['GY0004', '501', '5.01'],
        ['GY0005', '120', '-0.5'],
        ['GY0006', '一百', '3.5'],
      ],
    );
    expect(publishedValues(o, 'beds')).toEqual({ 2: '0', 3: '500' });
    expect(publishedValues(o, 'rating')).toEqual({ 2: 0, 3: 5 });
    expectRowErrors(o, [
      { line: 4, column: 'beds', rule: 'minimum', message: '"-1" is below the minimum 0' },
      { line: 5, column: 'beds', rule: 'maximum', message: '"501" is above the maximum 500' },
      { line: 5, column: 'rating', rule: 'maximum', message: '"5.01" is above the maximum 5' },
      { line: 6, column: 'rating', rule: 'minimum', message: '"-0.5" is below the minimum 0' },
      // A value that is not a number breaks the type rule only.
      { line: 7, column: 'beds', rule: 'type', message: '"一百" is not a valid integer' },
    ]);
  });

  it('minimum and maximum on dates (compared as dates, whatever the spelling), datetimes and years', async () => {
    const o = await upload(
      [
        { name: 'school_id' },
        {
          name: 'founded',
          type: 'date',
          formats: ['%Y-%m-%d', '%Y年%m月%d日'],
          constraints: { minimum: '1949-10-01', maximum: '2026-11-28' },
        },
        { name: 'inspected_at', type: 'datetime', constraints: { maximum: '2026-11-28T08:00:00' } },
        { name: 'built', type: 'year', constraints: { minimum: 1900, maximum: 2026 } },
      ],
      ['school_id', 'founded', 'inspected_at', 'built'],
      [
        ['GZ000001', '1949-10-01', '2026-11-28 08:00:00', '1900'],
        ['GZ000002', '2026年11月28日', '2026-01-01T00:00:00', '2026'],
        ['GZ000003', '1949-09-30', '2026-11-28T08:00:01', '1899'],
        ['GZ000004', '2026年11月29日', '2026-06-01 12:00:00', '2027'],
      ],
      SCHOOL,
    );
    expect(publishedValues(o, 'founded')).toEqual({ 2: '1949-10-01', 3: '2026-11-28' });
    expect(publishedValues(o, 'built')).toEqual({ 2: 1900, 3: 2026 });
    expectRowErrors(o, [
      {
        line: 4,
        column: 'founded',
        rule: 'minimum',
        message: '"1949-09-30" is below the minimum 1949-10-01',
      },
      {
        line: 4,
        column: 'inspected_at',
        rule: 'maximum',
        message: '"2026-11-28T08:00:01" is above the maximum 2026-11-28T08:00:00',
      },
      { line: 4, column: 'built', rule: 'minimum', message: '"1899" is below the minimum 1900' },
      {
        line: 5,
        column: 'founded',
        rule: 'maximum',
        message: '"2026年11月29日" is above the maximum 2026-11-28',
      },
      { line: 5, column: 'built', rule: 'maximum', message: '"2027" is above the maximum 2026' },
    ]);
  });

  it('minLength and maxLength count characters: a Chinese character counts as one', async () => {
    const o = await upload(
      [{ name: 'clinic_id' }, { name: 'name', constraints: { minLength: 2, maxLength: 8 } }],
      ['clinic_id', 'name'],
      [
        ['GY0001', '云岩区妇幼保健院'], // 8 characters, 24 UTF-8 bytes
        ['GY0002', '诊所'],
        ['GY0003', '院'],
        ['GY0004', '贵阳市花溪区青岩镇卫生院'], // 12 characters
        ['GY0005', ''], // missing, and not required: no length rule applies
      ],
    );
    expect(publishedValues(o, 'name')).toEqual({ 2: '云岩区妇幼保健院', 3: '诊所', 6: null });
    expectRowErrors(o, [
      { line: 4, column: 'name', rule: 'minLength', message: 'has 1 characters, fewer than the minimum 2' },
      { line: 5, column: 'name', rule: 'maxLength', message: 'has 12 characters, more than the maximum 8' },
    ]);
  });

  it('pattern must match the whole value', async () => {
    const o = await upload(
      [
        { name: 'clinic_id' },
        { name: 'county_code', constraints: { pattern: '52[0-9]{4}' } },
        { name: 'county_name', constraints: { pattern: '南明区|云岩区|花溪区' } },
      ],
      ['clinic_id', 'county_code', 'county_name'],
      [
        ['GY0001', '520102', '南明区'],
        ['GY0002', '520103', '云岩区'],
        ['GY0003', '5201020', '花溪区'],
        ['GY0004', 'x520111', '南明区花溪区'],
        ['GY0005', '530102', '云岩'],
      ],
    );
    expect(publishedValues(o, 'county_code')).toEqual({ 2: '520102', 3: '520103' });
    expectRowErrors(o, [
      {
        line: 4,
        column: 'county_code',
        rule: 'pattern',
        message: '"5201020" does not match the pattern 52[0-9]{4}',
      },
      {
        line: 5,
        column: 'county_code',
        rule: 'pattern',
        message: '"x520111" does not match the pattern 52[0-9]{4}',
      },
      {
        line: 5,
        column: 'county_name',
        rule: 'pattern',
        message: '"南明区花溪区" does not match the pattern 南明区|云岩区|花溪区',
      },
      {
        line: 6,
        column: 'county_code',
        rule: 'pattern',
        message: '"530102" does not match the pattern 52[0-9]{4}',
      },
      {
        line: 6,
        column: 'county_name',
        rule: 'pattern',
        message: '"云岩" does not match the pattern 南明区|云岩区|花溪区',
      },
    ]);
  });

  it('enum on strings and on integers (compared as integers)', async () => {
    const o = await upload(
      [
        { name: 'school_id' },
        { name: 'county_name', constraints: { enum: ['南明区', '云岩区', '花溪区'] } },
        { name: 'level', type: 'integer', constraints: { enum: [1, 2, 3] } },
      ],
      ['school_id', 'county_name', 'level'],
      [
        ['GZ000001', '南明区', '1'],
        ['GZ000002', '花溪区', ' 3 '],
        ['GZ000003', '云岩区', '02'],
        ['GZ000004', '观山湖区', '2'],
        ['GZ000005', '南明区', '4'],
        ['GZ000006', '云岩区', '2.0'],
      ],
      SCHOOL,
    );
    expect(publishedValues(o, 'level')).toEqual({ 2: '1', 3: '3', 4: '2' });
    expectRowErrors(o, [
      {
        line: 5,
        column: 'county_name',
        rule: 'enum',
        message: '"观山湖区" is not one of: 南明区, 云岩区, 花溪区',
      },
      { line: 6, column: 'level', rule: 'enum', message: '"4" is not one of: 1, 2, 3' },
      // Not an integer at all: the type rule, not enum.
      { line: 7, column: 'level', rule: 'type', message: '"2.0" is not a valid integer' },
    ]);
  });

  it('primaryKey (one field): unique within the file and required', async () => {
    const o = await upload(
      [{ name: 'school_id' }, { name: 'name' }],
      ['school_id', 'name'],
      [
        ['GZ000001', '南明区实验小学'],
        ['GZ000002', '云岩区第一中学'],
        ['GZ000001', '南明区实验小学（分校）'],
        ['', '花溪区青岩小学'],
        ['GZ000001', '南明区实验小学'],
      ],
      { ...SCHOOL, primaryKey: ['school_id'] },
    );
    expect(o.curated.map((r) => [r._source_line, r.school_id, r.name])).toEqual([
      ['2', 'GZ000001', '南明区实验小学'],
      ['3', 'GZ000002', '云岩区第一中学'],
    ]);
    expectRowErrors(o, [
      { line: 4, column: 'school_id', rule: 'primaryKey', message: 'the value duplicates line 2' },
      { line: 5, column: 'school_id', rule: 'required', message: 'a value is required' },
      { line: 6, column: 'school_id', rule: 'primaryKey', message: 'the value duplicates line 2' },
    ]);
  });

  it('primaryKey (composite): the combination is unique, compared as typed values', async () => {
    const o = await upload(
      [{ name: 'county_code' }, { name: 'year', type: 'year' }, { name: 'recipients', type: 'integer' }],
      ['county_code', 'year', 'recipients'],
      [
        ['520102', '2024', '3120'],
        ['520102', '2025', '3054'],
        ['520103', '2024', '4410'],
        ['520102', '2024', '3121'],
        ['520103', ' 2024', '4409'],
        ['520111', '2025', '2987'],
      ],
      { department: 'civil_affairs', name: 'assistance_by_county', primaryKey: ['county_code', 'year'] },
    );
    expect(o.curated.map((r) => Number(r._source_line))).toEqual([2, 3, 4, 7]);
    expectRowErrors(o, [
      {
        line: 5,
        column: 'county_code+year',
        rule: 'primaryKey',
        message: 'the key (county_code+year) duplicates line 2',
      },
      {
        line: 6,
        column: 'county_code+year',
        rule: 'primaryKey',
        message: 'the key (county_code+year) duplicates line 4',
      },
    ]);
  });

  it('a row breaking several rules lists them all, and each is counted', async () => {
    const o = await upload(
      [
        { name: 'school_id', constraints: { pattern: 'GZ[0-9]{6}' } },
        { name: 'name', constraints: { required: true } },
        { name: 'students', type: 'integer', constraints: { minimum: 0 } },
        { name: 'county_name', constraints: { enum: ['南明区', '云岩区', '花溪区'] } },
      ],
      ['school_id', 'name', 'students', 'county_name'],
      [
        ['GZ000001', '南明区实验小学', '1200', '南明区'],
        ['GZ01', '', '-5', '白云区'],
        ['GZ000003', '', '300', '云岩区'],
      ],
      SCHOOL,
    );
    const expected: ExpectedRowError[] = [
      {
        line: 3,
        column: 'school_id',
        rule: 'pattern',
        message: '"GZ01" does not match the pattern GZ[0-9]{6}',
      },
      { line: 3, column: 'name', rule: 'required', message: 'a value is required' },
      { line: 3, column: 'students', rule: 'minimum', message: '"-5" is below the minimum 0' },
      {
        line: 3,
        column: 'county_name',
        rule: 'enum',
        message: '"白云区" is not one of: 南明区, 云岩区, 花溪区',
      },
      { line: 4, column: 'name', rule: 'required', message: 'a value is required' },
    ];
    expectRowErrors(o, expected);
    expect(o.report.errorCounts.required).toEqual({ name: 2 });
    expect(o.curated.map((r) => r.school_id)).toEqual(['GZ000001']);
  });
});
