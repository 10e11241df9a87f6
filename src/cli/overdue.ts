/**
 * `lake status --overdue`: the datasets that missed their update frequency, from the catalog (each
 * dataset's `updateFrequency`) and the uploads' reports (the same `lake status` lists), judged at `now`
 * by src/lake/freshness.ts. Datasets with a frequency and no accepted upload yet are listed apart: the lake
 * cannot tell since when they are due.
 */

import type { UpdateFrequency } from '../contracts/catalogue-schema.ts';
import {
  FRESHNESS_GRACE_DAYS,
  freshness,
  LAKE_NOW_ENV,
  lakeNow,
  lastCountingUpload,
} from '../lake/freshness.ts';
import type { DatasetInfo, UploadSummary } from './backend.ts';
import { UsageError } from './errors.ts';
import type { Output } from './output.ts';

/** "Now" for a command: LAKE_NOW of its environment (tests), else the clock; a bad LAKE_NOW is a usage error. */
export function commandNow(env: Readonly<Record<string, string | undefined>>): Date {
  try {
    return lakeNow(env);
  } catch (e) {
    throw new UsageError(
      (e as Error).message,
      `${LAKE_NOW_ENV} is for tests: unset it, or give a date-time such as 2026-03-01T00:00:00Z.`,
    );
  }
}

export interface OverdueDataset {
  dataset: string;
  department: string;
  /** The owning department's name. */
  owner: string;
  title: string;
  updateFrequency: UpdateFrequency;
  lastUpload: string | null;
  dueAt: string | null;
  daysOverdue: number;
}

export interface OverdueReport {
  /** When the datasets were judged (ISO 8601). */
  now: string;
  graceDays: number;
  /** Overdue datasets, the longest overdue first. */
  overdue: OverdueDataset[];
  /** Datasets with an update frequency and no accepted upload yet. */
  noUploadYet: OverdueDataset[];
}

/** The overdue datasets among `datasets`, given every upload of them (UploadSummary.dataset is `dept/name`). */
export function overdueReport(
  datasets: readonly DatasetInfo[],
  uploads: readonly UploadSummary[],
  now: Date,
): OverdueReport {
  const byDataset = new Map<string, UploadSummary[]>();
  for (const u of uploads) byDataset.set(u.dataset, [...(byDataset.get(u.dataset) ?? []), u]);
  const overdue: OverdueDataset[] = [];
  const noUploadYet: OverdueDataset[] = [];
  for (const d of datasets) {
    const frequency = d.catalogue.updateFrequency;
    if (!frequency) continue;
    const f = freshness(frequency, lastCountingUpload(byDataset.get(d.dataset) ?? []), now);
    const row: OverdueDataset = {
      dataset: d.dataset,
      department: d.department,
      owner: d.owner,
      title: d.title,
      updateFrequency: frequency,
      lastUpload: f.lastUpload,
      dueAt: f.dueAt,
      daysOverdue: f.daysOverdue,
    };
    if (f.state === 'overdue') overdue.push(row);
    else if (f.state === 'never') noUploadYet.push(row);
  }
  overdue.sort((a, b) => b.daysOverdue - a.daysOverdue || a.dataset.localeCompare(b.dataset));
  return { now: now.toISOString(), graceDays: FRESHNESS_GRACE_DAYS, overdue, noUploadYet };
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

/** The report as a table, then the datasets still waiting for their first upload. */
export function printOverdue(out: Output, r: OverdueReport): void {
  if (r.overdue.length === 0) {
    out.line(
      `no dataset is overdue on ${day(r.now)} (each has had its update within its period and ${r.graceDays} days)`,
    );
  } else {
    out.table(
      [
        { header: 'department', max: 32 },
        { header: 'dataset' },
        { header: 'frequency' },
        { header: 'last upload' },
        { header: 'due' },
        { header: 'days overdue', right: true },
      ],
      r.overdue.map((o) => [
        o.owner,
        o.dataset,
        o.updateFrequency,
        day(o.lastUpload),
        day(o.dueAt),
        o.daysOverdue,
      ]),
    );
  }
  if (r.noUploadYet.length > 0) {
    out.line();
    out.line(
      `no accepted upload yet: ${r.noUploadYet.map((o) => `${o.dataset} (${o.updateFrequency})`).join(', ')}`,
    );
  }
}
