/**
 * The number forms of a field (groupChar, decimalChar, bareNumber) and `normalize`: accepted on the
 * field types they apply to, each misplaced one reported at its line and key with what to do.
 */
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.ts';
import { issuesOf, where } from './helpers.ts';

const head = 'name: clinics\ndepartment: health\ntitle: Clinics\nfields:\n';

describe('number forms and normalize', () => {
  it('loads them on the field types they apply to', () => {
    const c = parseContract(
      `${head}  - { name: beds, type: integer, groupChar: ',', bareNumber: false }\n` +
        `  - { name: amount, type: number, groupChar: '.', decimalChar: ',' }\n` +
        '  - { name: county_code, normalize: nfkc }\n',
      'clinics.yaml',
    );
    expect(c.fields[0]).toMatchObject({ groupChar: ',', bareNumber: false });
    expect(c.fields[1]).toMatchObject({ groupChar: '.', decimalChar: ',' });
    expect(c.fields[2]).toMatchObject({ type: 'string', normalize: 'nfkc' });
  });

  it('reports each misplaced key at its line, with what to do', () => {
    const issues = issuesOf(() =>
      parseContract(
        `${head}  - { name: clinic_name, groupChar: ',' }\n` +
          `  - { name: beds, type: integer, decimalChar: ',' }\n` +
          `  - { name: amount, type: number, groupChar: '.' }\n` +
          '  - { name: opened_on, type: date, bareNumber: false }\n' +
          '  - { name: visits, type: integer, normalize: nfkc }\n' +
          `  - { name: rate, type: number, groupChar: ',,' }\n` +
          '  - { name: code, normalize: nfd }\n',
        'clinics.yaml',
      ),
    );
    expect(where(issues)).toEqual([
      [5, 'fields[0] (clinic_name).groupChar'],
      [6, 'fields[1] (beds).decimalChar'],
      [7, 'fields[2] (amount).groupChar'],
      [8, 'fields[3] (opened_on).bareNumber'],
      [9, 'fields[4] (visits).normalize'],
      [10, 'fields[5] (rate).groupChar'],
      [11, 'fields[6] (code).normalize'],
    ]);
    const messages = issues.map((i) => i.message);
    expect(messages[0]).toBe('groupChar applies to number and integer fields; "clinic_name" is string');
    expect(messages[1]).toBe('decimalChar applies to number fields; "beds" is integer');
    expect(messages[2]).toBe(
      'groupChar "." is also the decimal separator of "amount": use another, or set decimalChar',
    );
    expect(messages[3]).toBe('bareNumber applies to number and integer fields; "opened_on" is date');
    expect(messages[4]).toMatch(/^normalize applies to string fields .*: remove it$/);
    expect(messages[5]).toMatch(/1 character/);
    expect(messages[6]).toMatch(/"nfkc"/);
  });
});
