/** The report: one JSON document per ingestion, written for the department's data steward. */

export type ReportStatus = 'accepted' | 'partial' | 'rejected';

export interface RowError {
  /** Source line (1-based) of the record; for xlsx the sheet row, for a JSON array the element number. */
  line: number | null;
  /** The contract field (or file column) the error is about, null for a whole-row or whole-file error. */
  column: string | null;
  /** The rule that failed: required, type, pattern, unique, ragged, encoding, ... */
  rule: string;
  message: string;
}

export interface PiiProtected {
  column: string;
  pii: string;
  action: 'mask' | 'hash' | 'drop' | 'keep';
}

export interface PiiFlagged {
  column: string;
  detector: string;
  /** Share of sampled non-empty values that matched the detector. */
  ratio: number;
  sampled: number;
  /** quarantine: the file was quarantined; mask: masked by policy; not-published: an extra column. */
  action: 'quarantine' | 'mask' | 'not-published';
}

export interface ReportOutput {
  kind: 'curated' | 'quarantine';
  key: string;
  bytes: number;
  rows: number;
}

export interface IngestReport {
  uploadId: string;
  dataset: string;
  contractHash: string;
  source: {
    key: string;
    bytes: number;
    sha256: string;
    encoding: string | null;
    format: string;
    compression: 'gzip' | null;
  };
  status: ReportStatus;
  rows: { total: number; accepted: number; rejected: number };
  /** The first errors (at most maxErrors), in source order. */
  errors: RowError[];
  /** Error counts by rule and column: `{ "pattern": { "clinic_id": 3 } }`; `_file` for file-level errors. */
  errorCounts: Record<string, Record<string, number>>;
  columns: { matched: Record<string, string>; extra: string[]; missing: string[] };
  pii: { protected: PiiProtected[]; flagged: PiiFlagged[] };
  outputs: ReportOutput[];
  startedAt: string;
  durationMs: number;
}
