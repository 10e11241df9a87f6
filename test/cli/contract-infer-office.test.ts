/**
 * `lake contract infer` on files as offices send them: the drafts validate their files with no edit but
 * the description, which the loader refuses until a person writes one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.ts';
import { transformFile } from '../../src/engine/transform.ts';
import { inferContract } from '../../src/infer/infer-contract.ts';
import { inferField } from '../../src/infer/infer-field.ts';
import { lake } from './helpers.ts';
import {
  OFFICE_HEADERS,
  OFFICE_ROWS_PER_CITY,
  writeOfficeCsv,
  writeOfficeWorkbook,
  writeWrappedJson,
} from './office-files.ts';

const REF = { department: 'education', dataset: 'school_funds' };
const DATA_ROWS = 3 * OFFICE_ROWS_PER_CITY;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-infer-office-'));
  await writeOfficeWorkbook(join(dir, 'funds.xlsx'));
  await writeOfficeCsv(join(dir, 'funds.csv'));
  await writeWrappedJson(join(dir, 'funds.json'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The draft with its description written, as the steward would: the only edit. */
function described(yaml: string): string {
  const out = yaml.replace(
    /^description: .*$/m,
    'description: School funds by school, from the education department, yearly.',
  );
  expect(out).not.toBe(yaml);
  return out;
}

async function draftAndValidate(file: string) {
  const inferred = await inferContract(join(dir, file), REF);
  const contract = parseContract(described(inferred.yaml), `datasets/education/school_funds.yaml`);
  const out = await mkdtemp(join(dir, 'out-'));
  const report = await transformFile({
    inputPath: join(dir, file),
    contract,
    sourceKey: `landing/education/school_funds/${file}`,
    uploadId: 'infer-office',
    outDir: out,
    hashKey: Buffer.alloc(32, 1),
  });
  const fields = Object.fromEntries(contract.fields.map((f) => [f.name, f]));
  return { inferred, contract, report, fields };
}

describe('contract infer on an office workbook and its CSV export', () => {
  it.each(['funds.xlsx', 'funds.csv'])(
    '%s: a draft that accepts every data row once described',
    async (file) => {
      const { inferred, contract, report, fields } = await draftAndValidate(file);
      expect(report.errors).toEqual([]);
      expect(report.status).toBe('accepted');
      expect(report.rows).toMatchObject({ accepted: DATA_ROWS, rejected: 0, skipped: 2 });
      // Names in pinyin (or a known header's name), in file order, the header kept as title and spelling.
      expect(contract.fields.map((f) => f.name)).toEqual([
        'shi_zhou',
        'school_id',
        'school_name',
        'ban_xue_lei_xing',
        'students',
        'jing_fei',
        'sheng_jun_zhan_bi',
        'tong_ji_ri_qi',
        'division_code',
      ]);
      expect(contract.fields.map((f) => f.title)).toEqual(OFFICE_HEADERS);
      expect(contract.fields.map((f) => f.headers)).toEqual(OFFICE_HEADERS.map((h) => [h]));
      expect(inferred.yaml).not.toMatch(/column_\d/);
      // The header below the title row; totals and footnote left out.
      expect(contract.format.headerRows).toEqual([file.endsWith('xlsx') ? 3 : 2]);
      expect(contract.format.skipRows).toEqual(['^合[\\s\u3000]*计', '^注']);
      // Numbers as offices write them.
      expect(fields.students).toMatchObject({ type: 'integer', groupChar: ',' });
      expect(fields.students.bareNumber).toBeUndefined();
      expect(fields.jing_fei).toMatchObject({ type: 'number', groupChar: ',', bareNumber: false, scale: 2 });
      expect(fields.sheng_jun_zhan_bi.scale).toBeUndefined();
      expect(fields.sheng_jun_zhan_bi).toMatchObject({ type: 'number', bareNumber: false });
      expect(fields.tong_ji_ri_qi.type).toBe('date');
      // Division codes are text; the school code is the key.
      expect(fields.division_code).toMatchObject({ type: 'string', constraints: { pattern: '^[0-9]{6}$' } });
      expect(contract.primaryKey).toEqual(['school_id']);
      expect(fields.ban_xue_lei_xing.constraints?.enum).toEqual(['公办', '民办']);
      expect(fields.school_name.constraints?.enum).toBeUndefined();
      expect(inferred.yaml).toMatch(/# a totals row \(合计\) on (row|line) \d+: left out by format.skipRows/);
      expect(inferred.yaml).toMatch(/# a footnote below the table \(注…\)/);
      // The footnote's text is never repeated.
      expect(inferred.yaml).not.toContain('教育统计年报');
    },
  );

  it('names the blank runs a CSV export leaves under merged cells, and does not require the column', async () => {
    const { inferred, fields } = await draftAndValidate('funds.csv');
    expect(fields.shi_zhou.constraints?.required).toBeUndefined();
    expect(inferred.yaml).toMatch(
      /# 27 blank cells under a value \(from line 4\), as merged cells leave them/,
    );
    expect(inferred.encoding).toBe('gb18030');
  });

  it('reads the workbook: merged cells filled, serial dates as dates', async () => {
    const { inferred, report } = await draftAndValidate('funds.xlsx');
    expect(inferred.yaml).toMatch(/# \d+ cells of merged ranges were given their range's value/);
    expect(inferred.yaml).toContain(
      "# some dates are the workbook's day numbers (serial dates): read as dates",
    );
    expect(report.rows.accepted).toBe(DATA_ROWS);
  });
});

describe('contract infer on wrapped JSON', () => {
  it('finds the records under data.list, keeps the file order, and drafts no enum from list values', async () => {
    const { contract, report, fields } = await draftAndValidate('funds.json');
    expect(contract.format).toMatchObject({ type: 'json', property: 'data.list' });
    expect(contract.fields.map((f) => f.name)).toEqual([
      'school_id',
      'name',
      'students',
      'city',
      'tags',
      'updated',
    ]);
    expect(fields.tags.constraints?.enum).toBeUndefined();
    expect(fields.city.constraints?.enum).toEqual(['安顺市', '贵阳市', '遵义市']);
    expect(report.status).toBe('accepted');
    expect(report.rows.accepted).toBe(DATA_ROWS);
  });
});

describe('the placeholder description', () => {
  it('is refused by the loader, naming the key and what to write', async () => {
    const { yaml } = await inferContract(join(dir, 'funds.csv'), REF);
    expect(() => parseContract(yaml, 'datasets/education/school_funds.yaml')).toThrow(
      /description[^\n]*placeholder of the drafted contract: write in a sentence or two what the dataset holds/,
    );
  });
});

describe('lake contract --help', () => {
  it('lists contract infer, and contract infer --help tells its usage', async () => {
    const group = await lake(['contract', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^ {2}contract infer {2}draft a contract from a sample file/m);
    const one = await lake(['contract', 'infer', '--help']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Usage: lake contract infer <file> --dataset <department>/<dataset>');
    const topic = await lake(['help', 'contract']);
    expect(topic.stdout).toBe(group.stdout);
  });
});

describe('what a draft proposes for one column', () => {
  const field = (header: string, values: string[], dayNumbers = false) => {
    const f = inferField(header, values, 0, new Set(), { dayNumbers });
    return { ...f, field: f.field as Record<string, unknown> & { constraints?: Record<string, unknown> } };
  };

  it('never lists the values of a column that names people, even when they repeat', () => {
    const names = ['张伟', '王芳', '李娜'];
    const f = field(
      '申请人',
      Array.from({ length: 60 }, (_, i) => names[i % 3]),
    );
    expect(f.field).toMatchObject({ name: 'shen_qing_ren', pii: 'person_name', protect: 'mask' });
    expect(f.field.constraints).toEqual({ required: true });
    expect(JSON.stringify(f)).not.toMatch(/张伟|王芳|李娜/);
  });

  it('drafts an enum only from a few short categories over enough rows', () => {
    const many = (values: string[], n = 40) => Array.from({ length: n }, (_, i) => values[i % values.length]);
    expect(field('类别', many(['甲', '乙'])).field.constraints).toMatchObject({ enum: ['乙', '甲'] });
    expect(field('类别', many(['甲', '乙'], 19)).field.constraints?.enum).toBeUndefined();
    expect(field('时段', many(['08:00-12:00', '14:00-18:00'])).field.constraints?.enum).toBeUndefined();
    expect(
      field(
        '说明',
        many(['这是一段超过二十个字的较长的说明文字内容一', '这是一段超过二十个字的较长的说明文字内容二']),
      ).field.constraints?.enum,
    ).toBeUndefined();
    expect(
      field(
        '类别',
        many(
          Array.from({ length: 11 }, (_, i) => `类${i}`),
          200,
        ),
      ).field.constraints?.enum,
    ).toBeUndefined();
  });

  it('keeps division codes and full-width codes as text, and reads full-width and grouped numbers', () => {
    expect(field('地区', ['520102', '520103', '520111']).field).toMatchObject({ type: 'string' });
    expect(field('人口', ['520102', '130103', '320111']).field).toMatchObject({ type: 'integer' });
    expect(field('代码', ['５２０１０２', '５２０１０３']).field).toMatchObject({
      type: 'string',
      normalize: 'nfkc',
    });
    expect(field('人数', ['１２３４', '682,773', '5']).field).toMatchObject({
      type: 'integer',
      groupChar: ',',
    });
    expect(field('金额', ['￥6,619.39', '12元']).field).toMatchObject({
      type: 'number',
      groupChar: ',',
      bareNumber: false,
    });
  });

  it("reads a workbook's day numbers under a date header as dates, and nowhere else", () => {
    expect(field('填报日期', ['46203', '46204']).field.type).toBe('integer');
    expect(field('填报日期', ['46203', '46204'], true).field.type).toBe('date');
    expect(field('户数', ['46203', '46204'], true).field.type).toBe('integer');
    expect(field('填报日期', ['2026/6/30', '46204'], true).field).toMatchObject({
      type: 'date',
      formats: ['%Y/%m/%d'],
    });
  });

  it('names columns in pinyin, valid and unique', () => {
    const taken = new Set<string>();
    const names = ['学校名称', '市（州）', '市(州)', '2024年产值', 'GDP总量', '   '].map(
      (h, i) => inferField(h, ['1'], i, taken).field.name,
    );
    expect(names).toEqual([
      'school_name',
      'shi_zhou',
      'shi_zhou_2',
      'f_2024_nian_chan_zhi',
      'gdp_zong_liang',
      'column_6',
    ]);
  });
});

describe('contract infer on nested JSON', () => {
  it('maps the keys inside nested objects by path, and leaves the objects themselves out', async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({
      id: `A${1000 + i}`,
      contact: { phone: `1390000${1000 + i}`, city: ['贵阳', '遵义'][i % 2] },
      n: i,
    }));
    await writeFile(join(dir, 'nested.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    const { contract, report, fields } = await draftAndValidate('nested.jsonl');
    expect(contract.fields.map((f) => f.name)).toEqual(['id', 'contact_phone', 'contact_city', 'n']);
    expect(fields.contact_phone).toMatchObject({ path: 'contact.phone', pii: 'cn_mobile', protect: 'mask' });
    expect(fields.contact_phone.headers).toBeUndefined();
    expect(fields.contact_city).toMatchObject({ path: 'contact.city' });
    expect(contract.primaryKey).toEqual(['id']);
    expect(report.status).toBe('accepted');
    expect(report.pii.flagged).toEqual([]);
    expect(report.rows.accepted).toBe(30);
  });
});
