import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../src/engine/errors.ts';
import { xlsxToCsv } from '../../src/engine/xlsx.ts';
import { zipOf } from '../support/zip.ts';

let dir: string;
let seq = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-xlsx-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tempPath(ext: string): string {
  seq += 1;
  return join(dir, `f${seq}.${ext}`);
}

async function saveWorkbook(build: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  const path = tempPath('xlsx');
  // Written from a buffer: exceljs's writeFile can resolve before the file's last bytes (the workbook
  // part, which it writes last) are on disk.
  await writeFile(path, Buffer.from(await wb.xlsx.writeBuffer()));
  return path;
}

async function convert(path: string, sheet?: string) {
  const out = tempPath('csv');
  const conv = await xlsxToCsv(path, out, sheet === undefined ? {} : { sheet });
  return { conv, out, text: await readFile(out, 'utf8') };
}

async function rejection(path: string, sheet?: string): Promise<FileRejectedError> {
  const started = Date.now();
  const e = await xlsxToCsv(path, tempPath('csv'), sheet === undefined ? {} : { sheet }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(e).toBeInstanceOf(FileRejectedError);
  return e as FileRejectedError;
}

/** The CSV as DuckDB reads it: column names and rows of strings (an empty field reads as null). */
async function readCsv(path: string): Promise<{ columns: string[]; rows: (string | null)[][] }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const lit = `'${path.replaceAll("'", "''")}'`;
    const r = await c.runAndReadAll(
      `SELECT * FROM read_csv(${lit}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
    );
    return {
      columns: r.columnNames(),
      rows: r.getRows().map((row) => row.map((v) => (v === null ? null : String(v)))),
    };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

async function saveZip(files: [string, string][]): Promise<string> {
  const path = tempPath('xlsx');
  await writeFile(path, zipOf(files));
  return path;
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

function relsXml(rels: [string, string, string][]): string {
  const items = rels
    .map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`)
    .join('');
  return `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items}</Relationships>`;
}

function sheetXml(rows: string): string {
  return `${XML}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>${rows}</sheetData></worksheet>`;
}

/**
 * A workbook written by hand, the way other spreadsheet programs write them: tab order differs from
 * part order, one relationship target is absolute, CJK built-in date formats are cited by id only,
 * strings carry `_xHHHH_` escapes.
 */
type PartOrder = 'sheets-first' | 'sheets-last' | 'workbook-last';

function handWrittenWorkbook(order: PartOrder, date1904 = false): [string, string][] {
  const types = `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`;
  const rootRels = relsXml([['rId1', 'officeDocument', 'xl/workbook.xml']]);
  const workbook = `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr${date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="说明" sheetId="1" r:id="rId2"/><sheet name="数据" sheetId="2" r:id="rId1"/></sheets></workbook>`;
  const workbookRels = relsXml([
    ['rId1', 'worksheet', '/xl/worksheets/sheet2.xml'],
    ['rId2', 'worksheet', 'worksheets/sheet1.xml'],
    ['rId3', 'styles', 'styles.xml'],
    ['rId4', 'sharedStrings', 'sharedStrings.xml'],
  ]);
  const styles = `${XML}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d h:mm"/></numFmts><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="31" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/><xf numFmtId="58" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/><xf numFmtId="20" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;
  const strings = [
    '<si><t>编号</t></si>',
    '<si><t>日期</t></si>',
    '<si><t>月日</t></si>',
    '<si><t>时间</t></si>',
    '<si><t>时刻</t></si>',
    '<si><t>文本</t></si>',
    '<si><t>公式</t></si>',
    '<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si>',
    '<si><t>第一行_x000D_\n第二行</t></si>',
    '<si><t>_x005F_x0041_ 保留</t></si>',
    '<si><t xml:space="preserve"> 前后空格 </t></si>',
  ];
  const sharedStrings = `${XML}<sst xmlns="${MAIN}" count="${strings.length}" uniqueCount="${strings.length}">${strings.join('')}</sst>`;
  const s = (ref: string, i: number) => `<c r="${ref}" t="s"><v>${i}</v></c>`;
  const day = date1904 ? 45306 - 1462 : 45306; // 2024-01-15 in either date system
  const data = sheetXml(
    `<row r="1">${s('A1', 0)}${s('B1', 1)}${s('C1', 2)}${s('D1', 3)}${s('E1', 4)}${s('F1', 5)}${s('G1', 6)}</row>` +
      `<row r="2"><c r="A2"><v>1</v></c><c r="B2" s="1"><v>${day}</v></c><c r="C2" s="2"><v>${day}</v></c><c r="D2" s="3"><v>0.5</v></c><c r="E2" s="4"><v>${day}.75</v></c>${s('F2', 7)}<c r="G2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>` +
      `<row r="4"><c r="A4"><v>2</v></c>${s('F4', 8)}<c r="G4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>` +
      `<row r="5"><c r="A5"><v>3</v></c><c r="F5" t="inlineStr"><is><t>内联文本</t></is></c><c r="G5" s="1"><f>B2+1</f><v>${day + 1}</v></c></row>` +
      `<row r="6"><c r="A6"><v>4</v></c>${s('F6', 9)}<c r="G6" t="e"><v>#N/A</v></c></row>` +
      `<row r="7"><c r="A7"><v>5</v></c>${s('F7', 10)}<c r="G7" t="b"><v>1</v></c></row>`,
  );
  const notes = sheetXml(
    '<row r="1"><c r="A1" t="inlineStr"><is><t>说明</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>本表为测试</t></is></c></row>',
  );
  const head: [string, string][] = [
    ['[Content_Types].xml', types],
    ['_rels/.rels', rootRels],
  ];
  const sheets: [string, string][] = [
    ['xl/worksheets/sheet2.xml', data],
    ['xl/worksheets/sheet1.xml', notes],
  ];
  const book: [string, string] = ['xl/workbook.xml', workbook];
  const parts: [string, string][] = [
    ['xl/_rels/workbook.xml.rels', workbookRels],
    ['xl/styles.xml', styles],
    ['xl/sharedStrings.xml', sharedStrings],
  ];
  if (order === 'sheets-first') return [...head, ...sheets, book, ...parts];
  if (order === 'sheets-last') return [...head, book, ...parts, ...sheets];
  return [...head, ...parts, ...sheets, book];
}

describe('xlsxToCsv: values', () => {
  it('writes Chinese text, numbers, dates, booleans, formula results, rich text and hyperlinks', async () => {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('门诊');
      ws.addRow(['编号', ' 名称 ', '金额', '日期', '时间', '有效', '合计', '备注', '链接', '错误']);
      ws.addRow([
        1,
        '济南市第一人民医院',
        0.1 + 0.2,
        new Date(Date.UTC(2024, 0, 15)),
        new Date(Date.UTC(2024, 0, 15, 8, 30, 5)),
        true,
        { formula: 'A2*2', result: 2 },
        { richText: [{ text: '红色' }, { font: { bold: true }, text: '加粗' }] },
        { text: '官网', hyperlink: 'https://example.org' },
        { error: '#N/A' },
      ]);
      ws.addRow([123456789012345, '青岛', -12.5, null, null, false, { formula: 'A3*2' }, '普通']);
    });
    const { conv, text } = await convert(path);
    expect(conv).toEqual({ sheet: '门诊', sheets: ['门诊'], rows: 2, columns: 10 });
    expect(text).toBe(
      '__line,编号,名称,金额,日期,时间,有效,合计,备注,链接,错误\n' +
        '2,1,济南市第一人民医院,0.30000000000000004,2024-01-15,2024-01-15 08:30:05,true,2,红色加粗,官网,\n' +
        '3,123456789012345,青岛,-12.5,,,false,,普通,,\n',
    );
  });

  it('writes numbers as their shortest round-trip decimal', async () => {
    // An 18-digit ID typed as a number keeps only what a double holds, as in the spreadsheet.
    const values = [2 ** 53 - 1, Number('110105199003071234'), 1e21, 1.5e-7, -0, 0.1 + 0.7, 1234.5];
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('数');
      ws.addRow(['值']);
      for (const v of values) ws.addRow([v]);
    });
    const { text } = await convert(path);
    expect(text.split('\n').slice(1, -1)).toEqual([
      '2,9007199254740991',
      '3,110105199003071230',
      '4,1e+21',
      '5,1.5e-7',
      '6,0',
      '7,0.7999999999999999',
      '8,1234.5',
    ]);
  });

  it('round-trips commas, quotes and line breaks through DuckDB', async () => {
    const tricky = ['a,b', 'say "hi"', '"', 'line1\nline2', '多行\n文本,含逗号', '  spaced  ', 'plain'];
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['名称,含逗号', '值 "引号"']);
      tricky.forEach((v, i) => {
        ws.addRow([v, i]);
      });
    });
    const { out, text } = await convert(path);
    expect(text.startsWith('__line,"名称,含逗号","值 ""引号"""\n')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.includes('\r')).toBe(false);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const csv = await readCsv(out);
    expect(csv.columns).toEqual(['__line', '名称,含逗号', '值 "引号"']);
    expect(csv.rows).toEqual(tricky.map((v, i) => [String(i + 2), v, String(i)]));
  });
});

describe('xlsxToCsv: rows', () => {
  it('takes the first non-blank row as the header and skips blank rows, keeping sheet row numbers', async () => {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('统计');
      ws.getCell('A1').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
      ws.getRow(3).values = ['地区', '人数'];
      ws.getRow(4).values = ['济南', 10];
      ws.getRow(6).values = ['', '   '];
      ws.getCell('C7').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
      ws.getRow(8).values = ['青岛', 20];
      ws.getRow(10).values = [null, 30];
      ws.getRow(12).values = ['烟台', 0];
    });
    const { conv, out, text } = await convert(path);
    expect(conv).toMatchObject({ rows: 4, columns: 2 });
    expect(text).toBe('__line,地区,人数\n4,济南,10\n8,青岛,20\n10,,30\n12,烟台,0\n');
    const csv = await readCsv(out);
    expect(csv.rows.map((r) => r[0])).toEqual(['4', '8', '10', '12']);
  });

  it('pads short rows to the header and keeps the extra cells of long rows, so the row reads as ragged', async () => {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['a', 'b', 'c']);
      ws.addRow([1]);
      ws.addRow([1, 2, 3, 4, null, 6]);
      ws.addRow([1, null, 3]);
    });
    const { conv, text } = await convert(path);
    expect(conv).toMatchObject({ rows: 3, columns: 3 });
    expect(text).toBe('__line,a,b,c\n2,1,,\n3,1,2,3,4,,6\n4,1,,3\n');
  });

  it('rejects a sheet with no data as empty', async () => {
    const path = await saveWorkbook((wb) => {
      wb.addWorksheet('数据');
      wb.addWorksheet('空白').getCell('B2').value = '   ';
    });
    for (const sheet of ['数据', '空白']) {
      const e = await rejection(path, sheet);
      expect(e.rule).toBe('empty');
      expect(e.message).toMatch(new RegExp(`^sheet "${sheet}" is empty: `));
    }
  });

  it('converts a 50,000-row sheet', async () => {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('明细');
      ws.addRow(['序号', '单位名称', '金额']);
      for (let i = 1; i <= 50_000; i++) ws.addRow([i, `山东省济南市历下区第${i}号卫生服务站`, i / 4]);
    });
    const { conv, out, text } = await convert(path);
    expect(conv).toEqual({ sheet: '明细', sheets: ['明细'], rows: 50_000, columns: 3 });
    expect(text.includes('\uFFFD')).toBe(false);
    const lines = text.split('\n');
    expect(lines[1]).toBe('2,1,山东省济南市历下区第1号卫生服务站,0.25');
    expect(lines[50_000]).toBe('50001,50000,山东省济南市历下区第50000号卫生服务站,12500');
    const csv = await readCsv(out);
    expect(csv.rows.length).toBe(50_000);
  });

  it('keeps multi-byte characters whole in a large sheet with inline strings', async () => {
    const path = tempPath('xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false });
    const ws = writer.addWorksheet('明细');
    ws.addRow(['名称']).commit();
    for (let i = 0; i < 20_000; i++) ws.addRow([`中文内容${i}测试数据`]).commit();
    await ws.commit();
    await writer.commit();
    const { conv, text } = await convert(path);
    expect(conv.rows).toBe(20_000);
    expect(text.includes('\uFFFD')).toBe(false);
    expect(text.split('\n')[20_000]).toBe('20001,中文内容19999测试数据');
  });
});

describe('xlsxToCsv: sheets', () => {
  // Tab order 丙, 甲, 乙 while the parts are sheet3.xml, sheet1.xml, sheet2.xml.
  const threeSheets = () =>
    saveWorkbook((wb) => {
      const a = wb.addWorksheet('甲');
      a.addRow(['名']);
      a.addRow(['甲1']);
      const b = wb.addWorksheet('乙');
      b.addRow(['名']);
      b.addRow(['乙1']);
      b.addRow(['乙2']);
      const c = wb.addWorksheet('丙');
      c.addRow(['名', '值']);
      c.addRow(['丙1', 3]);
      // exceljs writes the tabs by orderNo (not in its typings) and the parts by creation order.
      for (const [ws, order] of [
        [c, 0],
        [a, 1],
        [b, 2],
      ] as const) {
        (ws as ExcelJS.Worksheet & { orderNo: number }).orderNo = order;
      }
    });

  it('converts the first sheet in tab order by default', async () => {
    const { conv, text } = await convert(await threeSheets());
    expect(conv).toEqual({ sheet: '丙', sheets: ['丙', '甲', '乙'], rows: 1, columns: 2 });
    expect(text).toBe('__line,名,值\n2,丙1,3\n');
  });

  it('converts the sheet named in the options', async () => {
    const path = await threeSheets();
    const b = await convert(path, '乙');
    expect(b.conv).toEqual({ sheet: '乙', sheets: ['丙', '甲', '乙'], rows: 2, columns: 1 });
    expect(b.text).toBe('__line,名\n2,乙1\n3,乙2\n');
    const a = await convert(path, '甲');
    expect(a.text).toBe('__line,名\n2,甲1\n');
  });

  it('skips hidden sheets and chart sheets when choosing the first sheet', async () => {
    const hidden = await saveWorkbook((wb) => {
      const lookup = wb.addWorksheet('代码表');
      lookup.addRow(['代码']);
      lookup.state = 'hidden';
      wb.addWorksheet('数据').addRow(['名称']);
    });
    expect((await convert(hidden)).conv).toMatchObject({ sheet: '数据', sheets: ['代码表', '数据'] });
    expect((await convert(hidden, '代码表')).text).toBe('__line,代码\n');

    const workbook = `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="图表" sheetId="1" r:id="rId1"/><sheet name="数据" sheetId="2" r:id="rId2"/></sheets></workbook>`;
    const charted = await saveZip([
      ['xl/workbook.xml', workbook],
      [
        'xl/_rels/workbook.xml.rels',
        relsXml([
          ['rId1', 'chartsheet', 'chartsheets/sheet1.xml'],
          ['rId2', 'worksheet', 'worksheets/sheet1.xml'],
        ]),
      ],
      ['xl/chartsheets/sheet1.xml', `${XML}<chartsheet xmlns="${MAIN}"/>`],
      ['xl/worksheets/sheet1.xml', sheetXml('<row r="1"><c r="A1"><v>7</v></c></row>')],
    ]);
    expect((await convert(charted)).conv).toEqual({
      sheet: '数据',
      sheets: ['图表', '数据'],
      rows: 0,
      columns: 1,
    });
    const e = await rejection(charted, '图表');
    expect(e.rule).toBe('sheet');
    expect(e.message).toMatch(/^sheet "图表" has no cells to read .*set format\.sheet in the contract/);
  });

  it('rejects a sheet name the workbook does not have, listing the sheets', async () => {
    const e = await rejection(await threeSheets(), '丁');
    expect(e.rule).toBe('sheet');
    expect(e.message).toBe(
      'sheet "丁" not found; the workbook has: 丙, 甲, 乙; set format.sheet in the contract',
    );
  });
});

/** Sheet "数据" of handWrittenWorkbook, as CSV. */
const HAND_WRITTEN_CSV =
  '__line,编号,日期,月日,时间,时刻,文本,公式\n' +
  '2,1,2024-01-15,2024-01-15,12:00:00,2024-01-15 18:00:00,富文本,ab\n' +
  '4,2,,,,,"第一行\r\n第二行",\n' +
  '5,3,,,,,内联文本,2024-01-16\n' +
  '6,4,,,,,_x0041_ 保留,\n' +
  '7,5,,,,, 前后空格 ,true\n';

describe('xlsxToCsv: workbooks from other programs', () => {
  const expected = HAND_WRITTEN_CSV;

  it.each(['sheets-first', 'sheets-last', 'workbook-last'] as const)(
    'reads a hand-written workbook (%s in the zip)',
    async (order) => {
      const path = await saveZip(handWrittenWorkbook(order));
      const { conv, out, text } = await convert(path, '数据');
      expect(conv).toEqual({ sheet: '数据', sheets: ['说明', '数据'], rows: 5, columns: 7 });
      expect(text).toBe(expected);
      const csv = await readCsv(out);
      expect(csv.rows[1]).toEqual(['4', '2', null, null, null, null, '第一行\r\n第二行', null]);
      const first = await convert(path);
      expect(first.conv.sheet).toBe('说明');
      expect(first.text).toBe('__line,说明\n2,本表为测试\n');
    },
  );

  it('reads dates of the 1904 date system', async () => {
    const path = await saveZip(handWrittenWorkbook('sheets-last', true));
    const { text } = await convert(path, '数据');
    expect(text).toBe(expected);
  });
});

describe('xlsxToCsv: files that are not readable workbooks', () => {
  const message =
    /^the file is not a readable \.xlsx workbook \(.+\): save it from the spreadsheet as \.xlsx, or declare format\.type csv$/;

  async function validWorkbook(): Promise<Buffer> {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['编号', '名称']);
      for (let i = 0; i < 2000; i++) ws.addRow([i, `名称${i}`]);
    });
    return readFile(path);
  }

  async function rejected(bytes: Buffer | string, detail: RegExp): Promise<void> {
    const path = tempPath('xlsx');
    await writeFile(path, bytes);
    const e = await rejection(path);
    expect(e.rule).toBe('format');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(detail);
  }

  it('lets a missing input file fail as an engine error, not as a rejection', async () => {
    const e = await xlsxToCsv(join(dir, 'missing.xlsx'), tempPath('csv')).catch((err: unknown) => err);
    expect(e).not.toBeInstanceOf(FileRejectedError);
    expect((e as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('rejects a CSV file named .xlsx', async () => {
    await rejected('编号,名称\n1,济南\n', /it is not a zip archive/);
  });

  it('rejects an empty file, an HTML table and an old .xls workbook', async () => {
    await rejected(Buffer.alloc(0), /the file is empty/);
    await rejected('<html><body><table><tr><td>1</td></tr></table></body></html>', /HTML or XML/);
    await rejected(Buffer.from('d0cf11e0a1b11ae10000000000000000', 'hex'), /97-2003 \.xls/);
  });

  it('rejects a zip archive of something else', async () => {
    await rejected(
      zipOf([
        ['readme.txt', '不是表格'],
        ['data/a.csv', 'a,b\n1,2\n'],
      ]),
      /without xl\/workbook\.xml/,
    );
    await rejected(zipOf([['word/document.xml', '<w:document/>']]), /Word document/);
  });

  it('rejects a truncated workbook', async () => {
    const bytes = await validWorkbook();
    await rejected(bytes.subarray(0, bytes.length >> 1), /incomplete/);
    await rejected(bytes.subarray(0, bytes.length - 10), /incomplete/);
  });

  it('rejects a workbook whose compressed parts are damaged, without hanging', async () => {
    const bytes = await validWorkbook();
    for (const part of [
      'xl/worksheets/sheet1.xml',
      'xl/sharedStrings.xml',
      'xl/styles.xml',
      'xl/workbook.xml',
    ]) {
      const at = bytes.indexOf(Buffer.from(part, 'utf8'));
      expect(at).toBeGreaterThan(0);
      const header = at - 30;
      const data = at + part.length + bytes.readUInt16LE(header + 28);
      const damaged = Buffer.from(bytes);
      damaged.fill(0xff, data, data + 3);
      await rejected(damaged, new RegExp(`damaged at ${part.replaceAll('.', '\\.')}`));
    }
  });

  it('rejects a workbook whose sheet XML is damaged', async () => {
    const sheet = sheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="2"><c r="A2"',
    );
    const files = handWrittenWorkbook('sheets-last').map(([name, content]): [string, string] =>
      name === 'xl/worksheets/sheet1.xml' ? [name, sheet] : [name, content],
    );
    await rejected(zipOf(files), /the data of sheet "说明" is damaged/);
  });
});

describe('xlsxToCsv: the same result every time', () => {
  const RUNS = 100;

  /** Converts `path` RUNS times, one after the other; returns each run's result or rejection message. */
  async function runs(path: string, sheet?: string): Promise<string[]> {
    const results: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      results.push(
        await convert(path, sheet).then(
          ({ conv, text }) => `${JSON.stringify(conv)}\n${text}`,
          (e: unknown) => `rejected: ${(e as Error).message}`,
        ),
      );
    }
    return results;
  }

  it.each(['sheets-first', 'sheets-last', 'workbook-last'] as const)(
    'reads a hand-written workbook with %s in the zip 100 times out of 100',
    async (order) => {
      const path = await saveZip(handWrittenWorkbook(order));
      const want = `${JSON.stringify({ sheet: '数据', sheets: ['说明', '数据'], rows: 5, columns: 7 })}\n${HAND_WRITTEN_CSV}`;
      expect(await runs(path, '数据')).toEqual(Array(RUNS).fill(want));
      const first = `${JSON.stringify({ sheet: '说明', sheets: ['说明', '数据'], rows: 1, columns: 1 })}\n__line,说明\n2,本表为测试\n`;
      expect(await runs(path)).toEqual(Array(RUNS).fill(first));
    },
  );

  it('reads a workbook exceljs wrote (the workbook part last in the zip) 100 times out of 100', async () => {
    const path = await saveWorkbook((wb) => {
      const ws = wb.addWorksheet('门诊');
      ws.addRow(['编号', '名称', '开业日期']);
      for (let i = 1; i <= 100; i++) ws.addRow([i, `济南市第${i}卫生院`, new Date(Date.UTC(2024, 0, i))]);
      wb.addWorksheet('说明').addRow(['本表为测试']);
    });
    const results = await runs(path);
    const lines = results[0].split('\n');
    expect(lines[0]).toBe(JSON.stringify({ sheet: '门诊', sheets: ['门诊', '说明'], rows: 100, columns: 3 }));
    expect(lines.slice(1, 3)).toEqual(['__line,编号,名称,开业日期', '2,1,济南市第1卫生院,2024-01-01']);
    expect(lines[101]).toBe('101,100,济南市第100卫生院,2024-04-09');
    expect(results).toEqual(Array(RUNS).fill(results[0]));
  });
});

describe('xlsxToCsv: how the parts are written', () => {
  /** A one-sheet workbook: the sheet XML given, no styles, the shared strings given (none when null). */
  function oneSheet(rows: string, strings: string[] | null = null, prefix = ''): [string, string][] {
    const p = prefix ? `${prefix}:` : '';
    const ns = prefix ? `xmlns:${prefix}="${MAIN}"` : `xmlns="${MAIN}"`;
    const files: [string, string][] = [
      [
        'xl/workbook.xml',
        `${XML}<${p}workbook ${ns} xmlns:rel="${REL}"><${p}sheets><${p}sheet name="表" sheetId="1" rel:id="rId1"/></${p}sheets></${p}workbook>`,
      ],
      [
        'xl/_rels/workbook.xml.rels',
        relsXml([
          ['rId1', 'worksheet', 'worksheets/sheet1.xml'],
          ['rId2', 'sharedStrings', 'sharedStrings.xml'],
        ]),
      ],
      [
        'xl/worksheets/sheet1.xml',
        `${XML}<${p}worksheet ${ns}><${p}sheetData>${rows}</${p}sheetData></${p}worksheet>`,
      ],
    ];
    if (strings !== null) {
      const items = strings.map((t) => `<si><t>${t}</t></si>`).join('');
      files.push(['xl/sharedStrings.xml', `${XML}<sst xmlns="${MAIN}">${items}</sst>`]);
    }
    return files;
  }

  it('places cells by their reference, follows cells without one, and numbers rows without one', async () => {
    const path = await saveZip(
      oneSheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="D2" t="inlineStr"><is><t>d</t></is></c></row>' +
          '<row><c><v>1</v></c><c><v>2</v></c><c r="D3"><v>4</v></c></row>' +
          '<row r="5"><c r="B5" t="d"><v>2024-01-15T08:30:00</v></c><c r="C5" t="n"><v>x1</v></c></row>',
      ),
    );
    const { conv, text } = await convert(path);
    expect(conv).toEqual({ sheet: '表', sheets: ['表'], rows: 2, columns: 4 });
    expect(text).toBe('__line,a,,,d\n3,1,2,,4\n5,,2024-01-15 08:30:00,x1,\n');
  });

  it('reads elements with a namespace prefix and leaves out phonetic guides', async () => {
    const rows =
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>' +
      '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:r><x:t>東</x:t></x:r><x:r><x:t>京</x:t></x:r><x:rPh sb="0" eb="2"><x:t>とうきょう</x:t></x:rPh></x:is></x:c></x:row>';
    const path = await saveZip(oneSheet(rows, ['名称'], 'x'));
    expect((await convert(path)).text).toBe('__line,名称\n2,東京\n');
  });

  it('reads parts stored without compression', async () => {
    const files = oneSheet(
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>7</v></c></row>',
      ['值'],
    );
    const stored = zipOf(files, { stored: true });
    expect(stored.includes(Buffer.from('<c r="A2"><v>7</v></c>'))).toBe(true);
    const path = tempPath('xlsx');
    await writeFile(path, stored);
    expect((await convert(path)).text).toBe('__line,值\n2,7\n');
  });

  it('rejects a cell that refers to a shared string the table does not have', async () => {
    const path = await saveZip(oneSheet('<row r="1"><c r="B1" t="s"><v>3</v></c></row>', ['名称']));
    const e = await rejection(path);
    expect(e.rule).toBe('format');
    expect(e.message).toMatch(
      /cell B1 refers to shared string "3", but the shared-string table has 1 strings/,
    );
    const none = await rejection(await saveZip(oneSheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')));
    expect(none.message).toMatch(
      /cell A1 refers to a shared string, but the workbook has no shared-string table/,
    );
  });

  it('rejects a part whose data does not match its checksum, naming the part', async () => {
    const files = oneSheet('<row r="1"><c r="A1"><v>1</v></c></row>');
    const bytes = zipOf(files);
    const name = Buffer.from('xl/worksheets/sheet1.xml', 'utf8');
    const central = bytes.lastIndexOf(name) - 46;
    expect(bytes.readUInt32LE(central)).toBe(0x02014b50);
    bytes.writeUInt32LE((bytes.readUInt32LE(central + 16) ^ 1) >>> 0, central + 16);
    const path = tempPath('xlsx');
    await writeFile(path, bytes);
    const e = await rejection(path);
    expect(e.rule).toBe('format');
    expect(e.message).toMatch(/damaged at xl\/worksheets\/sheet1\.xml: its checksum does not match its data/);
  });

  it('rejects a sheet part the archive does not hold, naming it', async () => {
    const files = oneSheet('<row r="1"><c r="A1"><v>1</v></c></row>').filter(
      ([n]) => !n.includes('worksheets'),
    );
    const e = await rejection(await saveZip(files));
    expect(e.rule).toBe('format');
    expect(e.message).toMatch(
      /the zip archive has no xl\/worksheets\/sheet1\.xml, the part that holds sheet "表"/,
    );
  });
});
