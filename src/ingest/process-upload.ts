/**
 * One uploaded object in, the lake updated: the shared core of the transformer Lambda and the local lake.
 * It speaks only the S3 API (any S3-compatible endpoint) and runs the transform engine on local files.
 *
 *   1. landing key -> department and dataset (anything else is ignored; a steward's withdrawal request,
 *      landing/<department>/_requests/withdraw/<uploadId>.json, is carried out: withdraw-request.ts)
 *   2. HeadObject -> the upload id, from the key, the version (or ETag) and LastModified
 *   3. a report already exists -> the same version delivered again: nothing is written
 *   4. download the version, copy it byte-identical to raw/
 *   5. the same bytes already published in the dataset (content-index.ts) -> a `duplicate` report only;
 *      otherwise transform it (append datasets: against the keys already published, published-keys.ts),
 *      upload curated/ and quarantine/, and for replace datasets move the current-upload manifest forward
 *   6. an opened dataset's open copy is rebuilt (open/after-upload.ts); the report says how it went
 *   7. write the report, last: its presence marks the upload done
 *
 * Every key written is a function of the object version alone (the date partitions come from the object's
 * LastModified, not from the clock), so a retry after a crash at any step rewrites the same keys: nothing is
 * doubled. Bad files end in a rejected report; only infrastructure errors (S3, disk) throw, so the caller
 * retries them, and ContentBusyError: another upload of the same bytes is still under way (retried too).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import { transformFile } from '../engine/transform.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import { type DatasetRef, parseLandingKey, rawKey, uploadIdOf } from '../lake/layout.ts';
import { claimContent } from './content-index.ts';
import { advanceCurrentManifest } from './current-manifest.ts';
import { duplicateReport, fileRejected, missingContractMessage, type UploadFacts } from './file-reports.ts';
import { openAfterUpload } from './open/after-upload.ts';
import { downloadPublishedKeys } from './published-keys.ts';
import { readReport, writeReport } from './report-store.ts';
import {
  copyObject,
  downloadToFile,
  exists,
  isNotFound,
  isPreconditionFailed,
  normalizeEtag,
  uploadFile,
} from './s3-objects.ts';
import type { ProcessResult, ProcessUploadDeps, UploadObject } from './types.ts';
import { mergeUpsert } from './upsert-merge.ts';
import { isWithdrawRequest, processWithdrawRequest } from './withdraw-request.ts';

export { listReports, REPORT_CONTENT_TYPE, readReport } from './report-store.ts';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** Processes one uploaded object. See the module comment for the steps and guarantees. */
export async function processUpload(deps: ProcessUploadDeps, object: UploadObject): Promise<ProcessResult> {
  const started = (deps.now ?? (() => new Date()))();
  const { s3, buckets } = deps;

  // 1. Which dataset.
  if (object.bucket !== buckets.landing) {
    return ignored(`the object is in bucket "${object.bucket}", not the landing bucket`);
  }
  // A steward's withdrawal request (landing/<department>/_requests/withdraw/<uploadId>.json).
  if (isWithdrawRequest(object.key)) return processWithdrawRequest(deps, object);
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
      const facts = { ref, uploadId, sourceKey: object.key, started, contract };
      report = fileRejected(
        { ...facts, download: { bytes: head.size, sha256: '' } },
        {
          rule: 'size',
          message: `the file is ${head.size} bytes, more than the ${deps.maxObjectBytes} bytes the transformer accepts: split it into smaller files (or compress it with gzip) and upload them again`,
        },
      );
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
      const facts: UploadFacts = { ref, uploadId, sourceKey: object.key, download, started, contract };
      if (!contract) {
        report = fileRejected(facts, {
          rule: 'contract',
          message: missingContractMessage(ref, deps.contracts),
        });
      } else {
        // 5. Bytes the dataset already holds are not published twice.
        const claim = await claimContent(deps, ref, contract, {
          sha256: download.sha256,
          uploadId,
          at: at.toISOString(),
          source: { bucket: object.bucket, key: object.key, versionId: head.versionId, etag: head.etag },
        });
        report =
          claim.kind === 'duplicate'
            ? duplicateReport(facts, claim.of)
            : await transformAndPublish(deps, {
                contract,
                ref,
                uploadId,
                at,
                inputPath,
                sourceKey: object.key,
                work,
              });
      }
    }
    if (deps.hashKeyVersion !== undefined && report.pii.protected.some((p) => p.action === 'hash')) {
      report.hashKeyVersion = deps.hashKeyVersion;
    }
    // 6. The open copy of an opened dataset (open/after-upload.ts): it never fails the upload.
    const opening = contract ? await openAfterUpload(deps, contract, report) : undefined;
    if (opening) report.opening = opening;
    report.startedAt = started.toISOString();
    report.durationMs = Date.now() - started.getTime();

    // 7. The report, last.
    await writeReport(s3, buckets.quarantine, ref, report);
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
  // An append dataset's keys hold across uploads: the rows it already publishes, for the engine to check.
  const publishedDir = join(job.work, 'published');
  await mkdir(publishedDir, { recursive: true });
  const publishedKeys = await downloadPublishedKeys(deps, job.ref, job.contract, job.uploadId, publishedDir);
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
    publishedKeys,
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
  // An upsert dataset's rows replace the published rows of the same key: merged, then made current.
  const curatedOut = report.outputs.find((o) => o.kind === 'curated');
  if (job.contract.mode === 'upsert' && curatedOut) {
    const key = job.contract.primaryKey ?? [];
    const curatedPath = join(outDir, curatedOut.key);
    const mergeDeps = { s3, buckets, memoryLimit: deps.engine?.memoryLimit };
    await mergeUpsert(mergeDeps, { ref: job.ref, uploadId: job.uploadId, key, curatedPath, work: job.work });
  }
  // A replace dataset's current upload.
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
