/**
 * The last step after an upload of a dataset opened unconditionally: its open copy rebuilt, or a reason
 * why not, for the upload's report (`opening`). It never fails the upload: a failure is reported, the
 * open copy keeps its previous version, and the next upload builds it again.
 *
 * An upload whose report found personal data in a column the contract does not declare is not opened,
 * whatever the policy did with the finds (redacted, quarantined): the finds say the contract does not
 * describe the file, and an open copy must be free of personal data by construction, not by redaction.
 */
import type { DatasetContract } from '../../contracts/schema.ts';
import type { IngestReport, Opening } from '../../engine/report.ts';
import { datasetModel } from '../../lake/dataset-model.ts';
import type { ProcessUploadDeps } from '../types.ts';
import { dictionaryOf } from './build-open.ts';
import { refreshOpenData } from './publish-open.ts';

/** The report's `opening` section, or undefined when the dataset is not opened unconditionally. */
export async function openAfterUpload(
  deps: ProcessUploadDeps,
  contract: DatasetContract,
  report: IngestReport,
): Promise<Opening | undefined> {
  if (contract.opening?.type !== 'unconditional') return undefined;
  if (!deps.buckets.open) {
    return { status: 'skipped', reason: 'this lake has no open-data zone: the platform team sets one up' };
  }
  if (report.status !== 'accepted' && report.status !== 'partial') {
    return {
      status: 'skipped',
      reason: `the upload is ${report.status}: it published nothing new, so the open copy is unchanged`,
    };
  }
  if (report.pii.found.length > 0) {
    const columns = [...new Set(report.pii.found.map((f) => f.column))].join(', ');
    return {
      status: 'skipped',
      reason: `personal data was found in ${columns}, which the contract does not declare as personal data: this upload is not opened and the open copy keeps its previous version. Declare the column (pii, protect: drop) or remove the values, then upload again`,
    };
  }
  if (dictionaryOf(datasetModel(contract)).length === 0) {
    return { status: 'skipped', reason: 'no column of the contract is public and free of personal data' };
  }
  try {
    const outcome = await refreshOpenData(
      {
        s3: deps.s3,
        buckets: deps.buckets,
        publishers: deps.publishers,
        memoryLimit: deps.engine?.memoryLimit,
        tmpDir: deps.tmpDir,
        now: deps.now,
      },
      { department: contract.department, dataset: contract.name },
      { contract, current: report },
    );
    if (outcome.status === 'published') {
      return { status: 'published', rows: outcome.rows, files: outcome.files };
    }
    return {
      status: 'skipped',
      reason: 'no published upload is free of personal-data finds: nothing is open',
    };
  } catch (e) {
    // The error's name and code only: a message may quote a value.
    const err = e as Error & { Code?: string; code?: string };
    deps.logger?.error('opening failed', {
      uploadId: report.uploadId,
      error: err.name,
      code: err.Code ?? err.code,
    });
    return {
      status: 'failed',
      reason: `the open copy could not be written (${err.name}); it keeps its previous version and is built again with the next upload`,
    };
  }
}
