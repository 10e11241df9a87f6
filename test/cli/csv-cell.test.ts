/** CSV fields the CLI writes: what a spreadsheet would run as a formula is shown as text instead. */
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/lake/csv-cell.ts';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://x.example","click")', `"'=HYPERLINK(""http://x.example"",""click"")"`],
    ['=1+2', "'=1+2"],
    ['+1-2', "'+1-2"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['-', "'-"],
    ['-12.5abc', "'-12.5abc"],
  ])('guards a text that starts a formula: %j', (value, expected) => {
    // Act and assess
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    ['-12.5', '-12.5'],
    ['+3', '+3'],
    ['-0.5e-7', '-0.5e-7'],
    ['-.5', '-.5'],
  ])('leaves a plain number written as text as it is: %j', (value, expected) => {
    // Act and assess
    expect(csvCell(value)).toBe(expected);
  });

  it('leaves numbers, and text that starts no formula, as they are', () => {
    // Act and assess
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(-3n)).toBe('-3');
    expect(csvCell('贵阳市 = 省会')).toBe('贵阳市 = 省会');
    expect(csvCell(' =1')).toBe(' =1');
    expect(csvCell('a-b')).toBe('a-b');
    expect(csvCell(true)).toBe('true');
  });

  it('quotes a field with a comma, a quote or a line break, and leaves NULL empty', () => {
    // Act and assess
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line one\nline two')).toBe('"line one\nline two"');
    expect(csvCell({ phone: '138****8000' })).toBe('"{""phone"":""138****8000""}"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});
