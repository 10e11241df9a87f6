/**
 * The clinics and schools of test/fixtures/engine: their contracts, and the typed rows every fixture
 * must publish, written out by hand (not derived from the fixture generator).
 */
import { fileURLToPath } from 'node:url';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { contract } from './helpers.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/engine/', import.meta.url));

/** Guizhou clinics; each field also accepts the header a Chinese export carries. */
export function clinicsContract(
  format: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): DatasetContract {
  return contract({
    primaryKey: ['clinic_id'],
    format,
    fields: [
      { name: 'clinic_id', headers: ['机构编码'], constraints: { pattern: '^GZ[0-9]{9}$' } },
      { name: 'clinic_name', headers: ['机构名称'], constraints: { required: true } },
      { name: 'county_code', type: 'integer', headers: ['区县代码'] },
      { name: 'county', headers: ['区县'] },
      {
        name: 'opened_on',
        type: 'date',
        headers: ['开业日期'],
        formats: ['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日'],
      },
      { name: 'beds', type: 'integer', headers: ['床位数'], constraints: { minimum: 0 } },
      // The files write the brackets full-width (（平方米）); headers match after NFKC normalization.
      { name: 'floor_area', type: 'number', headers: ['建筑面积(平方米)'] },
      { name: 'address', headers: ['地址'] },
    ],
    ...extra,
  });
}

export const CLINIC_TYPES = {
  clinic_id: 'VARCHAR',
  clinic_name: 'VARCHAR',
  county_code: 'BIGINT',
  county: 'VARCHAR',
  opened_on: 'DATE',
  beds: 'BIGINT',
  floor_area: 'DOUBLE',
  address: 'VARCHAR',
  _upload_id: 'VARCHAR',
  _source_line: 'BIGINT',
  _ingested_at: 'TIMESTAMP WITH TIME ZONE',
};

/** The six clinics as published (address as the fixtures with an address column hold it). */
export const CLINIC_ROWS = [
  {
    clinic_id: 'GZ520102001',
    clinic_name: '南明区花果园社区卫生服务中心',
    county_code: 520102,
    county: '南明区',
    opened_on: '2015-03-18',
    beds: 40,
    floor_area: 1820.5,
    address: '贵阳市南明区花果园大街1号',
  },
  {
    clinic_id: 'GZ520111003',
    clinic_name: '花溪区青岩镇卫生院',
    county_code: 520111,
    county: '花溪区',
    opened_on: '2009-11-02',
    beds: 25,
    floor_area: 960.75,
    address: '贵阳市花溪区青岩镇北街12号\n古镇东门旁',
  },
  {
    clinic_id: 'GZ520303012',
    clinic_name: '汇川区高桥街道社区卫生服务站',
    county_code: 520303,
    county: '汇川区',
    opened_on: '2018-06-30',
    beds: 0,
    floor_area: 135.2,
    address: '遵义市汇川区高桥街道"大连路"127号',
  },
  {
    clinic_id: 'GZ520381004',
    clinic_name: '赤水市丙安镇卫生院',
    county_code: 520381,
    county: '赤水市',
    opened_on: '1998-01-15',
    beds: 18,
    floor_area: 702,
    address: '赤水市丙安镇丙安村, 临赤水河',
  },
  {
    clinic_id: 'GZ520526007',
    clinic_name: '威宁彝族回族苗族自治县草海镇中心卫生院',
    county_code: 520526,
    county: '威宁彝族回族苗族自治县',
    opened_on: '2012-09-09',
    beds: 60,
    floor_area: 3150.4,
    // U+20BB7 is outside the BMP: 4 bytes in GB18030 and UTF-8, a surrogate pair in UTF-16.
    address: '威宁县草海镇\u{20BB7}祥路8号\n\n草海湖畔',
  },
  {
    clinic_id: 'GZ520325002',
    clinic_name: '道真仡佬族苗族自治县玉溪镇卫生院',
    county_code: 520325,
    county: '道真仡佬族苗族自治县',
    opened_on: '2004-05-21',
    beds: null,
    floor_area: 88.6,
    address: null,
  },
] as const;

/** The published clinics with their source lines; without an address column every address is NULL. */
export function clinicRows(lines: readonly number[], withAddress: boolean): Record<string, unknown>[] {
  return CLINIC_ROWS.map((r, i) => ({
    ...r,
    address: withAddress ? r.address : null,
    _source_line: lines[i],
  }));
}

export function schoolsContract(format: Record<string, unknown> = {}): DatasetContract {
  return contract({
    department: 'education',
    name: 'schools',
    primaryKey: ['school_id'],
    format,
    fields: [
      { name: 'school_id', constraints: { pattern: '^52[0-9]{9}$' } },
      { name: 'school_name' },
      { name: 'county_code', type: 'integer' },
      { name: 'county' },
      { name: 'founded', type: 'year' },
      { name: 'students', type: 'integer' },
      { name: 'teachers', type: 'integer' },
      { name: 'campus_ha', type: 'number' },
      { name: 'boarding', type: 'boolean' },
    ],
  });
}

export const SCHOOL_TYPES = {
  school_id: 'VARCHAR',
  school_name: 'VARCHAR',
  county_code: 'BIGINT',
  county: 'VARCHAR',
  founded: 'INTEGER',
  students: 'BIGINT',
  teachers: 'BIGINT',
  campus_ha: 'DOUBLE',
  boarding: 'BOOLEAN',
  _upload_id: 'VARCHAR',
  _source_line: 'BIGINT',
  _ingested_at: 'TIMESTAMP WITH TIME ZONE',
};

export const SCHOOL_ROWS = [
  {
    school_id: '52010310001',
    school_name: '贵阳市第一中学',
    county_code: 520103,
    county: '云岩区',
    founded: 1906,
    students: 3620,
    teachers: 268,
    campus_ha: 12.6,
    boarding: true,
    _source_line: 2,
  },
  {
    school_id: '52011510012',
    school_name: '观山湖区第一小学',
    county_code: 520115,
    county: '观山湖区',
    founded: 2012,
    students: 2140,
    teachers: 118,
    campus_ha: 3.2,
    boarding: false,
    _source_line: 3,
  },
  {
    school_id: '52040210003',
    school_name: '安顺市第二高级中学',
    county_code: 520402,
    county: '西秀区',
    founded: 1958,
    students: 2875,
    teachers: 201,
    campus_ha: 8.75,
    boarding: true,
    _source_line: 4,
  },
  {
    school_id: '52260110007',
    school_name: '凯里市第三中学(初中部, 高中部)',
    county_code: 522601,
    county: '凯里市',
    founded: 1972,
    students: 1960,
    teachers: 142,
    campus_ha: 6,
    boarding: true,
    _source_line: 5,
  },
  {
    school_id: '52270110021',
    school_name: '都匀市民族小学;东校区',
    county_code: 522701,
    county: '都匀市',
    founded: 1985,
    students: 1320,
    teachers: 76,
    campus_ha: 2.05,
    boarding: false,
    _source_line: 6,
  },
  {
    school_id: '52230110005',
    school_name: '兴义市第八中学',
    county_code: 522301,
    county: '兴义市',
    founded: 2001,
    students: 3105,
    teachers: 215,
    campus_ha: 10.4,
    boarding: true,
    _source_line: 7,
  },
];
