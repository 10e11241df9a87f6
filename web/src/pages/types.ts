/** The API's shapes as the pages read them (see src/portal/*). */

export interface AccessEntry {
  type: 'unconditional' | 'conditional' | 'none';
  conditions: string | null;
  basis: string | null;
}

export interface Freshness {
  state: 'unscheduled' | 'irregular' | 'never' | 'unknown' | 'current' | 'overdue';
  updateFrequency: string | null;
  lastUpload: string | null;
  dueAt: string | null;
  daysOverdue: number;
}

export interface CatalogueItem {
  dataset: string;
  department: string;
  name: string;
  title: string;
  owner: string;
  description: string | null;
  classification: string;
  rows: number | null;
  lastIngested: string | null;
  sharing: AccessEntry;
  opening: AccessEntry | null;
  updateFrequency: string | null;
  keywords: string[];
  theme: { code: string; name: string; nameZh: string }[];
  license: string | null;
  freshness: Freshness;
  matches?: { where: string; text: string }[];
}

export interface ReadAccess {
  columns: string[];
  basis: string | null;
  request: 'possible' | 'not_shared' | null;
}

export interface RowError {
  line: number | null;
  column: string | null;
  rule: string;
  message: string;
}

export interface UploadSummary {
  uploadId: string;
  dataset: string;
  sourceKey: string;
  status: string;
  withdrawal?: { at?: string; reason?: string };
  rows: { total: number; accepted: number; rejected: number };
  startedAt: string;
}

export interface AccessRequest {
  id: string;
  dataset: string;
  department: string;
  /** Sharing (a government analyst) or opening (an enterprise). */
  kind: 'sharing' | 'opening';
  requester: string;
  purpose: string;
  columns: string[] | null;
  requestedUntil: string;
  until: string | null;
  status: 'pending' | 'approved' | 'denied' | 'revoked' | 'expired';
  createdAt: string;
  reason: string | null;
}
