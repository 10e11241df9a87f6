/** Reports as a data steward reads them: one line in a list, or the whole story of one upload. */
import type { IngestReport, ReportStatus, Withdrawal } from '../engine/report.ts';
import type { UploadSummary } from './backend.ts';
import { formatBytes, formatDuration, formatInt, type Output, type Style } from './output.ts';

const STATUS_STYLE: Record<ReportStatus, Style> = {
  accepted: 'green',
  partial: 'yellow',
  rejected: 'red',
  duplicate: 'dim',
};
const STATUS_MARK: Record<ReportStatus, string> = {
  accepted: '✓',
  partial: '!',
  rejected: '✗',
  duplicate: '=',
};

/** The status in a word or two; a withdrawn upload shows as withdrawn (or withdrawing, while under way). */
export function statusText(out: Output, status: ReportStatus, withdrawal?: Withdrawal): string {
  if (withdrawal) return out.style(withdrawal.completedAt ? '↩ withdrawn' : '↩ withdrawing', 'dim');
  return out.style(`${STATUS_MARK[status]} ${status}`, STATUS_STYLE[status]);
}

/** What became of the upload's rows, when it is a duplicate or withdrawn; null otherwise. */
export function historyText(r: Pick<IngestReport, 'duplicateOf' | 'withdrawal'>): string | null {
  if (r.duplicateOf)
    return `the same bytes as upload ${r.duplicateOf}, already published in this dataset: nothing added (the original is kept in raw/)`;
  const w = r.withdrawal;
  if (!w) return null;
  const state = w.completedAt
    ? `withdrawn ${w.completedAt}: its rows left the table`
    : `withdrawal asked ${w.at}, not finished: \`lake withdraw\` again finishes it`;
  return `${state} (by ${w.by}: ${w.reason})`;
}

export function fileOf(key: string): string {
  return key.split('/').pop() ?? key;
}

function rowsText(r: IngestReport): string {
  const { total, accepted, rejected } = r.rows;
  if (r.status === 'duplicate') return 'no rows published: a duplicate';
  if (total === 0) return 'no rows published';
  const skipped = r.rows.skipped ? `, ${formatInt(r.rows.skipped)} skipped` : '';
  return `${formatInt(total)} rows: ${formatInt(accepted)} published, ${formatInt(rejected)} quarantined${skipped}`;
}

/** Where the header was and which rows were left out (lines), when the report says. */
function headerText(r: IngestReport): [string, string][] {
  const lines: [string, string][] = [];
  if (r.header) {
    const above = r.header.skipped.length ? `; title rows ${r.header.skipped.join(', ')} skipped` : '';
    lines.push(['header', `row ${r.header.rows.join(', ')}${above}`]);
  }
  if (r.skippedLines?.length) {
    const more = (r.rows.skipped ?? 0) > r.skippedLines.length ? ', …' : '';
    lines.push(['skipped rows', `lines ${r.skippedLines.join(', ')}${more} (format.skipRows)`]);
  }
  return lines;
}

function sourceText(r: IngestReport): string {
  const parts = [r.source.format, r.source.encoding, r.source.compression, formatBytes(r.source.bytes)];
  return parts.filter(Boolean).join(', ');
}

/** Personal data handling in a few words: `resident_id hashed, phone dropped`. */
export function piiText(r: IngestReport): string {
  const words: Record<string, string> = { mask: 'masked', hash: 'hashed', drop: 'dropped', keep: 'kept' };
  const parts = r.pii.protected.map((p) => `${p.column} ${words[p.action] ?? p.action}`);
  for (const f of r.pii.flagged) parts.push(`${f.column} looks like ${f.detector}: ${f.action}`);
  return parts.join(', ');
}

/** A few lines per report: status, dataset, file, rows; what was protected; the first errors. */
export function printShortReport(
  out: Output,
  r: IngestReport,
  opts: { errors?: number; indent?: string } = {},
): void {
  const indent = opts.indent ?? '';
  out.line(
    `${indent}${statusText(out, r.status, r.withdrawal)}  ${out.style(r.dataset, 'bold')}  ${fileOf(r.source.key)}  (${sourceText(r)})`,
  );
  const sub = `${indent}    `;
  out.line(`${sub}${rowsText(r)} in ${formatDuration(r.durationMs)}; upload ${r.uploadId}`);
  const history = historyText(r);
  if (history) out.line(`${sub}${history}`);
  const pii = piiText(r);
  if (pii) out.line(`${sub}personal data: ${pii}`);
  const shown = r.errors.slice(0, opts.errors ?? 3);
  for (const e of shown) out.line(`${sub}${out.style(errorText(e), 'dim')}`);
  const more = totalErrors(r) - shown.length;
  if (more > 0)
    out.line(
      `${sub}${out.style(`… ${formatInt(more)} more ${more === 1 ? 'error' : 'errors'}: lake report ${r.uploadId}`, 'dim')}`,
    );
}

function errorText(e: IngestReport['errors'][number]): string {
  const where = [e.line !== null ? `line ${e.line}` : null, e.column].filter(Boolean).join(', ');
  return `${where ? `${where}: ` : ''}${e.message} [${e.rule}]`;
}

/** Every error of an upload, counted by rule and column (at least those the report lists). */
export function totalErrors(r: IngestReport): number {
  let n = 0;
  for (const byColumn of Object.values(r.errorCounts)) for (const c of Object.values(byColumn)) n += c;
  return Math.max(n, r.errors.length);
}

/** The whole report: source, rows, columns, personal data, outputs, errors and their counts. */
export function printReport(
  out: Output,
  r: IngestReport,
  opts: {
    /** How many errors to list (default 20; Infinity: all the report holds). */
    errors?: number;
    /** false when nothing was written (validate). */
    outputs?: boolean;
  } = {},
): void {
  out.line(
    `${statusText(out, r.status, r.withdrawal)}  ${out.style(r.dataset, 'bold')}  ${fileOf(r.source.key)}`,
  );
  out.line();
  const history = historyText(r);
  out.fields([
    ['upload', r.uploadId],
    ...(history ? [[r.duplicateOf ? 'duplicate' : 'withdrawal', history] as const] : []),
    ['source', r.source.key],
    ['file', `${sourceText(r)}, sha256 ${r.source.sha256 ? r.source.sha256.slice(0, 16) : '-'}…`],
    ['rows', rowsText(r)],
    ...headerText(r),
    ['started', `${r.startedAt} (took ${formatDuration(r.durationMs)})`],
    // A duplicate was not read: it has no columns or personal data of its own to tell.
    ...(r.status === 'duplicate'
      ? []
      : ([
          ['columns', `${Object.keys(r.columns.matched).length} matched`],
          ...(r.columns.missing.length ? [['missing', r.columns.missing.join(', ')] as const] : []),
          ...(r.columns.extra.length
            ? [['not in contract', `${r.columns.extra.join(', ')} (not published)`] as const]
            : []),
          ['personal data', piiText(r) || 'none declared or found'],
        ] as const)),
    ...(opts.outputs === false ? [] : r.outputs).map(
      (o) => [o.kind, `${o.key} (${formatInt(o.rows)} rows, ${formatBytes(o.bytes)})`] as const,
    ),
  ]);
  const renamed = Object.entries(r.columns.matched).filter(([field, header]) => field !== header);
  if (renamed.length > 0) {
    out.line();
    out.line(out.style('headers read as fields:', 'dim'));
    out.line(`  ${renamed.map(([f, h]) => `${h} → ${f}`).join(', ')}`);
  }
  if (r.errors.length === 0) return;
  out.line();
  const limit = opts.errors ?? 20;
  const shown = Math.min(limit, r.errors.length);
  const total = totalErrors(r);
  out.heading(
    shown === total
      ? `Errors (${formatInt(total)})`
      : `Errors (first ${formatInt(shown)} of ${formatInt(total)})`,
  );
  out.table(
    [
      { header: 'line', right: true },
      { header: 'column' },
      { header: 'rule' },
      { header: 'message', max: 100 },
    ],
    r.errors.slice(0, limit).map((e) => [e.line, e.column ?? '', e.rule, e.message]),
  );
  const counts = Object.entries(r.errorCounts).flatMap(([rule, byColumn]) =>
    Object.entries(byColumn).map(([column, n]) => [rule, column, n] as const),
  );
  if (counts.length > 1) {
    out.line();
    out.heading('Errors by rule and column');
    out.table([{ header: 'rule' }, { header: 'column' }, { header: 'rows', right: true }], counts);
  }
}

/** The line of `lake status` an upload's report makes. */
export function summaryOf(r: IngestReport): UploadSummary {
  return {
    uploadId: r.uploadId,
    dataset: r.dataset,
    sourceKey: r.source.key,
    status: r.status,
    ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}),
    ...(r.withdrawal ? { withdrawal: r.withdrawal } : {}),
    rows: r.rows,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
  };
}
