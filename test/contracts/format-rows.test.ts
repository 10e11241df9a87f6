/** format.headerRows, headerJoin and skipRows: loaded as written; bad values reported at their key. */
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.ts';
import { issuesOf, where } from './helpers.ts';

const head = 'name: clinics\ndepartment: health\ntitle: Clinics\nfields:\n  - name: clinic_id\n';

describe('header and skipped rows', () => {
  it('loads them', () => {
    const c = parseContract(
      `${head}format: { type: xlsx, headerRows: [2, 3], headerJoin: '', skipRows: ['^合计', '^注[:：]'] }\n`,
      'clinics.yaml',
    );
    expect(c.format).toMatchObject({ headerRows: [2, 3], headerJoin: '', skipRows: ['^合计', '^注[:：]'] });
  });

  it('reports a row that is not a positive whole number, and a pattern RE2 cannot run', () => {
    const issues = issuesOf(() =>
      parseContract(`${head}format:\n  headerRows: [0]\n  skipRows: ['^(?!合计)', '[']\n`, 'clinics.yaml'),
    );
    expect(where(issues)).toEqual([
      [7, 'format.headerRows[0]'],
      [8, 'format.skipRows[0]'],
      [8, 'format.skipRows[1]'],
    ]);
    expect(issues[1].message).toMatch(
      /lookahead and lookbehind groups, which the lake's pattern matcher \(RE2\)/,
    );
    expect(issues[2].message).toMatch(/not a valid regular expression/);
  });
});
