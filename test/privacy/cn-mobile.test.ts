import { describe, expect, it } from 'vitest';
import { cnMobile } from '../../src/privacy/detectors/cn-mobile.ts';

describe('cn_mobile detector', () => {
  describe('rejects', () => {
    it.each([
      ['a landline with area code', '0851-85551234'],
      ['a landline without separator', '085185551234'],
      ['a local landline', '85551234'],
      ['a second digit of 2', '12800138000'],
      ['a second digit of 0', '10086100860'],
      ['10 digits', '1380013800'],
      ['12 digits', '138001380001'],
      ['a foreign country code', '+1 138-0013-8000'],
      ['a prefix without a mobile behind it', '+86 0851-85551234'],
      ['doubled separators', '138--0013-8000'],
      ['a trailing letter', '13800138000a'],
      ['a leading separator', '-13800138000'],
      ['parentheses', '(+86) 13800138000'],
      ['full-width digits', '１３８００１３８０００'],
      ['an empty string', ''],
    ])('%s', (_label, value) => {
      // Act
      const matched = cnMobile.test(value);
      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('accepts', () => {
    it.each([
      ['11 bare digits', '13800138000'],
      ['+86 and dashes', '+86 138-0013-8000'],
      ['+86 and dashes only', '+86-138-0013-8000'],
      ['+86 glued', '+8613800138000'],
      ['86 glued', '8613800138000'],
      ['0086 glued', '008613800138000'],
      ['spaces between groups', '138 0013 8000'],
      ['a 19x number', '199-1234-5678'],
      ['a 14x number', '14712345678'],
    ])('%s', (_label, value) => {
      // Act
      const matched = cnMobile.test(value);
      // Assess
      expect(matched).toBe(true);
    });
  });

  it('normalizes every spelling to the bare 11 digits', () => {
    // Prepare
    const spellings = [
      '13800138000',
      '+86 138-0013-8000',
      ' 0086 13800138000 ',
      '86-138-0013-8000',
      '138 0013 8000',
    ];
    // Act
    const normalized = new Set(spellings.map(cnMobile.normalize));
    // Assess
    expect([...normalized]).toEqual(['13800138000']);
  });

  it('leaves a value that is not a mobile number trimmed only', () => {
    // Act
    const normalized = cnMobile.normalize(' 0851-85551234 ');
    // Assess
    expect(normalized).toBe('0851-85551234');
  });

  it('masks the middle four digits of the normalized number', () => {
    // Act
    const masked = ['+86 138-0013-8000', '13912345678'].map(cnMobile.mask);
    // Assess
    expect(masked).toEqual(['138****8000', '139****5678']);
  });

  it('masks a value that is not a mobile number entirely', () => {
    // Act
    const masked = ['0851-85551234', '', '李四'].map(cnMobile.mask);
    // Assess
    expect(masked).toEqual(['*************', '', '**']);
  });
});
