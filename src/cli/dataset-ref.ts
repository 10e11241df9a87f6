/** A dataset named on the command line: `health/clinics` (or `health.clinics`). */
import { ID_PATTERN } from '../contracts/id-pattern.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { UsageError } from './errors.ts';

/** `health/clinics` (or `health.clinics`) as a dataset reference. */
export function parseDatasetRef(text: string | undefined, what = '--dataset'): DatasetRef {
  if (!text) {
    throw new UsageError(
      `${what} is required`,
      `Name the dataset as <department>/<dataset>, e.g. ${what} health/clinics.`,
    );
  }
  const m = /^([^/.\s]+)[/.]([^/.\s]+)$/.exec(text.trim());
  if (!m || !ID_PATTERN.test(m[1]) || !ID_PATTERN.test(m[2])) {
    throw new UsageError(
      `"${text}" is not a dataset name`,
      `Name the dataset as <department>/<dataset>, lowercase, e.g. ${what} health/clinics.`,
    );
  }
  return { department: m[1], dataset: m[2] };
}
