/**
 * The main run over a readable source: match the header, look for undeclared personal data, check
 * every row, and write the curated and quarantine Parquet files and the report's rows, outputs and
 * errors. A verdict on the whole file sends every row to quarantine.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LINEAGE } from '../lake/column-types.ts';
import type { DatasetModel, OutputKeys } from '../lake/dataset-model.ts';
import { checkedQuery, rowErrorsSql } from './checked-query.ts';
import {
  type DuplicateRules,
  duplicatesAfter,
  duplicatesBefore,
  merge,
  uniqueKeySets,
} from './duplicates.ts';
import { fieldRules, planFields, publishedSql, quarantinedSql } from './fields.ts';
import { type FileVerdict, matchHeader } from './header-match.ts';
import type { IngestReport, ReportOutput } from './report.ts';
import { reportErrors } from './report-errors.ts';
import type { SourceInfo } from './source.ts';
import { ident, lit } from './sql.ts';
import { trace } from './trace.ts';
import type { TransformOptions } from './transform.ts';
import { scanUndeclared } from './undeclared-pii.ts';

export interface PublishLimits {
  /** Rows per Parquet row group. */
  rowGroupRows: number;
  /** Row errors listed in the report. */
  maxErrors: number;
}

export async function publish(
  conn: DuckDBConnection,
  opts: TransformOptions,
  report: IngestReport,
  source: SourceInfo,
  model: DatasetModel,
  keys: OutputKeys,
  now: Date,
  written: string[],
  limits: PublishLimits,
): Promise<void> {
  const { contract } = opts;

  // Each field's source column, by name or declared spelling.
  const header = matchHeader(contract, source.columns);
  const { mapping, verdicts, extraIdx } = header;
  report.columns = header.columns;

  // Personal data in the fields not declared as such: every value searched.
  const scanStart = Date.now();
  const scan = await scanUndeclared(conn, contract, mapping, extraIdx, source, opts.piiThreshold);
  trace('personal-data scan', scanStart);
  report.pii.flagged.push(...scan.flagged);
  report.pii.found.push(...scan.found);
  for (const fl of scan.flagged) {
    if (fl.action !== 'quarantine') continue;
    verdicts.push({
      rule: 'undeclared_pii',
      column: fl.column,
      message: `column "${fl.column}" looks like ${fl.detector} (${Math.round(fl.ratio * 100)}% of ${fl.sampled} values) but the contract does not declare it as personal data: add pii: ${fl.detector} with a protect action to the field, or pii: none if it is not personal data`,
    });
  }

  const plans = planFields(model, mapping, scan);
  for (const p of plans) {
    if (p.protection) report.pii.protected.push({ column: p.field.name, ...p.protection });
  }

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
    const r = await conn.run(
      `COPY (${select}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${limits.rowGroupRows})`,
    );
    return Number(r.rowsChanged);
  };
  const checkedWith = (d: DuplicateRules) => {
    const rules = [...baseRules, ...d.rules];
    return { checked: checkedQuery(plans, rules, d), errorsList: rowErrorsSql(rules) };
  };
  let t = Date.now();
  const keySets = uniqueKeySets(contract, plans);
  const noDups: DuplicateRules = { rules: [], joins: [], columns: [] };
  const dups = await duplicatesBefore(
    conn,
    keySets.filter((k) => !k.onOutput),
    checkedWith(noDups).checked,
  );
  t = trace('duplicates before', t);
  const writeCurated = (d: DuplicateRules) =>
    copy(
      `SELECT ${[...published, lineage].join(', ')} FROM (${checkedWith(d).checked}) WHERE __ok`,
      curatedPath,
    );
  const writeQuarantine = (d: DuplicateRules, fileVerdict: FileVerdict | null): Promise<number> => {
    const { checked, errorsList } = checkedWith(d);
    const errs = fileVerdict
      ? `list_concat([{'column': ${fileVerdict.column ? lit(fileVerdict.column) : 'CAST(NULL AS VARCHAR)'}, 'rule': ${lit(fileVerdict.rule)}, 'message': ${lit(fileVerdict.message)}}], ${errorsList})`
      : errorsList;
    const where = fileVerdict ? '' : 'WHERE NOT __ok';
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

  report.rows = { total: accepted + rejected, accepted, rejected };
  const outputs: ReportOutput[] = [];
  if (accepted > 0) {
    await rename(`${curatedPath}.tmp`, curatedPath);
    outputs.push({
      kind: 'curated',
      key: keys.curated,
      bytes: (await stat(curatedPath)).size,
      rows: accepted,
    });
  } else {
    await rm(`${curatedPath}.tmp`, { force: true });
  }
  if (rejected > 0) {
    await rename(`${quarantinePath}.tmp`, quarantinePath);
    outputs.push({
      kind: 'quarantine',
      key: keys.quarantine,
      bytes: (await stat(quarantinePath)).size,
      rows: rejected,
    });
  } else {
    await rm(`${quarantinePath}.tmp`, { force: true });
  }
  report.outputs = outputs;

  // 4. The report's errors: the file-level verdicts first, then the first rows' errors in source order.
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
