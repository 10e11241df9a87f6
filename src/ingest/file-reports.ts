/**
 * Reports of uploads the engine did not transform: a file rejected before it was read (too large, no
 * contract), and a duplicate (the same bytes already published in the dataset).
 */
import { contractHash } from '../contracts/contract-hash.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import type { DatasetRef } from '../lake/layout.ts';

export interface UploadFacts {
  ref: DatasetRef;
  uploadId: string;
  sourceKey: string;
  download: { bytes: number; sha256: string };
  started: Date;
  contract?: DatasetContract;
}

/** A report with nothing published, of the given status. */
function emptyReport(facts: UploadFacts, status: IngestReport['status']): IngestReport {
  const { ref, contract, sourceKey } = facts;
  const extension = sourceKey.split('/').pop()?.split('.').slice(1) ?? [];
  return {
    uploadId: facts.uploadId,
    dataset: `${ref.department}/${ref.dataset}`,
    contractHash: contract ? contractHash(contract) : '',
    source: {
      key: sourceKey,
      bytes: facts.download.bytes,
      sha256: facts.download.sha256,
      encoding: null,
      format: contract?.format.type ?? (extension.filter((e) => e !== 'gz').pop() || 'unknown'),
      compression: extension.at(-1) === 'gz' ? 'gzip' : null,
    },
    status,
    rows: { total: 0, accepted: 0, rejected: 0 },
    errors: [],
    errorCounts: {},
    columns: { matched: {}, extra: [], missing: [] },
    pii: { protected: [], flagged: [], found: [] },
    outputs: [],
    startedAt: facts.started.toISOString(),
    durationMs: 0,
  };
}

/** A report for a file rejected before the engine read it. */
export function fileRejected(facts: UploadFacts, why: { rule: string; message: string }): IngestReport {
  return {
    ...emptyReport(facts, 'rejected'),
    errors: [{ line: null, column: null, rule: why.rule, message: why.message }],
    errorCounts: { [why.rule]: { _file: 1 } },
  };
}

/** A report for bytes the dataset already holds: nothing published, the original kept in raw/. */
export function duplicateReport(facts: UploadFacts, duplicateOf: string): IngestReport {
  return { ...emptyReport(facts, 'duplicate'), duplicateOf };
}

export function missingContractMessage(
  ref: DatasetRef,
  contracts: ReadonlyMap<string, DatasetContract>,
): string {
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
