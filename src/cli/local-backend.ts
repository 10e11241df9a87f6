/**
 * The local lake behind the commands: uploads to the embedded endpoint, reports from its quarantine
 * bucket, the catalog and queries from DuckDB.
 */
import { userInfo } from 'node:os';
import { relative } from 'node:path';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import type { IngestLogger } from '../ingest/types.ts';
import { WithdrawError, withdrawUpload } from '../ingest/withdraw.ts';
import { datasetModel, type PublishedColumn, tableColumns } from '../lake/dataset-model.ts';
import { type DatasetRef, landingKey } from '../lake/layout.ts';
import { CatalogReader, QueryError } from '../local/catalog-reader.ts';
import { LocalLake, ReportTimeoutError } from '../local/local-lake.ts';
import type {
  ColumnInfo,
  DatasetDetail,
  DatasetInfo,
  LakeBackend,
  QueryOutcome,
  RedriveOutcome,
  UploadedObject,
  UploadSummary,
} from './backend.ts';
import { type ContractSet, contractOf } from './contracts.ts';
import { CliError, EXIT } from './errors.ts';
import type { ProgressReporter } from './progress.ts';
import { quarantinedErrors } from './rejected-rows.ts';
import { summaryOf } from './report-view.ts';

/** Reports read at once when listing uploads. */
const READ_CONCURRENCY = 8;

export class LocalBackend implements LakeBackend {
  readonly mode = 'local' as const;
  private reader: CatalogReader | null = null;

  private constructor(
    readonly lake: LocalLake,
    private readonly contracts: ContractSet,
    private readonly cwd: string,
  ) {}

  static async open(opts: {
    lakeDir: string;
    contracts: ContractSet;
    cwd: string;
    logger?: IngestLogger;
  }): Promise<LocalBackend> {
    const lake = await LocalLake.open({
      lakeDir: opts.lakeDir,
      contracts: opts.contracts.datasets,
      logger: opts.logger,
    });
    return new LocalBackend(lake, opts.contracts, opts.cwd);
  }

  get description(): string {
    const where = relative(this.cwd, this.lake.paths.root) || '.';
    return this.lake.inProcess
      ? `local lake in ${where} (started for this command)`
      : `local lake in ${where}, served by \`lake up\` at ${this.lake.endpoint}`;
  }

  async upload(
    file: string,
    ref: DatasetRef,
    name: string,
    progress: ProgressReporter,
  ): Promise<UploadedObject> {
    contractOf(this.contracts, ref, this.cwd);
    this.closeReader();
    // Loaded when uploading: the multipart uploader is not a query's business.
    const { uploadFile } = await import('./upload-file.ts');
    return uploadFile(
      this.lake.s3,
      { bucket: this.lake.buckets.landing, key: landingKey(ref, name) },
      file,
      progress,
    );
  }

  async waitForReport(
    object: UploadedObject,
    ref: DatasetRef,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<IngestReport> {
    const uploadId = await this.lake.uploadIdOf(object.key);
    try {
      return await this.lake.waitForReport(ref, uploadId, opts);
    } catch (e) {
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
    const entries = (await this.lake.listReports(opts.ref)).slice(-opts.limit).reverse();
    const out: UploadSummary[] = [];
    for (let i = 0; i < entries.length; i += READ_CONCURRENCY) {
      const batch = entries.slice(i, i + READ_CONCURRENCY);
      const reports = await Promise.all(
        batch.map((e) => this.lake.readReport({ department: e.department, dataset: e.dataset }, e.uploadId)),
      );
      for (const r of reports) if (r) out.push(summaryOf(r));
    }
    return out;
  }

  async report(uploadId: string): Promise<IngestReport | null> {
    const entry = (await this.lake.listReports()).find((e) => e.uploadId === uploadId);
    if (!entry) return null;
    return this.lake.readReport({ department: entry.department, dataset: entry.dataset }, uploadId);
  }

  async withdraw(uploadId: string, request: { reason: string }): Promise<IngestReport> {
    const entry = (await this.lake.listReports()).find((e) => e.uploadId === uploadId);
    if (!entry) throw unknownUpload(uploadId);
    this.closeReader();
    try {
      return await withdrawUpload(
        { s3: this.lake.s3, buckets: this.lake.buckets },
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

  async dataset(ref: DatasetRef): Promise<DatasetDetail> {
    const contract = contractOf(this.contracts, ref, this.cwd);
    const model = datasetModel(contract);
    const reader = await this.openReader();
    return {
      ...infoOf(contract, this.contracts),
      ...(await stats(reader, contract.department, contract.name)),
      description: contract.description ?? null,
      primaryKey: contract.primaryKey ?? [],
      format: contract.format.type,
      location: `s3://${this.lake.buckets.curated}/${model.storage.curatedPrefix}`,
      table: `${ref.department}.${ref.dataset}`,
      columns: tableColumns(model).map(columnInfo),
    };
  }

  async query(sql: string, progress: ProgressReporter): Promise<QueryOutcome> {
    const started = Date.now();
    progress.phase('querying');
    const reader = await this.openReader();
    try {
      const r = await reader.query(sql);
      return { ...r, durationMs: Date.now() - started };
    } catch (e) {
      if (e instanceof QueryError) {
        throw new CliError(`the query failed: ${e.message}`, {
          hint: 'Fix the SQL (DuckDB dialect locally). Tables are <department>.<dataset>: `lake catalog` lists them.',
          code: 'query_failed',
          exitCode: EXIT.failure,
          cause: e,
        });
      }
      throw e;
    } finally {
      progress.done();
    }
  }

  /** Brings the catalog up to date (once per command) and opens it for reading. */
  private async openReader(): Promise<CatalogReader> {
    if (!this.reader) {
      await this.lake.syncCatalog(this.contracts.datasets);
      this.reader = await CatalogReader.open(this.lake.paths);
    }
    return this.reader;
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = null;
  }

  async rejectedRows(report: IngestReport, limit: number | null): Promise<IngestReport['errors']> {
    return quarantinedErrors(this.lake.s3, this.lake.buckets.quarantine, report, limit);
  }

  async redrive(): Promise<RedriveOutcome> {
    return { mode: 'local', resubmitted: await this.lake.resubmitUnreported() };
  }

  async close(): Promise<void> {
    this.closeReader();
    await this.lake.close();
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

/** A published column as `lake catalog` shows it. */
export function columnInfo(c: PublishedColumn): ColumnInfo {
  return {
    name: c.name,
    type: c.type.glue,
    classification: c.classification,
    pii: c.protection?.pii ?? null,
    protect: c.protection?.action ?? null,
    description: c.description ?? c.title,
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
