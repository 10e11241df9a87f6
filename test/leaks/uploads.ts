/**
 * The leak hunt's uploads: seeded files and their contracts, each planting personal values in the forms
 * departments write them (late rows, inside text, full-width, spaced, dashed, +86/0086, nested JSON, typed
 * columns that fail, a header cell), and one upload that publishes a value on purpose (`pii: none`), so
 * the hunt is seen to find what is there.
 */
import { stringify } from 'yaml';
import { mulberry32 } from '../support/random.ts';
import {
  type Fate,
  fullWidth,
  groupedCard,
  groupedMobile,
  MASKS,
  PersonalValues,
  type Plant,
  spacedId,
} from './plants.ts';

export const SEED = 20261209;

/** The departments of the hunt's temporary departments.yaml. */
export const DEPARTMENTS = ['civil_affairs', 'health', 'education', 'transport', 'statistics'] as const;

export interface Upload {
  /** `<department>/<dataset>` */
  readonly dataset: string;
  /** The contract, as its YAML file would hold it. */
  readonly contract: Record<string, unknown>;
  readonly fileName: string;
  readonly body: string;
  /** The source lines of the file's records. */
  readonly lines: readonly number[];
  readonly plants: readonly Plant[];
  /** Publishes its planted values on purpose: the hunt must find them. */
  readonly canary?: boolean;
}

export function departmentsYaml(): string {
  return stringify({ departments: DEPARTMENTS.map((id) => ({ id, name: `${id} (leak hunt)` })) });
}

export function contractYaml(u: Upload): string {
  return stringify(u.contract);
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** Lines 2..n+1 of a CSV with a header and n rows of one line each. */
const csvLines = (n: number) => Array.from({ length: n }, (_, i) => i + 2);

function contractOf(dataset: string, title: string, fields: Record<string, unknown>[], extra = {}) {
  const [department, name] = dataset.split('/');
  return { name, department, title, classification: 'public', mode: 'replace', ...extra, fields };
}

/** A planted value: by default a published text value that is redacted in place. */
function plant(
  p: Omit<Plant, 'fate' | 'scanned'> & { fate?: Fate; scanned?: boolean },
): Plant & { row: number } {
  return { fate: 'redacted', scanned: true, ...p, row: 0 };
}

class Filler {
  private readonly pick: <T>(xs: readonly T[]) => T;
  constructor(private readonly rand: () => number) {
    this.pick = (xs) => xs[Math.floor(this.rand() * xs.length)];
  }
  county() {
    return this.pick(['520102', '520103', '520111', '520113', '520302', '520402']);
  }
  date() {
    return `2026-${String(1 + Math.floor(this.rand() * 11)).padStart(2, '0')}-${String(1 + Math.floor(this.rand() * 28)).padStart(2, '0')}`;
  }
  address() {
    const district = this.pick(['南明区', '云岩区', '花溪区', '乌当区', '观山湖区']);
    const road = this.pick(['中华南路', '宝山北路', '甲秀南路', '北京路', '花果园大街', '遵义路']);
    return `贵州省贵阳市${district}${road}${1 + Math.floor(this.rand() * 300)}号`;
  }
  remark() {
    return this.pick([
      '入户走访，情况良好',
      '已发放慰问金',
      '家中无人，改日再访',
      '需跟进住房问题',
      '老人独居，邻居照看',
      '',
    ]);
  }
  int(lo: number, hi: number) {
    return String(lo + Math.floor(this.rand() * (hi - lo + 1)));
  }
}

/**
 * The CSV with each planted value in its row's cell (rows are 1-based, line = row + 1), its record lines
 * and its plants.
 */
function withPlants(
  header: readonly string[],
  rows: string[][],
  plants: readonly (Plant & { row: number })[],
): Pick<Upload, 'body' | 'lines' | 'plants'> {
  const placed = plants.map(({ row, ...p }) => {
    rows[row - 1][header.indexOf(p.column)] = p.written;
    return { ...p, line: row + 1 };
  });
  return { body: csv(header, rows), lines: csvLines(rows.length), plants: placed };
}

/** Home visits, 10,000 rows, the default contract: finds here and there, inside text and late. */
function homeVisits(v: PersonalValues, f: Filler): Upload {
  const header = ['visit_id', 'county_code', 'visited_on', 'household_size', 'address', 'remark'];
  const n = 10_000;
  const rows = Array.from({ length: n }, (_, i) => [
    `V${String(i + 1).padStart(6, '0')}`,
    f.county(),
    f.date(),
    f.int(1, 8),
    f.address(),
    f.remark(),
  ]);
  const id = [v.residentId(), v.residentId(), v.residentIdEndingX(), v.residentId()];
  const m = [v.mobile(), v.mobile(), v.mobile(), v.mobile(), v.mobile()];
  const card = v.bankCard();
  const email = v.email();
  const late = f.address();
  const plants = [
    plant({
      name: 'ID late in address (row 9,000 of 10,000)',
      kind: 'cn_resident_id',
      value: id[0],
      written: id[0],
      column: 'address',
      line: null,
      mask: MASKS.cn_resident_id(id[0]),
    }),
    plant({
      name: 'mobile inside text (联系电话…)',
      kind: 'cn_mobile',
      value: m[0],
      written: `联系电话${m[0]}`,
      column: 'remark',
      line: null,
      context: ['联系电话'],
    }),
    plant({
      name: 'ID inside text (身份证号：…，已核验)',
      kind: 'cn_resident_id',
      value: id[1],
      written: `身份证号：${id[1]}，已核验`,
      column: 'remark',
      line: null,
      context: ['身份证号：', '，已核验'],
    }),
    plant({
      name: 'ID in full-width digits (…Ｘ)',
      kind: 'cn_resident_id',
      value: id[2],
      written: fullWidth(id[2]),
      column: 'remark',
      line: null,
    }),
    plant({
      name: 'ID written with spaces',
      kind: 'cn_resident_id',
      value: id[3],
      written: spacedId(id[3]),
      column: 'remark',
      line: null,
    }),
    plant({
      name: 'mobile with dashes inside text',
      kind: 'cn_mobile',
      value: m[1],
      written: `手机 ${groupedMobile(m[1])}`,
      column: 'remark',
      line: null,
      context: ['手机'],
    }),
    plant({
      name: 'mobile with +86',
      kind: 'cn_mobile',
      value: m[2],
      written: `+86 ${m[2]}`,
      column: 'remark',
      line: null,
    }),
    plant({
      name: 'mobile with 0086 inside text',
      kind: 'cn_mobile',
      value: m[3],
      written: `回电 0086${m[3]}`,
      column: 'remark',
      line: null,
      context: ['回电'],
    }),
    plant({
      name: 'bank card with spaces inside text',
      kind: 'bank_card',
      value: card,
      written: `工资卡 ${groupedCard(card)} 已停用`,
      column: 'remark',
      line: null,
      context: ['工资卡', '已停用'],
    }),
    plant({
      name: 'email inside text',
      kind: 'email',
      value: email,
      written: `请联系 ${email} 获取回执`,
      column: 'remark',
      line: null,
      context: ['请联系', '获取回执'],
    }),
    plant({
      name: 'mobile inside address (row 9,990)',
      kind: 'cn_mobile',
      value: m[4],
      written: `${late} 户主手机${m[4]}`,
      column: 'address',
      line: null,
      context: [late, '户主手机'],
    }),
  ];
  [9000, 2500, 5000, 6000, 7000, 7500, 8000, 8200, 8500, 9500, 9990].forEach((r, i) => {
    plants[i].row = r;
  });
  return {
    dataset: 'civil_affairs/home_visits',
    contract: contractOf('civil_affairs/home_visits', 'Home visits', [
      { name: 'visit_id', constraints: { required: true, pattern: '^V[0-9]{6}$' } },
      { name: 'county_code', constraints: { pattern: '^52[0-9]{4}$' } },
      { name: 'visited_on', type: 'date' },
      { name: 'household_size', type: 'integer' },
      { name: 'address' },
      { name: 'remark' },
    ]),
    fileName: 'home-visits-2026.csv',
    ...withPlants(header, rows, plants),
  };
}

/** The same kind of file under `undeclaredPii: quarantine-rows`: the rows with a find go to quarantine. */
function homeVisitsReview(v: PersonalValues, f: Filler): Upload {
  const header = ['visit_id', 'county_code', 'visited_on', 'household_size', 'address', 'remark'];
  const n = 2_000;
  const rows = Array.from({ length: n }, (_, i) => [
    `V${String(i + 1).padStart(6, '0')}`,
    f.county(),
    f.date(),
    f.int(1, 8),
    f.address(),
    f.remark(),
  ]);
  const id = v.residentId();
  const m = v.mobile();
  const email = v.email();
  const card = v.bankCard();
  const q = { fate: 'quarantined' as const };
  const plants = [
    plant({
      name: 'quarantine-rows: ID inside text',
      kind: 'cn_resident_id',
      value: id,
      written: `身份证号：${id}，已核验`,
      column: 'remark',
      line: null,
      ...q,
    }),
    plant({
      name: 'quarantine-rows: spaced mobile inside text',
      kind: 'cn_mobile',
      value: m,
      written: `联系电话${groupedMobile(m, ' ')}`,
      column: 'remark',
      line: null,
      ...q,
    }),
    plant({
      name: 'quarantine-rows: email inside address',
      kind: 'email',
      value: email,
      written: `${f.address()} 邮箱${email}`,
      column: 'address',
      line: null,
      ...q,
    }),
    plant({
      name: 'quarantine-rows: bank card inside text',
      kind: 'bank_card',
      value: card,
      written: `卡号${card}`,
      column: 'remark',
      line: null,
      ...q,
    }),
  ];
  [1500, 1700, 1800, 1900].forEach((r, i) => {
    plants[i].row = r;
  });
  return {
    dataset: 'civil_affairs/home_visits_review',
    contract: contractOf(
      'civil_affairs/home_visits_review',
      'Home visits under review',
      [
        { name: 'visit_id', constraints: { required: true, pattern: '^V[0-9]{6}$' } },
        { name: 'county_code', constraints: { pattern: '^52[0-9]{4}$' } },
        { name: 'visited_on', type: 'date' },
        { name: 'household_size', type: 'integer' },
        { name: 'address' },
        { name: 'remark' },
      ],
      { undeclaredPii: 'quarantine-rows' },
    ),
    fileName: 'home-visits-review-2026.csv',
    ...withPlants(header, rows, plants),
  };
}

/** Hotline calls as JSON lines, 1,000 records: personal values nested in objects and arrays. */
function hotlineCalls(v: PersonalValues, f: Filler): Upload {
  const n = 1_000;
  const records: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => ({
    call_id: `H${String(i + 1).padStart(6, '0')}`,
    county_code: f.county(),
    received_on: f.date(),
    topic: ['医保咨询', '疫苗接种', '投诉建议', '门诊预约'][i % 4],
    caller: { name: '匿名', district: '南明区' },
    notes: '已转办',
  }));
  const m = [v.mobile(), v.mobile(), v.mobile()];
  const email = v.email();
  const id = [v.residentId(), v.residentId()];
  const at = (line: number, p: Omit<Plant, 'line'>, set: (r: Record<string, unknown>) => void): Plant => {
    set(records[line - 1]);
    return { ...p, line };
  };
  const plants: Plant[] = [
    at(
      800,
      {
        name: 'nested JSON {"name","phone"}',
        kind: 'cn_mobile',
        value: m[0],
        written: JSON.stringify({ name: '张伟', phone: m[0] }),
        column: 'caller',
        fate: 'redacted',
        scanned: true,
        context: ['张伟'],
      },
      (r) => {
        r.caller = { name: '张伟', phone: m[0] };
      },
    ),
    at(
      850,
      {
        name: 'nested JSON, two levels, +86 mobile with spaces',
        kind: 'cn_mobile',
        value: m[1],
        written: `+86 ${groupedMobile(m[1], ' ')}`,
        column: 'caller',
        fate: 'redacted',
        scanned: true,
        context: ['李娜'],
      },
      (r) => {
        r.caller = { name: '李娜', contact: { mobile: `+86 ${groupedMobile(m[1], ' ')}`, email } };
      },
    ),
    {
      name: 'nested JSON, two levels, email',
      kind: 'email',
      value: email,
      written: email,
      column: 'caller',
      fate: 'redacted',
      scanned: true,
      line: 850,
      context: ['李娜'],
    },
    at(
      900,
      {
        name: 'ID inside JSON text',
        kind: 'cn_resident_id',
        value: id[0],
        written: `来电人身份证 ${id[0]}`,
        column: 'notes',
        fate: 'redacted',
        scanned: true,
        context: ['来电人身份证'],
      },
      (r) => {
        r.notes = `来电人身份证 ${id[0]}`;
      },
    ),
    at(
      950,
      {
        name: 'mobile in a JSON key the contract does not have',
        kind: 'cn_mobile',
        value: m[2],
        written: m[2],
        column: '备用电话',
        fate: 'not-published',
        scanned: false,
      },
      (r) => {
        r.备用电话 = m[2];
      },
    ),
    at(
      990,
      {
        name: 'ID in a nested JSON array',
        kind: 'cn_resident_id',
        value: id[1],
        written: JSON.stringify({ name: '赵敏', ids: [id[1]] }),
        column: 'caller',
        fate: 'redacted',
        scanned: true,
        context: ['赵敏'],
      },
      (r) => {
        r.caller = { name: '赵敏', ids: [id[1]] };
      },
    ),
  ];
  return {
    dataset: 'health/hotline_calls',
    contract: contractOf(
      'health/hotline_calls',
      'Health hotline calls',
      [
        { name: 'call_id', constraints: { required: true } },
        { name: 'county_code' },
        { name: 'received_on', type: 'date' },
        { name: 'topic' },
        { name: 'caller' },
        { name: 'notes' },
      ],
      { format: { type: 'jsonl' } },
    ),
    fileName: 'hotline-calls-2026-10.jsonl',
    body: `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    lines: Array.from({ length: n }, (_, i) => i + 1),
    plants,
  };
}

/** 20 rows, 5 of them a mobile number: 25%, under the column threshold, so each is redacted in place. */
function parentContacts(v: PersonalValues): Upload {
  const header = ['student_ref', 'grade', 'contact_note'];
  const n = 20;
  const rows = Array.from({ length: n }, (_, i) => [
    `S${String(i + 1).padStart(4, '0')}`,
    String(1 + (i % 6)),
    ['家长已签字', '由祖父母接送', '周三请假', '无'][i % 4],
  ]);
  const plants = [3, 7, 11, 15, 19].map((row, i) => {
    const m = v.mobile();
    return {
      ...plant({
        name: `5 mobiles in 20 rows (25%): #${i + 1}`,
        kind: 'cn_mobile',
        value: m,
        written: m,
        column: 'contact_note',
        line: null,
        mask: MASKS.cn_mobile(m),
      }),
      row,
    };
  });
  return {
    dataset: 'education/parent_contacts',
    contract: contractOf('education/parent_contacts', 'Parent contact notes', [
      { name: 'student_ref', constraints: { required: true } },
      { name: 'grade', type: 'integer' },
      { name: 'contact_note' },
    ]),
    fileName: 'parent-contacts.csv',
    ...withPlants(header, rows, plants),
  };
}

/** Typed columns and constraints that fail on a personal value: the value is what an error describes. */
function inspections(v: PersonalValues, f: Filler): Upload {
  const header = ['inspection_id', 'clinic_name', 'staff_count', 'inspected_on', 'permit_no', 'grade'];
  const n = 400;
  const rows = Array.from({ length: n }, (_, i) => [
    `INS${String(i + 1).padStart(5, '0')}`,
    `${['南明', '云岩', '花溪'][i % 3]}社区诊所${i + 1}`,
    f.int(1, 40),
    f.date(),
    `GZ${String(100000 + i)}`,
    ['A', 'B', 'C'][i % 3],
  ]);
  const id = [v.residentIdEndingX(), v.residentId()];
  const m = [v.mobile(), v.mobile(), v.mobile()];
  const card = v.bankCard();
  const email = v.email();
  const failed = { fate: 'quarantined' as const, scanned: false, line: null };
  const plants = [
    plant({
      name: 'ID in an integer column',
      kind: 'cn_resident_id',
      value: id[0],
      written: id[0],
      column: 'staff_count',
      ...failed,
    }),
    plant({
      name: 'mobile inside text in an integer column (电话…)',
      kind: 'cn_mobile',
      value: m[0],
      written: `电话${m[0]}`,
      column: 'staff_count',
      ...failed,
    }),
    plant({
      name: 'mobile in a date column',
      kind: 'cn_mobile',
      value: m[1],
      written: m[1],
      column: 'inspected_on',
      ...failed,
    }),
    plant({
      name: 'bank card in a date column',
      kind: 'bank_card',
      value: card,
      written: card,
      column: 'inspected_on',
      ...failed,
    }),
    plant({
      name: 'ID failing a pattern',
      kind: 'cn_resident_id',
      value: id[1],
      written: id[1],
      column: 'permit_no',
      ...failed,
    }),
    plant({
      name: 'email failing an enum',
      kind: 'email',
      value: email,
      written: email,
      column: 'grade',
      ...failed,
    }),
    plant({
      name: 'dashed mobile as a primary key failing its pattern',
      kind: 'cn_mobile',
      value: m[2],
      written: groupedMobile(m[2]),
      column: 'inspection_id',
      ...failed,
    }),
  ];
  [100, 150, 200, 250, 300, 350, 380].forEach((r, i) => {
    plants[i].row = r;
  });
  return {
    dataset: 'health/inspections',
    contract: contractOf(
      'health/inspections',
      'Clinic inspections',
      [
        { name: 'inspection_id', constraints: { required: true, pattern: '^INS[0-9]{5}$' } },
        { name: 'clinic_name' },
        { name: 'staff_count', type: 'integer' },
        { name: 'inspected_on', type: 'date' },
        { name: 'permit_no', constraints: { pattern: '^GZ[0-9]{6}$' } },
        { name: 'grade', constraints: { enum: ['A', 'B', 'C'] } },
      ],
      { primaryKey: ['inspection_id'] },
    ),
    fileName: 'inspections-2026-q3.csv',
    ...withPlants(header, rows, plants),
  };
}

/** A column where mobiles are the norm (8 of 20, 40%), under the default contract: the file is quarantined. */
function taxiDrivers(v: PersonalValues): Upload {
  const header = ['driver_ref', 'plate', 'contact'];
  const n = 20;
  const rows = Array.from({ length: n }, (_, i) => [
    `D${String(i + 1).padStart(4, '0')}`,
    `贵A${String(10000 + i * 7)}`,
    ['见档案', '无', '公司座机'][i % 3],
  ]);
  const forms = [(m: string) => m, (m: string) => groupedMobile(m), (m: string) => `+86 ${m}`];
  const plants = [2, 4, 6, 9, 12, 14, 17, 20].map((row, i) => {
    const m = v.mobile();
    return {
      ...plant({
        name: `mobile column (40%), default contract: #${i + 1}`,
        kind: 'cn_mobile',
        value: m,
        written: forms[i % 3](m),
        column: 'contact',
        line: null,
        fate: 'quarantined',
      }),
      row,
    };
  });
  return {
    dataset: 'transport/taxi_drivers',
    contract: contractOf('transport/taxi_drivers', 'Taxi drivers', [
      { name: 'driver_ref', constraints: { required: true } },
      { name: 'plate' },
      { name: 'contact' },
    ]),
    fileName: 'taxi-drivers.csv',
    ...withPlants(header, rows, plants),
  };
}

/** A column where resident IDs are the norm (8 of 20), under `undeclaredPii: mask`: the column is masked. */
function busDrivers(v: PersonalValues): Upload {
  const header = ['driver_ref', 'route', 'holder_id'];
  const n = 20;
  const rows = Array.from({ length: n }, (_, i) => [
    `B${String(i + 1).padStart(4, '0')}`,
    `${1 + (i % 9)}路`,
    ['待补录', '见纸质档案'][i % 2],
  ]);
  const plants = [1, 3, 5, 8, 11, 13, 16, 19].map((row, i) => {
    const id = v.residentId();
    return {
      ...plant({
        name: `ID column (40%), undeclaredPii: mask: #${i + 1}`,
        kind: 'cn_resident_id',
        value: id,
        written: i % 2 === 0 ? id : spacedId(id),
        column: 'holder_id',
        line: null,
        fate: 'masked',
        // The detector's mask of a bare ID; a spaced one may be starred over its length.
        ...(i % 2 === 0 ? { mask: MASKS.cn_resident_id(id) } : {}),
      }),
      row,
    };
  });
  return {
    dataset: 'transport/bus_drivers',
    contract: contractOf(
      'transport/bus_drivers',
      'Bus drivers',
      [{ name: 'driver_ref', constraints: { required: true } }, { name: 'route' }, { name: 'holder_id' }],
      { undeclaredPii: 'mask' },
    ),
    fileName: 'bus-drivers.csv',
    ...withPlants(header, rows, plants),
  };
}

/** Header cells that are a mobile number, and one with a mobile inside: columns the contract does not have. */
function pharmacies(v: PersonalValues, f: Filler): Upload {
  const m = [v.mobile(), v.mobile()];
  const header = ['pharmacy_id', 'pharmacy_name', 'county_code', m[0], `联系人${m[1]}`];
  const n = 50;
  const rows = Array.from({ length: n }, (_, i) => [
    `P${String(i + 1).padStart(5, '0')}`,
    `${['仁和', '康寿', '同济'][i % 3]}大药房${i + 1}店`,
    f.county(),
    ['是', '否'][i % 2],
    '店长',
  ]);
  const headerPlant = (name: string, value: string, written: string): Plant => ({
    name,
    kind: 'cn_mobile',
    value,
    written,
    line: 1,
    column: '(header)',
    fate: 'header',
    scanned: false,
  });
  return {
    dataset: 'health/pharmacies',
    contract: contractOf('health/pharmacies', 'Licensed pharmacies', [
      { name: 'pharmacy_id', constraints: { required: true } },
      { name: 'pharmacy_name' },
      { name: 'county_code' },
    ]),
    fileName: 'pharmacies.csv',
    body: csv(header, rows),
    lines: csvLines(n),
    plants: [
      headerPlant('a header cell that is a mobile number', m[0], m[0]),
      headerPlant('a header cell with a mobile inside (联系人…)', m[1], `联系人${m[1]}`),
    ],
  };
}

/** A free-text field declared `protect: redact`: known to carry personal data now and then. */
function caseNotes(v: PersonalValues, f: Filler): Upload {
  const header = ['case_id', 'county_code', 'opened_on', 'notes'];
  const n = 500;
  const rows = Array.from({ length: n }, (_, i) => [
    `C${String(i + 1).padStart(6, '0')}`,
    f.county(),
    f.date(),
    f.remark(),
  ]);
  const id = v.residentId();
  const m = v.mobile();
  const plants = [
    plant({
      name: 'protect: redact: ID inside text',
      kind: 'cn_resident_id',
      value: id,
      written: `申请人身份证号${id}，材料齐全`,
      column: 'notes',
      line: null,
      context: ['申请人身份证号', '，材料齐全'],
      mask: MASKS.cn_resident_id(id),
    }),
    plant({
      name: 'protect: redact: dashed mobile inside text',
      kind: 'cn_mobile',
      value: m,
      written: `经办电话${groupedMobile(m)}`,
      column: 'notes',
      line: null,
      context: ['经办电话'],
    }),
  ];
  [450, 470].forEach((r, i) => {
    plants[i].row = r;
  });
  return {
    dataset: 'civil_affairs/case_notes',
    contract: contractOf('civil_affairs/case_notes', 'Assistance case notes', [
      { name: 'case_id', constraints: { required: true } },
      { name: 'county_code' },
      { name: 'opened_on', type: 'date' },
      { name: 'notes', protect: 'redact' },
    ]),
    fileName: 'case-notes-2026.csv',
    ...withPlants(header, rows, plants),
  };
}

/** `pii: none` opts a column out of the scan: its values are published as they are, and must be found. */
function referenceCodes(v: PersonalValues): Upload {
  const header = ['code', 'code_text'];
  const n = 10;
  const rows = Array.from({ length: n }, (_, i) => [`R${i + 1}`, `参考编码说明${i + 1}`]);
  const m = v.mobile();
  const id = v.residentId();
  const canary = { fate: 'published' as const, scanned: false, line: null, column: 'code_text' };
  const plants = [
    { ...plant({ name: 'pii: none: a mobile', kind: 'cn_mobile', value: m, written: m, ...canary }), row: 5 },
    {
      ...plant({
        name: 'pii: none: an ID inside text',
        kind: 'cn_resident_id',
        value: id,
        written: `编码依据${id}`,
        ...canary,
      }),
      row: 8,
    },
  ];
  return {
    dataset: 'statistics/reference_codes',
    contract: contractOf('statistics/reference_codes', 'Reference codes', [
      { name: 'code', constraints: { required: true } },
      { name: 'code_text', pii: 'none' },
    ]),
    fileName: 'reference-codes.csv',
    ...withPlants(header, rows, plants),
    canary: true,
  };
}

/** Every upload of the hunt, the canary last. */
export function generateUploads(seed = SEED): Upload[] {
  const values = new PersonalValues(seed);
  // A stream of its own, so that planting one more value does not change the filler around it.
  const filler = new Filler(mulberry32(seed ^ 0x5bd1e995));
  return [
    homeVisits(values, filler),
    homeVisitsReview(values, filler),
    hotlineCalls(values, filler),
    parentContacts(values),
    inspections(values, filler),
    taxiDrivers(values),
    busDrivers(values),
    pharmacies(values, filler),
    caseNotes(values, filler),
    referenceCodes(values),
  ];
}
