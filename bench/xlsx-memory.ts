/**
 * The workbook reader's memory on a ~100 MB xlsx of distinct shared strings (the shape that made an
 * earlier reader take 1 GB for 9 MB): one sheet converted to CSV in a fresh process, with the shared
 * strings held in memory up to the budget and spilled beyond it (`spill`, what the engine does), against
 * the same conversion with every string in memory (`in-memory`, the baseline: the same work, no spill).
 * Reports time and peak RSS of each child (process.resourceUsage().maxRSS), and their ratios.
 *
 *   node --import tsx bench/xlsx-memory.ts [--mb 100]     (also run by `npm run bench`)
 *
 * Target: the spilling conversion's peak RSS <= TARGET_PEAK_RSS_MIB.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIMITS_ENV } from '../src/engine/resource-limits.ts';
import { mulberry32 } from '../test/support/random.ts';
import { zipOf } from '../test/support/zip.ts';
import { BENCH_DIR, REPO_ROOT } from './generate.ts';

/** The spilling conversion's peak RSS must stay under this (MiB). */
export const TARGET_PEAK_RSS_MIB = 600;
const DEFAULT_MB = 100;
const GENERATOR_VERSION = 1;
const SEED = 2026;
/** Compressed bytes one generated string takes in the workbook, about (measured on the generator). */
const BYTES_PER_STRING = 130;
/** Characters drawn from the first CJK ideographs: random text compresses about as real text does. */
const CJK_RANGE = 3000;
const OUT_DIR = resolve(BENCH_DIR, 'out');
const MODES = ['spill', 'in-memory'] as const;
type Mode = (typeof MODES)[number];

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** Part text as chunks of Buffers, so a part of hundreds of MB is never one JS string. */
function partOf(head: string, count: number, item: (i: number) => string, tail: string): Buffer {
  const chunks: Buffer[] = [Buffer.from(head)];
  let block: string[] = [];
  for (let i = 0; i < count; i++) {
    block.push(item(i));
    if (block.length === 10_000) {
      chunks.push(Buffer.from(block.join('')));
      block = [];
    }
  }
  chunks.push(Buffer.from(block.join('') + tail));
  return Buffer.concat(chunks);
}

/** A one-sheet workbook of `strings` distinct shared strings, each used once, beside a row number. */
function workbookOf(strings: number): Buffer {
  const random = mulberry32(SEED);
  const text = () => {
    const length = 40 + Math.floor(random() * 40);
    let s = '';
    for (let k = 0; k < length; k++) s += String.fromCharCode(0x4e00 + Math.floor(random() * CJK_RANGE));
    return s;
  };
  const sst = partOf(
    `${XML}<sst xmlns="${MAIN}" count="${strings + 2}" uniqueCount="${strings + 2}"><si><t>编号</t></si><si><t>内容</t></si>`,
    strings,
    (i) => `<si><t>${i}号${text()}</t></si>`,
    '</sst>',
  );
  const sheet = partOf(
    `${XML}<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`,
    strings,
    (i) =>
      `<row r="${i + 2}"><c r="A${i + 2}"><v>${i + 1}</v></c><c r="B${i + 2}" t="s"><v>${i + 2}</v></c></row>`,
    '</sheetData></worksheet>',
  );
  return zipOf([
    [
      '[Content_Types].xml',
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`,
    ],
    [
      '_rels/.rels',
      `${XML}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ],
    ['xl/sharedStrings.xml', sst],
    ['xl/worksheets/sheet1.xml', sheet],
  ]);
}

/** The generated workbook of about `mb` MB, reused when it was made by this generator. */
function ensureWorkbook(mb: number): { path: string; bytes: number; strings: number } {
  const strings = Math.round((mb * 1e6) / BYTES_PER_STRING);
  const path = join(OUT_DIR, `strings-${strings}-v${GENERATOR_VERSION}.xlsx`);
  if (!existsSync(path)) {
    process.stdout.write(
      `generating ${relative(REPO_ROOT, path)} (${strings.toLocaleString('en')} distinct strings) ... `,
    );
    const started = performance.now();
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(`${path}.tmp`, workbookOf(strings));
    renameSync(`${path}.tmp`, path);
    console.log(
      `${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return { path, bytes: statSync(path).size, strings };
}

export interface XlsxMemoryRun {
  mode: Mode;
  ok: boolean;
  seconds: number;
  peakRssMiB: number;
  rows: number;
  message?: string;
}

function runChild(mode: Mode, input: string): Promise<XlsxMemoryRun> {
  const out = join(OUT_DIR, `strings-${mode}.csv`);
  // The baseline keeps every string in memory: a budget no workbook reaches.
  const env = {
    ...process.env,
    [LIMITS_ENV.stringsMemoryBytes]: mode === 'in-memory' ? String(2 ** 50) : '',
  };
  return new Promise((done) => {
    let result: XlsxMemoryRun | undefined;
    const child = fork(fileURLToPath(import.meta.url), ['--child', mode, '--input', input, '--out', out], {
      cwd: REPO_ROOT,
      env,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m) => {
      result = m as XlsxMemoryRun;
    });
    child.on('exit', (code, signal) => {
      rmSync(out, { force: true });
      done(
        result ?? {
          mode,
          ok: false,
          seconds: 0,
          peakRssMiB: 0,
          rows: 0,
          message: `exited with ${signal ?? code}`,
        },
      );
    });
  });
}

/** Runs both conversions on the ~`mb` MB workbook; prints and returns their figures and ratios. */
export async function runXlsxMemoryBench(mb = DEFAULT_MB) {
  const file = ensureWorkbook(mb);
  const runs: XlsxMemoryRun[] = [];
  for (const mode of MODES) {
    process.stdout.write(`xlsx ${mode} (${(file.bytes / 1e6).toFixed(0)} MB workbook) ... `);
    const r = await runChild(mode, file.path);
    console.log(
      r.ok ? `${r.seconds.toFixed(2)} s, ${r.peakRssMiB.toFixed(0)} MiB peak RSS` : `FAILED: ${r.message}`,
    );
    runs.push(r);
  }
  const [spill, memory] = runs;
  const ratios = {
    speedSpillToInMemory: spill.ok && memory.ok ? memory.seconds / spill.seconds : null,
    peakRssSpillToInMemory: spill.ok && memory.ok ? spill.peakRssMiB / memory.peakRssMiB : null,
  };
  const pass = spill.ok && spill.peakRssMiB <= TARGET_PEAK_RSS_MIB;
  console.log(
    `xlsx speed spill / in-memory: ${ratios.speedSpillToInMemory?.toFixed(2) ?? 'n/a'}; peak RSS spill / in-memory: ${ratios.peakRssSpillToInMemory?.toFixed(2) ?? 'n/a'}; spill peak RSS ${spill.peakRssMiB.toFixed(0)} MiB (target <= ${TARGET_PEAK_RSS_MIB}) ${pass ? 'ok' : 'MISSED'}`,
  );
  return {
    workbook: { bytes: file.bytes, strings: file.strings },
    runs,
    ratios,
    targetPeakRssMiB: TARGET_PEAK_RSS_MIB,
    pass,
  };
}

/** The child: one conversion, its time and its own peak RSS sent to the parent. */
async function child(mode: Mode, input: string, out: string): Promise<void> {
  const { xlsxToCsv } = await import('../src/engine/xlsx.ts');
  const started = performance.now();
  const conv = await xlsxToCsv(input, out);
  const run: XlsxMemoryRun = {
    mode,
    ok: true,
    seconds: (performance.now() - started) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rows: conv.rows,
  };
  process.send?.(run, () => process.exit(0));
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      mb: { type: 'string', default: String(DEFAULT_MB) },
    },
  });
  if (values.child) {
    await child(values.child as Mode, values.input as string, values.out as string).catch((e: unknown) => {
      process.send?.(
        { mode: values.child, ok: false, seconds: 0, peakRssMiB: 0, rows: 0, message: String(e) },
        () => process.exit(1),
      );
    });
  } else {
    const r = await runXlsxMemoryBench(Number(values.mb));
    writeFileSync(join(OUT_DIR, 'xlsx-memory.json'), `${JSON.stringify(r, null, 2)}\n`);
    if (!r.pass) process.exitCode = 1;
  }
}
