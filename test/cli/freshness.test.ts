/**
 * Freshness (src/lake/freshness.ts): the due date one period after the last upload that counts, over
 * month ends and leap years; overdue only after the grace days; irregular and unscheduled never overdue;
 * no upload yet reported apart; rejected and withdrawn uploads do not count; LAKE_NOW.
 */
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  FRESHNESS_GRACE_DAYS,
  freshness,
  lakeNow,
  lastCountingUpload,
  nextDue,
} from '../../src/lake/freshness.ts';

const d = (iso: string) => new Date(iso);
const due = (last: string, f: Parameters<typeof nextDue>[1]) => nextDue(d(last), f)?.toISOString() ?? null;

describe('addMonths', () => {
  it('keeps the day of the month, and the time of day', () => {
    expect(addMonths(d('2026-01-15T08:30:00Z'), 1).toISOString()).toBe('2026-02-15T08:30:00.000Z');
  });

  it("clamps a day the target month lacks to the month's last day", () => {
    expect(addMonths(d('2026-01-31T00:00:00Z'), 1).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(addMonths(d('2028-01-31T00:00:00Z'), 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addMonths(d('2026-03-31T00:00:00Z'), 1).toISOString()).toBe('2026-04-30T00:00:00.000Z');
    expect(addMonths(d('2026-08-31T00:00:00Z'), 3).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('crosses the year, and a leap day goes to 28 February in a common year', () => {
    expect(addMonths(d('2026-11-30T00:00:00Z'), 3).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(addMonths(d('2028-02-29T00:00:00Z'), 12).toISOString()).toBe('2029-02-28T00:00:00.000Z');
    expect(addMonths(d('2027-12-31T00:00:00Z'), 2).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('nextDue', () => {
  it('adds the period of each frequency', () => {
    const last = '2026-01-31T10:00:00.000Z';
    expect(due(last, 'daily')).toBe('2026-02-01T10:00:00.000Z');
    expect(due(last, 'weekly')).toBe('2026-02-07T10:00:00.000Z');
    expect(due(last, 'monthly')).toBe('2026-02-28T10:00:00.000Z');
    expect(due(last, 'quarterly')).toBe('2026-04-30T10:00:00.000Z');
    expect(due(last, 'semiannual')).toBe('2026-07-31T10:00:00.000Z');
    expect(due(last, 'yearly')).toBe('2027-01-31T10:00:00.000Z');
    expect(due(last, 'irregular')).toBeNull();
  });

  it('counts days across a leap day', () => {
    expect(due('2028-02-28T00:00:00.000Z', 'daily')).toBe('2028-02-29T00:00:00.000Z');
    expect(due('2028-02-25T00:00:00.000Z', 'weekly')).toBe('2028-03-03T00:00:00.000Z');
  });
});

describe('freshness', () => {
  const last = '2026-01-10T00:00:00.000Z';

  it('is current until the grace days after the due date have passed, then overdue by whole days', () => {
    expect(FRESHNESS_GRACE_DAYS).toBe(3);
    const before = freshness('monthly', last, d('2026-02-12T23:59:59Z'));
    expect(before).toMatchObject({
      state: 'current',
      dueAt: '2026-02-10T00:00:00.000Z',
      overdueAt: '2026-02-13T00:00:00.000Z',
      daysOverdue: 0,
    });
    expect(freshness('monthly', last, d('2026-02-13T00:00:00Z'))).toMatchObject({
      state: 'overdue',
      daysOverdue: 3,
    });
    expect(freshness('monthly', last, d('2026-03-01T12:00:00Z')).daysOverdue).toBe(19);
  });

  it('takes another grace period when asked', () => {
    expect(freshness('daily', last, d('2026-01-11T00:00:00Z'), 0).state).toBe('overdue');
    expect(freshness('daily', last, d('2026-01-11T00:00:00Z')).state).toBe('current');
  });

  it('is never overdue for irregular or unscheduled datasets, and says when there is no upload yet', () => {
    const later = d('2030-01-01T00:00:00Z');
    expect(freshness('irregular', last, later)).toMatchObject({ state: 'irregular', dueAt: null });
    expect(freshness(undefined, last, later)).toMatchObject({ state: 'unscheduled', updateFrequency: null });
    expect(freshness('weekly', null, later)).toMatchObject({ state: 'never', daysOverdue: 0, dueAt: null });
    // A reader that cannot tell (a deployed table without an open copy) says so, not "never".
    expect(freshness('weekly', undefined, later)).toMatchObject({ state: 'unknown', lastUpload: null });
    expect(freshness(undefined, undefined, later).state).toBe('unscheduled');
  });

  it('names a last upload that is not a date', () => {
    expect(() => freshness('daily', 'yesterday', d('2026-01-01T00:00:00Z'))).toThrow(/"yesterday"/);
  });
});

describe('lastCountingUpload', () => {
  it('takes the newest accepted, partial or duplicate upload that was not withdrawn', () => {
    const uploads = [
      { status: 'accepted' as const, startedAt: '2026-01-01T00:00:00Z' },
      { status: 'duplicate' as const, startedAt: '2026-02-01T00:00:00Z' },
      { status: 'rejected' as const, startedAt: '2026-03-01T00:00:00Z' },
      { status: 'partial' as const, startedAt: '2026-04-01T00:00:00Z', withdrawal: { by: 'x' } },
    ];
    expect(lastCountingUpload(uploads)).toBe('2026-02-01T00:00:00Z');
    expect(lastCountingUpload(uploads.slice(2))).toBeNull();
  });
});

describe('lakeNow', () => {
  it('reads LAKE_NOW, and names it when it is not a date', () => {
    expect(lakeNow({ LAKE_NOW: '2026-05-01T00:00:00Z' }).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(() => lakeNow({ LAKE_NOW: 'soon' })).toThrow(/LAKE_NOW="soon"/);
    expect(lakeNow({})).toBeInstanceOf(Date);
  });
});
