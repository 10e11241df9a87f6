/** The report: one JSON document per ingestion, written for the department's data steward. */
import type { ProtectAction } from '../contracts/schema.ts';

/** duplicate: the same bytes were already published in the dataset by `duplicateOf`; nothing was added. */
export type ReportStatus = 'accepted' | 'partial' | 'rejected' | 'duplicate';

/** A steward took an upload back: its rows left the table. */
export interface Withdrawal {
  /** Who asked: the OS user (local lake) or the AWS caller's ARN. */
  by: string;
  /** When it was asked (ISO 8601). */
  at: string;
  reason: string;
  /** When every step was done (ISO 8601); absent while the withdrawal is under way. */
  completedAt?: string;
}

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
  action: ProtectAction;
}

/** A column that is personal data by nature: most of its values are one piece of personal data each. */
export interface PiiFlagged {
  column: string;
  detector: string;
  /** Share of the non-empty values (every row; a sample for extra columns) that are one of the kind. */
  ratio: number;
  /** Non-empty values looked at. */
  sampled: number;
  /**
   * quarantine: the file was quarantined; mask: the column masked by policy; quarantine-rows: the rows
   * holding personal data were quarantined; not-published: an extra column, published nowhere.
   */
  action: 'quarantine' | 'mask' | 'quarantine-rows' | 'not-published';
}

/** Personal data found here and there in a column the contract does not declare as personal data. */
export interface PiiFound {
  column: string;
  /** Values holding each kind (a value holding two kinds counts for both). */
  kinds: Record<string, number>;
  /** Values holding any. */
  values: number;
  /** Source lines of the first of them (at most MAX_FOUND_LINES). */
  lines: number[];
  /**
   * redacted: each find replaced by its mask in the published value; quarantined: the rows were;
   * not-published: a nested JSON key no field maps (`contact.phone`), published nowhere.
   */
  action: 'redacted' | 'quarantined' | 'not-published';
}

/**
 * The open-data copy after an upload: published (rebuilt from the dataset as now published); skipped (the
 * open copy keeps its previous version, `reason` says why: nothing new was published, or personal data was
 * found in a column the contract does not declare); failed (kept too, and built again with the next upload).
 */
export interface Opening {
  status: 'published' | 'skipped' | 'failed';
  reason?: string;
  /** Rows in the open copy and its files (published only). */
  rows?: number;
  files?: number;
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
  /** The upload that already published these bytes (status duplicate only). */
  duplicateOf?: string;
  /** What the steward should know that is not an error, e.g. a key checked within the file only. */
  notices?: string[];
  /** Set once the upload is withdrawn (lake withdraw). */
  withdrawal?: Withdrawal;
  /**
   * accepted + rejected + skipped = total. `skipped` (rows format.skipRows left out, such as totals and
   * footnotes) is there only when rows were skipped.
   */
  rows: { total: number; accepted: number; rejected: number; skipped?: number };
  /** The lines (sheet rows) of the rows format.skipRows left out, the first of them; only when rows were skipped. */
  skippedLines?: number[];
  /** Where the header was, when rows above it were left out (title rows) or the contract names its rows. */
  header?: { rows: number[]; skipped: number[] };
  /**
   * What the reader did to cells (xlsx), when it did anything: `filledFromMerged` counts the cells of merged
   * ranges given the value of their range's top-left cell (format.mergedCells: fill), header rows included.
   */
  cells?: { filledFromMerged: number };
  /** The first errors (at most maxErrors), in source order. */
  errors: RowError[];
  /** Error counts by rule and column: `{ "pattern": { "clinic_id": 3 } }`; `_file` for file-level errors. */
  errorCounts: Record<string, Record<string, number>>;
  columns: { matched: Record<string, string>; extra: string[]; missing: string[] };
  pii: { protected: PiiProtected[]; flagged: PiiFlagged[]; found: PiiFound[] };
  /**
   * The version of the `protect: hash` key the hashed columns used (set by the ingestion, not the engine);
   * absent when no column was hashed. Hashes made under different versions do not join.
   */
  hashKeyVersion?: string;
  /** What became of the open-data copy (datasets with `opening: unconditional` only; set by the ingestion). */
  opening?: Opening;
  outputs: ReportOutput[];
  startedAt: string;
  durationMs: number;
}
