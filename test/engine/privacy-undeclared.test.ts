/**
 * Undeclared personal data: a field without `pii` (or an unmapped column) whose values are resident IDs
 * or mobile numbers, through the engine.
 */
import { describe, expect, it } from 'vitest';
import { protectValue } from '../../src/privacy/protect.ts';
import { residentId } from '../privacy/support.ts';
import { contract, csvText, expectAccounted, HASH_KEY, ingest, writeInput } from './helpers.ts';

/** Six recipients of Guiyang districts, with valid check digits. */
const IDS = [
  '52010219850312004',
  '52010319900101002',
  '52011119920615007',
  '52011119751120003',
  '52010220010228005',
  '52010319680704001',
].map(residentId);
const MOBILES = ['13800138000', '13985012345', '18685012345', '15885123456', '17785051234', '13312345678'];
const HEADER = ['payment_id', 'county_code', 'recipient_id', 'contact_phone', 'amount'];
const ROWS = IDS.map((id, i) => [
  `PAY-2026-000${i + 1}`,
  ['520102', '520103', '520111'][i % 3],
  id,
  MOBILES[i],
  String(600 + 50 * i),
]);

function payments(fields: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return contract({
    department: 'civil_affairs',
    name: 'assistance_payments',
    fields: [{ name: 'payment_id' }, { name: 'county_code' }, ...fields, { name: 'amount', type: 'number' }],
    ...extra,
  });
}

const RECIPIENT_DECLARED = { name: 'recipient_id', pii: 'cn_resident_id', protect: 'hash' };
const PHONE_DECLARED = { name: 'contact_phone', pii: 'cn_mobile' };

async function run(fields: Record<string, unknown>[], extra: Record<string, unknown> = {}, rows = ROWS) {
  const o = await ingest(await writeInput(csvText(HEADER, rows)), payments(fields, extra));
  expectAccounted(o.report);
  return o;
}

describe('undeclared personal data', () => {
  it('resident IDs in a field without pii quarantine the file (rule undeclared_pii)', async () => {
    const o = await run([{ name: 'recipient_id' }, PHONE_DECLARED]);
    expect(o.report.status).toBe('rejected');
    expect(o.report.rows).toEqual({ total: 6, accepted: 0, rejected: 6 });
    expect(o.report.outputs.map((x) => x.kind)).toEqual(['quarantine']);
    expect(o.report.pii.flagged).toEqual([
      { column: 'recipient_id', detector: 'cn_resident_id', ratio: 1, sampled: 6, action: 'quarantine' },
    ]);
    expect(o.report.errors[0]).toMatchObject({ line: null, column: 'recipient_id', rule: 'undeclared_pii' });
    expect(o.report.errors[0].message).toContain('cn_resident_id');
    expect(o.report.errorCounts.undeclared_pii).toEqual({ recipient_id: 1 });
    for (const row of o.quarantine) {
      expect((row._errors as { rule: string }[])[0].rule).toBe('undeclared_pii');
      // The declared mobile is masked in quarantine as always.
      expect(row.contact_phone).toMatch(/^1[0-9]{2}\*{4}[0-9]{4}$/);
    }
  });

  it('mobile numbers in a field without pii quarantine the file', async () => {
    const o = await run([RECIPIENT_DECLARED, { name: 'contact_phone' }]);
    expect(o.report.status).toBe('rejected');
    expect(o.report.pii.flagged).toEqual([
      { column: 'contact_phone', detector: 'cn_mobile', ratio: 1, sampled: 6, action: 'quarantine' },
    ]);
    expect(o.report.errors[0]).toMatchObject({ line: null, column: 'contact_phone', rule: 'undeclared_pii' });
    expect(o.quarantine).toHaveLength(6);
  });

  // ENGINE BUG (src/engine/transform.ts, not fixed here): when a file is quarantined for undeclared PII,
  // the flagged column is written to the quarantine Parquet as uploaded, in clear text: planFields only
  // receives the columns flagged under `undeclaredPii: mask`, so the quarantined ones get no protection.
  it('the quarantine of an undeclared-PII file does not hold the flagged values in clear text', async () => {
    const o = await run([{ name: 'recipient_id' }, { name: 'contact_phone' }]);
    expect(o.report.status).toBe('rejected');
    expect(o.report.pii.flagged.map((f) => f.column)).toEqual(['recipient_id', 'contact_phone']);
    const text = JSON.stringify(o.quarantine);
    for (const raw of [...IDS, ...MOBILES])
      expect({ raw, inQuarantine: text.includes(raw) }).toEqual({ raw, inQuarantine: false });
  });

  // ENGINE BUG (same cause): a flagged column is not treated as personal data when rules fail on it, so
  // its messages quote the value, in the report and in the quarantine's _errors.
  it('the report of an undeclared-PII file does not quote the flagged values', async () => {
    const o = await run([{ name: 'recipient_id', constraints: { pattern: '52[0-9]{16}' } }, PHONE_DECLARED]);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors.map((e) => e.rule)).toEqual(['undeclared_pii', 'pattern']);
    const report = JSON.stringify(o.report);
    for (const raw of IDS) expect({ raw, inReport: report.includes(raw) }).toEqual({ raw, inReport: false });
  });

  it('pii: none opts out: the same values are published as they are', async () => {
    const o = await run([
      { name: 'recipient_id', pii: 'none' },
      { name: 'contact_phone', pii: 'none' },
    ]);
    expect(o.report.status).toBe('accepted');
    expect(o.report.pii).toEqual({ protected: [], flagged: [], found: [] });
    expect(o.curated.map((r) => r.recipient_id)).toEqual(IDS);
    expect(o.curated.map((r) => r.contact_phone)).toEqual(MOBILES);
  });

  it('undeclaredPii: mask publishes the flagged column masked, in curated and quarantine alike', async () => {
    const rows = ROWS.map((r, i) => (i === 4 ? [...r.slice(0, 4), '六百'] : r));
    const o = await run(
      [{ name: 'recipient_id' }, PHONE_DECLARED],
      { undeclaredPii: 'mask', maxRejectedRatio: 0.5 },
      rows,
    );
    expect(o.report.status).toBe('partial');
    expect(o.report.pii.flagged).toEqual([
      { column: 'recipient_id', detector: 'cn_resident_id', ratio: 1, sampled: 6, action: 'mask' },
    ]);
    expect(o.report.pii.protected).toEqual([
      { column: 'recipient_id', pii: 'cn_resident_id', action: 'mask' },
      { column: 'contact_phone', pii: 'cn_mobile', action: 'mask' },
    ]);
    const asMasked = { pii: 'cn_resident_id', action: 'mask' } as const;
    const want = IDS.map((id) => protectValue(asMasked, id, HASH_KEY));
    expect(want[0]).toBe('520102************');
    expect(o.curated.map((r) => r.recipient_id)).toEqual(want.filter((_, i) => i !== 4));
    expect(o.quarantine.map((r) => r.recipient_id)).toEqual([want[4]]);
    expect(o.curatedTypes.recipient_id).toBe('VARCHAR');
    const text = JSON.stringify([o.curated, o.quarantine, o.report]);
    for (const raw of IDS) expect(text).not.toContain(raw);
  });

  it('undeclaredPii: mask still quarantines a typed field, whose published type a mask would change', async () => {
    const o = await run(
      [
        { name: 'recipient_id', pii: 'cn_resident_id', protect: 'hash' },
        { name: 'contact_phone', type: 'integer' },
      ],
      { undeclaredPii: 'mask' },
    );
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.pii.flagged).toEqual([
      { column: 'contact_phone', detector: 'cn_mobile', ratio: 1, sampled: 6, action: 'quarantine' },
    ]);
    expect(o.curated).toEqual([]);
    const text = JSON.stringify([o.quarantine, o.report]);
    for (const raw of MOBILES) expect(text).not.toContain(raw);
  });

  it('an extra column holding PII is flagged not-published; the file is accepted without it', async () => {
    const header = ['payment_id', 'county_code', '身份证号', '联系电话', 'amount'];
    const o = await ingest(await writeInput(csvText(header, ROWS)), payments([]));
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.report.columns.extra).toEqual(['身份证号', '联系电话']);
    expect(o.report.pii.flagged).toEqual([
      { column: '身份证号', detector: 'cn_resident_id', ratio: 1, sampled: 6, action: 'not-published' },
      { column: '联系电话', detector: 'cn_mobile', ratio: 1, sampled: 6, action: 'not-published' },
    ]);
    expect(Object.keys(o.curated[0]).sort()).toEqual(
      ['payment_id', 'county_code', 'amount', '_upload_id', '_source_line', '_ingested_at'].sort(),
    );
    const text = JSON.stringify([o.curated, o.report]);
    for (const raw of [...IDS, ...MOBILES]) expect(text).not.toContain(raw);
  });

  // ENGINE BUG (src/engine/transform.ts, not fixed here): a CSV uploaded without its header row has its
  // first record read as the header, and the engine copies header names into the report: the
  // missing_column message ("the file has: PAY-2026-0001, 520102, 520102198503120044, ..."),
  // columns.extra and pii.flagged[].column, so the first recipient's resident ID and mobile are in the
  // report in clear text.
  it('a file uploaded without its header does not put the first record’s PII in the report', async () => {
    const text = `${ROWS.map((r) => r.join(',')).join('\n')}\n`;
    const o = await ingest(
      await writeInput(text),
      payments([RECIPIENT_DECLARED, PHONE_DECLARED], { primaryKey: ['payment_id'] }),
    );
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ rule: 'missing_column', column: 'payment_id' });
    const report = JSON.stringify(o.report);
    for (const raw of [IDS[0], MOBILES[0]])
      expect({ raw, inReport: report.includes(raw) }).toEqual({ raw, inReport: false });
  });
});
