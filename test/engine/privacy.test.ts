/**
 * Declared personal data through the engine: each protect action on each PII kind, in the curated and
 * in the quarantine Parquet alike, hashes that join across datasets, and reports that never quote it.
 * Social-assistance payments of Guiyang districts (南明区 520102, 云岩区 520103, 花溪区 520111).
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldProtection, type Protection } from '../../src/contracts/protection.ts';
import { type DatasetContract, PROTECT_ACTIONS, type ProtectAction } from '../../src/contracts/schema.ts';
import { protectValue } from '../../src/privacy/protect.ts';
import { residentId, withLuhn } from '../privacy/support.ts';
import { contract, csvText, expectAccounted, HASH_KEY, ingest, type Outcome, writeInput } from './helpers.ts';

const ID_1 = residentId('52010219850312004'); // 520102198503120044
const ID_3 = residentId('52011119920615007'); // 52011119920615007X
const ID_4 = residentId('52011119751120003'); // 520111197511200038
const CARD_1 = withLuhn('622202240001234567');
const CARD_2 = withLuhn('621700285000123456');

/** The PII columns of a payments file, one per kind. */
const PII_FIELDS = [
  { name: 'recipient_id', pii: 'cn_resident_id' },
  { name: 'mobile', pii: 'cn_mobile' },
  { name: 'email', pii: 'email' },
  { name: 'bank_card', pii: 'bank_card' },
  { name: 'recipient_name', pii: 'person_name' },
  { name: 'address', pii: 'address' },
  { name: 'disability_cert', pii: 'other' },
] as const;

const HEADER = ['payment_id', 'county_code', ...PII_FIELDS.map((f) => f.name), 'amount'];
/** Line 5 has an amount that is not a number: it goes to quarantine, with its PII. */
const ROWS = [
  [
    'PAY-2026-0001',
    '520102',
    ID_1,
    '13800138000',
    'zhang.san@gzhealth.gov.cn',
    CARD_1,
    '张三丰',
    '贵州省贵阳市南明区中华南路1号',
    'CJ5201021985',
    '850.00',
  ],
  [
    'PAY-2026-0002',
    '520103',
    ` ${ID_3.toLowerCase()} `,
    '+86 139-8501-2345',
    ' Li.Si@Example.COM ',
    `${CARD_2.slice(0, 4)} ${CARD_2.slice(4, 8)} ${CARD_2.slice(8, 12)} ${CARD_2.slice(12)}`,
    '欧阳娜娜',
    '贵阳市云岩区中华北路200号',
    'CJ5201031990',
    '1200.5',
  ],
  ['PAY-2026-0003', '520111', '', '', '', '', '', '', '', '430'],
  [
    'PAY-2026-0004',
    '520111',
    ID_4,
    '18685012345',
    'wang.fang@qq.com',
    CARD_1,
    '王芳',
    '花溪区青岩镇',
    'CJ5201111975',
    '九百',
  ],
];
const RAW_VALUES = ROWS.flatMap((r) => r.slice(2, 2 + PII_FIELDS.length)).filter((v) => v.trim() !== '');

function paymentsContract(action: ProtectAction | undefined, extra: Record<string, unknown> = {}) {
  return contract({
    department: 'civil_affairs',
    name: 'assistance_payments',
    maxRejectedRatio: 0.5,
    fields: [
      { name: 'payment_id' },
      { name: 'county_code' },
      ...PII_FIELDS.map((f) => ({ ...f, ...(action ? { protect: action } : {}) })),
      { name: 'amount', type: 'number' },
    ],
    ...extra,
  });
}

async function uploadPayments(action: ProtectAction | undefined): Promise<Outcome> {
  const c = paymentsContract(action);
  const o = await ingest(await writeInput(csvText(HEADER, ROWS)), c);
  expectAccounted(o.report);
  return o;
}

/** The protection the contract declares for one of its personal fields. */
function fieldOf(c: DatasetContract, name: string): Protection {
  const protection = fieldProtection(c.fields.find((x) => x.name === name) ?? {});
  if (!protection) throw new Error(`no personal field ${name}`);
  return protection;
}

/** An empty CSV value is NULL before protection. */
const rawOrNull = (raw: string) => (raw === '' ? null : raw);

describe('protect actions on every PII kind', () => {
  for (const action of PROTECT_ACTIONS) {
    it(`${action}: curated and quarantine hold protectValue() of every value`, async () => {
      const c = paymentsContract(action);
      const o = await uploadPayments(action);
      expect(o.report.status).toBe('partial');
      expect(o.curated.map((r) => Number(r._source_line))).toEqual([2, 3, 4]);
      expect(o.quarantine.map((r) => Number(r._source_line))).toEqual([5]);
      expect(o.report.pii.protected).toEqual(PII_FIELDS.map((f) => ({ column: f.name, pii: f.pii, action })));
      expect(o.report.pii.flagged).toEqual([]);

      for (const [k, f] of PII_FIELDS.entries()) {
        const field = fieldOf(c, f.name);
        for (const [rows, lines] of [
          [o.curated, [2, 3, 4]],
          [o.quarantine, [5]],
        ] as const) {
          for (const [i, row] of rows.entries()) {
            const raw = ROWS[lines[i] - 2][2 + k];
            const want = protectValue(field, rawOrNull(raw), HASH_KEY);
            if (want === undefined) {
              expect(row).not.toHaveProperty(f.name);
            } else {
              expect({ column: f.name, line: lines[i], value: row[f.name] }).toEqual({
                column: f.name,
                line: lines[i],
                value: want,
              });
            }
          }
        }
        if (action === 'drop') expect(o.curatedTypes).not.toHaveProperty(f.name);
        else expect(o.curatedTypes[f.name]).toBe('VARCHAR');
      }
      // The other columns are untouched.
      expect(o.curated.map((r) => r.payment_id)).toEqual(['PAY-2026-0001', 'PAY-2026-0002', 'PAY-2026-0003']);
      expect(o.quarantine[0]).toMatchObject({ payment_id: 'PAY-2026-0004', amount: '九百' });
    });
  }

  it('mask is the default action of a declared kind, with the kinds’ display masks', async () => {
    const o = await uploadPayments(undefined);
    expect(o.report.pii.protected.map((p) => p.action)).toEqual(PII_FIELDS.map(() => 'mask'));
    const [first, second] = o.curated;
    expect(first).toMatchObject({
      recipient_id: '520102************',
      mobile: '138****8000',
      email: 'z***@gzhealth.gov.cn',
      bank_card: `${'*'.repeat(CARD_1.length - 4)}${CARD_1.slice(-4)}`,
      recipient_name: '张**',
      address: '贵州省贵阳市***',
      disability_cert: '***',
    });
    expect(second).toMatchObject({ recipient_id: '520111************', mobile: '139****2345' });
    // The rejected row's PII is masked in quarantine too.
    expect(o.quarantine[0]).toMatchObject({
      recipient_id: '520111************',
      mobile: '186****2345',
      recipient_name: '王*',
    });
  });

  it('keep publishes declared PII as uploaded, in both outputs', async () => {
    const o = await uploadPayments('keep');
    expect(o.curated[0]).toMatchObject({
      recipient_id: ID_1,
      mobile: '13800138000',
      recipient_name: '张三丰',
    });
    expect(o.curated[1].recipient_id).toBe(` ${ID_3.toLowerCase()} `);
    expect(o.curated[2].recipient_id).toBeNull();
    expect(o.quarantine[0]).toMatchObject({ recipient_id: ID_4, mobile: '18685012345' });
  });

  it('hash is HMAC-SHA256 (hex) of the normalized value, as node:crypto computes it; empty stays empty', async () => {
    const o = await uploadPayments('hash');
    const hmac = (s: string) => createHmac('sha256', HASH_KEY).update(s, 'utf8').digest('hex');
    expect(o.curated[0]).toMatchObject({
      recipient_id: hmac(ID_1),
      mobile: hmac('13800138000'),
      email: hmac('zhang.san@gzhealth.gov.cn'),
      bank_card: hmac(CARD_1),
      recipient_name: hmac('张三丰'),
    });
    // Spaces trimmed, x uppercased, +86 and separators dropped, ASCII lowercased, card groups joined.
    expect(o.curated[1]).toMatchObject({
      recipient_id: hmac(ID_3),
      mobile: hmac('13985012345'),
      email: hmac('li.si@example.com'),
      bank_card: hmac(CARD_2),
    });
    expect(o.curated[2]).toMatchObject({ recipient_id: null, mobile: null });
    expect(o.quarantine[0]).toMatchObject({ recipient_id: hmac(ID_4), bank_card: hmac(CARD_1) });
    for (const row of o.curated) {
      if (row.recipient_id !== null) expect(row.recipient_id).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('the same person hashes the same in two datasets, however each department spells the number', async () => {
    const payments = await ingest(
      await writeInput(
        csvText(
          ['payment_id', 'recipient_id', 'mobile', 'amount'],
          [['PAY-2026-0002', ` ${ID_3.toLowerCase()}`, '+86 139-8501-2345', '1200.5']],
        ),
      ),
      contract({
        department: 'civil_affairs',
        name: 'assistance_payments',
        fields: [
          { name: 'payment_id' },
          { name: 'recipient_id', pii: 'cn_resident_id', protect: 'hash' },
          { name: 'mobile', pii: 'cn_mobile', protect: 'hash' },
          { name: 'amount', type: 'number' },
        ],
      }),
    );
    const visits = await ingest(
      await writeInput(
        csvText(
          ['就诊编号', '身份证号', '联系电话', '机构编码'],
          [['V0001', ID_3, '139 8501 2345', 'GY0001']],
        ),
      ),
      contract({
        department: 'health',
        name: 'clinic_visits',
        fields: [
          { name: 'visit_id', headers: ['就诊编号'] },
          { name: 'patient_id', headers: ['身份证号'], pii: 'cn_resident_id', protect: 'hash' },
          { name: 'phone', headers: ['联系电话'], pii: 'cn_mobile', protect: 'hash' },
          { name: 'clinic_id', headers: ['机构编码'] },
        ],
      }),
    );
    expectAccounted(payments.report);
    expectAccounted(visits.report);
    expect(payments.curated[0].recipient_id).toBe(visits.curated[0].patient_id);
    expect(payments.curated[0].mobile).toBe(visits.curated[0].phone);
    expect(visits.curated[0].patient_id).toBe(createHmac('sha256', HASH_KEY).update(ID_3).digest('hex'));
  });
});

describe('the quarantine protects PII exactly like the curated output', () => {
  for (const action of ['mask', 'hash', 'drop'] as const) {
    it(`${action}: a row rejected for its own PII column holds the protected value, never the raw one`, async () => {
      const c = contract({
        department: 'civil_affairs',
        name: 'assistance_payments',
        maxRejectedRatio: 1,
        fields: [
          { name: 'payment_id' },
          {
            name: 'recipient_id',
            pii: 'cn_resident_id',
            protect: action,
            constraints: { required: true, pattern: '[0-9]{17}[0-9X]' },
          },
          { name: 'mobile', pii: 'cn_mobile', protect: action, constraints: { maxLength: 11 } },
        ],
      });
      const rows = [
        ['PAY-1', ID_1, '13800138000'],
        ['PAY-2', ID_3.toLowerCase(), '+86 139-8501-2345'],
        ['PAY-3', ID_4, '18685012345'],
      ];
      const o = await ingest(await writeInput(csvText(['payment_id', 'recipient_id', 'mobile'], rows)), c);
      expectAccounted(o.report);
      expect(o.curated.map((r) => r.payment_id)).toEqual(['PAY-1', 'PAY-3']);
      expect(o.quarantine.map((r) => r.payment_id)).toEqual(['PAY-2']);
      const q = o.quarantine[0];
      for (const [k, name] of ['recipient_id', 'mobile'].entries()) {
        const want = protectValue(fieldOf(c, name), rows[1][k + 1], HASH_KEY);
        if (want === undefined) expect(q).not.toHaveProperty(name);
        else expect(q[name]).toBe(want);
      }
      expect((q._errors as { rule: string }[]).map((e) => e.rule).sort()).toEqual(['maxLength', 'pattern']);
      const text = JSON.stringify(o.quarantine);
      for (const raw of [ID_3, ID_3.toLowerCase(), '+86 139-8501-2345', '13985012345']) {
        expect(text).not.toContain(raw);
      }
    });
  }
});

describe('no report message quotes personal data', () => {
  it('type, pattern, enum, length, required and duplicate errors on PII columns withhold the value', async () => {
    const c = contract({
      department: 'civil_affairs',
      name: 'assistance_payments',
      maxRejectedRatio: 1,
      primaryKey: ['recipient_id'],
      fields: [
        {
          name: 'recipient_id',
          pii: 'cn_resident_id',
          protect: 'hash',
          constraints: { pattern: '[0-9]{17}[0-9X]' },
        },
        { name: 'mobile', pii: 'cn_mobile', constraints: { minLength: 11, maxLength: 11 } },
        {
          name: 'recipient_name',
          pii: 'person_name',
          protect: 'keep',
          constraints: { pattern: '\\p{Han}{2,4}', required: true },
        },
        { name: 'bank_card', type: 'integer', pii: 'bank_card', protect: 'hash' },
        { name: 'household_type', pii: 'other', constraints: { enum: ['低保', '特困'] } },
        { name: 'amount', type: 'number' },
      ],
    });
    const rows = [
      [ID_1, '13800138000', '张三丰', CARD_1, '低保', '850'],
      [
        ID_3.toLowerCase(),
        '+86 139-8501-2345',
        'Zhang San',
        `${CARD_2.slice(0, 4)}-${CARD_2.slice(4)}`,
        '孤儿',
        '1200',
      ],
      [ID_1, '1868501234', '', CARD_1, '特困', '430'],
      [ID_4, '18685012345', '王芳', '6222x', '低保', '900'],
      [ID_1, '13800138000', '张三', CARD_1, '特困', '500'],
    ];
    const o = await ingest(
      await writeInput(
        csvText(['recipient_id', 'mobile', 'recipient_name', 'bank_card', 'household_type', 'amount'], rows),
      ),
      c,
    );
    expectAccounted(o.report);
    expect(o.report.status).toBe('partial');
    expect(new Set(o.report.errors.map((e) => e.rule))).toEqual(
      new Set(['pattern', 'maxLength', 'minLength', 'type', 'enum', 'required', 'primaryKey']),
    );
    const report = JSON.stringify(o.report);
    const written = await readFile(
      join(o.outDir, 'reports/civil_affairs/assistance_payments/upload-1.json'),
      'utf8',
    );
    const messages = JSON.stringify(o.quarantine.map((r) => r._errors));
    // Every PII value of the file (the enum's own values are the contract's, and may be quoted).
    const values = rows.flatMap((r) => r.slice(0, 4)).filter((v) => v !== '');
    for (const raw of [...values, '孤儿', ID_3, '13985012345', CARD_2]) {
      expect({ raw, inReport: report.includes(raw) }).toEqual({ raw, inReport: false });
      expect({ raw, inFile: written.includes(raw) }).toEqual({ raw, inFile: false });
      expect({ raw, inQuarantineErrors: messages.includes(raw) }).toEqual({ raw, inQuarantineErrors: false });
    }
    expect(report).toContain('the value does not match the pattern');
  });

  it('a whole payments upload (each action) leaves no raw value in the report', async () => {
    for (const action of PROTECT_ACTIONS) {
      const o = await uploadPayments(action);
      const report = JSON.stringify(o.report);
      for (const raw of RAW_VALUES)
        expect({ action, raw, found: report.includes(raw.trim()) }).toMatchObject({ found: false });
    }
  });
});

describe('uniqueness of a PII key', () => {
  // ENGINE BUG (src/engine/transform.ts, not fixed here): keys that are kept or hashed are checked for
  // duplicates among the *published* rows, after the main pass, while masked or dropped keys are checked
  // on the source before it, counting rows that fail other rules. So when the first occurrence of a key
  // is rejected for another reason, the second one is published with `keep`/`hash` but quarantined as a
  // duplicate of the rejected line with `mask`/`drop`: what gets published depends on the protect action.
  it('the first valid occurrence is published whatever the protect action', async () => {
    const rows = [
      ['13800138000', 'abc'], // rejected: amount is not a number
      ['13800138000', '10'], // first occurrence among valid rows: published
      ['13800138000', '20'], // duplicate of line 3
      ['13985012345', '30'],
    ];
    const results: Record<string, unknown> = {};
    for (const protect of PROTECT_ACTIONS) {
      const c = contract({
        department: 'civil_affairs',
        name: 'assistance_payments',
        maxRejectedRatio: 1,
        fields: [
          { name: 'mobile', pii: 'cn_mobile', protect, constraints: { unique: true } },
          { name: 'amount', type: 'integer' },
        ],
      });
      const o = await ingest(await writeInput(csvText(['mobile', 'amount'], rows)), c);
      expectAccounted(o.report);
      results[protect] = {
        curated: o.curated.map((r) => Number(r._source_line)),
        errors: o.report.errors.map((e) => `${e.line} ${e.rule}: ${e.message}`),
      };
    }
    const want = {
      curated: [3, 5],
      errors: ['2 type: "abc" is not a valid integer', '4 unique: the value duplicates line 3'],
    };
    expect(results).toEqual({ mask: want, hash: want, drop: want, keep: want, redact: want });
  });
});
