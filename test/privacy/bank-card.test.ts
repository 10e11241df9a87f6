import { describe, expect, it } from 'vitest';
import { bankCard } from '../../src/privacy/detectors/bank-card.ts';
import { withLuhn } from './support.ts';

describe('bank_card detector', () => {
  const unionPay = withLuhn('622202123456789012');

  describe('rejects', () => {
    it.each([
      ['a Luhn failure', '4111111111111112'],
      [
        'a Luhn failure in a UnionPay number',
        `${unionPay.slice(0, -1)}${(Number(unionPay.at(-1)) + 1) % 10}`,
      ],
      ['12 digits', withLuhn('12345678901')],
      ['20 digits', withLuhn('1234567890123456789')],
      ['a leading zero', withLuhn('012345678901234')],
      ['all zeros', '0000000000000000'],
      ['doubled separators', '4111  1111 1111 1111'],
      ['a leading separator', '-4111111111111111'],
      ['a letter inside', '4111 1111 1111 111a'],
      ['dots between groups', '4111.1111.1111.1111'],
      ['an empty string', ''],
    ])('%s', (_label, value) => {
      // Act
      const matched = bankCard.test(value);
      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('accepts', () => {
    it.each([
      ['a 16-digit number', '4111111111111111'],
      ['spaces between groups', '4111 1111 1111 1111'],
      ['dashes between groups', '6011-0009-9013-9424'],
      ['15 digits', '378282246310005'],
      ['a 19-digit UnionPay number', unionPay],
      ['a 19-digit number in groups of four', unionPay.replace(/(\d{4})(?=\d)/g, '$1 ')],
      ['13 digits', withLuhn('422222222222')],
    ])('%s', (_label, value) => {
      // Act
      const matched = bankCard.test(value);
      // Assess
      expect(matched).toBe(true);
    });
  });

  it('normalizes to digits only', () => {
    // Act
    const normalized = ['4111 1111 1111 1111', ' 4111-1111-1111-1111 '].map(bankCard.normalize);
    // Assess
    expect(normalized).toEqual(['4111111111111111', '4111111111111111']);
  });

  it('leaves a value that is not digit groups trimmed only', () => {
    // Act
    const normalized = bankCard.normalize(' card: 4111 ');
    // Assess
    expect(normalized).toBe('card: 4111');
  });

  it('masks all but the last four digits', () => {
    // Act
    const masked = ['4111 1111 1111 1111', '378282246310005'].map(bankCard.mask);
    // Assess
    expect(masked).toEqual(['************1111', '***********0005']);
  });

  it('masks a value that is not a card number entirely', () => {
    // Act
    const masked = ['1234 5678', '卡号', ''].map(bankCard.mask);
    // Assess
    expect(masked).toEqual(['********', '**', '']);
  });
});
