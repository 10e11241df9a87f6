/**
 * The deployed lake behind the commands. Uploads and reports go through S3 as the department's upload
 * role (STS AssumeRole on the role the stack outputs name), so the CLI can do exactly what the department
 * may do and nothing more; the catalog comes from Glue and queries run on Athena in the lake's workgroup,
 * as the caller (an analyst), so Lake Formation decides what they see.
 */
import { createHash } from 'node:crypto';
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { IngestReport } from '../../engine/report.ts';
import type { ErasureReceipt } from '../../ingest/erase-receipt.ts';
import { listReports, readReport } from '../../ingest/process-upload.ts';
import { normalizeEtag } from '../../ingest/s3-objects.ts';
import { type DatasetRef, landingKey } from '../../lake/layout.ts';
import type { DepartmentOutput, LakeOutputs } from '../../lake/outputs.ts';
import type {
  DatasetDetail,
  DatasetInfo,
  EraseOptions,
  LakeBackend,
  QueryOutcome,
  QueryStream,
  RedriveOutcome,
  UploadedObject,
  UploadSummary,
} from '../backend.ts';
import type { ContractSet } from '../contracts.ts';
import { unknownDataset } from '../contracts.ts';
import { CliError, EXIT } from '../errors.ts';
import { unknownUpload } from '../local-history.ts';
import type { ProgressReporter } from '../progress.ts';
import { summaryOf } from '../report-view.ts';
import { uploadFile } from '../upload-file.ts';
import { athenaQueryStream } from './athena.ts';
import type { AwsClientFactory } from './aws-clients.ts';
import { departmentName, getTable, getTables, glueDatasetDetail, tableInfo } from './glue-catalog.ts';
import type { DeployedLake } from './stack-outputs.ts';

/** How often `ingest` looks for the report of a deployed upload. */
export const AWS_REPORT_POLL_MS = 2000;
/** The session name the CLI's assumed role sessions carry (visible in CloudTrail). */
export const SESSION_NAME_PREFIX = 'lake-cli';

export { type AwsClientFactory, type AwsClientSettings, defaultClients } from './aws-clients.ts';

/** The upload id's digest part: the transformer's id ends with it (src/lake/layout.ts uploadIdOf). */
export function uploadDigest(key: string, identity: string): string {
  return createHash('sha256').update(`${key}\n${identity}`).digest('hex').slice(0, 12);
}

/**
 * The digest of an uploaded object as the transformer's upload id ends with it: its version id, or its
 * ETag where the bucket gave no version (src/ingest/process-upload.ts).
 */
export function objectDigest(object: { key: string; versionId?: string; etag?: string }): string {
  const identity =
    object.versionId && object.versionId !== 'null' ? object.versionId : normalizeEtag(object.etag);
  if (!identity) throw new CliError('the upload returned neither a version id nor an ETag');
  return uploadDigest(object.key, identity);
}

export class AwsBackend implements LakeBackend {
  readonly mode = 'aws' as const;
  private readonly roleClients = new Map<string, S3Client>();
  private readonly ownerNames = new Map<string, Promise<string>>();
  private glueClient?: GlueClient;
  private athenaClient?: AthenaClient;

  constructor(
    private readonly deployed: DeployedLake,
    private readonly clients: AwsClientFactory,
    private readonly contracts: ContractSet | null,
    private readonly opts: { pollMs?: number; user?: string } = {},
  ) {}

  get outputs(): LakeOutputs {
    return this.deployed.outputs;
  }

  get description(): string {
    return `deployed lake (${this.deployed.source}${this.deployed.region ? `, ${this.deployed.region}` : ''})`;
  }

  private department(id: string): DepartmentOutput {
    const d = this.outputs.departments[id];
    if (!d) {
      throw new CliError(`the deployed lake has no department "${id}"`, {
        hint: `Departments deployed: ${Object.keys(this.outputs.departments).sort().join(', ') || 'none'}. Add it to departments.yaml and deploy again.`,
        exitCode: EXIT.config,
        code: 'unknown_department',
      });
    }
    return d;
  }

  /** An S3 client acting as the department's upload role (its credentials carry their expiry). */
  protected async asDepartment(id: string): Promise<S3Client> {
    const cached = this.roleClients.get(id);
    if (cached) return cached;
    const creds = await this.assume(
      this.department(id).uploadRoleArn,
      `the ${id} department's upload role`,
      `Ask the platform team to add your principal to the ${id} department's uploaders in departments.yaml and deploy.`,
    );
    const s3 = this.clients.s3(creds);
    this.roleClients.set(id, s3);
    return s3;
  }

  /** Temporary credentials of a role the stack outputs name (STS AssumeRole with the caller's credentials). */
  private async assume(
    role: string,
    what: string,
    hint: string,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }> {
    const sts = this.clients.sts();
    let creds:
      | { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date }
      | undefined;
    try {
      const r = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role,
          RoleSessionName:
            `${SESSION_NAME_PREFIX}-${(this.opts.user ?? 'user').replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64),
          DurationSeconds: 3600,
        }),
      );
      creds = r.Credentials;
    } catch (e) {
      throw new CliError(`cannot act as ${what} (${role}): ${(e as Error).message}`, {
        hint,
        code: 'assume_role_failed',
        cause: e,
      });
    } finally {
      sts.destroy();
    }
    if (!creds?.AccessKeyId || !creds.SecretAccessKey)
      throw new CliError(`STS returned no credentials for ${role}`);
    return {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.SessionToken,
      expiration: creds.Expiration,
    };
  }

  private checkDataset(ref: DatasetRef): void {
    if (!this.contracts) return;
    const key = `${ref.department}/${ref.dataset}`;
    if (!this.contracts.datasets.has(key)) {
      throw unknownDataset(
        key,
        [...this.contracts.datasets.keys()],
        'Add its contract under datasets/ and deploy.',
      );
    }
  }

  async upload(
    file: string,
    ref: DatasetRef,
    name: string,
    progress: ProgressReporter,
  ): Promise<UploadedObject> {
    this.checkDataset(ref);
    const s3 = await this.asDepartment(ref.department);
    return uploadFile(
      s3,
      { bucket: this.outputs.core.landingBucket, key: landingKey(ref, name) },
      file,
      progress,
    );
  }

  async waitForReport(
    object: UploadedObject,
    ref: DatasetRef,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<IngestReport> {
    const digest = objectDigest(object);
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const report = await this.findReport(ref, digest);
      if (report) return report;
      if (opts.signal?.aborted) throw new CliError('interrupted while waiting for the report');
      if (Date.now() > deadline) {
        throw new CliError(`no report for s3://${object.bucket}/${object.key} yet`, {
          hint:
            'The transformer may be busy: run `lake status --dataset ' +
            `${ref.department}/${ref.dataset}` +
            '` later.',
          code: 'report_timeout',
        });
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? AWS_REPORT_POLL_MS));
    }
  }

  /**
   * The report of the dataset's upload whose id ends with `digest` (objectDigest of the uploaded object),
   * or null while the transformer has not written it: one listing, no waiting.
   */
  async findReport(ref: DatasetRef, digest: string): Promise<IngestReport | null> {
    const s3 = await this.asDepartment(ref.department);
    const bucket = this.outputs.core.quarantineBucket;
    const entries = await listReports(s3, bucket, ref.department, ref.dataset);
    const mine = entries.filter((e) => e.uploadId.endsWith(`-${digest}`)).pop();
    return mine ? readReport(s3, bucket, ref, mine.uploadId) : null;
  }

  private departmentsFor(ref?: Partial<DatasetRef>): string[] {
    if (ref?.department) return [ref.department];
    return Object.keys(this.outputs.departments).sort();
  }

  async uploads(opts: { ref?: Partial<DatasetRef>; limit: number }): Promise<UploadSummary[]> {
    const out: UploadSummary[] = [];
    const bucket = this.outputs.core.quarantineBucket;
    for (const department of this.departmentsFor(opts.ref)) {
      let s3: S3Client;
      try {
        s3 = await this.asDepartment(department);
      } catch (e) {
        if (opts.ref?.department) throw e;
        continue; // Departments whose role the caller may not assume are not theirs to see.
      }
      const entries = (await listReports(s3, bucket, department, opts.ref?.dataset)).slice(-opts.limit);
      for (const e of entries) {
        const r = await readReport(s3, bucket, { department: e.department, dataset: e.dataset }, e.uploadId);
        if (r) out.push(summaryOf(r));
      }
    }
    return out.sort((a, b) => (a.uploadId < b.uploadId ? 1 : -1)).slice(0, opts.limit);
  }

  async report(uploadId: string): Promise<IngestReport | null> {
    const bucket = this.outputs.core.quarantineBucket;
    for (const department of this.departmentsFor()) {
      let s3: S3Client;
      try {
        s3 = await this.asDepartment(department);
      } catch {
        continue;
      }
      const entry = (await listReports(s3, bucket, department)).find((e) => e.uploadId === uploadId);
      if (entry) return readReport(s3, bucket, { department, dataset: entry.dataset }, uploadId);
    }
    return null;
  }

  /**
   * A request object under the department's landing prefix (the upload role's one right), carried out by
   * the transformer; waits for the report to show the withdrawal completed (aws-history.ts).
   */
  async withdraw(uploadId: string, request: { reason: string }): Promise<IngestReport> {
    const report = await this.report(uploadId);
    if (!report) throw unknownUpload(uploadId);
    const { withdrawDeployed } = await import('./aws-history.ts');
    return withdrawDeployed({
      report,
      s3: await this.asDepartment(report.dataset.split('/')[0]),
      outputs: this.outputs,
      by: this.opts.user ?? 'unknown',
      reason: request.reason,
      pollMs: this.opts.pollMs ?? AWS_REPORT_POLL_MS,
    });
  }

  /** As the stack's erasure role (lake admins only): see aws-history.ts. */
  async erase(request: EraseOptions): Promise<ErasureReceipt> {
    const { eraseAsErasureRole } = await import('./aws-history.ts');
    return eraseAsErasureRole({
      request,
      outputs: this.outputs,
      contracts: this.contracts?.datasets ?? null,
      region: this.deployed.region,
      by: this.opts.user ?? 'unknown',
      s3: (creds) => this.clients.s3(creds),
      assume: (role) =>
        this.assume(
          role,
          "the lake's erasure role",
          'Only the lake admins (lakeFormation.admins) may assume it.',
        ),
    });
  }

  async redrive(): Promise<RedriveOutcome> {
    const sqs = this.clients.sqs();
    try {
      const url = this.outputs.core.deadLetterQueueUrl;
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
        }),
      );
      const arn = attrs.Attributes?.QueueArn;
      if (!arn) throw new CliError(`SQS returned no ARN for the dead-letter queue ${url}`);
      const messages = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
      if (messages === 0) return { mode: 'aws', deadLetterQueue: arn, messages, taskHandle: null };
      const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
      return { mode: 'aws', deadLetterQueue: arn, messages, taskHandle: task.TaskHandle ?? null };
    } finally {
      sqs.destroy();
    }
  }

  private glue(): GlueClient {
    this.glueClient ??= this.clients.glue();
    return this.glueClient;
  }

  private athena(): AthenaClient {
    this.athenaClient ??= this.clients.athena();
    return this.athenaClient;
  }

  async datasets(): Promise<DatasetInfo[]> {
    const out: DatasetInfo[] = [];
    for (const id of this.departmentsFor()) {
      const d = this.department(id);
      const tables = await getTables(this.glue(), d.database);
      if (tables.length === 0) continue;
      const owner = await this.ownerName(id);
      for (const t of tables) out.push(tableInfo(t, id, owner));
    }
    return out.sort((a, b) => a.dataset.localeCompare(b.dataset));
  }

  /** The department's name, as its Glue database records it (else its id). */
  private ownerName(id: string): Promise<string> {
    let name = this.ownerNames.get(id);
    if (!name) {
      name = departmentName(this.glue(), this.department(id).database).then((n) => n ?? id);
      this.ownerNames.set(id, name);
    }
    return name;
  }

  async dataset(ref: DatasetRef): Promise<DatasetDetail> {
    const d = this.department(ref.department);
    const table = await getTable(this.glue(), d.database, ref.dataset);
    if (!table) {
      const known = (await getTables(this.glue(), d.database)).map((t) => `${ref.department}/${t.Name}`);
      throw unknownDataset(
        `${ref.department}/${ref.dataset}`,
        known,
        'Add its contract under datasets/ and deploy.',
      );
    }
    const info = tableInfo(table, ref.department, await this.ownerName(ref.department));
    const name = `"${d.database}"."${ref.dataset}"`;
    const stats = await this.query(`SELECT count(*) AS n, max(_ingested_at) AS last FROM ${name}`, {
      update() {},
      phase() {},
      done() {},
    });
    const row = stats.rows[0] ?? {};
    // Not read from a deployed lake: `lake status --dataset` lists its uploads, `lake status --overdue`
    // which datasets are late (reports are read as each department's role).
    return {
      ...glueDatasetDetail(table, info, d.database, ref.dataset),
      rows: typeof row.n === 'number' ? row.n : null,
      lastIngested: typeof row.last === 'string' ? row.last : null,
    };
  }

  async query(sql: string, progress: ProgressReporter, signal?: AbortSignal): Promise<QueryOutcome> {
    const started = Date.now();
    const r = await this.queryStream(sql, progress, signal);
    const rows: Record<string, unknown>[] = [];
    for await (const page of r.batches) rows.push(...page);
    return { columns: r.columns, rows, scannedBytes: r.scannedBytes, durationMs: Date.now() - started };
  }

  queryStream(sql: string, progress: ProgressReporter, signal?: AbortSignal): Promise<QueryStream> {
    return athenaQueryStream(this.athena(), {
      sql,
      workGroup: this.outputs.core.workGroup,
      progress,
      signal,
    });
  }

  async close(): Promise<void> {
    for (const c of this.roleClients.values()) c.destroy();
    this.glueClient?.destroy();
    this.athenaClient?.destroy();
  }
}
