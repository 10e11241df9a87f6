/**
 * JSON as government APIs send it (test/support/office-files.ts): the records wrapped in
 * `{"code": 0, "data": {"list": [...]}}` (format.property), nested objects mapped to fields by `path`,
 * columns in file order, and personal data inside a nested object no field maps found in every value.
 */
import { describe, expect, it } from 'vitest';
import { decimalText, expected, officeJson, officeRecords } from '../support/office-files.ts';
import { contract, expectAccounted, ingest, writeInput } from './helpers.ts';

const RECORDS = officeRecords(7, [4, 3, 5]);
const WANT = expected(RECORDS);

const FIELDS = [
  { name: 'city' },
  { name: 'org_code', path: 'org.code', constraints: { required: true } },
  { name: 'county', path: 'org.county' },
  { name: 'allocated', type: 'number', path: 'funds.allocated', groupChar: ',', bareNumber: false, scale: 2 },
  { name: 'self_raised', type: 'number', path: 'funds.selfRaised', scale: 2 },
  { name: 'beds', type: 'integer' },
];

async function run(text: string, format: Record<string, unknown>, fields: unknown[] = FIELDS) {
  const path = await writeInput(text, 'funds.json');
  const o = await ingest(path, contract({ maxRejectedRatio: 1, format, fields }));
  expectAccounted(o.report);
  return o;
}

function sumCents(values: unknown[]): number {
  return values.reduce<number>((s, v) => s + Math.round(Number(v) * 100), 0);
}

describe('wrapped JSON with nested objects', () => {
  it('reads the records at format.property and maps nested keys by path', async () => {
    const o = await run(officeJson(RECORDS), { type: 'json', property: 'data.list' });
    expect(o.report.rows).toEqual({
      total: RECORDS.length,
      accepted: WANT.accepted,
      rejected: WANT.rejected,
    });
    expect(o.report.columns.matched).toEqual({
      city: 'city',
      org_code: 'org.code',
      county: 'org.county',
      allocated: 'funds.allocated',
      self_raised: 'funds.selfRaised',
      beds: 'beds',
    });
    // The keys no field maps, in the order the records hold them (not alphabetical).
    expect(o.report.columns.extra).toEqual(['org', 'funds', 'contact', 'contact.person', 'contact.phone']);
    expect(o.curatedTypes.allocated).toBe('DECIMAL(18,2)');
    expect(o.curated.map((r) => r.org_code)).toEqual(
      RECORDS.filter((r) => r.bad === null).map((r) => r.code),
    );
    expect(sumCents(o.curated.map((r) => r.allocated))).toBe(WANT.allocatedCents);
    expect(sumCents(o.curated.map((r) => r.self_raised))).toBe(WANT.selfRaisedCents);
    expect(String(o.curated[0].allocated)).toBe(
      decimalText(RECORDS.find((r) => r.bad === null)?.allocatedCents ?? 0),
    );
  });

  it('finds the mobile numbers inside a nested object no field maps, in every value, without repeating them', async () => {
    const o = await run(officeJson(RECORDS), { type: 'json', property: 'data.list' });
    expect(o.report.pii.found).toEqual([
      {
        column: 'contact.phone',
        kinds: { cn_mobile: RECORDS.length },
        values: RECORDS.length,
        lines: RECORDS.map((_, i) => i + 1),
        action: 'not-published',
      },
    ]);
    const text = JSON.stringify(o.report);
    for (const r of RECORDS) expect(text).not.toContain(r.phone);
    for (const row of o.curated) expect(Object.keys(row)).not.toContain('contact.phone');
  });

  it('scans a nested value a field maps like any other column', async () => {
    const o = await run(officeJson(RECORDS), { type: 'json', property: 'data.list' }, [
      ...FIELDS,
      { name: 'phone', path: 'contact.phone' },
    ]);
    // A column of mobile numbers by nature, not declared: the file is quarantined (the contract's default).
    expect(o.report.pii.flagged).toEqual([
      expect.objectContaining({ column: 'phone', detector: 'cn_mobile', action: 'quarantine' }),
    ]);
    expect(o.report.rows.accepted).toBe(0);
  });

  it('reads nested keys of JSON lines by path too', async () => {
    const list = JSON.parse(officeJson(RECORDS)).data.list as unknown[];
    const o = await run(list.map((r) => JSON.stringify(r)).join('\n'), { type: 'jsonl' });
    expect(o.report.rows).toEqual({
      total: RECORDS.length,
      accepted: WANT.accepted,
      rejected: WANT.rejected,
    });
    expect(sumCents(o.curated.map((r) => r.allocated))).toBe(WANT.allocatedCents);
  });
});

describe('format.property that does not lead to the records', () => {
  it.each([
    [
      'data.items',
      'format.property "data.items" is not in the file: "data" is an object without the key "items"',
    ],
    ['code', 'format.property "code" holds a number, not an array of records'],
    [
      'data.total.list',
      'format.property "data.total.list" is not in the file: "data.total" is a number, not an object',
    ],
    ['data', 'format.property "data" holds an object, not an array of records'],
  ])('%s: the file is rejected, naming the path and what is there', async (property, message) => {
    const o = await run(officeJson(RECORDS), { type: 'json', property });
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors).toHaveLength(1);
    expect(o.report.errors[0].rule).toBe('property');
    expect(o.report.errors[0].message).toBe(
      `${message}; set format.property to the dot path of the array of records (e.g. data.list), or remove it when the file is the array itself`,
    );
  });

  it('a document that is an array: says what the path meets', async () => {
    const o = await run('[{"a": 1}]', { type: 'json', property: 'data.list' }, [{ name: 'a' }]);
    expect(o.report.errors[0].message).toMatch(
      /^format\.property "data\.list" is not in the file: the document is an array, not an object;/,
    );
  });
});
