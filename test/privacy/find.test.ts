/**
 * Personal data inside text: what findPersonal, redactText and wholeKind find in the forms people write
 * numbers in, and the SQL twins giving the same answers in DuckDB over the whole privacy corpus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPersonal,
  kindsIn,
  redactText,
  sqlFirstKind,
  sqlKinds,
  sqlRedact,
  sqlWholeKind,
  wholeKind,
} from '../../src/privacy/find.ts';
import { corpus, type Db, openDb, residentId, withLuhn } from './support.ts';

const ID = residentId('52010219900307123');
const CARD = withLuhn('622202123456789012');
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Texts as people write them, each with the kinds it holds. */
const PLANTED: readonly [string, string[]][] = [
  [`联系电话13812345678`, ['cn_mobile']],
  [`身份证号：${ID}，已核验`, ['cn_resident_id']],
  [`${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`, ['cn_resident_id']],
  [`证件 ${fullWidth(ID)}`, ['cn_resident_id']],
  ['电话 138-1234-5678 / +86 139 8765 4321', ['cn_mobile', 'cn_mobile']],
  ['0086 13812345678', ['cn_mobile']],
  ['138.1234.5678', ['cn_mobile']],
  [`卡号 ${CARD.replace(/(\d{4})(?=\d)/g, '$1 ')}`, ['bank_card']],
  ['请发送至 Zhang.San@gz.gov.cn 谢谢', ['email']],
  ['{"name":"张三","phone":"13812345678"}', ['cn_mobile']],
  ['13812345678,13987654321', ['cn_mobile', 'cn_mobile']],
];

/** Texts that hold none. */
const CLEAN = [
  '贵阳市南明区中华南路1号',
  '2026-11-28 08:00',
  '订单 20261128000123456789', // a long number, not a card (and a mobile inside it is not one)
  `${ID.slice(0, 17)}0`, // a wrong check digit
  '62220212345678901', // 17 digits
  '138123456789', // 12 digits
  '12345678901', // starts 12
  'a@b',
  '',
];

describe('findPersonal', () => {
  it.each(PLANTED)('%s', (text, kinds) => {
    expect(findPersonal(text).map((f) => f.kind)).toEqual(kinds);
  });

  it.each(CLEAN)('finds nothing in %j', (text) => {
    expect(findPersonal(text)).toEqual([]);
  });
});

describe('redactText', () => {
  it('replaces each find by its mask and keeps the rest of the text', () => {
    expect(redactText('联系电话13812345678，请回电')).toBe('联系电话138****5678，请回电');
    expect(redactText(`身份证号：${ID}，已核验`)).toBe(`身份证号：${ID.slice(0, 6)}************，已核验`);
    expect(redactText(`证件 ${fullWidth(ID)}，全角`)).toBe(`证件 ${ID.slice(0, 6)}************，全角`);
    expect(redactText('Zhang.San@gz.gov.cn')).toBe('z***@gz.gov.cn');
    expect(redactText(`${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`)).toBe(
      `${ID.slice(0, 6)}************`,
    );
    expect(redactText('贵阳市南明区')).toBe('贵阳市南明区');
  });

  it('leaves no digit form of a planted value behind', () => {
    for (const [text] of PLANTED) {
      const digits = redactText(text).replace(/[^0-9]/g, '');
      for (const value of ['13812345678', '13987654321', ID.slice(0, 17), CARD]) {
        expect(digits, text).not.toContain(value);
      }
    }
  });
});

describe('wholeKind', () => {
  it('is the kind of a value that is one piece of personal data, and null for text around one', () => {
    expect(wholeKind(` ${ID} `)).toBe('cn_resident_id');
    expect(wholeKind('+86 138-1234-5678')).toBe('cn_mobile');
    expect(wholeKind(CARD)).toBe('bank_card');
    expect(wholeKind('zhang@gz.gov.cn')).toBe('email');
    expect(wholeKind('联系电话13812345678')).toBeNull();
    expect(wholeKind('贵阳')).toBeNull();
  });
});

describe('the SQL twins', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.close());

  it('find, redact and judge whole values as the JavaScript does, on every value of the corpus', async () => {
    // Prepare
    const values = [...PLANTED.map(([t]) => t), ...CLEAN, ...corpus()].filter((v): v is string => v !== null);
    // Act
    const [first, whole, redacted, kinds] = await db.evaluate(values, [
      sqlFirstKind('v'),
      sqlWholeKind('v'),
      sqlRedact('v'),
      `array_to_string(${sqlKinds('v')}, ',')`,
    ]);
    // Assess
    expect(first).toEqual(values.map((v) => kindsIn(v)[0] ?? null));
    expect(kinds).toEqual(values.map((v) => kindsIn(v).join(',')));
    expect(whole).toEqual(values.map((v) => wholeKind(v)));
    expect(redacted).toEqual(values.map((v) => redactText(v)));
  });

  it('stays linear on a long value of digits and separators', async () => {
    const long = `${'1 '.repeat(500_000)}13812345678`;
    const [redacted] = await db.evaluate([long], [sqlRedact('v')]);
    expect(redacted[0]?.endsWith('138****5678')).toBe(true);
    expect(redactText(long).endsWith('138****5678')).toBe(true);
  });
});
