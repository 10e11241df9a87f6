import { describe, expect, it } from 'vitest';
import { cnResidentId } from '../../src/privacy/detectors/cn-resident-id.ts';
import { residentId } from './support.ts';

describe('cn_resident_id detector', () => {
  const valid = residentId('52010219900101234'); // 520102199001012347

  describe('rejects', () => {
    it.each([
      ['a wrong check digit', `${valid.slice(0, 17)}${(Number(valid[17]) + 1) % 10}`],
      ['an X check character where a digit is due', `${valid.slice(0, 17)}X`],
      ['February 30th', residentId('52010219900230123')],
      ['month 13', residentId('52010219901301123')],
      ['day 00', residentId('52010219900100123')],
      ['29 February in 1900 (not a leap year)', residentId('52010219000229123')],
      ['a birth year before 1900', residentId('52010218991231123')],
      ['a birth year after 2100', residentId('52010221010101123')],
      ['17 digits', valid.slice(0, 17)],
      ['19 digits', `${valid}1`],
      ['a region code starting with 0', residentId('02010219900101123')],
      ['a letter inside', `5201A2${valid.slice(6)}`],
      ['X anywhere but last', `${valid.slice(0, 16)}X${valid[17]}`],
      ['inner spaces', `520102 19900101 ${valid.slice(14)}`],
      ['full-width digits', '５２０１０２１９９００１０１１２３４'],
      ['a legacy number with a bad date', '520102900230123'],
      ['16 digits', '5201029001011234'],
      ['an empty string', ''],
    ])('%s', (_label, value) => {
      // Prepare: value. Act
      const matched = cnResidentId.test(value);
      // Assess
      expect(matched).toBe(false);
    });
  });

  describe('accepts', () => {
    // An ID whose check character is X, found by walking the sequence numbers.
    const withX = Array.from({ length: 1000 }, (_, i) =>
      residentId(`52030219851231${String(i).padStart(3, '0')}`),
    ).find((id) => id.endsWith('X')) as string;

    it.each([
      ['an 18-digit number', valid],
      ['a check character X', withX],
      ['a lowercase check character x', withX.toLowerCase()],
      ['a leap day in 2000', residentId('52010220000229456')],
      ['birth year 1900', residentId('52260119000101001')],
      ['birth year 2100', residentId('52010221001231001')],
      ['the legacy 15-digit form', '520102900101123'],
      ['a legacy leap day', '520111840229001'],
    ])('%s', (_label, value) => {
      // Act
      const matched = cnResidentId.test(value);
      // Assess
      expect(matched).toBe(true);
    });
  });

  it('normalizes to trimmed uppercase', () => {
    // Prepare
    const spelled = `\u3000 ${valid.slice(0, 17)}x `;
    // Act
    const normalized = cnResidentId.normalize(spelled);
    // Assess
    expect(normalized).toBe(`${valid.slice(0, 17)}X`);
  });

  it('masks all but the region code, keeping the length', () => {
    // Act
    const masked = [valid, '520102900101123', ` ${valid.toLowerCase()} `].map(cnResidentId.mask);
    // Assess
    expect(masked).toEqual(['520102************', '520102*********', '520102************']);
  });

  it('masks a value without the shape of an ID entirely', () => {
    // Act
    const masked = ['5201', '张三丰', '', 'abc-520102'].map(cnResidentId.mask);
    // Assess
    expect(masked).toEqual(['****', '***', '', '**********']);
  });
});
