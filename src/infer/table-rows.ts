/**
 * Which sampled rows are the table's data, as offices write their tables: totals rows (合计, 总计, 小计)
 * and footnotes below the table (注：…, 数据来源：…) are left out with a proposed `format.skipRows`, and
 * blank runs under a value in the first columns (merged cells, as an export leaves them) are noted.
 * Notes name lines and labels, never a cell's value.
 */

/** A totals row's first cell: the word, perhaps after 全省/全市/本页 and the like. */
const TOTALS =
  /^(全[省市州县区]|本[页表]|[总合]?)?[\s\u3000]*(合[\s\u3000]*计|总[\s\u3000]*计|小[\s\u3000]*计)[\s\u3000:：]*$/;
/** The words footnotes start with; only these become skipRows patterns (a label elsewhere may be a name). */
const FOOTNOTE_LABELS = [
  '注',
  '附注',
  '备注',
  '说明',
  '数据来源',
  '资料来源',
  '来源',
  '填报单位',
  '填报人',
  '填表人',
  '填报日期',
  '制表',
  '制表人',
  '审核',
  '审核人',
  '负责人',
  '单位负责人',
  '联系电话',
  '本表',
];
/** The first columns looked at for merged cells. */
const MERGED_COLUMNS = 3;

export interface TableRows {
  /** Indices of the rows that are data. */
  data: number[];
  /** Patterns for format.skipRows. */
  skipRows: string[];
  /** Notes for the reviewer, on the table as a whole. */
  notes: string[];
  /** Notes on columns, by column index. */
  columnNotes: Map<number, string[]>;
}

const escapeRe = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** `^合\s*计` for the label `合计`: spaces (ASCII or ideographic) allowed between its characters. */
function labelPattern(label: string): string {
  return `^${[...label.replace(/[\s\u3000]/g, '')].map(escapeRe).join('[\\s\u3000]*')}`;
}

function lineList(lines: number[]): string {
  const shown = lines.slice(0, 5).join(', ');
  return lines.length > 5 ? `${shown} and ${lines.length - 5} more` : shown;
}

/** Rows of a sample (`rows` with their `lines` and the engine's shape `rules`) sorted into data and the rest. */
export function tableRows(
  rows: readonly (readonly (string | null)[])[],
  lines: readonly number[],
  rules: readonly (string | null)[],
  /** What a line is called: `row` in a workbook. */
  unit: 'line' | 'row' = 'line',
): TableRows {
  const cells = rows.map((r) => r.map((v) => (v ?? '').trim()));
  const width = rows[0]?.length ?? 0;
  const filled = cells.map((r) => r.filter((c) => c !== '').length);
  const firstCell = cells.map((r) => r.find((c) => c !== '') ?? '');
  const lastWide = filled.reduce((last, n, i) => (n >= 2 ? i : last), -1);
  const totals = new Map<string, number[]>();
  const footnotes = new Map<string, number[]>();
  const unlabelled: number[] = [];
  const ragged: number[] = [];
  const data: number[] = [];
  cells.forEach((_, i) => {
    const total = TOTALS.exec(firstCell[i]);
    if (total && filled[i] >= 1) {
      const label = total[0].replace(/[\s\u3000:：]/g, '');
      totals.set(label, [...(totals.get(label) ?? []), lines[i]]);
      return;
    }
    const footnote = width >= 3 && filled[i] === 1 && (i > lastWide || rules[i] === 'ragged');
    if (footnote) {
      const label = FOOTNOTE_LABELS.filter((l) => firstCell[i].startsWith(l)).sort(
        (a, b) => b.length - a.length,
      )[0];
      if (label) footnotes.set(label, [...(footnotes.get(label) ?? []), lines[i]]);
      else unlabelled.push(lines[i]);
      return;
    }
    if (rules[i] === 'ragged') {
      ragged.push(lines[i]);
      return;
    }
    data.push(i);
  });

  const skipRows: string[] = [];
  const notes: string[] = [];
  const dataFirst = new Set(data.map((i) => firstCell[i]));
  const propose = (label: string, found: number[], what: string) => {
    const pattern = labelPattern(label);
    const re = new RegExp(pattern);
    if ([...dataFirst].some((c) => re.test(c))) {
      notes.push(
        `${what} on ${unit} ${lineList(found)}: no skipRows pattern proposed (${pattern} would also leave out data rows); remove them from the file`,
      );
      return;
    }
    skipRows.push(pattern);
    notes.push(`${what} on ${unit} ${lineList(found)}: left out by format.skipRows ${pattern}`);
  };
  for (const [label, found] of totals) propose(label, found, `a totals row (${label})`);
  for (const [label, found] of footnotes) propose(label, found, `a footnote below the table (${label}…)`);
  if (unlabelled.length > 0)
    notes.push(
      `a row with one cell of text below the table (a footnote?) on ${unit} ${lineList(unlabelled)}: add a format.skipRows pattern for its first words, or remove it from the file`,
    );
  if (ragged.length > 0)
    notes.push(
      `${ragged.length} row(s) with fewer or more cells than the header (${unit} ${lineList(ragged)}): they will be rejected; fix them in the file`,
    );
  return { data, skipRows, notes, columnNotes: mergedRuns(cells, data, lines, unit) };
}

/** Blank runs under a value in the first columns: what merged cells leave in an export. */
function mergedRuns(
  cells: string[][],
  data: number[],
  lines: readonly number[],
  unit: string,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const width = cells[data[0]]?.length ?? 0;
  for (let c = 0; c < Math.min(MERGED_COLUMNS, width); c++) {
    const column = data.map((i) => cells[i][c]);
    const values = column.filter((v) => v !== '');
    const blanks = column.length - values.length;
    // A merged range's value appears once, at its top; every blank has a value above it.
    if (column[0] === '' || blanks === 0 || values.length < 2 || new Set(values).size !== values.length)
      continue;
    const first = data.find((i) => cells[i][c] === '') as number;
    out.set(c, [
      `${blanks} blank cells under a value (from ${unit} ${lines[first]}), as merged cells leave them in an export: the draft does not require the column; fill the cells in the file (a workbook's merged cells are filled by format.mergedCells: fill, the default)`,
    ]);
  }
  return out;
}
