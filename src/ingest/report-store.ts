/**
 * The reports zone: one JSON report per upload under reports/<department>/<dataset>/<uploadId>.json, in
 * the quarantine bucket. Read one, list them, write one (the last step of an ingestion or a withdrawal).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IngestReport } from '../engine/report.ts';
import { type DatasetRef, reportKey, reportsPrefix } from '../lake/layout.ts';
import { listObjects, readText } from './s3-objects.ts';
import type { ReportEntry } from './types.ts';

export const REPORT_CONTENT_TYPE = 'application/json; charset=utf-8';

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

/** Writes (or rewrites) the report of an upload. */
export async function writeReport(
  s3: S3Client,
  bucket: string,
  ref: DatasetRef,
  report: IngestReport,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: reportKey(ref, report.uploadId),
      Body: `${JSON.stringify(report, null, 2)}\n`,
      ContentType: REPORT_CONTENT_TYPE,
    }),
  );
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
