import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldProtection, type Protection } from '../../src/contracts/protection.ts';
import { fieldSchema, PII_KINDS, PROTECT_ACTIONS } from '../../src/contracts/schema.ts';
import { hmacHex, hmacSql, protectSql, protectValue, quoteSqlString } from '../../src/privacy/protect.ts';
import { corpus, type Db, openDb, residentId, seeded } from './support.ts';

/** The protection of a personal field declared as `f`. */
const field = (f: Record<string, unknown>): Protection => {
  const protection = fieldProtection(fieldSchema.parse({ name: 'c', ...f }));
  if (!protection) throw new Error(`not personal data: ${JSON.stringify(f)}`);
  return protection;
};

function keyOf(bytes: number, seed: number): Buffer {
  const rand = seeded(seed);
  const key = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) key[i] = Math.floor(rand() * 256);
  // Make sure the extremes are there: a zero byte and a 0xff byte.
  key[0] = 0;
  key[bytes - 1] = 0xff;
  return key;
}

const KEY = keyOf(32, 7);

describe('hmacHex', () => {
  it('matches the RFC 4231 test vector', () => {
    // Act
    const mac = hmacHex(Buffer.from('Jefe'), 'what do ya want for nothing?');
    // Assess
    expect(mac).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('hashes the UTF-8 bytes of the value', () => {
    // Act
    const mac = hmacHex(KEY, '张三丰');
    // Assess
    expect(mac).toBe(createHmac('sha256', KEY).update(Buffer.from('张三丰', 'utf8')).digest('hex'));
  });
});

describe('SQL', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.close());

  describe('hmacSql', () => {
    const values = [
      '',
      'a',
      'what do ya want for nothing?',
      '张三丰',
      '贵州省贵阳市南明区中华南路1号',
      '🦆 duck',
      "it's",
      'back\\slash\\x00',
      'line\nbreak\ttab',
      '13800138000',
      residentId('52010219900101234'),
      'x'.repeat(63),
      'x'.repeat(64),
      'x'.repeat(65),
      '张'.repeat(2000),
      null,
    ];

    it.each([16, 32, 64, 65, 100])('equals node:crypto HMAC-SHA256 with a %i-byte key', async (bytes) => {
      // Prepare
      const key = keyOf(bytes, bytes);
      const expected = values.map((v) =>
        v === null ? null : createHmac('sha256', key).update(v, 'utf8').digest('hex'),
      );
      // Act
      const [actual] = await db.evaluate(values, [hmacSql('v', key)]);
      // Assess
      expect(actual).toEqual(expected);
    });

    it('matches the RFC 4231 test vector on a constant', async () => {
      // Act
      const rows = await db.rows(
        `SELECT ${hmacSql(quoteSqlString('what do ya want for nothing?'), Buffer.from('Jefe'))} AS h`,
      );
      // Assess
      expect(rows).toEqual([{ h: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' }]);
    });
  });

  describe('protectSql equals protectValue', () => {
    const values = corpus();
    const cases = PII_KINDS.filter((k) => k !== 'none').flatMap((pii) =>
      [undefined, ...PROTECT_ACTIONS.filter((a) => a !== 'drop')].map((protect) => ({ pii, protect })),
    );

    it.each(cases)('pii $pii, protect $protect', async ({ pii, protect }) => {
      // Prepare
      const f = field({ pii, protect });
      const expected = values.map((v) => protectValue(f, v, KEY));
      // Act
      const [actual] = await db.evaluate(values, [protectSql(f, 'v', KEY) as string]);
      // Assess
      expect(actual).toEqual(expected);
    });
  });
});

describe('fieldProtection', () => {
  it.each([
    [{}, null],
    [{ pii: 'none' }, null],
    [{ protect: 'keep' }, null],
    [{ pii: 'cn_mobile' }, { pii: 'cn_mobile', action: 'mask' }],
    [{ pii: 'other' }, { pii: 'other', action: 'mask' }],
    [
      { pii: 'email', protect: 'hash' },
      { pii: 'email', action: 'hash' },
    ],
    [
      { pii: 'address', protect: 'drop' },
      { pii: 'address', action: 'drop' },
    ],
    [
      { pii: 'person_name', protect: 'keep' },
      { pii: 'person_name', action: 'keep' },
    ],
  ])('%o -> %o', (declared, protection) => {
    // Act
    const actual = fieldProtection(fieldSchema.parse({ name: 'c', ...declared }));
    // Assess
    expect(actual).toEqual(protection);
  });
});

describe('protectSql and protectValue', () => {
  it('keep passes the expression and the value through', () => {
    // Prepare
    const f = field({ pii: 'email', protect: 'keep' });
    // Act / Assess
    expect(protectSql(f, '"email"', KEY)).toBe('"email"');
    expect(protectValue(f, ' A@B.cn ', KEY)).toBe(' A@B.cn ');
  });

  it('drop gives no SQL and an undefined value', () => {
    // Prepare
    const f = field({ pii: 'cn_resident_id', protect: 'drop' });
    // Act / Assess
    expect(protectSql(f, 'v', KEY)).toBeNull();
    expect(protectValue(f, '520102199001012347', KEY)).toBeUndefined();
  });

  it('masks by default when a PII kind is declared', () => {
    // Act
    const masked = protectValue(field({ pii: 'cn_mobile' }), '+86 138-0013-8000', KEY);
    // Assess
    expect(masked).toBe('138****8000');
  });

  it('masks person names, addresses and other PII without a detector', () => {
    // Act
    const name = protectValue(field({ pii: 'person_name' }), ' 张三丰 ', KEY);
    const address = protectValue(field({ pii: 'address' }), '贵州省贵阳市南明区中华南路1号', KEY);
    const other = protectValue(field({ pii: 'other' }), 'anything', KEY);
    const blank = ['person_name', 'address', 'other'].map((pii) => protectValue(field({ pii }), ' ', KEY));
    // Assess
    expect(name).toBe('张**');
    expect(address).toBe('贵州省贵阳市***');
    expect(other).toBe('***');
    expect(blank).toEqual(['', '', '']);
  });

  it('hashes the canonical form, so every spelling of a person hashes the same', () => {
    // Prepare
    const mobile = field({ pii: 'cn_mobile', protect: 'hash' });
    const id = field({ pii: 'cn_resident_id', protect: 'hash' });
    const mail = field({ pii: 'email', protect: 'hash' });
    const x = residentId('52010219900101123');
    // Act
    const mobiles = new Set(
      ['13800138000', '+86 138-0013-8000', '0086 138 0013 8000'].map((v) => protectValue(mobile, v, KEY)),
    );
    const ids = new Set([x, x.toLowerCase(), ` ${x} `].map((v) => protectValue(id, v, KEY)));
    const mails = new Set(
      ['zhang.san@gz.gov.cn', ' Zhang.San@GZ.gov.CN'].map((v) => protectValue(mail, v, KEY)),
    );
    // Assess
    expect([...mobiles]).toEqual([hmacHex(KEY, '13800138000')]);
    expect([...ids]).toEqual([hmacHex(KEY, x.toUpperCase())]);
    expect([...mails]).toEqual([hmacHex(KEY, 'zhang.san@gz.gov.cn')]);
  });

  it('hashes kinds without a detector after trimming', () => {
    // Act
    const hashed = protectValue(field({ pii: 'person_name', protect: 'hash' }), '\u3000张三丰 ', KEY);
    // Assess
    expect(hashed).toBe(hmacHex(KEY, '张三丰'));
  });

  it('keeps NULL as NULL and an empty value empty when hashing', () => {
    // Prepare
    const f = field({ pii: 'email', protect: 'hash' });
    // Act / Assess
    expect(protectValue(f, null, KEY)).toBeNull();
    expect(protectValue(f, '  ', KEY)).toBe('');
  });

  it('depends on the key', () => {
    // Prepare
    const f = field({ pii: 'cn_mobile', protect: 'hash' });
    // Act
    const a = protectValue(f, '13800138000', KEY);
    const b = protectValue(f, '13800138000', keyOf(32, 8));
    // Assess
    expect(a).not.toBe(b);
  });
});

describe('quoteSqlString', () => {
  it('doubles single quotes and leaves backslashes alone', () => {
    // Act / Assess
    expect(quoteSqlString("O'Brien\\n")).toBe("'O''Brien\\n'");
  });
});
