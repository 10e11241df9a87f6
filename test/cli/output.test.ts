/**
 * Human output: tables that line up with Chinese text, colour only on a terminal that wants it, and values
 * from data that a terminal shows but never acts on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printResult } from '../../src/cli/commands/query.ts';
import {
  cell,
  displayWidth,
  escapeControls,
  type Io,
  Output,
  renderTable,
  truncate,
} from '../../src/cli/output.ts';
import { printReport, printShortReport } from '../../src/cli/report-view.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, tempLakeDir } from './helpers.ts';

const io = (isTTY: boolean, env: Record<string, string> = {}): Io => ({
  stdout: { write: () => true, isTTY },
  stderr: { write: () => true },
  env,
  cwd: '/',
});

/** An Output whose stdout and stderr are kept, on a terminal (colour) or not. */
function captured(opts: { tty: boolean; json?: boolean }) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = new Output(
    {
      stdout: { write: (s: string) => stdout.push(s), isTTY: opts.tty },
      stderr: { write: (s: string) => stderr.push(s), isTTY: opts.tty },
      env: {},
      cwd: '/',
    },
    { json: opts.json },
  );
  return { out, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

const ESC = '\u001b';
/** An OSC 8 hyperlink: the terminal shows "click here" and opens the address. */
const OSC8_LINK = `${ESC}]8;;https://x.example/steal${ESC}\\click here${ESC}]8;;${ESC}\\`;
/** Erases the line written so far, then writes something else in its place. */
const ERASE_LINE = `secret${ESC}[2K\r${ESC}[1Gnothing to see`;
/** A right-to-left override, a C1 CSI (U+009B) and a bell. */
const OTHERS = 'abc\u202Efdp.exe \u009B2K \u0007';

/** The text without the house styles' own sequences (bold, dim, colours and reset). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the house styles start with ESC.
const withoutHouseStyles = (s: string) => s.replace(/\u001b\[(?:0|1|2|3[1236])(?:;(?:1|2|3[1236]))*m/g, '');
/** Every character a terminal would act on (as escapeControls), besides the line breaks between lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('tables', () => {
  it('counts East Asian characters as two cells, so columns line up', () => {
    expect(displayWidth('贵阳市')).toBe(6);
    expect(displayWidth('GZ520102001')).toBe(11);
    expect(displayWidth('（平方米）')).toBe(10);
    expect(
      renderTable(
        [{ header: 'city' }, { header: 'clinics', right: true }],
        [
          ['贵阳市', 121],
          ['六盘水市', 29],
        ],
      ),
    ).toEqual(['city      clinics', '────────  ───────', '贵阳市        121', '六盘水市       29']);
  });

  it('cuts long cells to their column, and shows values as they are', () => {
    expect(truncate('黔西南布依族苗族自治州', 10)).toBe('黔西南布…');
    expect(cell(106.753947)).toBe('106.753947');
    expect(cell(0.1 + 0.2)).toBe('0.3');
    expect(cell(2026)).toBe('2026');
    expect(cell(null)).toBe('');
    expect(cell('line one\nline two')).toBe('line one\\nline two');
  });
});

describe('values from data on a terminal', () => {
  it('escapes control characters, escape sequences and bidirectional overrides visibly', () => {
    // Act and assess
    expect(escapeControls(`a${ESC}[2Kb`)).toBe('a\\x1b[2Kb');
    expect(escapeControls('tab\there\r\nnext')).toBe('tab\\there\\r\\nnext');
    expect(escapeControls(OTHERS)).toBe('abc\\u202efdp.exe \\x9b2K \\x07');
    expect(escapeControls('\u2066x\u2069 \u202A \u007F \u0000')).toBe('\\u2066x\\u2069 \\u202a \\x7f \\x00');
    expect(escapeControls('line one\nline two\r', { newlines: true })).toBe('line one\nline two\\r');
    expect(escapeControls('贵阳市 C:\\temp')).toBe('贵阳市 C:\\temp');
  });

  it('escaping escaped text changes nothing', () => {
    // Prepare
    const once = escapeControls(`${OSC8_LINK}${ERASE_LINE}${OTHERS}`);
    // Act and assess
    expect(escapeControls(once)).toBe(once);
    expect(once).not.toMatch(ACTIVE);
  });

  it('a stored OSC 8 link and an erase-line come out of a query table inert, on one line each', () => {
    // Prepare: a query result holding them in cells and in a column name.
    const { out, stdout } = captured({ tty: true });
    const result = {
      columns: [
        { name: 'link', type: 'VARCHAR' },
        { name: `note${ESC}[2K`, type: 'VARCHAR' },
      ],
      rows: [
        { link: OSC8_LINK, [`note${ESC}[2K`]: ERASE_LINE },
        { link: OTHERS, [`note${ESC}[2K`]: 'two\nlines' },
        { link: `${ESC}[1mbold from data`, [`note${ESC}[2K`]: `${ESC}[8mconcealed` },
      ],
      durationMs: 12,
    };
    // Act
    printResult(out, result);
    // Assess: the house styles are there (a terminal), and nothing else a terminal acts on.
    const text = stdout();
    expect(text).toContain(`${ESC}[1m`);
    expect(withoutHouseStyles(text)).not.toMatch(ACTIVE);
    expect(text).toContain('\\x1b]8;;https://x.example/steal\\x1b\\click here');
    expect(text).toContain('secret\\x1b[2K\\r\\x1b[1Gnothing to see');
    expect(text).toContain('note\\x1b[2K');
    expect(text).toContain('abc\\u202efdp.exe');
    expect(text).toContain('\\x1b[1mbold from data');
    expect(text).toContain('\\x1b[8mconcealed');
    expect(text.trimEnd().split('\n')).toHaveLength(6);
  });

  it('keeps the columns lined up: the escapes are measured, not the characters they replace', () => {
    // Act
    const lines = renderTable([{ header: 'v' }, { header: 'n', right: true }], [[`a${ESC}[2K`, 1]]);
    // Assess
    expect(lines).toEqual(['v         n', '────────  ─', 'a\\x1b[2K  1']);
  });

  it('JSON keeps the values exact', () => {
    // Prepare
    const { out, stdout } = captured({ tty: true, json: true });
    const rows = [{ link: OSC8_LINK, note: ERASE_LINE, other: OTHERS }];
    // Act
    out.document({ rows });
    printResult(out, { columns: [{ name: 'link', type: 'VARCHAR' }], rows, durationMs: 1 });
    // Assess: one JSON document (the table is not printed), with the very same strings, all escaped in it.
    expect(JSON.parse(stdout())).toEqual({ rows });
    expect(stdout()).not.toMatch(ACTIVE);
    expect(stdout()).toContain('abc\\u202efdp.exe \\u009b2K \\u0007');
  });

  it('escapes report messages, column names and titles in lines and fields, and notices', () => {
    // Prepare
    const { out, stdout, stderr } = captured({ tty: false });
    const report = reportWith({
      dataset: `health/clinics${ESC}]0;new title${ESC}\\`,
      message: `"${ERASE_LINE}" is not a valid integer`,
      column: `phone${ESC}[2K`,
    });
    // Act
    printShortReport(out, report);
    printReport(out, report);
    out.fields([['title', OSC8_LINK]]);
    out.notice(`catalog not updated yet: ${OTHERS}`);
    // Assess
    expect(stdout()).not.toMatch(ACTIVE);
    expect(stderr()).not.toMatch(ACTIVE);
    expect(stdout()).toContain('health/clinics\\x1b]0;new title\\x1b\\');
    expect(stdout()).toContain('phone\\x1b[2K');
    expect(stdout()).toContain('secret\\x1b[2K\\r\\x1b[1Gnothing to see');
    expect(stderr()).toContain('abc\\u202efdp.exe');
  });
});

describe('lake query with control characters in the data', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempLakeDir());
  });
  afterAll(async () => {
    await remove();
  });

  /** The OSC 8 link and the erase-line, built in SQL. */
  const select =
    "SELECT chr(27) || ']8;;https://x.example/steal' || chr(27) || '\\' || 'click here' || chr(27) || ']8;;' || chr(27) || '\\' AS link, " +
    "'secret' || chr(27) || '[2K' || chr(13) || 'nothing to see' AS note";

  it('prints them inert in the table, exact with --json', async () => {
    // Act
    const human = await lake(['query', select, '--lake-dir', dir], { tty: true });
    const json = await lake(['query', select, '--json', '--lake-dir', dir]);
    // Assess
    expect(human.code).toBe(0);
    expect(withoutHouseStyles(human.stdout)).not.toMatch(ACTIVE);
    expect(human.stdout).toContain('\\x1b]8;;https://x.example/steal\\x1b\\click here');
    expect(human.stdout).toContain('secret\\x1b[2K\\rnothing to see');
    expect(json.json<{ rows: Record<string, string>[] }>().rows).toEqual([
      { link: OSC8_LINK, note: `secret${ESC}[2K\rnothing to see` },
    ]);
  });

  it('prints an error message that quotes a value inert', async () => {
    // Act
    const r = await lake(['query', "SELECT CAST('x' || chr(27) || '[2K' AS INTEGER)", '--lake-dir', dir]);
    // Assess
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("'x\\x1b[2K'");
    expect(r.stderr).not.toMatch(ACTIVE);
  });
});

/** A rejected upload's report whose dataset, column and message come from data. */
function reportWith(data: { dataset: string; message: string; column: string }): IngestReport {
  return {
    uploadId: 'u-1',
    dataset: data.dataset,
    contractHash: 'h',
    source: {
      key: 'landing/health/clinics/a.csv',
      bytes: 10,
      sha256: '0'.repeat(64),
      encoding: 'utf-8',
      format: 'csv',
      compression: null,
    },
    status: 'rejected',
    rows: { total: 1, accepted: 0, rejected: 1 },
    errors: [{ line: 2, column: data.column, rule: 'type', message: data.message }],
    errorCounts: { type: { [data.column]: 1 } },
    columns: { matched: { phone: data.column }, extra: [data.column], missing: [] },
    pii: { protected: [{ column: data.column, pii: 'cn_mobile', action: 'mask' }], flagged: [], found: [] },
    outputs: [],
    startedAt: '2026-11-02T08:00:00Z',
    durationMs: 5,
  };
}

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR, TERM=dumb or --json', () => {
    expect(new Output(io(true)).color).toBe(true);
    expect(new Output(io(false)).color).toBe(false);
    expect(new Output(io(true, { NO_COLOR: '1' })).color).toBe(false);
    expect(new Output(io(true, { TERM: 'dumb' })).color).toBe(false);
    expect(new Output(io(true), { json: true }).color).toBe(false);
    expect(new Output(io(false)).style('x', 'bold')).toBe('x');
  });
});
