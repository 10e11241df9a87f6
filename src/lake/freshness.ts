/**
 * Freshness: whether a dataset has been updated as often as its contract's `updateFrequency` promises.
 *
 * A dataset is due one period after its last accepted upload (daily 1 day, weekly 7 days, monthly the
 * same day of the next month, quarterly 3 months, semiannual 6, yearly 12; a day that the target month
 * lacks is clamped to its last day: 31 January + 1 month is 28 or 29 February), and overdue once
 * FRESHNESS_GRACE_DAYS more have passed. `irregular` and a contract without `updateFrequency` are never
 * overdue. A dataset with a frequency and no accepted upload yet is `never`: the lake cannot tell since
 * when it is due (it keeps no date a contract was added), so it is reported apart, not counted overdue.
 *
 * An upload counts when its rows were published (accepted, partial) or when it delivered the very same
 * bytes again (duplicate: the department did update on time, its data had not changed); a rejected or
 * withdrawn upload does not.
 *
 * Pure functions over dates in UTC, shared by `lake catalog`, `lake status --overdue`, the freshness
 * Lambda and the portal. LAKE_NOW (an ISO date-time) sets "now" for tests; see lakeNow().
 */
import type { UpdateFrequency } from '../contracts/catalogue-schema.ts';

/** Days a dataset may be late before it counts as overdue. */
export const FRESHNESS_GRACE_DAYS = 3;
/** Environment variable that sets "now" (ISO 8601), for tests only. */
export const LAKE_NOW_ENV = 'LAKE_NOW';

const DAY_MS = 86_400_000;

/** How far apart two updates may be: whole days or calendar months. */
export const FREQUENCY_PERIOD: Record<
  Exclude<UpdateFrequency, 'irregular'>,
  { days?: number; months?: number }
> = {
  daily: { days: 1 },
  weekly: { days: 7 },
  monthly: { months: 1 },
  quarterly: { months: 3 },
  semiannual: { months: 6 },
  yearly: { months: 12 },
};

/** Report statuses (src/engine/report.ts ReportStatus) whose upload counts as an update (see the module's doc). */
export const FRESH_STATUSES: readonly string[] = ['accepted', 'partial', 'duplicate'];

/** `date` plus `months` calendar months, the day clamped to the target month's last day (UTC). */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(date.getTime());
  d.setUTCFullYear(y, m, Math.min(date.getUTCDate(), lastDay));
  return d;
}

/** When the next update is due after one at `last`; null for `irregular` (never due). */
export function nextDue(last: Date, frequency: UpdateFrequency): Date | null {
  if (frequency === 'irregular') return null;
  const p = FREQUENCY_PERIOD[frequency];
  return p.months ? addMonths(last, p.months) : new Date(last.getTime() + (p.days ?? 0) * DAY_MS);
}

export type FreshnessState =
  /** No `updateFrequency` in the contract: nothing promised. */
  | 'unscheduled'
  /** `irregular`: updated when needed, never overdue. */
  | 'irregular'
  /** A frequency, and no accepted upload yet. */
  | 'never'
  /** A frequency, but the reader cannot tell when the last upload was (a deployed table without an open copy). */
  | 'unknown'
  /** Updated within its period (and the grace days). */
  | 'current'
  | 'overdue';

export interface Freshness {
  state: FreshnessState;
  updateFrequency: UpdateFrequency | null;
  /** When the last upload that counts started (ISO 8601), or null. */
  lastUpload: string | null;
  /** When the next update is due (ISO 8601), or null when nothing is due. */
  dueAt: string | null;
  /** When the dataset counts as overdue: dueAt plus the grace days (ISO 8601), or null. */
  overdueAt: string | null;
  /** Whole days past dueAt when overdue, else 0. */
  daysOverdue: number;
}

/**
 * The freshness of a dataset updated every `frequency` (undefined: none declared) whose last counting
 * upload started at `lastUpload` (ISO 8601; null: none yet; undefined: the reader cannot tell), as of `now`.
 */
export function freshness(
  frequency: UpdateFrequency | undefined,
  lastUpload: string | null | undefined,
  now: Date,
  graceDays: number = FRESHNESS_GRACE_DAYS,
): Freshness {
  const base = {
    updateFrequency: frequency ?? null,
    lastUpload: lastUpload ?? null,
    dueAt: null,
    overdueAt: null,
    daysOverdue: 0,
  };
  if (!frequency) return { ...base, state: 'unscheduled' };
  if (frequency === 'irregular') return { ...base, state: 'irregular' };
  if (lastUpload === undefined) return { ...base, state: 'unknown' };
  if (!lastUpload) return { ...base, state: 'never' };
  const last = new Date(lastUpload);
  if (Number.isNaN(last.getTime()))
    throw new Error(`freshness: "${lastUpload}" is not an ISO 8601 date-time`);
  const due = nextDue(last, frequency) as Date;
  const overdueAt = new Date(due.getTime() + graceDays * DAY_MS);
  const overdue = now.getTime() >= overdueAt.getTime();
  return {
    ...base,
    state: overdue ? 'overdue' : 'current',
    dueAt: due.toISOString(),
    overdueAt: overdueAt.toISOString(),
    daysOverdue: overdue ? Math.floor((now.getTime() - due.getTime()) / DAY_MS) : 0,
  };
}

/** The start time of the newest upload that counts as an update, among `uploads` (any order). */
export function lastCountingUpload(
  uploads: Iterable<{ status: string; startedAt: string; withdrawal?: unknown }>,
): string | null {
  let last: string | null = null;
  for (const u of uploads) {
    if (!FRESH_STATUSES.includes(u.status) || u.withdrawal) continue;
    if (last === null || Date.parse(u.startedAt) > Date.parse(last)) last = u.startedAt;
  }
  return last;
}

/** "Now": LAKE_NOW when set (tests), else the clock. Throws, naming the variable, when it is not a date. */
export function lakeNow(env: Readonly<Record<string, string | undefined>> = process.env): Date {
  const set = env[LAKE_NOW_ENV];
  if (!set) return new Date();
  const d = new Date(set);
  if (Number.isNaN(d.getTime()))
    throw new Error(
      `${LAKE_NOW_ENV}="${set}" is not an ISO 8601 date-time (e.g. 2026-03-01T00:00:00Z); unset it`,
    );
  return d;
}
