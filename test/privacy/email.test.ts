import { describe, expect, it } from 'vitest';
import { email } from '../../src/privacy/detectors/email.ts';

describe('email detector', () => {
  describe('rejects', () => {
    it.each([
      ['no @ at all', 'zhangsan.gz.gov.cn'],
      ['no domain', 'zhangsan@'],
      ['no local part', '@gz.gov.cn'],
      ['a domain without a dot', 'zhangsan@localhost'],
      ['a one-letter top-level domain', 'zhangsan@gz.c'],
      ['a numeric top-level domain', 'zhangsan@10.0.0.1'],
      ['two @', 'zhang@san@gz.gov.cn'],
      ['a space in the local part', 'zhang san@gz.gov.cn'],
      ['a space in the domain', 'zhangsan@gz .gov.cn'],
      ['an empty domain label', 'zhangsan@gz..cn'],
      ['a label starting with a dash', 'zhangsan@-gz.gov.cn'],
      ['a display-name form', 'Zhang San <zhangsan@gz.gov.cn>'],
      ['an empty string', ''],
    ])('%s', (_label, value) => {
      // Act
      const matched = email.test(value);
      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('accepts', () => {
    it.each([
      ['a government address', 'zhang.san@gz.gov.cn'],
      ['mixed case and a plus tag', 'Li.Si+News@Example.COM'],
      ['digits in the domain', 'wang_wu@163.com'],
      ['an internationalized address', '用户@例子.中国'],
      ['a punycode top-level domain', 'user@example.xn--fiqs8s'],
      ['an apostrophe', "o'brien@example.ie"],
    ])('%s', (_label, value) => {
      // Act
      const matched = email.test(value);
      // Assess
      expect(matched).toBe(true);
    });
  });

  it('normalizes to trimmed lowercase', () => {
    // Act
    const normalized = email.normalize('  Zhang.San@GZ.Gov.CN\u3000');
    // Assess
    expect(normalized).toBe('zhang.san@gz.gov.cn');
  });

  it('folds ASCII letters only, so JavaScript and DuckDB agree', () => {
    // Act
    const normalized = email.normalize('ÄBC@ÖSTERREICH.AT');
    // Assess
    expect(normalized).toBe('Äbc@Österreich.at');
  });

  it('masks the local part after its first character', () => {
    // Act
    const masked = ['Zhang.San@GZ.gov.CN', '用户@例子.中国', '🦆duck@example.com'].map(email.mask);
    // Assess
    expect(masked).toEqual(['z***@gz.gov.cn', '用***@例子.中国', '🦆***@example.com']);
  });

  it('masks a value without a single @ entirely', () => {
    // Act
    const masked = ['zhangsan', 'a@b@c', '@gz.gov.cn', ''].map(email.mask);
    // Assess
    expect(masked).toEqual(['********', '*****', '**********', '']);
  });
});
