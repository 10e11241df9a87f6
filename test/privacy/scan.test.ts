import { describe, expect, it } from 'vitest';
import { bankCard } from '../../src/privacy/detectors/bank-card.ts';
import { DEFAULT_PII_MIN_SAMPLES, DEFAULT_PII_THRESHOLD, detectPii } from '../../src/privacy/scan.ts';
import { GUIZHOU_REGIONS, residentId, withLuhn } from './support.ts';

const ids = GUIZHOU_REGIONS.map((r, i) => residentId(`${r}1990010${i + 1}123`));
const names = ['张三', '李四', '王五', '赵六', '陈七', '刘八', '杨九', '黄十'];

describe('detectPii', () => {
  it('exposes its defaults', () => {
    // Assess
    expect(DEFAULT_PII_THRESHOLD).toBe(0.3);
    expect(DEFAULT_PII_MIN_SAMPLES).toBe(5);
  });

  it('flags nothing in a column of names', () => {
    // Act
    const found = detectPii(names);
    // Assess
    expect(found).toBeUndefined();
  });

  it('flags nothing with fewer non-empty values than minSamples', () => {
    // Prepare: four IDs and blanks.
    const values = [...ids.slice(0, 4), '', ' ', '\u3000', ''];
    // Act
    const found = detectPii(values);
    // Assess
    expect(found).toBeUndefined();
  });

  it('flags nothing below the threshold', () => {
    // Prepare: 2 mobiles in 8 values (25%).
    const values = [...names.slice(0, 6), '13800138000', '13912345678'];
    // Act
    const found = detectPii(values);
    // Assess
    expect(found).toBeUndefined();
  });

  it('flags a column of resident IDs', () => {
    // Act
    const found = detectPii(ids);
    // Assess
    expect(found).toEqual({ kind: 'cn_resident_id', ratio: 1, sampled: ids.length });
  });

  it('counts trimmed, non-empty values only', () => {
    // Prepare: 3 padded mobile numbers, 2 names, 3 blanks.
    const values = [
      ' +86 138-0013-8000 ',
      '\u300013912345678',
      '15011112222\t',
      '张三',
      '李四',
      '',
      '  ',
      '',
    ];
    // Act
    const found = detectPii(values);
    // Assess
    expect(found).toEqual({ kind: 'cn_mobile', ratio: 0.6, sampled: 5 });
  });

  it('flags at exactly the threshold and honours custom options', () => {
    // Prepare: 3 emails in 10 values.
    const values = [...names.slice(0, 7), 'a@gz.gov.cn', 'b@gz.gov.cn', 'c@gz.gov.cn'];
    // Act
    const atDefault = detectPii(values);
    const stricter = detectPii(values, { threshold: 0.5 });
    const fewSamples = detectPii(values.slice(7), { minSamples: 3 });
    // Assess
    expect(atDefault).toEqual({ kind: 'email', ratio: 0.3, sampled: 10 });
    expect(stricter).toBeUndefined();
    expect(fewSamples).toEqual({ kind: 'email', ratio: 1, sampled: 3 });
  });

  it('counts a resident ID that also passes the Luhn check as a resident ID only', () => {
    // Prepare: resident IDs that are valid card numbers too.
    const luhnIds = Array.from({ length: 1000 }, (_, i) =>
      residentId(`52010219850101${String(i).padStart(3, '0')}`),
    )
      .filter((id) => bankCard.test(id))
      .slice(0, 5);
    // Act
    const found = detectPii(luhnIds);
    // Assess
    expect(luhnIds).toHaveLength(5);
    expect(found).toEqual({ kind: 'cn_resident_id', ratio: 1, sampled: 5 });
  });

  it('picks the detector with the largest share in a mixed column', () => {
    // Prepare: 4 cards, 2 emails.
    const cards = [
      '4111 1111 1111 1111',
      '378282246310005',
      withLuhn('622202123456789012'),
      '6011-0009-9013-9424',
    ];
    const values = [...cards, 'a@b.cn', 'c@d.cn'];
    // Act
    const found = detectPii(values);
    // Assess
    expect(found).toEqual({ kind: 'bank_card', ratio: 4 / 6, sampled: 6 });
  });
});
