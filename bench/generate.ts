/**
 * A seeded, streaming generator of a realistic departmental export: the social-assistance payments
 * (社会救助资金发放明细) of Guizhou's civil-affairs department, as a UTF-8 CSV with the Chinese
 * headers a real export carries, and the dataset contract that maps them.
 *
 * Everything random comes from one mulberry32 stream, so a seed (and the same county list) gives a
 * byte-identical file. About 150 bytes a row: 1,000,000 rows is about 150 MB.
 *
 * CLI: node --import tsx bench/generate.ts <out.csv> [rows=1000000] [seed=52]
 */

import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { type DatasetContract, datasetSchema } from '../src/contracts/schema.ts';
import { residentIdCheckChar } from '../src/privacy/detectors/cn-resident-id.ts';
import { mulberry32 } from '../test/support/random.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, '..');
/** The shared reference data of administrative divisions, beside the repository. */
export const AREAS_CSV = resolve(REPO_ROOT, '../shared/data/divisions/areas.csv');
export const CONTRACT_PATH = resolve(BENCH_DIR, 'civil_affairs/payments.yaml');
export const DEFAULT_SEED = 52;
/** Bumped whenever the bytes a seed produces change, so cached bench files are regenerated. */
export const GENERATOR_VERSION = 1;

/** The export's header row, in file order. The contract maps each to a field. */
export const CSV_HEADERS = [
  '发放编号',
  '姓名',
  '身份证号码',
  '联系电话',
  '区县代码',
  '家庭住址',
  '发放金额（元）',
  '发放日期',
  '救助类别',
  '备注',
] as const;

export const PROGRAMMES = ['城市低保', '农村低保', '特困人员供养', '临时救助'] as const;
export type Programme = (typeof PROGRAMMES)[number];

export interface County {
  code: string;
  name: string;
}

/** Real Guizhou counties, used when the shared areas.csv is not beside the repository. */
export const BUILT_IN_COUNTIES: readonly County[] = [
  { code: '520102', name: '南明区' },
  { code: '520103', name: '云岩区' },
  { code: '520111', name: '花溪区' },
  { code: '520181', name: '清镇市' },
  { code: '520201', name: '钟山区' },
  { code: '520302', name: '红花岗区' },
  { code: '520402', name: '西秀区' },
  { code: '520502', name: '七星关区' },
  { code: '520526', name: '威宁彝族回族苗族自治县' },
  { code: '520602', name: '碧江区' },
  { code: '522301', name: '兴义市' },
  { code: '522601', name: '凯里市' },
  { code: '522631', name: '黎平县' },
  { code: '522701', name: '都匀市' },
  { code: '522732', name: '三都水族自治县' },
];

export interface CountyList {
  counties: readonly County[];
  source: 'areas.csv' | 'built-in';
}

/** Splits one line of a simple CSV (quoted fields, doubled quotes, no embedded newlines). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      out.push(value);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end === -1 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

/** Guizhou's counties (provinceCode 52) from the shared areas.csv, or the built-in list if it is absent. */
export function loadGuizhouCounties(path: string = AREAS_CSV): CountyList {
  if (!existsSync(path)) return { counties: BUILT_IN_COUNTIES, source: 'built-in' };
  const lines = readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  const code = header.indexOf('code');
  const name = header.indexOf('name');
  const province = header.indexOf('provinceCode');
  if (code < 0 || name < 0 || province < 0) {
    throw new Error(`${path}: expected columns code, name, provinceCode; found ${header.join(', ')}`);
  }
  const counties: County[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const cells = splitCsvLine(line);
    if (cells[province] === '52' && /^52\d{4}$/.test(cells[code] ?? '')) {
      counties.push({ code: cells[code] as string, name: cells[name] as string });
    }
  }
  if (counties.length === 0) throw new Error(`${path}: no rows with provinceCode 52`);
  return { counties, source: 'areas.csv' };
}

export function isValidResidentId(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && residentIdCheckChar(id.slice(0, 17)) === id[17];
}

// Surnames weighted towards those common in Guizhou (including Miao, Buyi and Dong families).
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊秦邱江薛雷侯龙陶黎贺顾毛龚邵严覃莫向汤岑文令',
  ...'杨吴龙罗王张陈李刘石潘韦',
  '欧阳',
  '司马',
];
const MALE_GIVEN = [
  ...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁林峰建国文志海永俊德成龙兵光贵富发荣昌福才祥顺忠',
  '国强',
  '建华',
  '志明',
  '永福',
  '德贵',
  '光荣',
  '家富',
  '正华',
  '应祥',
  '开明',
];
const FEMALE_GIVEN = [
  ...'芳娜敏静丽艳娟霞燕玲兰萍红梅琴云莲凤洁琳倩婷雪慧英珍',
  '秀英',
  '桂英',
  '玉兰',
  '桂芬',
  '秀珍',
  '春燕',
  '小红',
  '德芬',
  '金花',
  '阿妹',
];
const ROADS = [
  '中华',
  '延安',
  '人民',
  '解放',
  '文化',
  '建设',
  '民族',
  '新华',
  '团结',
  '幸福',
  '和平',
  '兴关',
  '宝山',
  '北京',
  '遵义',
  '滨河',
  '环城',
  '朝阳',
  '光明',
  '育才',
];
const ROAD_SUFFIXES = ['路', '路', '街', '大道', '巷', '北路', '南路', '东路', '西路'];

/** Remarks as clerks type them: ASCII commas (so the field is quoted) and now and then quotes. */
const REMARKS: readonly ((m: number, n: number) => string)[] = [
  () => '按月发放',
  () => '社会化发放',
  () => '分散供养',
  () => '集中供养',
  (m) => `补发${m}月差额`,
  (m, n) => `补发${m}月,${(m % 12) + 1}月差额,共${n}个月`,
  (_, n) => `因病致贫,家庭成员${n}人`,
  (_, n) => `重度残疾,单独施保,家庭成员${n}人`,
  () => '因灾临时救助,乡镇审核,县级审批',
  () => '户籍迁入,新纳入保障',
  () => '银行账户变更,已重新发放',
  (m) => `${m}月动态调整,提标发放`,
];
const QUOTED_REMARKS: readonly string[] = [
  '户主称"已外出务工",待核实',
  '按"一事一议"审批,急难救助',
  '申请人反映"家中无劳动力",入户核查属实',
  '备注"低保边缘户",持续关注',
];

export interface PaymentRecord {
  paymentId: string;
  name: string;
  residentId: string;
  mobile: string;
  countyCode: string;
  address: string;
  amount: string;
  paymentDate: string;
  programme: Programme;
  remark: string;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Payment dates 2023-01-01..2024-12-31, both spellings, precomputed. */
function paymentDates(): { iso: string[]; slash: string[] } {
  const iso: string[] = [];
  const slash: string[] = [];
  for (let y = 2023; y <= 2024; y++) {
    for (let m = 1; m <= 12; m++) {
      for (let d = 1; d <= daysIn(y, m); d++) {
        iso.push(`${y}-${pad2(m)}-${pad2(d)}`);
        slash.push(`${y}/${pad2(m)}/${pad2(d)}`);
      }
    }
  }
  return { iso, slash };
}

/** Amount range in cents by programme (monthly standards; one-off temporary assistance varies widely). */
const AMOUNT_CENTS: Record<Programme, [number, number]> = {
  城市低保: [45_000, 92_000],
  农村低保: [20_000, 65_000],
  特困人员供养: [70_000, 140_000],
  临时救助: [20_000, 600_000],
};

/** The records of a file, in file order: deterministic for a seed and county list. */
export function* paymentRecords(
  rows: number,
  seed: number,
  counties: readonly County[] = loadGuizhouCounties().counties,
): Generator<PaymentRecord> {
  const rng = mulberry32(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const dates = paymentDates();
  let serial = 5_200_000_000 + int(1_000_000);
  for (let i = 0; i < rows; i++) {
    serial += rng() < 0.05 ? 2 + int(3) : 1; // voided numbers leave gaps
    const county = pick(counties);

    const year = 1935 + int(78);
    const month = 1 + int(12);
    const day = 1 + int(daysIn(year, month));
    const male = rng() < 0.5;
    const seq = int(500) * 2 + (male ? 1 : 0);
    const first17 = `${county.code}${year}${pad2(month)}${pad2(day)}${String(seq).padStart(3, '0')}`;

    const name = pick(SURNAMES) + pick(male ? MALE_GIVEN : FEMALE_GIVEN);
    const mobile = rng() < 0.02 ? '' : `1${3 + int(7)}${String(int(1_000_000_000)).padStart(9, '0')}`;
    let address = `${county.name}${pick(ROADS)}${pick(ROAD_SUFFIXES)}${1 + int(300)}号`;
    if (rng() < 0.6) address += `${1 + int(20)}栋${1 + int(4)}单元${1 + int(18)}0${1 + int(6)}`;

    const r = rng();
    const programme: Programme =
      r < 0.35 ? '城市低保' : r < 0.75 ? '农村低保' : r < 0.88 ? '特困人员供养' : '临时救助';
    const [lo, hi] = AMOUNT_CENTS[programme];
    const cents = lo + int(hi - lo);
    const amount = `${Math.floor(cents / 100)}.${pad2(cents % 100)}`;

    const dateIndex = int(dates.iso.length);
    const paymentDate = rng() < 0.1 ? (dates.slash[dateIndex] as string) : (dates.iso[dateIndex] as string);

    const q = rng();
    const remark = q < 0.3 ? '' : q < 0.98 ? pick(REMARKS)(1 + int(12), 1 + int(6)) : pick(QUOTED_REMARKS);

    yield {
      paymentId: `MZ${serial}`,
      name,
      residentId: first17 + residentIdCheckChar(first17),
      mobile,
      countyCode: county.code,
      address,
      amount,
      paymentDate,
      programme,
      remark,
    };
  }
}

/** RFC 4180 quoting: only fields with a comma, quote or line break are quoted. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(r: PaymentRecord): string {
  return `${r.paymentId},${r.name},${r.residentId},${r.mobile},${r.countyCode},${csvField(r.address)},${r.amount},${r.paymentDate},${r.programme},${csvField(r.remark)}\n`;
}

export interface GeneratedFile {
  path: string;
  rows: number;
  seed: number;
  bytes: number;
  generatorVersion: number;
  countiesSource: CountyList['source'];
}

/**
 * Writes `rows` payment records to `path` through a write stream, in chunks of a few hundred KB,
 * waiting for 'drain' whenever the stream's buffer is full.
 */
export async function generateCsv(
  path: string,
  rows: number,
  seed: number = DEFAULT_SEED,
  countyList: CountyList = loadGuizhouCounties(),
): Promise<GeneratedFile> {
  const out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write(`${CSV_HEADERS.join(',')}\n`);
  let chunk = '';
  let inChunk = 0;
  for (const record of paymentRecords(rows, seed, countyList.counties)) {
    chunk += csvLine(record);
    if (++inChunk === 2048) {
      await write(chunk);
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) await write(chunk);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return {
    path,
    rows,
    seed,
    bytes: out.bytesWritten,
    generatorVersion: GENERATOR_VERSION,
    countiesSource: countyList.source,
  };
}

/** The contract of the generated file: bench/civil_affairs/payments.yaml, validated. */
export function loadPaymentsContract(path: string = CONTRACT_PATH): DatasetContract {
  return datasetSchema.parse(parseYaml(readFileSync(path, 'utf8')));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, rows = '1000000', seed = String(DEFAULT_SEED)] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node --import tsx bench/generate.ts <out.csv> [rows] [seed]');
    process.exit(2);
  }
  const started = performance.now();
  const file = await generateCsv(out, Number(rows), Number(seed));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${file.path}: ${file.rows} rows, ${file.bytes} bytes (${(file.bytes / file.rows).toFixed(1)} B/row), ` +
      `seed ${file.seed}, counties from ${file.countiesSource}, ${seconds.toFixed(1)} s`,
  );
}
