/**
 * Files as government offices send them, written for the `contract infer` tests: a workbook with a title
 * row, merged cells, a totals row and a footnote, numbers as text with `,` `￥` `%` and full-width digits,
 * and dates as day numbers; the same table as a GB18030 CSV exported from it; and a JSON document that
 * wraps its records under data.list.
 */
import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export const OFFICE_HEADERS = [
  '市州',
  '学校标识码',
  '学校名称',
  '办学类型',
  '在校生数',
  '经费',
  '生均占比',
  '统计日期',
  '区划代码',
];
const CITIES = [
  ['贵阳市', '520102'],
  ['遵义市', '520302'],
  ['安顺市', '520402'],
] as const;
export const OFFICE_ROWS_PER_CITY = 10;
/** 2026-06-30 in the 1900 date system. */
const DAY = 46203;

const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** One data row per school: the city (blank below its first school when `merged`), then the values as text. */
function schoolRows(merged: boolean): (string | number)[][] {
  const rows: (string | number)[][] = [];
  CITIES.forEach(([city, code], c) => {
    for (let k = 0; k < OFFICE_ROWS_PER_CITY; k++) {
      const n = c * OFFICE_ROWS_PER_CITY + k;
      const students = 600 + n * 2731;
      const students_text = n % 7 === 3 ? fullWidth(String(students)) : students.toLocaleString('en-US');
      rows.push([
        merged && k > 0 ? '' : city,
        String(3152000001 + n),
        `第${n + 1}中学`,
        k % 2 === 0 ? '公办' : '民办',
        students_text,
        `￥${(students * 9.7 + 0.39).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
        `${(10 + n * 0.7).toFixed(1)}%`,
        DAY + n,
        String(Number(code) + k),
      ]);
    }
  });
  return rows;
}

const TITLE = '贵州省2026年学校经费统计表';
const FOOTNOTE = '注：数据来源于2026年教育统计年报。';

/** The workbook: title merged across, the header on row 3, cities merged down, totals and a footnote. */
export async function writeOfficeWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学校经费');
  const width = OFFICE_HEADERS.length;
  ws.addRow([TITLE]);
  ws.mergeCells(1, 1, 1, width);
  ws.addRow([]);
  ws.addRow(OFFICE_HEADERS);
  const rows = schoolRows(false);
  for (const r of rows) {
    const row = ws.addRow(r);
    // Half of the dates are date-formatted cells, half bare day numbers, as offices mix them.
    if (Number(r[7]) % 2 === 0) row.getCell(8).numFmt = 'yyyy"年"m"月"d"日"';
  }
  for (let c = 0; c < CITIES.length; c++) {
    const top = 4 + c * OFFICE_ROWS_PER_CITY;
    ws.mergeCells(top, 1, top + OFFICE_ROWS_PER_CITY - 1, 1);
  }
  const totalRow = 4 + rows.length;
  ws.addRow(['合计', '', '', '', '99,999', '￥1,000,000.00', '', '', '']);
  ws.mergeCells(totalRow, 1, totalRow, 4);
  ws.addRow([FOOTNOTE]);
  ws.mergeCells(totalRow + 1, 1, totalRow + 1, width);
  await writeFile(path, Buffer.from(await wb.xlsx.writeBuffer()));
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The same table as Excel exports it to CSV in GB18030: merged cells blank, dates as text, CRLF. */
export async function writeOfficeCsv(path: string): Promise<void> {
  const dateText = (day: number) => {
    const d = new Date(Date.UTC(1899, 11, 30) + day * 86_400_000);
    return `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
  };
  const comma = ','.repeat(OFFICE_HEADERS.length - 1);
  const lines = [
    `${TITLE}${comma}`,
    OFFICE_HEADERS.join(','),
    ...schoolRows(true).map((r) => r.map((v, i) => csvCell(i === 7 ? dateText(Number(v)) : v)).join(',')),
    ['合计', '', '', '', '"99,999"', '"￥1,000,000.00"', '', '', ''].join(','),
    FOOTNOTE,
  ];
  await writeFile(path, iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030'));
}

/** A JSON document wrapping its records (keys in no sorted order, a list value in each) under data.list. */
export async function writeWrappedJson(path: string): Promise<void> {
  const list = schoolRows(false).map((r, n) => ({
    school_id: r[1],
    name: r[2],
    students: Number(
      String(r[4])
        .replace(/,/g, '')
        .replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)),
    ),
    city: r[0],
    tags: n % 2 === 0 ? ['寄宿'] : ['走读'],
    updated: '2026-06-30',
  }));
  await writeFile(
    path,
    JSON.stringify({ code: 0, msg: '成功', data: { total: list.length, list } }, null, 2),
  );
}
