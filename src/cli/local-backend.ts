/**
 * The local lake behind the commands: uploads to the embedded endpoint, reports from its quarantine
 * bucket, the catalog and queries from DuckDB. Opened with start 'when-needed', the lake (its endpoint,
 * the S3 client, the transformer) starts only when a command needs it: a query on a catalog in sync with
 * the lake (catalog-state.ts) opens catalog.duckdb alone.
 */
import { userInfo } from 'node:os';
import { relative } from 'node:path';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import type { IngestLogger } from '../ingest/types.ts';
import type { WithdrawError } from '../ingest/withdraw.ts';
import {
  type DatasetModel,
  datasetModel,
  type PublishedColumn,
  tableColumns,
} from '../lake/dataset-model.ts';
import { type DatasetRef, landingKey } from '../lake/layout.ts';
import { CatalogReader, QueryError, type QueryResult } from '../local/catalog-reader.ts';
import { catalogInSync } from '../local/catalog-state.ts';
import { type LakePaths, LOCAL_CURATED_BUCKET, lakePaths, readServerInfo } from '../local/lake-dir.ts';
import type { LocalLake } from '../local/local-lake.ts';
import type {
  ColumnInfo,
  DatasetDetail,
  DatasetDetailOptions,
  DatasetInfo,
  LakeBackend,
  QueryOutcome,
  RedriveOutcome,
  UploadedObject,
  UploadSummary,
} from './backend.ts';
import { type ContractSet, contractOf } from './contracts.ts';
import { CliError, EXIT } from './errors.ts';
import { datasetPage } from './local-dataset-page.ts';
import type { ProgressReporter } from './progress.ts';
import { summaryOf } from './report-view.ts';

/** Reports read at once when listing uploads. */
const READ_CONCURRENCY = 8;

export interface LocalBackendOptions {
  lakeDir: string;
  contracts: ContractSet;
  cwd: string;
  logger?: IngestLogger;
  /**
   * When to start the lake (attach to its `lake up`, or run the S3 endpoint in process): at once, or when a
   * command first needs it (a query on a catalog already in sync never does).
   * @default 'now'
   */
  start?: 'now' | 'when-needed';
}

export class LocalBackend implements LakeBackend {
  readonly mode = 'local' as const;
  readonly paths: LakePaths;
  private reader: CatalogReader | null = null;
  private starting: Promise<LocalLake> | null = null;
  private started: LocalLake | null = null;
  private readonly contracts: ContractSet;
  private readonly cwd: string;

  private constructor(private readonly opts: LocalBackendOptions) {
    this.paths = lakePaths(opts.lakeDir);
    this.contracts = opts.contracts;
    this.cwd = opts.cwd;
  }

  static async open(opts: LocalBackendOptions): Promise<LocalBackend> {
    const backend = new LocalBackend(opts);
    if ((opts.start ?? 'now') === 'now') await backend.localLake();
    return backend;
  }

  /** The running lake: opened with start 'now', or started since by a command that needed it. */
  get lake(): LocalLake {
    if (!this.started) throw new Error('the local lake is not started: open the backend with start "now"');
    return this.started;
  }

  /** Starts the lake, once; its module (the S3 client and endpoint, the transformer) loads only then. */
  private localLake(): Promise<LocalLake> {
    this.starting ??= import('../local/local-lake.ts')
      .then(({ LocalLake }) =>
        LocalLake.open({
          lakeDir: this.opts.lakeDir,
          contracts: this.contracts.datasets,
          logger: this.opts.logger,
        }),
      )
      .then((lake) => {
        this.started = lake;
        return lake;
      });
    return this.starting;
  }

  get description(): string {
    const where = relative(this.cwd, this.paths.root) || '.';
    const lake = this.started;
    const served = lake
      ? lake.inProcess
        ? null
        : lake.endpoint
      : (readServerInfo(this.paths)?.endpoint ?? null);
    if (served) return `local lake in ${where}, served by \`lake up\` at ${served}`;
    return lake ? `local lake in ${where} (started for this command)` : `local lake in ${where}`;
  }

  async upload(
    file: string,
    ref: DatasetRef,
    name: string,
    progress: ProgressReporter,
  ): Promise<UploadedObject> {
    contractOf(this.contracts, ref, this.cwd);
    this.closeReader();
    const lake = await this.localLake();
    // Loaded when uploading: the multipart uploader is not a query's business.
    const { uploadFile } = await import('./upload-file.ts');
    return uploadFile(lake.s3, { bucket: lake.buckets.landing, key: landingKey(ref, name) }, file, progress);
  }

  async waitForReport(
    object: UploadedObject,
    ref: DatasetRef,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<IngestReport> {
    const lake = await this.localLake();
    const uploadId = await lake.uploadIdOf(object.key);
    try {
      return await lake.waitForReport(ref, uploadId, opts);
    } catch (e) {
      const { ReportTimeoutError } = await import('../local/local-lake.ts');
      if (e instanceof ReportTimeoutError) {
        throw new CliError(e.message, {
          hint: `The file is uploaded; its report comes when the transformer is done: \`lake report ${uploadId}\` later.`,
          code: 'report_timeout',
          cause: e,
        });
      }
      throw e;
    }
  }

  async uploads(opts: { ref?: Partial<DatasetRef>; limit: number }): Promise<UploadSummary[]> {
    const lake = await this.localLake();
    const entries = (await lake.listReports(opts.ref)).slice(-opts.limit).reverse();
    const out: UploadSummary[] = [];
    for (let i = 0; i < entries.length; i += READ_CONCURRENCY) {
      const batch = entries.slice(i, i + READ_CONCURRENCY);
      const reports = await Promise.all(
        batch.map((e) => lake.readReport({ department: e.department, dataset: e.dataset }, e.uploadId)),
      );
      for (const r of reports) if (r) out.push(summaryOf(r));
    }
    return out;
  }

  async report(uploadId: string): Promise<IngestReport | null> {
    const lake = await this.localLake();
    const entry = (await lake.listReports()).find((e) => e.uploadId === uploadId);
    if (!entry) return null;
    return lake.readReport({ department: entry.department, dataset: entry.dataset }, uploadId);
  }

  async withdraw(uploadId: string, request: { reason: string }): Promise<IngestReport> {
    const lake = await this.localLake();
    const entry = (await lake.listReports()).find((e) => e.uploadId === uploadId);
    if (!entry) throw unknownUpload(uploadId);
    this.closeReader();
    const { WithdrawError, withdrawUpload } = await import('../ingest/withdraw.ts');
    try {
      return await withdrawUpload(
        { s3: lake.s3, buckets: lake.buckets },
        {
          ref: { department: entry.department, dataset: entry.dataset },
          uploadId,
          by: userInfo().username,
          reason: request.reason,
        },
      );
    } catch (e) {
      if (e instanceof WithdrawError) throw withdrawRefused(e);
      throw e;
    }
  }

  async datasets(): Promise<DatasetInfo[]> {
    const reader = await this.openReader();
    const out: DatasetInfo[] = [];
    for (const contract of [...this.contracts.datasets.values()].sort(byKey)) {
      out.push({
        ...infoOf(contract, this.contracts),
        ...(await stats(reader, contract.department, contract.name)),
      });
    }
    return out;
  }

  async dataset(ref: DatasetRef, opts: DatasetDetailOptions = {}): Promise<DatasetDetail> {
    const contract = contractOf(this.contracts, ref, this.cwd);
    const model = datasetModel(contract);
    const reader = await this.openReader();
    const uploads = await this.uploads({ ref, limit: Number.MAX_SAFE_INTEGER });
    return {
      ...infoOf(contract, this.contracts),
      ...(await stats(reader, contract.department, contract.name)),
      description: contract.description ?? null,
      primaryKey: contract.primaryKey ?? [],
      format: contract.format.type,
      location: `s3://${LOCAL_CURATED_BUCKET}/${model.storage.curatedPrefix}`,
      table: `${ref.department}.${ref.dataset}`,
      columns: tableColumns(model).map((c) => ({ ...columnInfo(c), headers: headersOf(model, c) })),
      ...(await datasetPage(reader, model, uploads, opts.sample ?? 0)),
    };
  }

  async query(sql: string, progress: ProgressReporter): Promise<QueryOutcome> {
    const started = Date.now();
    progress.phase('querying');
    try {
      const reader = await this.openReader();
      const r = await run(reader, sql, 'Tables are <department>.<dataset>: `lake catalog` lists them.');
      return { ...r, durationMs: Date.now() - started };
    } finally {
      progress.done();
    }
  }

  async queryQuarantine(sql: string, progress: ProgressReporter): Promise<QueryOutcome> {
    const started = Date.now();
    progress.phase('querying the quarantine');
    const lake = await this.localLake();
    const { QuarantineReader } = await import('../local/quarantine-reader.ts');
    const reader = await QuarantineReader.open({
      s3: lake.s3,
      buckets: lake.buckets,
      contracts: this.contracts.datasets,
      paths: lake.paths,
    });
    try {
      const r = await run(
        reader,
        sql,
        'Tables are quarantine.<department>_<dataset> (e.g. quarantine.health_clinics): the rejected rows with _errors.',
      );
      return { ...r, durationMs: Date.now() - started };
    } finally {
      await reader.close();
      progress.done();
    }
  }

  /**
   * Brings the catalog up to date (once per command) and opens it for reading. A catalog synced from the
   * lake as it is now is opened as it is: the lake is not started for it.
   */
  private async openReader(): Promise<CatalogReader> {
    if (!this.reader) {
      if (!(await catalogInSync(this.paths, this.contracts.datasets))) {
        const lake = await this.localLake();
        await lake.syncCatalog(this.contracts.datasets);
      }
      this.reader = await CatalogReader.open(this.paths);
    }
    return this.reader;
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = null;
  }

  async rejectedRows(report: IngestReport, limit: number | null): Promise<IngestReport['errors']> {
    const lake = await this.localLake();
    const { quarantinedErrors } = await import('./rejected-rows.ts');
    return quarantinedErrors(lake.s3, lake.buckets.quarantine, report, limit);
  }

  async redrive(): Promise<RedriveOutcome> {
    const lake = await this.localLake();
    return { mode: 'local', resubmitted: await lake.resubmitUnreported() };
  }

  async close(): Promise<void> {
    this.closeReader();
    const starting = this.starting;
    this.starting = null;
    this.started = null;
    // A lake that failed to start has said so to the command already.
    const lake = starting ? await starting.catch(() => null) : null;
    await lake?.close();
  }
}

/** Runs analysts' or stewards' SQL; SQL the lake cannot run is the user's to fix, with `hint` on the tables. */
async function run(
  reader: { query(sql: string): Promise<QueryResult> },
  sql: string,
  tables: string,
): Promise<QueryResult> {
  try {
    return await reader.query(sql);
  } catch (e) {
    if (e instanceof QueryError) {
      throw new CliError(`the query failed: ${e.message}`, {
        hint: `Fix the SQL (DuckDB dialect locally). ${tables}`,
        code: 'query_failed',
        exitCode: EXIT.failure,
        cause: e,
      });
    }
    throw e;
  }
}

/** No report has this upload id. */
export function unknownUpload(uploadId: string): CliError {
  return new CliError(`no report for upload "${uploadId}"`, {
    hint: 'Check the id with `lake status`; an upload still being processed has no report yet.',
    code: 'unknown_upload',
  });
}

/** A withdrawal the lake refused, in the CLI's terms. */
export function withdrawRefused(e: WithdrawError): CliError {
  return new CliError(e.message, {
    hint:
      e.code === 'not_published'
        ? '`lake status` shows which uploads published rows; only those can be withdrawn.'
        : 'Check the id with `lake status`.',
    code: e.code,
    cause: e,
  });
}

const byKey = (a: { department: string; name: string }, b: { department: string; name: string }) =>
  `${a.department}/${a.name}`.localeCompare(`${b.department}/${b.name}`);

/** The header spellings the contract accepts for a column (none for lineage and partition columns). */
function headersOf(model: DatasetModel, c: PublishedColumn): string[] {
  return model.fields.find((f) => f.column === c)?.field.headers ?? [];
}

/** A published column as `lake catalog` shows it (headers are the caller's to add, where known). */
export function columnInfo(c: PublishedColumn): ColumnInfo {
  return {
    name: c.name,
    type: c.type.glue,
    classification: c.classification,
    pii: c.protection?.pii ?? null,
    protect: c.protection?.action ?? null,
    description: c.description ?? c.title,
    headers: null,
    ...(c.role === 'partition' ? { partition: true } : {}),
  };
}

function infoOf(contract: DatasetContract, set: ContractSet): DatasetInfo {
  const owner = set.departments.find((d) => d.id === contract.department)?.name ?? contract.department;
  return {
    dataset: `${contract.department}/${contract.name}`,
    department: contract.department,
    name: contract.name,
    title: contract.title,
    owner,
    classification: contract.classification,
    mode: contract.mode,
    rows: null,
    lastIngested: null,
  };
}

async function stats(
  reader: CatalogReader,
  department: string,
  dataset: string,
): Promise<{ rows: number; lastIngested: string | null }> {
  const q = `SELECT count(*) AS n, strftime(max(_ingested_at), '%Y-%m-%dT%H:%M:%SZ') AS last FROM "${department}"."${dataset}"`;
  const r = await reader.query(q);
  const row = r.rows[0] ?? {};
  return { rows: Number(row.n ?? 0), lastIngested: (row.last as string | null) ?? null };
}
