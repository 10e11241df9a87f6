/**
 * Writes the example uploads under examples/<department>/<dataset>/: the files `lake demo` ingests and
 * the CLI tests run against. Deterministic (a seeded generator), so running it again gives the same
 * rows (the same bytes, but for the timestamps inside the xlsx's zip); the outputs are committed beside
 * this script.
 *
 *   node --import tsx examples/make-examples.ts                     # regenerate from the committed divisions
 *   node --import tsx examples/make-examples.ts --divisions <dir>   # first re-extract Guizhou from the division list
 *
 * The administrative divisions are real (the National Bureau of Statistics' codes, from the division
 * list described in examples/README.md): Guizhou (52), its cities and counties, and the townships and
 * streets of Guiyang. Every other dataset is made up, built on those codes so that the datasets of
 * different departments join on them. Resident ID numbers and mobile numbers are generated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { residentIdCheckChar } from '../src/privacy/detectors/cn-resident-id.ts';
import { mulberry32 } from '../test/support/random.ts';

export const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));
const DIVISIONS_FILE = join(EXAMPLES_DIR, 'statistics/divisions/divisions-guizhou-2024.csv');
const PROVINCE = { code: '52', name: '贵州省' };
/** Streets and townships are kept for this city only: enough for street-level examples, small enough to read. */
const STREETS_OF_CITY = '5201';
/** A fixed time for everything the files carry as "now", so the output does not depend on the clock. */
const GENERATED_AT = new Date('2026-11-20T09:00:00+08:00');

// ---------------------------------------------------------------------------------------------------
// A small seeded generator (mulberry32): the same seed gives the same examples on every machine.

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A number near `center`, spread uniformly by `spread` on each side, rounded to `digits`. */
  around(center: number, spread: number, digits: number): number {
    return Number((center + (this.next() * 2 - 1) * spread).toFixed(digits));
  }
}

// ---------------------------------------------------------------------------------------------------
// Divisions

export interface Division {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county' | 'township';
  parent: string;
}

/** Parses the source list's CSV: a header, then rows whose text values are quoted and never contain quotes. */
function readSimpleCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const names = header.split(',');
  return lines
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cells = l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1'));
      return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
    });
}

/** Guizhou's part of the division list in `dir` (provinces.csv, cities.csv, areas.csv, streets.csv). */
function extractGuizhou(dir: string): Division[] {
  const out: Division[] = [];
  const province = readSimpleCsv(join(dir, 'provinces.csv')).find((r) => r.code === PROVINCE.code);
  if (!province) throw new Error(`${dir}/provinces.csv has no province ${PROVINCE.code}`);
  out.push({ code: province.code, name: province.name, level: 'province', parent: '' });
  for (const r of readSimpleCsv(join(dir, 'cities.csv'))) {
    if (r.provinceCode === PROVINCE.code)
      out.push({ code: r.code, name: r.name, level: 'city', parent: r.provinceCode });
  }
  for (const r of readSimpleCsv(join(dir, 'areas.csv'))) {
    if (r.provinceCode === PROVINCE.code)
      out.push({ code: r.code, name: r.name, level: 'county', parent: r.cityCode });
  }
  for (const r of readSimpleCsv(join(dir, 'streets.csv'))) {
    if (r.cityCode === STREETS_OF_CITY)
      out.push({ code: r.code, name: r.name, level: 'township', parent: r.areaCode });
  }
  return out;
}

const LEVEL_NAMES: Record<Division['level'], string> = {
  province: '省',
  city: '市',
  county: '县',
  township: '乡',
};
const LEVEL_OF_NAME = Object.fromEntries(Object.entries(LEVEL_NAMES).map(([k, v]) => [v, k])) as Record<
  string,
  Division['level']
>;

/** The statistics bureau's file: UTF-8 with a byte-order mark and CRLF, as Excel saves "CSV UTF-8". */
function divisionsCsv(divisions: readonly Division[]): string {
  const lines = ['统计用区划代码,名称,级别,上级代码'];
  for (const d of divisions) lines.push(`${d.code},${d.name},${LEVEL_NAMES[d.level]},${d.parent}`);
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function readDivisions(): Division[] {
  return readSimpleCsv(DIVISIONS_FILE).map((r) => ({
    code: r.统计用区划代码,
    name: r.名称,
    level: LEVEL_OF_NAME[r.级别],
    parent: r.上级代码,
  }));
}

/** 道真仡佬族苗族自治县 -> 道真, 南明区 -> 南明, 六枝特区 -> 六枝. */
function shortName(county: string): string {
  const s = county
    .replace(/((仡佬|苗|布依|侗|土家|彝|回|水)族)*自治(县|州)$/, '')
    .replace(/(特区|区|县|市)$/, '');
  return s.length >= 2 ? s : county;
}

// ---------------------------------------------------------------------------------------------------
// People (made up): names, resident ID numbers, mobile numbers

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗龙潘石韦罗蒙杨吴田'];
const GIVEN = [...'华明丽芳军勇敏静强磊洋艳杰娟涛超霞平刚桂英兰秀梅玉珍红春国文建志光德福'];

function personName(r: Random): string {
  const given = r.chance(0.6) ? r.pick(GIVEN) + r.pick(GIVEN) : r.pick(GIVEN);
  return r.pick(SURNAMES) + given;
}

/** An 18-character resident ID number registered in `county`, with a valid check character. */
function residentId(r: Random, county: string, fromYear: number, toYear: number): string {
  const y = r.int(fromYear, toYear);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  const body = `${county}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(r.int(1, 999)).padStart(3, '0')}`;
  return body + residentIdCheckChar(body);
}

function mobile(r: Random): string {
  return `1${r.pick(['39', '50', '51', '58', '82', '87', '88', '36', '85', '98'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`;
}

/** How many institutions or people a county gets: the provincial capital's districts more. */
function weight(county: Division): number {
  if (county.parent === '5201') return county.name.endsWith('区') ? 3 : 2;
  return county.name.endsWith('区') || county.name.endsWith('市') ? 1.5 : 1;
}

// ---------------------------------------------------------------------------------------------------
// health/clinics: a GB18030 CSV with Chinese headers, as a provincial licensing system exports it

const CLINIC_BRANDS = [
  '仁爱',
  '康宁',
  '济民',
  '惠民',
  '安康',
  '同济',
  '益康',
  '福康',
  '健民',
  '华康',
  '德仁',
  '博爱',
];

export function clinicsCsv(divisions: readonly Division[]): Buffer {
  const r = new Random(20261101);
  const counties = divisions.filter((d) => d.level === 'county');
  const townships = divisions.filter((d) => d.level === 'township');
  const header =
    '机构编码,机构名称,机构类别,所在区县代码,地址,负责人,负责人身份证号,联系电话,开业日期,床位数,执业医师数';
  const lines = [header];
  for (const county of counties) {
    const short = shortName(county.name);
    const n = Math.round(weight(county) * r.int(3, 6));
    const names = new Set<string>();
    for (let i = 1; i <= n; i++) {
      const id = `GZ${county.code}${String(i).padStart(3, '0')}`;
      const streets = townships.filter((t) => t.parent === county.code && t.name.endsWith('街道'));
      let type: string;
      let name: string;
      const roll = r.next();
      if (streets.length > 0 && roll < 0.3) {
        type = '社区卫生服务中心';
        name = `${county.name}${r.pick(streets).name.replace(/街道$/, '')}社区卫生服务中心`;
      } else if (roll < 0.45) {
        type = '乡镇卫生院';
        name = `${short}${r.pick(['中心', '第一', '第二', '城关', '新城'])}卫生院`;
      } else if (roll < 0.6) {
        type = '门诊部';
        name = `${short}${r.pick(CLINIC_BRANDS)}门诊部`;
      } else if (roll < 0.75) {
        type = '诊所';
        name = `${short}${r.pick(CLINIC_BRANDS)}中医诊所`;
      } else {
        type = '诊所';
        name = `${short}${personName(r)}诊所`;
      }
      while (names.has(name))
        name = name.replace(
          /(诊所|门诊部|卫生院|社区卫生服务中心)$/,
          `${r.pick(['分', '东', '西', '南', '北'])}$1`,
        );
      names.add(name);
      const beds =
        type === '社区卫生服务中心'
          ? r.int(20, 80)
          : type === '乡镇卫生院'
            ? r.int(10, 60)
            : type === '门诊部'
              ? r.int(0, 10)
              : 0;
      const doctors = type === '诊所' ? r.int(1, 3) : r.int(3, 25);
      const y = r.int(1998, 2025);
      const m = r.int(1, 12);
      const d = r.int(1, 28);
      const mm = String(m).padStart(2, '0');
      const dd = String(d).padStart(2, '0');
      const opened = r.chance(0.6)
        ? `${y}-${mm}-${dd}`
        : r.chance(0.6)
          ? `${y}/${mm}/${dd}`
          : `${y}年${mm}月${dd}日`;
      const address = `贵州省${divisions.find((c) => c.code === county.parent)?.name ?? ''}${county.name}${r.pick(['人民', '中山', '解放', '建设', '新华', '民族', '文化', '环城'])}${r.pick(['路', '大道', '街'])}${r.int(1, 300)}号`;
      const phone = `${county.parent === '5201' ? '0851' : r.pick(['0851', '0852', '0853', '0854', '0855', '0856', '0857', '0858', '0859'])}-${r.int(2, 8)}${String(r.int(0, 9_999_999)).padStart(7, '0')}`;
      lines.push(
        [
          id,
          name,
          type,
          county.code,
          address,
          personName(r),
          residentId(r, county.code, 1955, 1995),
          phone,
          opened,
          beds,
          doctors,
        ].join(','),
      );
    }
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030');
}

// ---------------------------------------------------------------------------------------------------
// education/schools: an xlsx workbook, one sheet, Chinese headers, numbers as numbers

const SCHOOL_KINDS = [
  { type: '幼儿园', suffix: '幼儿园', students: [80, 400], share: 0.2 },
  { type: '小学', suffix: '小学', students: [200, 2400], share: 0.42 },
  { type: '初级中学', suffix: '中学', students: [400, 2200], share: 0.18 },
  { type: '九年一贯制学校', suffix: '九年制学校', students: [500, 2500], share: 0.08 },
  { type: '高级中学', suffix: '高级中学', students: [900, 4200], share: 0.08 },
  { type: '中等职业学校', suffix: '职业技术学校', students: [500, 3000], share: 0.04 },
] as const;
const ORDINALS = [
  '一',
  '二',
  '三',
  '四',
  '五',
  '六',
  '七',
  '八',
  '九',
  '十',
  '十一',
  '十二',
  '十三',
  '十四',
  '十五',
];

/** The item whose share of [0, 1) contains `roll`, the shares taken in order. */
function pickShare<T extends { share: number }>(items: readonly T[], roll: number): T {
  let left = roll;
  for (const item of items) {
    left -= item.share;
    if (left < 0) return item;
  }
  return items[items.length - 1];
}

export interface School {
  id: string;
  name: string;
  type: string;
  county: string;
  ownership: string;
  students: number;
  teachers: number;
  founded: number;
  boarding: string;
}

export function schools(divisions: readonly Division[]): School[] {
  const r = new Random(20260901);
  const out: School[] = [];
  let seq = 0;
  for (const county of divisions.filter((d) => d.level === 'county')) {
    const n = Math.round(weight(county) * r.int(5, 9));
    const perKind = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const kind = pickShare(SCHOOL_KINDS, r.next());
      const k = (perKind.get(kind.type) ?? 0) + 1;
      perKind.set(kind.type, k);
      const students = r.int(kind.students[0], kind.students[1]);
      const rural = !county.name.endsWith('区');
      out.push({
        id: `2152${String(++seq).padStart(6, '0')}`,
        name: `${county.name}第${ORDINALS[k - 1] ?? k}${kind.suffix}`,
        type: kind.type,
        county: county.code,
        ownership: r.chance(kind.type === '幼儿园' ? 0.45 : 0.08) ? '民办' : '公办',
        students,
        teachers: Math.max(4, Math.round(students / r.int(13, 19))),
        founded: r.int(1952, 2023),
        boarding: kind.type !== '幼儿园' && kind.type !== '小学' && (rural || r.chance(0.3)) ? '是' : '否',
      });
    }
  }
  return out;
}

export async function schoolsXlsx(divisions: readonly Division[], path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '贵州省教育厅';
  wb.created = GENERATED_AT;
  wb.modified = GENERATED_AT;
  const ws = wb.addWorksheet('学校名录');
  ws.columns = [
    { header: '学校标识码', key: 'id', width: 14 },
    { header: '学校名称', key: 'name', width: 36 },
    { header: '学校类型', key: 'type', width: 16 },
    { header: '所在区县代码', key: 'county', width: 14 },
    { header: '办学性质', key: 'ownership', width: 10 },
    { header: '在校生数', key: 'students', width: 10 },
    { header: '专任教师数', key: 'teachers', width: 12 },
    { header: '建校年份', key: 'founded', width: 10 },
    { header: '是否寄宿制', key: 'boarding', width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const s of schools(divisions)) ws.addRow(s);
  await wb.xlsx.writeFile(path);
}

// ---------------------------------------------------------------------------------------------------
// transport/bus_stops: a UTF-8 CSV exported by Guiyang's bus system, with some broken rows

/** Rough centres of Guiyang's districts and counties (latitude, longitude). */
const GUIYANG_CENTRES: Record<string, [number, number]> = {
  '520102': [26.57, 106.71],
  '520103': [26.6, 106.71],
  '520111': [26.41, 106.67],
  '520112': [26.63, 106.75],
  '520113': [26.68, 106.63],
  '520115': [26.61, 106.62],
  '520121': [27.06, 106.97],
  '520122': [27.09, 106.74],
  '520123': [26.84, 106.59],
  '520181': [26.55, 106.47],
};
const ROADS = [
  '中华北路',
  '中山东路',
  '延安中路',
  '遵义路',
  '瑞金南路',
  '宝山北路',
  '北京路',
  '枣山路',
  '沙冲路',
  '花溪大道',
  '甲秀南路',
  '林城西路',
  '长岭北路',
  '黔灵西路',
  '浣沙路',
  '新华路',
  '解放路',
  '市府路',
  '黔灵山路',
  '金阳南路',
  '云潭南路',
  '兴筑路',
  '观山东路',
  '贵黄路',
];
const STOP_SUFFIXES = ['口', '站', '北', '南', '中段', '东', '西', '路口', '小区', '市场', '医院', '学校'];

/** Why each broken row is broken: one of each kind of mistake a steward meets, listed in examples/README.md. */
export const BUS_STOP_DEFECTS = {
  swappedCoordinates: 6,
  missingStopId: 5,
  duplicateStopId: 4,
  unreadableTimestamp: 4,
  unquotedComma: 3,
  badStopId: 3,
} as const;

export function busStopsCsv(divisions: readonly Division[]): string {
  const r = new Random(20261105);
  const counties = divisions.filter((d) => d.level === 'county' && d.parent === '5201');
  const lines = ['stop_id,stop_name,county_code,longitude,latitude,routes,shelter,step_free,updated_at'];
  const rows: string[][] = [];
  const names = new Set<string>();
  let seq = 0;
  for (const county of counties) {
    const [lat, lon] = GUIYANG_CENTRES[county.code];
    const urban = county.name.endsWith('区');
    const n = urban ? r.int(150, 190) : r.int(35, 55);
    const streets = divisions.filter((d) => d.parent === county.code && d.level === 'township');
    for (let i = 0; i < n; i++) {
      let name = '';
      for (let tries = 0; tries < 20 && (name === '' || names.has(name)); tries++) {
        const base =
          r.chance(0.6) || streets.length === 0
            ? r.pick(ROADS)
            : r.pick(streets).name.replace(/(街道|镇|乡)$/, '');
        name = base + r.pick(STOP_SUFFIXES);
      }
      if (names.has(name)) name = `${name}${i}`;
      names.add(name);
      const routes = Array.from({ length: r.int(1, 5) }, () =>
        r.chance(0.15) ? `K${r.int(1, 99)}路` : `${r.int(1, 299)}路`,
      );
      const minute = r.int(0, 59);
      rows.push([
        `GYBS${String(++seq).padStart(5, '0')}`,
        name,
        county.code,
        r.around(lon, urban ? 0.05 : 0.12, 6).toFixed(6),
        r.around(lat, urban ? 0.04 : 0.1, 6).toFixed(6),
        [...new Set(routes)].join(';'),
        r.chance(urban ? 0.7 : 0.3) ? '是' : '否',
        r.chance(0.4) ? '是' : '否',
        `2026-11-${String(r.int(1, 18)).padStart(2, '0')} ${String(r.int(6, 22)).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`,
      ]);
    }
  }
  // The mistakes, spread through the file at fixed places.
  const at = (k: number) => rows[Math.floor(((k * 37) % 97) * (rows.length / 97))];
  let k = 0;
  for (let i = 0; i < BUS_STOP_DEFECTS.swappedCoordinates; i++) {
    const row = at(++k);
    [row[3], row[4]] = [row[4], row[3]];
  }
  for (let i = 0; i < BUS_STOP_DEFECTS.missingStopId; i++) at(++k)[0] = '';
  for (let i = 0; i < BUS_STOP_DEFECTS.duplicateStopId; i++) {
    const row = at(++k);
    const earlier = rows[rows.indexOf(row) - 3];
    row[0] = earlier[0];
  }
  for (let i = 0; i < BUS_STOP_DEFECTS.unreadableTimestamp; i++) {
    const row = at(++k);
    row[8] = row[8].replace(/^(\d+)-(\d+)-(\d+) 0?(\d+):(\d+):00$/, '$1/$2/$3 $4:$5');
  }
  for (let i = 0; i < BUS_STOP_DEFECTS.unquotedComma; i++) {
    const row = at(++k);
    row[1] = `${row[1]}(临时),北行`;
  }
  for (let i = 0; i < BUS_STOP_DEFECTS.badStopId; i++) {
    const row = at(++k);
    row[0] = row[0].replace(/^GYBS(\d)(\d)/, 'GYBS$1O');
  }
  for (const row of rows) lines.push(row.join(','));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// civil_affairs/assistance_payments: monthly UTF-8 CSVs with resident ID numbers, names and mobiles

const PROGRAMS = [
  { name: '城市最低生活保障', amount: [420, 920], urban: true },
  { name: '农村最低生活保障', amount: [280, 560], urban: false },
  { name: '特困人员救助供养', amount: [900, 1350], urban: null },
] as const;
const TEMPORARY = { name: '临时救助', amount: [500, 3000] } as const;

interface Recipient {
  id: string;
  name: string;
  mobile: string;
  county: string;
  township: string;
  program: string;
  amount: number;
}

function recipients(divisions: readonly Division[]): Recipient[] {
  const r = new Random(20260801);
  const out: Recipient[] = [];
  for (const county of divisions.filter((d) => d.level === 'county')) {
    const urban = county.name.endsWith('区');
    const townships = divisions.filter((d) => d.parent === county.code);
    const n = Math.round((urban ? 8 : 16) * (county.parent === '5201' ? 1.5 : 1) * (0.6 + r.next()));
    for (let i = 0; i < n; i++) {
      const pool = PROGRAMS.filter((p) => p.urban === null || p.urban === urban);
      const p = r.chance(0.12) ? PROGRAMS[2] : r.pick(pool.filter((x) => x.urban !== null));
      out.push({
        id: residentId(r, county.code, 1938, 2008),
        name: personName(r),
        mobile: mobile(r),
        county: county.code,
        township: townships.length > 0 ? r.pick(townships).code : '',
        program: p.name,
        amount: r.int(p.amount[0], p.amount[1]),
      });
    }
  }
  return out;
}

/** The payments of one month: most recipients every month, a few leaving and joining, some one-off aid. */
export function paymentsCsv(divisions: readonly Division[], month: 9 | 10): string {
  const all = recipients(divisions);
  const r = new Random(20260900 + month);
  const period = `2026-${String(month).padStart(2, '0')}`;
  const lines = [
    '支付编号,身份证号,姓名,联系电话,所在区县代码,所在乡镇街道代码,救助类别,发放金额,所属期,发放日期',
  ];
  let seq = 0;
  const row = (p: Recipient, program: string, amount: number) => {
    const day = String(r.int(8, 15)).padStart(2, '0');
    lines.push(
      [
        `MZ${period.replace('-', '')}${String(++seq).padStart(6, '0')}`,
        p.id,
        p.name,
        p.mobile,
        p.county,
        p.township,
        program,
        amount.toFixed(2),
        period,
        `${period}-${day}`,
      ].join(','),
    );
  };
  all.forEach((p, i) => {
    // The last twentieth joins in October; every thirtieth left after September.
    if (month === 9 && i >= all.length * 0.95) return;
    if (month === 10 && i % 30 === 7) return;
    row(p, p.program, p.amount);
    if (r.chance(0.04)) row(p, TEMPORARY.name, r.int(TEMPORARY.amount[0], TEMPORARY.amount[1]));
  });
  if (month === 10) {
    // Two typing mistakes, as a clerk makes them: a thousands separator and a program the contract does not know.
    const thousands = lines.findIndex((l, i) => i > 40 && /,\d{4}\.00,/.test(l));
    lines[thousands] = lines[thousands].replace(/,(\d)(\d{3})\.00,/, ',$1，$2.00,');
    lines[thousands + 1] = lines[thousands + 1].replace(/,(城市|农村)最低生活保障,/, ',低保,');
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------

export async function writeExamples(divisions: readonly Division[]): Promise<string[]> {
  const out = (p: string) => join(EXAMPLES_DIR, p);
  const files = {
    divisions: 'statistics/divisions/divisions-guizhou-2024.csv',
    clinics: 'health/clinics/clinics-2026-11.csv',
    schools: 'education/schools/schools-2026.xlsx',
    busStops: 'transport/bus_stops/bus-stops-guiyang-2026-11.csv',
    september: 'civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
    october: 'civil_affairs/assistance_payments/assistance-payments-2026-10.csv',
  };
  writeFileSync(out(files.divisions), divisionsCsv(divisions));
  writeFileSync(out(files.clinics), clinicsCsv(divisions));
  await schoolsXlsx(divisions, out(files.schools));
  writeFileSync(out(files.busStops), busStopsCsv(divisions));
  writeFileSync(out(files.september), paymentsCsv(divisions, 9));
  writeFileSync(out(files.october), paymentsCsv(divisions, 10));
  return Object.values(files);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { divisions: { type: 'string' } } });
  const divisions = values.divisions ? extractGuizhou(values.divisions) : readDivisions();
  for (const f of await writeExamples(divisions)) process.stdout.write(`wrote examples/${f}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
