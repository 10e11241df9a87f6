/**
 * The transform engine: one local file and its contract in, typed private Parquet and a report out.
 * The Lambda and the CLI both call transformFile; it knows nothing of S3 or the cloud.
 *
 * Every record read ends in exactly one of the two outputs: curated (typed, PII protected, lineage
 * columns) or quarantine (the text as uploaded, PII protected the same way, with `_errors`), so
 * `rows.accepted + rows.rejected = rows.total` holds for every file that could be parsed.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { contractHash } from '../contracts/load.ts';
import type { DatasetContract, FieldContract } from '../contracts/schema.ts';
import { curatedKey, quarantineKey, reportKey } from '../lake/layout.ts';
import { DETECTORS } from '../privacy/detectors/index.ts';
import { DEFAULT_PII_MIN_SAMPLES, DEFAULT_PII_THRESHOLD, detectPii } from '../privacy/scan.ts';
import { hashFile } from './decode.ts';
import { FileRejectedError } from './errors.ts';
import {
  type FieldPlan,
  fieldRules,
  planFields,
  publishedSql,
  quarantinedSql,
  type Rule,
  typedColumns,
  typedRef,
  valueColumns,
} from './fields.ts';
import type { IngestReport, PiiFlagged, ReportOutput, RowError } from './report.ts';
import { createSource, type SourceInfo } from './source.ts';
import { ident, lit } from './sql.ts';

/** Rows per Parquet row group: bounded, so readers and writers never hold a whole file. */
export const ROW_GROUP_ROWS = 122_880;
/** Errors listed in the report (all are counted in errorCounts and kept in quarantine). */
export const DEFAULT_MAX_ERRORS = 100;
/** DuckDB memory limit: the engine spills to its temp directory beyond it. */
export const DEFAULT_MEMORY_LIMIT = '128MB';
/** Rows sampled per column to look for undeclared personal data. */
export const PII_SAMPLE_ROWS = 2000;
/** Columns sampled per query. */
const PII_SAMPLE_COLUMNS = 256;
/** Extra columns (not in the contract) sampled at most. */
const PII_SAMPLE_EXTRA_COLUMNS = 256;

export interface TransformOptions {
  /** The uploaded file, on local disk. */
  inputPath: string;
  contract: DatasetContract;
  /** Where the file was uploaded (e.g. landing/health/clinics/2026-11.csv), for the report. */
  sourceKey: string;
  uploadId: string;
  /** Outputs are written under this directory at their lake keys (curated/..., quarantine/..., reports/...). */
  outDir: string;
  /** Key for `protect: hash` (HMAC-SHA256). */
  hashKey: Buffer;
  /** @default the current time */
  now?: Date;
  /** DuckDB threads. @default 1 */
  threads?: number;
  /** @default DEFAULT_MEMORY_LIMIT */
  memoryLimit?: string;
  /** Working directory for decoded copies and DuckDB spill files. @default the OS temp directory */
  tempDir?: string;
  /** @default DEFAULT_MAX_ERRORS */
  maxErrors?: number;
  /** Largest decompressed size of a gzipped upload. */
  maxDecompressedBytes?: number;
  /** Share of sampled values that flags an undeclared column as personal data. @default DEFAULT_PII_THRESHOLD */
  piiThreshold?: number;
}

/** The lake keys of one upload's outputs. */
export function outputKeys(contract: DatasetContract, uploadId: string, now: Date) {
  const ref = { department: contract.department, dataset: contract.name };
  return {
    curated: curatedKey(ref, uploadId, now),
    quarantine: quarantineKey(ref, uploadId, now),
    report: reportKey(ref, uploadId),
  };
}

/** True when a value would be flagged by a PII detector (used to keep header cells out of reports). */
function looksPersonal(value: string): boolean {
  const t = value.trim();
  return Object.values(DETECTORS).some((d) => d.test(t));
}

/** NFKC folds full-width forms; whitespace inside a header (a line break in a spreadsheet cell) is ignored. */
function normalizeHeader(s: string): string {
  return s
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase();
}

interface FileVerdict {
  rule: string;
  message: string;
  column: string | null;
}

export async function transformFile(opts: TransformOptions): Promise<IngestReport> {
  const startedAt = Date.now();
  const now = opts.now ?? new Date();
  const { contract } = opts;
  const keys = outputKeys(contract, opts.uploadId, now);
  const report: IngestReport = {
    uploadId: opts.uploadId,
    dataset: `${contract.department}/${contract.name}`,
    contractHash: contractHash(contract),
    source: {
      key: opts.sourceKey,
      bytes: 0,
      sha256: '',
      encoding: null,
      format: contract.format.type,
      compression: null,
    },
    status: 'rejected',
    rows: { total: 0, accepted: 0, rejected: 0 },
    errors: [],
    errorCounts: {},
    columns: { matched: {}, extra: [], missing: [] },
    pii: { protected: [], flagged: [] },
    outputs: [],
    startedAt: now.toISOString(),
    durationMs: 0,
  };

  const work = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'lake-transform-'));
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 1),
    memory_limit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: join(work, 'spill'),
    preserve_insertion_order: 'true',
    enable_external_access: 'true',
  });
  const conn = await instance.connect();
  const written: string[] = [];
  try {
    const t = Date.now();
    const source = await readSource(conn, opts, report, work);
    trace('decode+scan', t);
    await run(conn, opts, report, source, keys, now, written);
  } catch (e) {
    if (!(e instanceof FileRejectedError) && !isDuckDbInputError(e)) throw e;
    const rule = e instanceof FileRejectedError ? e.rule : 'parse';
    const message =
      e instanceof FileRejectedError
        ? e.message
        : `the file could not be read as ${contract.format.type}: ${firstLine((e as Error).message)}; check the file and the contract's format`;
    await Promise.all(written.map((p) => rm(p, { force: true })));
    if (report.source.sha256 === '') {
      // Rejected before the decoder finished: still identify the file the report is about.
      const facts = await hashFile(opts.inputPath).catch(() => null);
      if (facts) report.source = { ...report.source, ...facts };
    }
    report.outputs = [];
    report.status = 'rejected';
    report.rows = { total: 0, accepted: 0, rejected: 0 };
    report.errors = [
      {
        line: e instanceof FileRejectedError ? e.line : null,
        column: e instanceof FileRejectedError ? e.column : null,
        rule,
        message,
      },
    ];
    report.errorCounts = { [rule]: { _file: 1 } };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
  report.durationMs = Date.now() - startedAt;
  const reportPath = join(opts.outDir, keys.report);
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

const TRACE = process.env.LAKE_ENGINE_TRACE === '1';
function trace(phase: string, since: number): number {
  const now = Date.now();
  if (TRACE) {
    const rss = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stderr.write(`[engine] ${phase}: ${now - since} ms, peak RSS ${rss} MiB\n`);
  }
  return now;
}

function isDuckDbInputError(e: unknown): boolean {
  const m = (e as Error)?.message ?? '';
  return /^(Invalid Input Error|Conversion Error|Parser Error)/.test(m) || /CSV Error|JSON/.test(m);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

async function readSource(
  conn: DuckDBConnection,
  opts: TransformOptions,
  report: IngestReport,
  workDir: string,
): Promise<SourceInfo> {
  const source = await createSource(conn, {
    inputPath: opts.inputPath,
    contract: opts.contract,
    workDir,
    maxDecompressedBytes: opts.maxDecompressedBytes,
  });
  report.source = {
    key: opts.sourceKey,
    bytes: source.bytes,
    sha256: source.sha256,
    encoding: source.encoding,
    format: source.format,
    compression: source.compression,
  };
  return source;
}

async function run(
  conn: DuckDBConnection,
  opts: TransformOptions,
  report: IngestReport,
  source: SourceInfo,
  keys: ReturnType<typeof outputKeys>,
  now: Date,
  written: string[],
): Promise<void> {
  const { contract } = opts;

  // 1. Header: match each field to a source column by name or declared spelling. A header cell that
  // looks like personal data (a file uploaded without its header row) is never repeated in the report.
  const shownHeader = source.columns.map((h, i) => (looksPersonal(h) ? `(column ${i + 1})` : h));
  const verdicts: FileVerdict[] = [];
  const mapping = new Map<string, { source: string; header: string } | null>();
  const used = new Map<number, string>();
  for (const f of contract.fields) {
    const spellings = new Set([f.name, ...(f.headers ?? [])].map(normalizeHeader));
    const hits = source.columns.flatMap((h, i) =>
      spellings.has(normalizeHeader(h)) && !used.has(i) ? [i] : [],
    );
    const taken = source.columns.findIndex((h, i) => used.has(i) && spellings.has(normalizeHeader(h)));
    if (hits.length > 1) {
      verdicts.push({
        rule: 'header',
        column: f.name,
        message: `columns ${hits.map((i) => `${i + 1} ("${shownHeader[i]}")`).join(' and ')} all match field "${f.name}": keep one of them, or rename the others`,
      });
    } else if (hits.length === 0 && taken >= 0) {
      verdicts.push({
        rule: 'header',
        column: f.name,
        message: `column ${taken + 1} ("${shownHeader[taken]}") matches both field "${used.get(taken)}" and field "${f.name}": fix the headers in the contract`,
      });
    }
    if (hits.length >= 1) {
      const i = hits[0];
      used.set(i, f.name);
      mapping.set(f.name, { source: ident(`s${i}`), header: shownHeader[i] });
      report.columns.matched[f.name] = shownHeader[i];
    } else {
      mapping.set(f.name, null);
      report.columns.missing.push(f.name);
    }
  }
  const extraIdx = source.columns.flatMap((_, i) => (used.has(i) ? [] : [i]));
  report.columns.extra = extraIdx.map((i) => shownHeader[i] || `(column ${i + 1}, no header)`);

  const pk = new Set(contract.primaryKey ?? []);
  const missingRequired = contract.fields.filter(
    (f) => mapping.get(f.name) === null && (f.constraints?.required || pk.has(f.name)),
  );
  for (const f of missingRequired) {
    const spellings = [f.name, ...(f.headers ?? [])].map((s) => `"${s}"`).join(', ');
    verdicts.push({
      rule: 'missing_column',
      column: f.name,
      message: `required column "${f.name}" is missing (accepted headers: ${spellings}; the file has: ${shownHeader.join(', ')}): add the column, or add its header spelling to the contract's headers`,
    });
  }

  // 2. Undeclared personal data: sample the columns the contract does not declare as PII.
  const maskedUndeclared = new Map<string, FieldContract['pii']>();
  const flagged = await scanUndeclared(conn, contract, mapping, extraIdx, source, opts.piiThreshold);
  for (const fl of flagged) {
    report.pii.flagged.push(fl);
    if (fl.action === 'quarantine') {
      verdicts.push({
        rule: 'undeclared_pii',
        column: fl.column,
        message: `column "${fl.column}" looks like ${fl.detector} (${Math.round(fl.ratio * 100)}% of ${fl.sampled} sampled values) but the contract does not declare it as personal data: add pii: ${fl.detector} with a protect action to the field, or pii: none if it is not personal data`,
      });
    }
    // Flagged fields are masked wherever they are written, the quarantine included.
    if (fl.action !== 'not-published') maskedUndeclared.set(fl.column, fl.detector as FieldContract['pii']);
  }

  const plans = planFields(contract, mapping, maskedUndeclared);
  for (const p of plans) {
    if (p.protectedAs && p.action) {
      report.pii.protected.push({
        column: p.field.name,
        pii: p.protectedAs.pii ?? 'other',
        action: p.action,
      });
    }
  }

  // 3. Uniqueness (primaryKey, unique). Keys published as they are (or hashed) are checked on the
  // curated output after the main pass, which costs one column scan; masked or dropped keys need a
  // pass over the source before it.
  const lineage = `${lit(opts.uploadId)} AS _upload_id, __line AS _source_line, CAST(${lit(now.toISOString())} AS TIMESTAMPTZ) AS _ingested_at`;
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
      `COPY (${select}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
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
  const errors: RowError[] = verdicts.length
    ? verdicts.map((v) => ({ line: null, column: v.column, rule: v.rule, message: v.message }))
    : fileVerdict
      ? [{ line: null, column: null, rule: fileVerdict.rule, message: fileVerdict.message }]
      : [];
  const counts: Record<string, Record<string, number>> = {};
  for (const e of errors) {
    counts[e.rule] ??= {};
    counts[e.rule][e.column ?? '_file'] = (counts[e.rule][e.column ?? '_file'] ?? 0) + 1;
  }
  if (rejected > 0) {
    const fileRules = new Set(errors.map((e) => e.rule));
    const exclude = fileRules.size ? `WHERE e.rule NOT IN (${[...fileRules].map(lit).join(', ')})` : '';
    const q = `(SELECT _source_line AS line, unnest(_errors) AS e FROM read_parquet(${lit(quarantinePath)}))`;
    const first = await conn.runAndReadAll(
      `SELECT line, e.column, e.rule, e.message FROM ${q} ${exclude} ORDER BY line LIMIT ${opts.maxErrors ?? DEFAULT_MAX_ERRORS}`,
    );
    for (const [line, column, rule, message] of first.getRows()) {
      errors.push({
        line: line === null ? null : Number(line),
        column: column as string | null,
        rule: String(rule),
        message: String(message),
      });
    }
    const byRule = await conn.runAndReadAll(
      `SELECT e.rule, coalesce(e.column, '_row'), count(*) FROM ${q} ${exclude} GROUP BY ALL ORDER BY ALL`,
    );
    for (const [rule, column, n] of byRule.getRows()) {
      counts[String(rule)] ??= {};
      counts[String(rule)][String(column)] = Number(n);
    }
  }
  report.errors = errors;
  report.errorCounts = counts;
  report.status = fileVerdict ? 'rejected' : rejected > 0 ? 'partial' : 'accepted';
}

/** Sample the first rows of every column not declared as PII and run the detectors over them. */
async function scanUndeclared(
  conn: DuckDBConnection,
  contract: DatasetContract,
  mapping: Map<string, { source: string; header: string } | null>,
  extraIdx: number[],
  source: SourceInfo,
  threshold?: number,
): Promise<PiiFlagged[]> {
  const candidates: { column: string; expr: string; extra: boolean; maskable?: boolean }[] = [];
  for (const f of contract.fields) {
    const m = mapping.get(f.name);
    if (m && f.pii === undefined) {
      candidates.push({ column: f.name, expr: m.source, extra: false, maskable: f.type === 'string' });
    }
  }
  // Extra columns are published nowhere: the first ones are sampled, to tell the steward what the file holds.
  for (const i of extraIdx.slice(0, PII_SAMPLE_EXTRA_COLUMNS)) {
    const h = source.columns[i];
    candidates.push({
      column: h && !looksPersonal(h) ? h : `(column ${i + 1})`,
      expr: ident(`s${i}`),
      extra: true,
    });
  }
  if (candidates.length === 0) return [];
  const flagged: PiiFlagged[] = [];
  // A few columns per query, so a file with thousands of columns is sampled within the memory limit.
  for (let start = 0; start < candidates.length; start += PII_SAMPLE_COLUMNS) {
    const batch = candidates.slice(start, start + PII_SAMPLE_COLUMNS);
    const r = await conn.runAndReadAll(
      `SELECT ${batch.map((c) => c.expr).join(', ')} FROM src WHERE __row_rule IS NULL LIMIT ${PII_SAMPLE_ROWS}`,
    );
    const rows = r.getRows();
    batch.forEach((c, col) => {
      const values = rows.map((row) => row[col]).filter((x): x is string => typeof x === 'string');
      const hit = detectPii(values, {
        threshold: threshold ?? DEFAULT_PII_THRESHOLD,
        minSamples: DEFAULT_PII_MIN_SAMPLES,
      });
      if (!hit) return;
      flagged.push({
        column: c.column,
        detector: hit.kind,
        ratio: Math.round(hit.ratio * 1000) / 1000,
        sampled: hit.sampled,
        // A masked value is text: only a string field can be masked without changing its published type.
        action: c.extra
          ? 'not-published'
          : contract.undeclaredPii === 'mask' && c.maskable
            ? 'mask'
            : 'quarantine',
      });
    });
  }
  return flagged;
}

interface DuplicateRules {
  rules: Rule[];
  /** LEFT JOINs of the duplicate tables, and the first-line columns they add. */
  joins: string[];
  columns: string[];
}

function merge(into: DuplicateRules, more: DuplicateRules): void {
  into.rules.push(...more.rules);
  into.joins.push(...more.joins);
  into.columns.push(...more.columns);
}

interface KeySet {
  /** The key's name in messages and error counts: the field, or the primaryKey fields joined by +. */
  name: string;
  rule: 'primaryKey' | 'unique';
  fields: FieldPlan[];
  /** True when the key is published as it is (or hashed, which keeps equality), so it can be checked there. */
  onOutput: boolean;
}

/** The primaryKey and each unique field, once each (a unique field that is the primaryKey counts once). */
function uniqueKeySets(contract: DatasetContract, plans: FieldPlan[]): KeySet[] {
  const byName = new Map(plans.map((p) => [p.field.name, p]));
  const sets: KeySet[] = [];
  const onOutput = (fields: FieldPlan[]) =>
    fields.every((p) => !p.protectedAs || p.action === 'keep' || p.action === 'hash');
  if (contract.primaryKey) {
    const fields = contract.primaryKey.map((k) => byName.get(k)).filter((p): p is FieldPlan => !!p?.source);
    if (fields.length === contract.primaryKey.length) {
      sets.push({
        name: contract.primaryKey.join('+'),
        rule: 'primaryKey',
        fields,
        onOutput: onOutput(fields),
      });
    }
  }
  for (const p of plans) {
    if (!p.field.constraints?.unique || !p.source) continue;
    if (sets.some((s) => s.fields.length === 1 && s.fields[0] === p)) continue;
    sets.push({ name: p.field.name, rule: 'unique', fields: [p], onOutput: onOutput([p]) });
  }
  return sets;
}

function duplicateRule(set: KeySet, first: string): Rule {
  const fieldPlan = set.fields[0];
  return {
    field: { ...fieldPlan, field: { ...fieldPlan.field, name: set.name } },
    rule: set.rule,
    failed: `coalesce(${first} IS NOT NULL AND __line <> ${first}, false)`,
    message: `${lit(set.fields.length > 1 ? `the key (${set.name}) duplicates line ` : 'the value duplicates line ')} || ${first}`,
  };
}

async function isEmpty(conn: DuckDBConnection, table: string): Promise<boolean> {
  const n = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`);
  return Number(n.getRows()[0][0]) === 0;
}

/**
 * Keys that cannot be checked on the output (masked or dropped): the same check as duplicatesAfter,
 * over the rows that pass every other rule, so both give the same answer.
 */
async function duplicatesBefore(
  conn: DuckDBConnection,
  sets: KeySet[],
  checked: string,
): Promise<DuplicateRules> {
  const out: DuplicateRules = { rules: [], joins: [], columns: [] };
  for (const [i, set] of sets.entries()) {
    const keysTable = `__dupkeys${i}`;
    const keys = set.fields.map((p) => typedRef(p));
    await conn.run(
      `CREATE TEMP TABLE ${keysTable} AS SELECT ${keys.join(', ')}, min(__line) AS first_line FROM (${checked}) WHERE __ok AND ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1`,
    );
    if (await isEmpty(conn, keysTable)) continue;
    const table = `__dup${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${table} AS SELECT c.__line AS line, k.first_line FROM (${checked}) c JOIN ${keysTable} k ON ${keys.map((k) => `c.${k} = k.${k}`).join(' AND ')} WHERE c.__ok AND c.__line <> k.first_line`,
    );
    const alias = `d${i}`;
    const first = `__first${i}`;
    out.joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.line = l2.__line`);
    out.columns.push(`${alias}.first_line AS ${first}`);
    out.rules.push(duplicateRule(set, first));
  }
  return out;
}

/** Published rows whose key an earlier published row already has: their lines and the first line. */
async function duplicatesAfter(
  conn: DuckDBConnection,
  sets: KeySet[],
  curatedPath: string,
  offset: number,
): Promise<DuplicateRules> {
  const out: DuplicateRules = { rules: [], joins: [], columns: [] };
  for (const [n, set] of sets.entries()) {
    const i = offset + n;
    const cols = set.fields.map((p) => ident(p.field.name));
    const keysTable = `__postkeys${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${keysTable} AS SELECT ${cols.join(', ')}, min(_source_line) AS first_line FROM read_parquet(${lit(curatedPath)}, hive_partitioning = false) WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1`,
    );
    if (await isEmpty(conn, keysTable)) continue;
    const table = `__postdup${i}`;
    await conn.run(
      `CREATE TEMP TABLE ${table} AS SELECT c._source_line AS line, k.first_line FROM read_parquet(${lit(curatedPath)}, hive_partitioning = false) c JOIN ${keysTable} k ON ${cols.map((c) => `c.${c} = k.${c}`).join(' AND ')} WHERE c._source_line <> k.first_line`,
    );
    const alias = `p${i}`;
    const first = `__pfirst${i}`;
    out.joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.line = l2.__line`);
    out.columns.push(`${alias}.first_line AS ${first}`);
    out.rules.push(duplicateRule(set, first));
  }
  return out;
}

/** The checked relation: values, typed values, one flag per rule and __ok. */
function checkedQuery(plans: FieldPlan[], rules: Rule[], dups: DuplicateRules): string {
  const l1 = `SELECT __rn, __line, __row_rule, __row_error, ${valueColumns(plans).join(', ')} FROM src`;
  const l2 = `SELECT *, ${typedColumns(plans).join(', ')} FROM (${l1})`;
  const l3 = dups.joins.length
    ? `SELECT l2.*, ${dups.columns.join(', ')} FROM (${l2}) l2 ${dups.joins.join(' ')}`
    : l2;
  const flags = rules.map((r, i) => `${r.failed} AS ${ident(`f${i}`)}`);
  const anyFailed = rules.length ? rules.map((_, i) => ident(`f${i}`)).join(' OR ') : 'false';
  const msgs = rules.map((r, i) => `CASE WHEN ${ident(`f${i}`)} THEN ${r.message} END AS ${ident(`m${i}`)}`);
  const l4 = `SELECT *${flags.length ? `, ${flags.join(', ')}` : ''} FROM (${l3})`;
  return `SELECT *, (__row_rule IS NULL AND NOT (${anyFailed})) AS __ok${msgs.length ? `, ${msgs.join(', ')}` : ''} FROM (${l4})`;
}

/** The `_errors` list of a quarantined row: its structural error, or every rule it breaks. */
function rowErrorsSql(rules: Rule[]): string {
  const entry = (column: string, rule: string, message: string) =>
    `{'column': ${column}, 'rule': ${rule}, 'message': ${message}}`;
  const items = rules.map(
    (r, i) =>
      `CASE WHEN ${ident(`f${i}`)} THEN ${entry(lit(r.field.field.name), lit(r.rule), ident(`m${i}`))} END`,
  );
  const fieldErrors = items.length
    ? `list_filter([${items.join(', ')}], x -> x IS NOT NULL)`
    : `CAST([] AS STRUCT("column" VARCHAR, "rule" VARCHAR, "message" VARCHAR)[])`;
  return `CASE WHEN __row_rule IS NOT NULL THEN [${entry('CAST(NULL AS VARCHAR)', '__row_rule', '__row_error')}] ELSE ${fieldErrors} END`;
}
