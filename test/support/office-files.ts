/**
 * Generated files as government offices send them, with the facts a test checks them against: which
 * rows the engine should accept, reject and skip, and the exact sums (in cents) of the money columns.
 *
 * One set of records (cities, counties, institutions, funds, shares, beds, dates), seeded, written as:
 * an xlsx with title rows, a two-row header with merged group cells, the city merged down its rows, a
 * totals row and a footnote; numbers as text with `,`, `￥`, `元`, `%` and full-width digits; dates as
 * the sheet's day numbers and as date cells; a GB18030 CSV of the same; and a government API's wrapped
 * JSON with nested objects.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export interface OfficeRecord {
  city: string;
  county: string;
  code: string;
  /** Money, in cents (exact). */
  allocatedCents: number;
  selfRaisedCents: number;
  /** Share in tenths of a percent (125 = 12.5%). */
  sharePermille: number;
  beds: number;
  /** ISO date. */
  registered: string;
  /** Why the engine must reject the row, or null for a good row. */
  bad: null | 'scale' | 'beds';
  /** A contact's mobile number (personal data; JSON only). */
  phone: string;
}

const CITIES = ['贵阳市', '遵义市', '六盘水市', '安顺市'];
const COUNTIES = ['南明区', '云岩区', '花溪区', '乌当区', '白云区', '观山湖区', '红花岗区'];
export const TITLE = '贵州省2026年基层医疗机构资金统计表';
export const FILLED_BY = '填报单位：贵州省财政厅';
export const FOOTNOTE = '注：金额单位为元。';
/** The day number of 1899-12-30, day 0 of a sheet's 1900 date system, in days since 1970-01-01. */
const SHEET_EPOCH_DAYS = -25_569;

/** A small seeded generator (mulberry32), so every run writes the same files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The records: `perCity[i]` rows of city i; every seventh row is bad in one way or another. */
export function officeRecords(seed: number, perCity: readonly number[]): OfficeRecord[] {
  const next = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const records: OfficeRecord[] = [];
  perCity.forEach((n, c) => {
    for (let k = 0; k < n; k++) {
      const i = records.length;
      const day = Date.UTC(2025, 0, 1) / 86_400_000 + int(0, 600);
      records.push({
        city: CITIES[c % CITIES.length],
        county: COUNTIES[int(0, COUNTIES.length - 1)],
        code: `GZ${String(100_000 + i)}`,
        allocatedCents: int(100, 9_999_999),
        selfRaisedCents: int(0, 500_000),
        sharePermille: int(0, 1000),
        beds: int(0, 3000),
        registered: new Date(day * 86_400_000).toISOString().slice(0, 10),
        bad: i % 7 === 3 ? 'scale' : i % 7 === 5 ? 'beds' : null,
        phone: `13${String(800_000_000 + int(0, 99_999_999)).padStart(9, '0')}`,
      });
    }
  });
  return records;
}

/** Digits as full-width forms: `1234` → `１２３４`. */
export function fullWidth(text: string): string {
  return text.replace(/[0-9.,]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
}

/** `1234567` → `1,234,567`. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Cents as `12,345.60`. */
export function yuan(cents: number): string {
  return `${grouped(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
}

/** Money as an office writes it, in one of several spellings (by `i`); a `scale` row has a third decimal. */
function moneyText(cents: number, i: number, bad: boolean): string {
  const text = bad ? `${yuan(cents)}5` : yuan(cents);
  switch (i % 4) {
    case 0:
      return `￥${text}`;
    case 1:
      return `${text}元`;
    case 2:
      return fullWidth(text);
    default:
      return text.replaceAll(',', '');
  }
}

function bedsText(r: OfficeRecord, i: number): string {
  if (r.bad === 'beds') return '不详';
  return i % 3 === 0 ? fullWidth(String(r.beds)) : grouped(r.beds);
}

function shareText(r: OfficeRecord): string {
  return `${r.sharePermille / 10}%`;
}

/** What the engine should make of the records. */
export function expected(records: readonly OfficeRecord[]) {
  const good = records.filter((r) => r.bad === null);
  return {
    accepted: good.length,
    rejected: records.length - good.length,
    allocatedCents: good.reduce((s, r) => s + r.allocatedCents, 0),
    selfRaisedCents: good.reduce((s, r) => s + r.selfRaisedCents, 0),
    beds: good.reduce((s, r) => s + r.beds, 0),
  };
}

/** Cents as the exact decimal text DuckDB shows a DECIMAL(p,2): `1234.50`. */
export function decimalText(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

export const HEADER_TOP = ['市州', '区县', '机构编码', '资金（元）', '', '占比', '床位数', '登记日期'];
export const HEADER_SUB = ['', '', '', '拨付', '自筹', '', '', ''];

/**
 * The workbook: title rows 1-2 (merged across), a header on rows 3-4 (`资金（元）` merged over 拨付 and
 * 自筹, the other header cells merged down both rows), the data from row 5 with each city merged down its
 * rows, a 合计 row (merged over A:C) and a footnote. Returns the file and the cells its merges fill.
 */
export async function officeWorkbook(
  records: readonly OfficeRecord[],
): Promise<{ body: Buffer; filled: number }> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('资金');
  ws.addRow([TITLE]);
  ws.addRow([FILLED_BY]);
  ws.addRow(HEADER_TOP.map((c) => c || null));
  ws.addRow(HEADER_SUB.map((c) => c || null));
  ws.mergeCells('A1:H1');
  ws.mergeCells('A2:H2');
  for (const col of ['A', 'B', 'C', 'F', 'G', 'H']) ws.mergeCells(`${col}3:${col}4`);
  ws.mergeCells('D3:E3');
  let filled = 6 + 1;
  records.forEach((r, i) => {
    const row = ws.addRow([
      null,
      r.county,
      r.code,
      // Every fifth amount is a number cell, as typed; the others are text as pasted from a system.
      i % 5 === 4 && r.bad !== 'scale'
        ? r.allocatedCents / 100
        : moneyText(r.allocatedCents, i, r.bad === 'scale'),
      moneyText(r.selfRaisedCents, i + 1, false),
      shareText(r),
      bedsText(r, i),
      // Dates: a date cell, or a bare day number as a system's export leaves it.
      i % 2 === 0
        ? new Date(`${r.registered}T00:00:00Z`)
        : Date.parse(r.registered) / 86_400_000 - SHEET_EPOCH_DAYS,
    ]);
    if (i % 2 === 0) row.getCell(8).numFmt = 'yyyy-mm-dd';
  });
  // Each city's name in the first of its rows, merged down them.
  let start = 0;
  for (let i = 1; i <= records.length; i++) {
    if (i === records.length || records[i].city !== records[start].city) {
      ws.getCell(5 + start, 1).value = records[start].city;
      if (i - start > 1) {
        ws.mergeCells(5 + start, 1, 5 + i - 1, 1);
        filled += i - start - 1;
      }
      start = i;
    }
  }
  const all = {
    allocated: records.reduce((s, r) => s + r.allocatedCents, 0),
    self: records.reduce((s, r) => s + r.selfRaisedCents, 0),
  };
  const total = ws.addRow(['合计', null, null, `￥${yuan(all.allocated)}`, `￥${yuan(all.self)}`]);
  ws.mergeCells(total.number, 1, total.number, 3);
  filled += 2;
  const note = ws.addRow([FOOTNOTE]);
  ws.mergeCells(note.number, 1, note.number, 8);
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), filled };
}

/** The same records as a GB18030 CSV: a title row, one header row, the data, a 合计 row and a footnote. */
export function officeCsv(records: readonly OfficeRecord[]): Buffer {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [
    TITLE,
    ['市州', '区县', '机构编码', '拨付', '自筹', '占比', '床位数', '登记日期'].join(','),
    ...records.map((r, i) =>
      [
        r.city,
        r.county,
        r.code,
        moneyText(r.allocatedCents, i, r.bad === 'scale'),
        moneyText(r.selfRaisedCents, i + 1, false),
        shareText(r),
        bedsText(r, i),
        i % 2 === 0
          ? r.registered
          : `${r.registered.slice(0, 4)}年${r.registered.slice(5, 7)}月${r.registered.slice(8)}日`,
      ]
        .map(q)
        .join(','),
    ),
    ['合计', '', '', q(`￥${yuan(records.reduce((s, r) => s + r.allocatedCents, 0))}`)].join(','),
    FOOTNOTE,
  ];
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030');
}

/**
 * A government API's answer: `{"code": 0, "msg": "成功", "data": {"total": n, "list": [...]}}`, each
 * record with nested `org`, `funds` and `contact` objects (the contact holds a mobile number).
 */
export function officeJson(records: readonly OfficeRecord[]): string {
  const list = records.map((r, i) => ({
    city: r.city,
    org: { code: r.code, county: r.county },
    funds: {
      allocated: moneyText(r.allocatedCents, i, r.bad === 'scale'),
      selfRaised: r.selfRaisedCents / 100,
    },
    beds: r.bad === 'beds' ? '不详' : r.beds,
    contact: { person: '联系人', phone: r.phone },
  }));
  return JSON.stringify({ code: 0, msg: '成功', data: { total: list.length, list } });
}
