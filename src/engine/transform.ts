/**
 * The transform engine: one local file and its contract in, typed private Parquet and a report out.
 * The Lambda and the CLI both call transformFile; it knows nothing of S3 or the cloud.
 *
 * Every record read ends in exactly one of the two outputs: curated (typed, PII protected, lineage
 * columns) or quarantine (the text as uploaded, PII protected the same way, with `_errors`), unless
 * format.skipRows leaves it out (counted), so `rows.accepted + rows.rejected + rows.skipped = rows.total`
 * holds for every file that could be parsed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import { hashFile } from './decode.ts';
import { createDuckDB } from './duckdb.ts';
import { FileRejectedError } from './errors.ts';
import { publish } from './publish.ts';
import type { IngestReport } from './report.ts';
import { resourceRejection } from './resource-limits.ts';
import { createSource, type SourceInfo } from './source.ts';
import { trace } from './trace.ts';

/** Rows per Parquet row group: bounded, so readers and writers never hold a whole file. */
export const ROW_GROUP_ROWS = 122_880;
/** Errors listed in the report (all are counted in errorCounts and kept in quarantine). */
export const DEFAULT_MAX_ERRORS = 100;
/** DuckDB memory limit: the engine spills to its temp directory beyond it. */
export const DEFAULT_MEMORY_LIMIT = '128MB';

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
  /**
   * The dataset's rows already published by other uploads, as local Parquet (a path or a glob) holding at
   * least the key columns, `_upload_id` and `_source_line`: in an append dataset, a row whose primaryKey or
   * unique key they hold is quarantined ("already published by upload <id> (line N)").
   * @default none: keys are checked within the file only
   */
  publishedKeys?: string;
}

export async function transformFile(opts: TransformOptions): Promise<IngestReport> {
  const startedAt = Date.now();
  const now = opts.now ?? new Date();
  const { contract } = opts;
  const model = datasetModel(contract);
  const keys = model.outputKeys(opts.uploadId, now);
  const report: IngestReport = {
    uploadId: opts.uploadId,
    dataset: model.id,
    contractHash: model.contractHash,
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
    pii: { protected: [], flagged: [], found: [] },
    outputs: [],
    startedAt: now.toISOString(),
    durationMs: 0,
  };

  const work = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'lake-transform-'));
  const instance = await createDuckDB(':memory:', {
    threads: String(opts.threads ?? 1),
    memory_limit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: join(work, 'spill'),
    preserve_insertion_order: 'true',
    enable_external_access: 'true',
  });
  const conn = await instance.connect();
  const written: string[] = [];
  let stage = 'reading the file';
  try {
    const t = Date.now();
    const source = await readSource(conn, opts, report, work);
    trace('decode+scan', t);
    stage = 'checking the rows and writing the outputs';
    await publish({
      conn,
      opts,
      report,
      source,
      model,
      keys,
      now,
      written,
      limits: { rowGroupRows: ROW_GROUP_ROWS, maxErrors: opts.maxErrors ?? DEFAULT_MAX_ERRORS },
    });
  } catch (caught) {
    // Out of disk or memory at any stage: a rejected report naming the limit, not a crash.
    const e = resourceRejection(caught, stage) ?? caught;
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
  if (source.cells) report.cells = source.cells;
  return source;
}
