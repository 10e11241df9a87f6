/**
 * One uploaded object in, the lake updated: the shared core of the transformer Lambda and the local lake.
 * It speaks only the S3 API (any S3-compatible endpoint) and runs the transform engine on local files.
 *
 *   1. landing key -> department and dataset (anything else is ignored)
 *   2. HeadObject -> the upload id, from the key, the version (or ETag) and LastModified
 *   3. a report already exists -> duplicate: nothing is written
 *   4. download the version, copy it byte-identical to raw/, transform it, upload curated/ and quarantine/
 *   5. replace datasets: move the current-upload manifest forward
 *   6. write the report, last: its presence marks the upload done
 *
 * Every key written is a function of the object version alone (the date partitions come from the object's
 * LastModified, not from the clock), so a retry after a crash at any step rewrites the same keys: nothing is
 * doubled. Bad files end in a rejected report; only infrastructure errors (S3, disk) throw, so the caller
 * retries them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contractHash } from '../contracts/contract-hash.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import { transformFile } from '../engine/transform.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import {
  type DatasetRef,
  parseLandingKey,
  rawKey,
  reportKey,
  reportsPrefix,
  uploadIdOf,
} from '../lake/layout.ts';
import { advanceCurrentManifest } from './current-manifest.ts';
import {
  copyObject,
  downloadToFile,
  exists,
  isNotFound,
  isPreconditionFailed,
  listObjects,
  normalizeEtag,
  readText,
  uploadFile,
} from './s3-objects.ts';
import type { ProcessResult, ProcessUploadDeps, ReportEntry, UploadObject } from './types.ts';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';
export const REPORT_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Processes one uploaded object. See the module comment for the steps and guarantees. */
export async function processUpload(deps: ProcessUploadDeps, object: UploadObject): Promise<ProcessResult> {
  const started = (deps.now ?? (() => new Date()))();
  const { s3, buckets } = deps;

  // 1. Which dataset.
  if (object.bucket !== buckets.landing) {
    return ignored(`the object is in bucket "${object.bucket}", not the landing bucket`);
  }
  const parsed = parseLandingKey(object.key);
  if (!parsed) {
    return ignored('the key is not landing/<department>/<dataset>/<file>');
  }
  const ref: DatasetRef = { department: parsed.department, dataset: parsed.dataset };

  // 2. Which upload.
  let head: { etag?: string; versionId?: string; lastModified: Date; size: number };
  try {
    const h = await s3.send(
      new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
    );
    if (!h.LastModified) throw new Error(`s3://${object.bucket}/${object.key} has no LastModified`);
    head = {
      etag: h.ETag,
      versionId: object.versionId ?? h.VersionId,
      lastModified: h.LastModified,
      size: h.ContentLength ?? 0,
    };
  } catch (e) {
    if (isNotFound(e)) return ignored('the object (or this version of it) no longer exists');
    throw e;
  }
  // "null" is the version id of objects written before versioning was enabled: not unique, so use the ETag.
  const identity = head.versionId && head.versionId !== 'null' ? head.versionId : normalizeEtag(head.etag);
  if (!identity) throw new Error(`s3://${object.bucket}/${object.key} has neither a version id nor an ETag`);
  const uploadId = uploadIdOf(object.key, identity, head.lastModified);
  const at = head.lastModified;

  // 3. Done before?
  const previous = await readReport(s3, buckets.quarantine, ref, uploadId);
  if (previous) return { outcome: 'duplicate', uploadId, report: previous };

  // 4. Download, copy to raw, transform, publish.
  const raw = rawKey(ref, uploadId, at, parsed.file);
  const copyToRaw = (size: number) =>
    copyObject(s3, {
      source: { bucket: object.bucket, key: object.key, versionId: head.versionId, etag: head.etag },
      target: { bucket: buckets.raw, key: raw },
      size,
    });
  const contract = deps.contracts.get(`${ref.department}/${ref.dataset}`);
  const work = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'lake-ingest-'));
  try {
    let report: IngestReport;
    if (deps.maxObjectBytes !== undefined && head.size > deps.maxObjectBytes) {
      // Not downloaded at all: it would not fit. The original is still kept.
      await copyToRaw(head.size);
      report = fileRejected(ref, uploadId, object.key, { bytes: head.size, sha256: '' }, started, {
        rule: 'size',
        message: `the file is ${head.size} bytes, more than the ${deps.maxObjectBytes} bytes the transformer accepts: split it into smaller files (or compress it with gzip) and upload them again`,
        contract,
      });
    } else {
      const inputPath = join(work, 'upload');
      let download: { bytes: number; sha256: string };
      try {
        download = await downloadToFile(
          s3,
          {
            Bucket: object.bucket,
            Key: object.key,
            VersionId: head.versionId,
            IfMatch: head.versionId ? undefined : head.etag,
          },
          inputPath,
        );
      } catch (e) {
        if (isNotFound(e)) return ignored('the object was deleted while it was being processed');
        if (isPreconditionFailed(e)) {
          return ignored('the object was overwritten; its new version is processed on its own');
        }
        throw e;
      }
      await copyToRaw(download.bytes);
      report = contract
        ? await transformAndPublish(deps, {
            contract,
            ref,
            uploadId,
            at,
            inputPath,
            sourceKey: object.key,
            work,
          })
        : fileRejected(ref, uploadId, object.key, download, started, {
            rule: 'contract',
            message: missingContractMessage(ref, deps.contracts),
          });
    }
    if (deps.hashKeyVersion !== undefined && report.pii.protected.some((p) => p.action === 'hash')) {
      report.hashKeyVersion = deps.hashKeyVersion;
    }
    report.startedAt = started.toISOString();
    report.durationMs = Date.now() - started.getTime();

    // 6. The report, last.
    await s3.send(
      new PutObjectCommand({
        Bucket: buckets.quarantine,
        Key: reportKey(ref, uploadId),
        Body: `${JSON.stringify(report, null, 2)}\n`,
        ContentType: REPORT_CONTENT_TYPE,
      }),
    );
    return { outcome: 'processed', uploadId, report, rawKey: raw };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface TransformJob {
  contract: DatasetContract;
  ref: DatasetRef;
  uploadId: string;
  at: Date;
  inputPath: string;
  sourceKey: string;
  work: string;
}

async function transformAndPublish(deps: ProcessUploadDeps, job: TransformJob): Promise<IngestReport> {
  const { s3, buckets } = deps;
  const outDir = join(job.work, 'out');
  const report = await transformFile({
    inputPath: job.inputPath,
    contract: job.contract,
    sourceKey: job.sourceKey,
    uploadId: job.uploadId,
    outDir,
    hashKey: deps.hashKey,
    now: job.at,
    tempDir: job.work,
    threads: deps.engine?.threads,
    memoryLimit: deps.engine?.memoryLimit,
    maxDecompressedBytes: deps.engine?.maxDecompressedBytes,
  });
  const bucketOf = { curated: buckets.curated, quarantine: buckets.quarantine };
  for (const output of report.outputs) {
    await uploadFile(
      s3,
      { bucket: bucketOf[output.kind], key: output.key },
      join(outDir, output.key),
      PARQUET_CONTENT_TYPE,
      {
        'upload-id': job.uploadId,
      },
    );
  }
  // An earlier attempt at this upload may have published an output this one did not (the contract changed
  // between the attempts): remove it, or its rows would be counted twice.
  const keys = datasetModel(job.contract).outputKeys(job.uploadId, job.at);
  for (const kind of ['curated', 'quarantine'] as const) {
    if (report.outputs.some((o) => o.kind === kind)) continue;
    if (await exists(s3, bucketOf[kind], keys[kind])) {
      deps.logger?.warn('removing an output of an earlier attempt', {
        uploadId: job.uploadId,
        key: keys[kind],
      });
      await s3.send(new DeleteObjectCommand({ Bucket: bucketOf[kind], Key: keys[kind] }));
    }
  }
  // 5. A replace dataset's current upload.
  if (job.contract.mode === 'replace' && (report.status === 'accepted' || report.status === 'partial')) {
    const curated = report.outputs.filter((o) => o.kind === 'curated').map((o) => o.key);
    const update = await advanceCurrentManifest(s3, buckets.curated, job.ref, job.uploadId, curated);
    if (update === 'kept-newer') {
      deps.logger?.info('a newer upload is already current; the manifest is left as it is', {
        uploadId: job.uploadId,
        dataset: report.dataset,
      });
    }
  }
  return report;
}

function ignored(reason: string): ProcessResult {
  return { outcome: 'ignored', reason };
}

/** A report for a file rejected before the engine read it. */
function fileRejected(
  ref: DatasetRef,
  uploadId: string,
  sourceKey: string,
  download: { bytes: number; sha256: string },
  started: Date,
  why: { rule: string; message: string; contract?: DatasetContract },
): IngestReport {
  const extension = sourceKey.split('/').pop()?.split('.').slice(1) ?? [];
  return {
    uploadId,
    dataset: `${ref.department}/${ref.dataset}`,
    contractHash: why.contract ? contractHash(why.contract) : '',
    source: {
      key: sourceKey,
      bytes: download.bytes,
      sha256: download.sha256,
      encoding: null,
      format: why.contract?.format.type ?? (extension.filter((e) => e !== 'gz').pop() || 'unknown'),
      compression: extension.at(-1) === 'gz' ? 'gzip' : null,
    },
    status: 'rejected',
    rows: { total: 0, accepted: 0, rejected: 0 },
    errors: [{ line: null, column: null, rule: why.rule, message: why.message }],
    errorCounts: { [why.rule]: { _file: 1 } },
    columns: { matched: {}, extra: [], missing: [] },
    pii: { protected: [], flagged: [], found: [] },
    outputs: [],
    startedAt: started.toISOString(),
    durationMs: 0,
  };
}

function missingContractMessage(ref: DatasetRef, contracts: ReadonlyMap<string, DatasetContract>): string {
  const known = [...contracts.values()]
    .filter((c) => c.department === ref.department)
    .map((c) => c.name)
    .sort();
  const declared =
    known.length > 0
      ? `the ${ref.department} department has contracts for: ${known.join(', ')}`
      : `the ${ref.department} department has no dataset contracts yet`;
  return `no contract for dataset "${ref.department}/${ref.dataset}" (${declared}): upload the file under landing/${ref.department}/<dataset>/ for one of those datasets, or add datasets/${ref.department}/${ref.dataset}.yaml, deploy, and upload the file again`;
}

/** The report of one upload, or null when the upload has not been processed (yet). */
export async function readReport(
  s3: S3Client,
  bucket: string,
  ref: DatasetRef,
  uploadId: string,
): Promise<IngestReport | null> {
  const key = reportKey(ref, uploadId);
  const found = await readText(s3, bucket, key);
  if (!found) return null;
  const report = JSON.parse(found.text) as IngestReport;
  if (typeof report !== 'object' || report === null || report.uploadId !== uploadId) {
    throw new Error(`s3://${bucket}/${key} is not the report of upload ${uploadId}`);
  }
  return report;
}

/**
 * The reports of a department (or of one of its datasets, or of the whole lake), oldest upload first.
 * Reading each report is left to the caller (readReport), so listing stays one request per 1,000 uploads.
 */
export async function listReports(
  s3: S3Client,
  bucket: string,
  department?: string,
  dataset?: string,
): Promise<ReportEntry[]> {
  if (dataset && !department) throw new Error('listReports: a dataset needs its department');
  const prefix = reportsPrefix(department, dataset);
  const entries: ReportEntry[] = [];
  for await (const o of listObjects(s3, bucket, prefix)) {
    const m = o.Key ? /^reports\/([^/]+)\/([^/]+)\/([^/]+)\.json$/.exec(o.Key) : null;
    if (!m || !o.Key) continue;
    entries.push({
      key: o.Key,
      department: m[1],
      dataset: m[2],
      uploadId: m[3],
      lastModified: o.LastModified,
      size: o.Size,
    });
  }
  return entries.sort((a, b) =>
    a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
}
