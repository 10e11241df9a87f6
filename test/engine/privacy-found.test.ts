/**
 * Personal data anywhere in a file: every value of every field the contract does not declare as
 * personal data is searched, inside free text as well as whole, on every row. Occasional finds are
 * redacted in place (or their rows quarantined), and no message repeats what was found.
 */
import { describe, expect, it } from 'vitest';
import { residentId, withLuhn } from '../privacy/support.ts';
import { contract, csvText, expectAccounted, ingest, writeInput } from './helpers.ts';

const ID = residentId('52010219900307123');
const OTHER_ID = residentId('52011119851120004');
const CARD = withLuhn('622202123456789012');
const fullWidth = (s: string) => s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Free-text remarks as people write them, each holding personal data in another form. */
const REMARKS = [
  `联系电话13812345678`,
  `身份证号：${ID}，已核验`,
  `证件 ${fullWidth(OTHER_ID)}`,
  `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`,
  '电话 138-1234-5678',
  '+86 139 8765 4321 转分机',
  `卡号 ${CARD.replace(/(\d{4})(?=\d)/g, '$1 ')}`,
  '请发送至 Zhang.San@gz.gov.cn 谢谢',
];
/** Every digit form a planted value could leave behind. */
const PLANTED_DIGITS = ['13812345678', '13987654321', ID.slice(0, 17), OTHER_ID.slice(0, 17), CARD];

function remarksContract(extra: Record<string, unknown> = {}) {
  return contract({
    department: 'health',
    name: 'visits',
    maxRejectedRatio: 1,
    fields: [{ name: 'visit_id', type: 'integer' }, { name: 'remark' }],
    ...extra,
  });
}

/** `rows` rows of ordinary text, with the remarks planted from row `from` on. */
function remarksFile(rows: number, from: number, planted: readonly string[] = REMARKS): string {
  const data = Array.from({ length: rows }, (_, i) => [
    String(i + 1),
    i >= from && i - from < planted.length ? planted[i - from] : `第${i + 1}次随访，情况稳定`,
  ]);
  return csvText(['visit_id', 'remark'], data);
}

const digitsOf = (rows: Record<string, unknown>[]) => JSON.stringify(rows).replace(/[^0-9]/g, '');

describe('personal data found inside free text', () => {
  it('is redacted in place on every row, the last ones included, and reported by line and kind', async () => {
    // Prepare: 9,000 rows, the personal data on the last eight (past any sample).
    const file = await writeInput(remarksFile(9000, 8992));
    // Act
    const o = await ingest(file, remarksContract());
    // Assess
    expectAccounted(o.report);
    expect(o.report.status).toBe('accepted');
    expect(o.report.pii.flagged).toEqual([]);
    expect(o.report.pii.found).toEqual([
      {
        column: 'remark',
        kinds: { cn_resident_id: 3, bank_card: 1, cn_mobile: 3, email: 1 },
        values: 8,
        lines: [8994, 8995, 8996, 8997, 8998, 8999, 9000, 9001],
        action: 'redacted',
      },
    ]);
    const remarks = o.curated.slice(-8).map((r) => r.remark);
    expect(remarks).toEqual([
      '联系电话138****5678',
      `身份证号：${ID.slice(0, 6)}************，已核验`,
      `证件 ${OTHER_ID.slice(0, 6)}************`,
      `${ID.slice(0, 6)}************`,
      '电话 138****5678',
      '139****4321 转分机',
      `卡号 ${'*'.repeat(15)}${CARD.slice(-4)}`,
      '请发送至 z***@gz.gov.cn 谢谢',
    ]);
    for (const digits of PLANTED_DIGITS) expect(digitsOf(o.curated)).not.toContain(digits);
    expect(JSON.stringify(o.report)).not.toMatch(/138\d{8}|@gz\.gov/);
    expect(o.curated[0].remark).toBe('第1次随访，情况稳定');
  });

  it('redacts a few mobiles in a column without flagging it (5 of 20 values)', async () => {
    const planted = ['13812345678', '13987654321', '15885123456', '17785051234', '18685012345'];
    const o = await ingest(await writeInput(remarksFile(20, 0, planted)), remarksContract());
    expect(o.report.pii.flagged).toEqual([]);
    expect(o.report.pii.found[0]).toMatchObject({ column: 'remark', values: 5, action: 'redacted' });
    expect(o.curated.slice(0, 5).map((r) => r.remark)).toEqual(
      planted.map((m) => `${m.slice(0, 3)}****${m.slice(-4)}`),
    );
  });

  it('sends the rows holding personal data to quarantine with undeclaredPii: quarantine-rows', async () => {
    const o = await ingest(
      await writeInput(remarksFile(100, 50)),
      remarksContract({ undeclaredPii: 'quarantine-rows' }),
    );
    expectAccounted(o.report);
    expect(o.report.rows).toEqual({ total: 100, accepted: 92, rejected: 8 });
    expect(o.report.pii.found[0]).toMatchObject({ column: 'remark', values: 8, action: 'quarantined' });
    expect(o.report.errorCounts.personal_data).toEqual({ remark: 8 });
    expect(o.report.errors[0].message).toMatch(/^a value holding personal data \(cn_mobile, 15 characters\)/);
    for (const digits of PLANTED_DIGITS) expect(digitsOf(o.curated)).not.toContain(digits);
    expect(JSON.stringify(o.report)).not.toContain('13812345678');
  });

  it('quarantines the rows of a typed field that holds personal data (an integer column of mobiles)', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [
      String(i + 1),
      i === 7 ? '13812345678' : String(1000 + i),
    ]);
    const c = contract({
      department: 'health',
      name: 'visits',
      maxRejectedRatio: 1,
      fields: [
        { name: 'visit_id', type: 'integer' },
        { name: 'amount', type: 'integer' },
      ],
    });
    const o = await ingest(await writeInput(csvText(['visit_id', 'amount'], rows)), c);
    expect(o.report.rows).toEqual({ total: 40, accepted: 39, rejected: 1 });
    expect(o.report.errors).toEqual([
      expect.objectContaining({ line: 9, column: 'amount', rule: 'personal_data' }),
    ]);
    expect(o.curated.map((r) => String(r.amount))).not.toContain('13812345678');
  });

  it('redacts a field declared protect: redact, and lists it as protected', async () => {
    const c = remarksContract({
      fields: [
        { name: 'visit_id', type: 'integer' },
        { name: 'remark', protect: 'redact' },
      ],
    });
    const o = await ingest(await writeInput(remarksFile(12, 2)), c);
    expect(o.report.pii.protected).toEqual([{ column: 'remark', pii: 'other', action: 'redact' }]);
    // The finds are reported as in an undeclared field, by kind and line.
    expect(o.report.pii.found).toEqual([
      expect.objectContaining({
        column: 'remark',
        values: 8,
        lines: [4, 5, 6, 7, 8, 9, 10, 11],
        action: 'redacted',
      }),
    ]);
    for (const digits of PLANTED_DIGITS) expect(digitsOf(o.curated)).not.toContain(digits);
    expect(o.curated[0].remark).toBe('第1次随访，情况稳定');
  });
});

describe('messages never repeat personal data', () => {
  it('describes a value that fails a rule by kind and length when it holds personal data', async () => {
    const c = contract({
      department: 'health',
      name: 'visits',
      maxRejectedRatio: 1,
      fields: [
        { name: 'code', constraints: { pattern: '^GZ[0-9]{6}$' } },
        { name: 'visits', type: 'integer' },
        { name: 'opened_on', type: 'date' },
      ],
    });
    const rows = [
      [ID, '电话13812345678', CARD],
      ['GZ000001', '12', '2026-01-05'],
      ['GZ000002', 'x'.repeat(80), 'soon'],
    ];
    const o = await ingest(await writeInput(csvText(['code', 'visits', 'opened_on'], rows)), c);
    const messages = o.report.errors.map((e) => `${e.line} ${e.column}: ${e.message}`);
    expect(messages).toEqual([
      '2 code: a value holding personal data (cn_resident_id, 18 characters) does not match the pattern ^GZ[0-9]{6}$',
      '2 visits: a value holding personal data (cn_mobile, 13 characters) is not a valid integer',
      '2 opened_on: a value holding personal data (bank_card, 19 characters) is not a valid date (formats: %Y-%m-%d)',
      '4 visits: a value of 80 characters is not a valid integer',
      '4 opened_on: "soon" is not a valid date (formats: %Y-%m-%d)',
    ]);
    const everything = JSON.stringify([o.report, o.quarantine.map((r) => r._errors)]);
    for (const digits of ['13812345678', ID, CARD]) expect(everything).not.toContain(digits);
  });

  it('keeps a header cell that holds personal data out of the report', async () => {
    const c = contract({
      department: 'health',
      name: 'visits',
      fields: [{ name: 'visit_id', type: 'integer' }],
    });
    const o = await ingest(await writeInput(csvText(['visit_id', '联系人电话13812345678'], [['1', 'a']])), c);
    expect(o.report.columns.extra).toEqual(['(column 2)']);
    expect(JSON.stringify(o.report)).not.toContain('13812345678');
  });
});
