/**
 * The local lake behind the commands: uploads to the embedded endpoint, reports from its quarantine
 * bucket, the catalog and queries from DuckDB. Opened with start 'when-needed', the lake (its endpoint,
 * the S3 client, the transformer) starts only when a command needs it: a query on a catalog in sync with
 * the lake (catalog-state.ts) opens catalog.duckdb alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ReadAccess } from '../access/policy.ts';
import type { IngestReport } from '../engine/report.ts';
import type { ErasureReceipt } from '../ingest/erase-receipt.ts';
import type { IngestLogger } from '../ingest/types.ts';
import { datasetModel, tableColumns } from '../lake/dataset-model.ts';
import { type DatasetRef, landingKey } from '../lake/layout.ts';
import { CatalogReader } from '../local/catalog-reader.ts';
import { catalogInSync } from '../local/catalog-state.ts';
import { type LakePaths, lakePaths, readServerInfo } from '../local/lake-dir.ts';
import type { LocalLake } from '../local/local-lake.ts';
import type {
  DatasetDetail,
  DatasetDetailOptions,
  DatasetInfo,
  EraseOptions,
  LakeBackend,
  QueryOutcome,
  QueryStream,
  RedriveOutcome,
  UploadedObject,
  UploadSummary,
} from './backend.ts';
import { type ContractSet, contractOf } from './contracts.ts';
import { CliError } from './errors.ts';
import { wholeStream } from './export-result.ts';
import { explainRefusal, type LocalAccess } from './local-access.ts';
import { catalogEntries, catalogPage, type Readable } from './local-catalog.ts';
import { CATALOG_TABLES, runQuarantineQuery, runQuery, streamQuery } from './local-query.ts';
import type { ProgressReporter } from './progress.ts';
import { summaryOf } from './report-view.ts';

/** A published column as `lake catalog` shows it (local-catalog.ts). */
export { columnInfo } from './local-catalog.ts';

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
  /**
   * The identity acting (`--as`) and the access requests: its queries see only the tables and columns it
   * may read (src/access/policy.ts). Absent: the lake's operator, who sees everything as published.
   */
  access?: LocalAccess;
}

/** What an identity reads, as text: equal texts, equal readers. */
function grantsSignature(readable: ReadonlyMap<string, ReadAccess>): string {
  return JSON.stringify([...readable].map(([key, r]) => [key, r.columns, r.grant ?? null]));
}

export class LocalBackend implements LakeBackend {
  readonly mode = 'local' as const;
  readonly paths: LakePaths;
  private reader: CatalogReader | null = null;
  /** The identity's reader (access set): its granted tables only, and the grants it was made for. */
  private granted: { reader: CatalogReader; readable: Map<string, ReadAccess>; grants: string } | null = null;
  private exportDir?: string;
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
          publishers: new Map(this.contracts.departments.map((d) => [d.id, d.name])),
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
    this.closeReader();
    const { withdrawLocal } = await import('./local-history.ts');
    return withdrawLocal(lake, uploadId, request);
  }

  async erase(request: EraseOptions): Promise<ErasureReceipt> {
    const lake = await this.localLake();
    this.closeReader();
    const { eraseLocal } = await import('./local-history.ts');
    return eraseLocal(lake, this.contracts.datasets, request);
  }

  async datasets(): Promise<DatasetInfo[]> {
    return catalogEntries(await this.openReader(), this.contracts, await this.readable());
  }

  /** What the identity reads of every dataset, or null for the operator. */
  private async readable(): Promise<Readable> {
    const a = this.opts.access;
    return a ? a.service.readable(a.actor) : null;
  }

  async dataset(ref: DatasetRef, opts: DatasetDetailOptions = {}): Promise<DatasetDetail> {
    const contract = contractOf(this.contracts, ref, this.cwd);
    const reader = await this.openReader();
    const uploads = await this.uploads({ ref, limit: Number.MAX_SAFE_INTEGER });
    return catalogPage(reader, this.contracts, contract, uploads, await this.readable(), opts);
  }

  async query(sql: string, progress: ProgressReporter): Promise<QueryOutcome> {
    const started = Date.now();
    progress.phase('querying');
    try {
      const reader = await this.queryReader();
      const r = await this.explained(sql, () => runQuery(reader, sql, CATALOG_TABLES));
      return { ...r, durationMs: Date.now() - started };
    } finally {
      progress.done();
    }
  }

  /** The reader of analysts' SQL: the identity's granted tables, or the whole catalog for the operator. */
  private async queryReader(): Promise<CatalogReader> {
    const a = this.opts.access;
    if (!a) return this.openReader();
    // Read again for every query: a grant approved, revoked or ended since the last one (a long `lake sql`
    // shell, a `lake serve`) changes what the next query sees, not only the next command's.
    const readable = await a.service.readable(a.actor);
    const grants = grantsSignature(readable);
    if (this.granted && this.granted.grants !== grants) {
      this.granted.reader.close();
      this.granted = null;
    }
    if (!this.granted) {
      // Synced first (the fast path included): the identity's copies are made from the synced files.
      await this.openReader();
      const tables = [...this.contracts.datasets].map(([key, contract]) => ({
        model: datasetModel(contract),
        columns: readable.get(key)?.columns ?? [],
      }));
      const { openGrantedReader } = await import('../local/granted-reader.ts');
      this.granted = { reader: await openGrantedReader(this.paths, tables), readable, grants };
    }
    return this.granted.reader;
  }

  /** Runs a query; an identity's refusal says which table is not there for it and how to ask for it. */
  private async explained<T>(sql: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      const a = this.opts.access;
      if (!a || !this.granted) throw e;
      throw explainRefusal(e, sql, a.actor, this.granted.readable, (key) => {
        const c = this.contracts.datasets.get(key);
        return c ? tableColumns(datasetModel(c)).map((x) => x.name) : [];
      });
    }
  }

  async queryStream(sql: string, progress: ProgressReporter): Promise<QueryStream> {
    // An identity's query runs on its granted reader, whole; the operator's export streams.
    if (this.opts.access) return wholeStream(await this.query(sql, progress));
    progress.phase('querying');
    try {
      return await streamQuery(await this.openReader({ export: true }), sql, CATALOG_TABLES);
    } finally {
      progress.done();
    }
  }

  async queryQuarantine(sql: string, progress: ProgressReporter): Promise<QueryOutcome> {
    const started = Date.now();
    progress.phase('querying the quarantine');
    const a = this.opts.access;
    const who = a?.actor.principal;
    if (who && who.kind !== 'steward') {
      throw new CliError(`the quarantine is its department's steward's: ${a?.actor.name} may not query it`, {
        hint: "Act as steward:<department> to query your department's rejected rows.",
        code: 'access_denied',
      });
    }
    // A steward sees its own department's quarantine only.
    const contracts = who
      ? new Map([...this.contracts.datasets].filter(([, c]) => c.department === who.id))
      : this.contracts.datasets;
    try {
      const r = await runQuarantineQuery(await this.localLake(), contracts, sql);
      return { ...r, durationMs: Date.now() - started };
    } finally {
      progress.done();
    }
  }

  /**
   * Brings the catalog up to date (once per command) and opens it for reading. A catalog synced from the
   * lake as it is now is opened as it is: the lake is not started for it.
   */
  private async openReader(opts: { export?: boolean } = {}): Promise<CatalogReader> {
    // An export's reader may write its result to a private directory of its own (result-export.ts).
    if (opts.export && this.reader && !this.reader.exportDir) this.closeReader();
    if (!this.reader) {
      if (!(await catalogInSync(this.paths, this.contracts.datasets))) {
        const lake = await this.localLake();
        await lake.syncCatalog(this.contracts.datasets);
      }
      if (opts.export) this.exportDir ??= await mkdtemp(join(tmpdir(), 'lake-export-'));
      this.reader = await CatalogReader.open(this.paths, { exportDir: this.exportDir });
    }
    return this.reader;
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = null;
    this.granted?.reader.close();
    this.granted = null;
  }

  /** Forgets the catalog read so far: the next read syncs it with the lake as it is now (`lake serve`). */
  refresh(): void {
    this.closeReader();
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
    if (this.exportDir) await rm(this.exportDir, { recursive: true, force: true });
    this.exportDir = undefined;
    const starting = this.starting;
    this.starting = null;
    this.started = null;
    // A lake that failed to start has said so to the command already.
    const lake = starting ? await starting.catch(() => null) : null;
    await lake?.close();
  }
}
