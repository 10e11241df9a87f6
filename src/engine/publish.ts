/**
 * The main run over a readable source: match the header, look for undeclared personal data, check
 * every row, and write the curated and quarantine Parquet files and the report's rows, outputs and
 * errors. A verdict on the whole file sends every row to quarantine.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LINEAGE } from '../lake/column-types.ts';
import type { DatasetModel, OutputKeys } from '../lake/dataset-model.ts';
import { sqlMayHold } from '../privacy/find.ts';
import { DEFAULT_PII_THRESHOLD } from '../privacy/scan.ts';
import { checkedQuery, rowErrorsSql } from './checked-query.ts';
import {
  crossUploadNotices,
  type DuplicateRules,
  duplicatesAfter,
  duplicatesBefore,
  merge,
  uniqueKeySets,
} from './duplicates.ts';
import { type FieldPlan, fieldRules, planFields, publishedSql, quarantinedSql, valueRef } from './fields.ts';
import { type FileVerdict, type HeaderMatch, matchHeader } from './header-match.ts';
import type { IngestReport, ReportOutput } from './report.ts';
import { reportErrors } from './report-errors.ts';
import type { SourceInfo } from './source.ts';
import { ident, lit } from './sql.ts';
import { trace } from './trace.ts';
import type { TransformOptions } from './transform.ts';
import {
  emptyScan,
  sampleExtras,
  scanUndeclared,
  type UndeclaredScan,
  undeclaredCandidates,
} from './undeclared-pii.ts';

export interface PublishLimits {
  /** Rows per Parquet row group. */
  rowGroupRows: number;
  /** Row errors listed in the report. */
  maxErrors: number;
}

/** The main pass's guard: it stops the pass when a value may hold personal data (see publish). */
interface ScanGuard {
  fields: Set<string>;
  token: string;
}

/** What one publishing run works on and writes to. */
export interface PublishRun {
  conn: DuckDBConnection;
  opts: TransformOptions;
  /** Completed in place: columns, pii, rows, outputs, errors. */
  report: IngestReport;
  source: SourceInfo;
  model: DatasetModel;
  keys: OutputKeys;
  now: Date;
  /** The temporary files written so far (removed when the file is rejected). */
  written: string[];
  limits: PublishLimits;
}

export async function publish(run: PublishRun): Promise<void> {
  const { conn, opts, report, source, written } = run;
  const { contract } = opts;

  // Each field's source column, by name or declared spelling.
  const header = matchHeader(contract, source.columns);
  report.columns = header.columns;
  const pass = (scan: UndeclaredScan, guard: ScanGuard | null) => publishPass(run, header, scan, guard);

  // Personal data in the fields not declared as such: every value searched. Most files hold none, and
  // a value without eleven digits or an at sign (sqlMayHold) holds none, so the main pass runs first
  // with a guard that stops it at the first value that may hold some: then the values are searched
  // (a pass over the file) and the main pass runs again with what was found. A file with a header
  // verdict goes to quarantine whole, masked by what the search finds: searched first.
  let t = Date.now();
  const extras = await sampleExtras(
    conn,
    header.extraIdx,
    source,
    opts.piiThreshold ?? DEFAULT_PII_THRESHOLD,
  );
  const candidates = undeclaredCandidates(contract, header.mapping);
  if (candidates.length === 0) {
    trace('personal-data scan (no field to search)', t);
    return pass(emptyScan(extras), null);
  }
  if (header.verdicts.length === 0) {
    const before = await tempTables(conn);
    const guard = {
      fields: new Set(candidates.map((c) => c.field)),
      token: `lake-search-needed-${randomUUID()}`,
    };
    t = trace('personal-data scan: extra columns sampled, fields searched in the main pass', t);
    try {
      return await pass(emptyScan(extras), guard);
    } catch (e) {
      if (!(e as Error)?.message?.includes(guard.token)) throw e;
    }
    await discardPass(conn, written, before);
    t = trace('main pass stopped: values to search', t);
  }
  const scan = await scanUndeclared(
    conn,
    contract,
    header.mapping,
    header.extraIdx,
    source,
    opts.piiThreshold,
    extras,
  );
  trace('personal-data scan', t);
  return pass(scan, null);
}

async function tempTables(conn: DuckDBConnection): Promise<Set<string>> {
  const r = await conn.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE temporary');
  return new Set(r.getRows().map(([name]) => String(name)));
}

/** Undoes a stopped pass: its files and the duplicate tables it made (the source's tables stay). */
async function discardPass(conn: DuckDBConnection, written: string[], before: Set<string>): Promise<void> {
  await Promise.all(written.map((p) => rm(p, { force: true })));
  for (const name of await tempTables(conn)) {
    if (!before.has(name)) await conn.run(`DROP TABLE temp.${ident(name)}`);
  }
}

/** SQL true for a row the guard lets through; it raises the guard's token at a value to search. */
function guardSql(plans: FieldPlan[], guard: ScanGuard): string {
  const may = plans.filter((p) => guard.fields.has(p.field.name)).map((p) => sqlMayHold(valueRef(p)));
  return `CASE WHEN __row_rule IS NULL AND (${may.join(' OR ')}) THEN error(${lit(guard.token)}) ELSE true END`;
}

/** One pass: the curated and quarantine files and the report, given what the scan found. */
async function publishPass(
  run: PublishRun,
  header: HeaderMatch,
  scan: UndeclaredScan,
  guard: ScanGuard | null,
): Promise<void> {
  const { conn, opts, report, source, model, keys, now, written, limits } = run;
  const { contract } = opts;
  const { mapping } = header;
  const verdicts = [...header.verdicts];
  report.pii.flagged = [...scan.flagged];
  report.pii.found = [...scan.found];
  for (const fl of scan.flagged) {
    if (fl.action !== 'quarantine') continue;
    verdicts.push({
      rule: 'undeclared_pii',
      column: fl.column,
      message: `column "${fl.column}" looks like ${fl.detector} (${Math.round(fl.ratio * 100)}% of ${fl.sampled} values) but the contract does not declare it as personal data: add pii: ${fl.detector} with a protect action to the field, or pii: none if it is not personal data`,
    });
  }

  const plans = planFields(model, mapping, scan);
  report.pii.protected = [];
  for (const p of plans) {
    if (p.protection) report.pii.protected.push({ column: p.field.name, ...p.protection });
  }
  const guarded = guard ? ` AND ${guardSql(plans, guard)}` : '';

  // Uniqueness (primaryKey, unique). Keys published as they are (or hashed) are checked on the
  // curated output after the main pass, which costs one column scan; masked or dropped keys need a
  // pass over the source before it.
  const lineage = [
    `${lit(opts.uploadId)} AS ${ident(LINEAGE.uploadId.name)}`,
    `__line AS ${ident(LINEAGE.sourceLine.name)}`,
    `CAST(${lit(now.toISOString())} AS ${LINEAGE.ingestedAt.type.checked}) AS ${ident(LINEAGE.ingestedAt.name)}`,
  ].join(', ');
  const curatedPath = join(opts.outDir, keys.curated);
  const quarantinePath = join(opts.outDir, keys.quarantine);
  await mkdir(dirname(curatedPath), { recursive: true });
  await mkdir(dirname(quarantinePath), { recursive: true });

  const published = plans.flatMap((p) => {
    const sql = publishedSql(p, opts.hashKey);
    return sql === null ? [] : [`${sql} AS ${ident(p.field.name)}`];
  });
  const quarantined = plans.flatMap((p) => {
    const sql = quarantinedSql(p, opts.hashKey);
    return sql === null ? [] : [`${sql} AS ${ident(p.field.name)}`];
  });
  const baseRules = fieldRules(plans, `datasets/${contract.department}/${contract.name}.yaml`);

  const copy = async (select: string, path: string): Promise<number> => {
    const tmp = `${path}.tmp`;
    written.push(tmp);
    // Filter pushdown would inline each typed value into the __ok filter, once per rule that reads it,
    // and compute it again for the output: without it each is computed once per row.
    await conn.run(`SET disabled_optimizers = 'filter_pushdown'`);
    try {
      const r = await conn.run(
        `COPY (${select}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${limits.rowGroupRows})`,
      );
      return Number(r.rowsChanged);
    } finally {
      await conn.run('RESET disabled_optimizers');
    }
  };
  const checkedWith = (d: DuplicateRules) => {
    const rules = [...baseRules, ...d.rules];
    return { checked: checkedQuery(plans, rules, d), errorsList: rowErrorsSql(rules) };
  };
  let t = Date.now();
  const keySets = uniqueKeySets(contract, plans);
  const notices = contract.mode === 'append' ? crossUploadNotices(keySets) : [];
  if (notices.length) report.notices = notices;
  const noDups: DuplicateRules = { rules: [], joins: [], columns: [] };
  const dups = await duplicatesBefore(
    conn,
    keySets.filter((k) => !k.onOutput),
    checkedWith(noDups).checked,
  );
  t = trace('duplicates before', t);
  const writeCurated = (d: DuplicateRules) =>
    copy(
      `SELECT ${[...published, lineage].join(', ')} FROM (${checkedWith(d).checked}) WHERE __ok${guarded}`,
      curatedPath,
    );
  const writeQuarantine = (d: DuplicateRules, fileVerdict: FileVerdict | null): Promise<number> => {
    const { checked, errorsList } = checkedWith(d);
    const errs = fileVerdict
      ? `list_concat([{'column': ${fileVerdict.column ? lit(fileVerdict.column) : 'CAST(NULL AS VARCHAR)'}, 'rule': ${lit(fileVerdict.rule)}, 'message': ${lit(fileVerdict.message)}}], ${errorsList})`
      : errorsList;
    const where = fileVerdict ? (guard ? `WHERE ${guardSql(plans, guard)}` : '') : `WHERE NOT __ok${guarded}`;
    return copy(
      `SELECT ${[...quarantined, lineage].join(', ')}, ${errs} AS _errors FROM (${checked}) ${where}`,
      quarantinePath,
    );
  };

  let fileVerdict: FileVerdict | null = verdicts[0] ?? null;
  let accepted = 0;
  let rejected = 0;
  if (!fileVerdict) {
    accepted = await writeCurated(dups);
    t = trace('curated', t);
    const after = await duplicatesAfter(
      conn,
      keySets.filter((k) => k.onOutput),
      `${curatedPath}.tmp`,
      dups.rules.length,
      contract.mode === 'append' ? opts.publishedKeys : undefined,
    );
    t = trace('duplicates after', t);
    if (after.rules.length) {
      // Rare: duplicates among published rows. Publish again without the later occurrences.
      merge(dups, after);
      accepted = await writeCurated(dups);
      t = trace('curated again', t);
    }
    if (source.records === null || accepted !== source.records) rejected = await writeQuarantine(dups, null);
    t = trace('quarantine', t);
    const total = accepted + rejected;
    if (total === 0) {
      fileVerdict = {
        rule: 'empty',
        column: null,
        message: 'the file has a header but no data rows: upload the file with its rows',
      };
    } else if (rejected / total > contract.maxRejectedRatio) {
      fileVerdict = {
        rule: 'maxRejectedRatio',
        column: null,
        message: `${rejected} of ${total} rows (${((100 * rejected) / total).toFixed(1)}%) were rejected, more than the contract's maxRejectedRatio of ${(100 * contract.maxRejectedRatio).toFixed(1)}%: the whole file is quarantined; fix the rows listed and upload the file again`,
      };
    }
  }
  if (fileVerdict) {
    await rm(`${curatedPath}.tmp`, { force: true });
    rejected = await writeQuarantine(dups, fileVerdict);
    accepted = 0;
  }

  const skipped = source.skipped?.count ?? 0;
  report.rows = { total: accepted + rejected + skipped, accepted, rejected, ...(skipped ? { skipped } : {}) };
  if (source.skipped) report.skippedLines = source.skipped.lines;
  if (source.header) report.header = source.header;
  const outputs: ReportOutput[] = [];
  // An output with rows is moved into place; an empty one is removed.
  for (const [kind, path, key, rows] of [
    ['curated', curatedPath, keys.curated, accepted],
    ['quarantine', quarantinePath, keys.quarantine, rejected],
  ] as const) {
    if (rows === 0) {
      await rm(`${path}.tmp`, { force: true });
      continue;
    }
    await rename(`${path}.tmp`, path);
    outputs.push({ kind, key, bytes: (await stat(path)).size, rows });
  }
  report.outputs = outputs;

  // The report's errors: the file-level verdicts first, then the first rows' errors in source order.
  const { errors, errorCounts } = await reportErrors(conn, {
    verdicts,
    fileVerdict,
    rejected,
    quarantinePath,
    maxErrors: limits.maxErrors,
  });
  report.errors = errors;
  report.errorCounts = errorCounts;
  report.status = fileVerdict ? 'rejected' : rejected > 0 ? 'partial' : 'accepted';
}
