/**
 * Access requests (数据共享申请): the request a government analyst or an enterprise makes for a dataset
 * whose sharing (or opening) is conditional, the owning department steward's decision, and the audit
 * events every request and decision leave behind.
 *
 * Times are UTC ISO 8601. A grant's `until` is a date (YYYY-MM-DD): the grant holds through that day and
 * ends at 00:00 UTC of the next (grantEnd()). Identifiers are principals (`analyst:health`, a role ARN),
 * never a person's name: the audit log holds no personal data.
 */

/** The longest a grant may last: `--until` at most this many days after today. */
export const MAX_GRANT_DAYS = 365;
/** The longest purpose and reason texts. */
export const MAX_TEXT_LENGTH = 500;

export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'revoked', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** What the request is for: sharing between departments, or opening to someone outside the government. */
export type RequestKind = 'sharing' | 'opening';

export interface AccessRequest {
  /** Short and unique, e.g. `r-7k2m9q`. */
  id: string;
  /** `<department>/<dataset>` */
  dataset: string;
  /** The owning department (whose steward decides). */
  department: string;
  kind: RequestKind;
  /** Who asked: a principal (`analyst:health`, `enterprise:acme`, or a role ARN on AWS). */
  requester: string;
  purpose: string;
  /** The columns asked for; null: every column the requester may be given. */
  columns: string[] | null;
  /** The date the requester asked the grant to last through (YYYY-MM-DD). */
  requestedUntil: string;
  /** The date the grant lasts through, once approved (the steward may shorten it). */
  until: string | null;
  status: RequestStatus;
  createdAt: string;
  /** The latest decision (approve, deny, revoke) or the expiry. */
  decidedAt: string | null;
  decidedBy: string | null;
  /** Why it was denied or revoked. */
  reason: string | null;
}

export const ACCESS_EVENTS = ['requested', 'approved', 'denied', 'revoked', 'expired'] as const;
export type AccessEventType = (typeof ACCESS_EVENTS)[number];

/** One line of the audit log: who did what to which request, when, and why (no personal data). */
export interface AccessEvent {
  at: string;
  event: AccessEventType;
  request: string;
  dataset: string;
  /** Who acted (`lake` for an expiry). */
  actor: string;
  requester: string;
  purpose?: string;
  reason?: string;
  /** What was asked for or granted: the columns (null: every column the requester may be given). */
  columns?: string[] | null;
  until?: string;
}

/** The instant a grant through `until` ends: 00:00 UTC the day after. */
export function grantEnd(until: string): Date {
  const d = new Date(`${until}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** The UTC date of `now`, YYYY-MM-DD. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** A request's status at `now`: an approved request past its `until` is expired. */
export function statusAt(r: AccessRequest, now: Date): RequestStatus {
  if (r.status === 'approved' && r.until && now >= grantEnd(r.until)) return 'expired';
  return r.status;
}

/** True when the request grants access at `now`. */
export function isActive(r: AccessRequest, now: Date): boolean {
  return statusAt(r, now) === 'approved';
}
