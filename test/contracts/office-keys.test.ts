/**
 * The contract keys for files as offices send them: a number field's exact decimal (`scale`,
 * `precision`), a JSON field's `path`, and format.property and format.mergedCells: accepted where they
 * apply, each misplaced one reported at its line and key with what to do.
 */
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.ts';
import { fieldColumnType } from '../../src/lake/column-types.ts';
import { datasetModel } from '../../src/lake/dataset-model.ts';
import { glueColumns } from '../../src/lake/glue-table.ts';
import { issuesOf, where } from './helpers.ts';

const head = 'name: funds\ndepartment: finance\ntitle: Funds\n';

describe('exact decimals, JSON paths, property and mergedCells', () => {
  it('loads them where they apply, and a scale makes the column a decimal for every reader of the model', () => {
    const c = parseContract(
      `${head}format: { type: json, property: data.list }\nfields:\n` +
        '  - { name: amount, type: number, scale: 2, path: funds.amount }\n' +
        '  - { name: budget, type: number, scale: 4, precision: 30 }\n' +
        '  - { name: rate, type: number }\n',
      'funds.yaml',
    );
    expect(c.format.property).toBe('data.list');
    expect(c.fields[0]).toMatchObject({ scale: 2, path: 'funds.amount' });
    expect(fieldColumnType(c.fields[0])).toEqual({
      checked: 'DECIMAL(18,2)',
      duckdb: 'DECIMAL(18,2)',
      glue: 'decimal(18,2)',
    });
    expect(
      glueColumns(datasetModel(c))
        .slice(0, 3)
        .map((col) => col.type),
    ).toEqual(['decimal(18,2)', 'decimal(30,4)', 'double']);
    const x = parseContract(
      `${head}format: { type: xlsx, mergedCells: blank }\nfields:\n  - { name: a }\n`,
      'f.yaml',
    );
    expect(x.format.mergedCells).toBe('blank');
  });

  it('reports each misplaced key at its line, with what to do', () => {
    const issues = issuesOf(() =>
      parseContract(
        `${head}format: { type: csv, property: data.list, mergedCells: fill }\nfields:\n` +
          '  - { name: beds, type: integer, scale: 0 }\n' +
          '  - { name: amount, type: number, precision: 10 }\n' +
          '  - { name: total, type: number, scale: 4, precision: 3 }\n' +
          '  - { name: big, type: number, scale: 2, precision: 39 }\n' +
          '  - { name: phone, path: contact..phone }\n',
        'funds.yaml',
      ),
    );
    expect(where(issues)).toEqual([
      [4, 'format.property'],
      [4, 'format.mergedCells'],
      [6, 'fields[0] (beds).scale'],
      [7, 'fields[1] (amount).precision'],
      [8, 'fields[2] (total).scale'],
      [9, 'fields[3] (big).precision'],
      [10, 'fields[4] (phone).path'],
    ]);
    const messages = issues.map((i) => i.message);
    expect(messages[0]).toBe(
      'property applies to format.type json (one wrapped document); this format is csv: remove it',
    );
    expect(messages[1]).toBe('mergedCells applies to format.type xlsx; this format is csv: remove it');
    expect(messages[2]).toBe('scale applies to number fields (exact decimals); "beds" is integer');
    expect(messages[3]).toBe('precision needs scale on "amount" (the digits after the point, e.g. scale: 2)');
    expect(messages[4]).toBe(
      'scale 4 is more than precision 3 on "total": the scale counts digits within the precision',
    );
    expect(messages[5]).toMatch(/38/);
    expect(messages[6]).toBe('must be a dot path of keys, like contact.phone');
  });
});
