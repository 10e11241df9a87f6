/**
 * The freshness check's core: for each contract with an update frequency, the newest upload that counts
 * (src/lake/freshness.ts) read from the reports zone, and whether the dataset is overdue as of `now`;
 * then the number of overdue datasets per department, every department with a contract included (a 0
 * brings its alarm back to OK). Reads only under reports/<department>/<dataset>/; takes its client as an
 * argument, so tests give it a real S3-compatible server.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { listReports, readReport } from '../../src/ingest/report-store.ts';
import { FRESH_STATUSES, type Freshness, freshness } from '../../src/lake/freshness.ts';

export interface DatasetFreshness {
  /** `<department>/<dataset>` */
  dataset: string;
  department: string;
  freshness: Freshness;
}

export interface OverdueCount {
  department: string;
  overdue: number;
}

/** The start time of the newest report of a dataset that counts as an update, reading newest first. */
async function lastCountingUpload(s3: S3Client, bucket: string, c: DatasetContract): Promise<string | null> {
  const ref = { department: c.department, dataset: c.name };
  const entries = await listReports(s3, bucket, c.department, c.name);
  for (const e of entries.reverse()) {
    const r = await readReport(s3, bucket, ref, e.uploadId);
    if (r && FRESH_STATUSES.includes(r.status) && !r.withdrawal) return r.startedAt;
  }
  return null;
}

/** The freshness of every contract's dataset (those without a frequency too: state `unscheduled`). */
export async function datasetsFreshness(
  s3: S3Client,
  bucket: string,
  contracts: ReadonlyMap<string, DatasetContract>,
  now: Date,
): Promise<DatasetFreshness[]> {
  const out: DatasetFreshness[] = [];
  for (const [key, c] of [...contracts].sort(([a], [b]) => a.localeCompare(b))) {
    const scheduled = c.updateFrequency && c.updateFrequency !== 'irregular';
    const last = scheduled ? await lastCountingUpload(s3, bucket, c) : null;
    out.push({ dataset: key, department: c.department, freshness: freshness(c.updateFrequency, last, now) });
  }
  return out;
}

/** Overdue datasets per department, for every department that has a contract, sorted by department. */
export function overdueCounts(datasets: readonly DatasetFreshness[]): OverdueCount[] {
  const counts = new Map<string, number>();
  for (const d of datasets) {
    counts.set(d.department, (counts.get(d.department) ?? 0) + (d.freshness.state === 'overdue' ? 1 : 0));
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([department, overdue]) => ({ department, overdue }));
}
